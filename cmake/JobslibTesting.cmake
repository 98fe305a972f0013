# jobslib_add_test(NAME SOURCES... PREFIX folder [LIBS ...] [LABELS ...] [DEPENDS targets...] [TIMEOUT s])
# One Qt Test executable per class; ctest name "<folder>-<name>" so `ctest -R core-` selects a folder.
function(jobslib_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT;PREFIX" "SOURCES;LIBS;LABELS;DEPENDS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE jobslib::core Qt6::Test jobslib_test_support jobslib_compiler_settings ${T_LIBS})
  target_compile_definitions(${name} PRIVATE QT_FORCE_ASSERTS
    JOBSLIB_BINARY_DIR="${CMAKE_BINARY_DIR}" JOBSLIB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  if(T_DEPENDS)
    add_dependencies(${name} ${T_DEPENDS})
  endif()
  add_test(NAME ${T_PREFIX}-${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${T_PREFIX}-${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_PREFIX};${T_LABELS}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;JOBSLIB_TEST_BIN=${CMAKE_BINARY_DIR}/bin;QT_LOGGING_RULES=jobslib.consul.debug=false\\;jobslib.etcd.debug=false")
endfunction()
