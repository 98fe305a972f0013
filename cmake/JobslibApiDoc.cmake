# Builds the reference manual with Doxygen and fails on any warning (target apidoc, test apidoc).
#   cmake -DDOXYGEN=... -DSOURCE_DIR=... -DBINARY_CORE_DIR=... -DOUTPUT_DIR=... -DJOBSLIB_VERSION=...
#         [-DEXTRA_HEADERS=...] -P cmake/JobslibApiDoc.cmake
# The public API is what <jobslib/jobslib.h> includes, followed header by header, so a header that
# joins the API is documented (or the build says what is missing) without a list to keep in step.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/JobslibScriptArgs.cmake)
jobslib_require_args(DOXYGEN SOURCE_DIR BINARY_CORE_DIR OUTPUT_DIR JOBSLIB_VERSION)
set(DOC_DIR ${SOURCE_DIR}/docs/api)
set(core ${SOURCE_DIR}/src/core)

# Quoted includes resolve next to the including header, then in src/core, then among the generated
# headers; <...> includes are Qt's or the standard library's and not part of the API.
set(queue ${core}/jobslib.h)
set(headers)
while(queue)
  list(POP_FRONT queue header)
  if(header IN_LIST headers)
    continue()
  endif()
  list(APPEND headers ${header})
  get_filename_component(dir ${header} DIRECTORY)
  file(STRINGS ${header} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" name "${line}")
    # The export macro is predefined away (Doxyfile.in); it documents nothing.
    if(name STREQUAL "jobslib_export.h")
      continue()
    endif()
    set(found)
    foreach(base ${dir} ${core} ${BINARY_CORE_DIR})
      if(EXISTS ${base}/${name})
        get_filename_component(found ${base}/${name} ABSOLUTE)
        break()
      endif()
    endforeach()
    if(NOT found)
      message(FATAL_ERROR "${header}: cannot find the included \"${name}\"")
    endif()
    list(APPEND queue ${found})
  endforeach()
endwhile()
list(SORT headers)
# Tests add a header to prove that the check fails.
list(APPEND headers ${EXTRA_HEADERS})
list(JOIN headers " \\\n                         " INPUT_HEADERS)

file(REMOVE_RECURSE ${OUTPUT_DIR}/html)
file(MAKE_DIRECTORY ${OUTPUT_DIR})
configure_file(${DOC_DIR}/Doxyfile.in ${OUTPUT_DIR}/Doxyfile @ONLY)
execute_process(COMMAND ${DOXYGEN} ${OUTPUT_DIR}/Doxyfile WORKING_DIRECTORY ${OUTPUT_DIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "doxygen failed (${rc}):\n${out}${err}")
endif()
file(READ ${OUTPUT_DIR}/warnings.log warnings)
string(STRIP "${warnings}" warnings)
list(LENGTH headers count)
if(warnings)
  string(REGEX MATCHALL "\n" newlines "\n${warnings}")
  list(LENGTH newlines nwarnings)
  message(FATAL_ERROR "The reference manual has ${nwarnings} warning(s); the public API must be documented:\n${warnings}")
endif()
message(STATUS "Reference manual of ${count} public headers, no warnings: ${OUTPUT_DIR}/html/index.html")
