# The fuzz targets of tests/fuzz, in two builds of the same sources (tests/fuzz/README.md):
#   normal (any compiler)        each target with tests/fuzz/replay_main.cpp; ctest fuzz-replay-<name> runs
#                                its seed corpus and regressions, so every crash once found stays a test
#   -DJOBSLIB_FUZZ=ON (clang)    libFuzzer binaries, the library instrumented; ctest fuzz-<name> fuzzes for
#                                JOBSLIB_FUZZ_SECONDS, fuzz-replay-<name> replays under the sanitizers
# This file is also the script those tests run (cmake -P, see the end): CMake is the one tool every
# build machine has, and it can both copy the corpus and read libFuzzer's output for the reproducer.

if(NOT CMAKE_SCRIPT_MODE_FILE)
  option(JOBSLIB_FUZZ "Build the fuzz targets as libFuzzer binaries with ASan and UBSan (needs clang)" OFF)
  set(JOBSLIB_FUZZ_SECONDS 15 CACHE STRING "Seconds each ctest fuzz-<name> test fuzzes (JOBSLIB_FUZZ=ON)")
  # libFuzzer's own per-input limits; an input slower or bigger than these is a bug report too.
  set(JOBSLIB_FUZZ_FLAGS -timeout=5 -rss_limit_mb=2048)

  if(JOBSLIB_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      message(FATAL_ERROR "JOBSLIB_FUZZ=ON needs clang (libFuzzer): configure with CC=clang CXX=clang++ (scripts/fuzz.sh does)")
    endif()
    # No recovery: UBSan's report must end the run like ASan's, or libFuzzer would not save the input.
    set(_jobslib_sanitizers -fsanitize=address,undefined -fno-sanitize-recover=all)
    # Line tables are all the sanitizers' reports need (file:line of every frame), and they build
    # about a tenth faster than full debug info (this build is often made from scratch).
    set(_jobslib_fuzz_compile -gline-tables-only -fno-omit-frame-pointer)
    # The library gets coverage instrumentation (fuzzer-no-link) so that libFuzzer sees inside the
    # parsers; the sanitizers as a usage requirement, so that whatever links it also links their runtime.
    target_compile_options(jobslib_core PRIVATE -fsanitize=fuzzer-no-link ${_jobslib_sanitizers} ${_jobslib_fuzz_compile})
    target_link_options(jobslib_core PUBLIC ${_jobslib_sanitizers})
    # Q_ASSERT on in a release build, Qt's inline ones included (QList::at() and operator[] bounds):
    # more invariants for free.
    target_compile_definitions(jobslib_core PRIVATE QT_FORCE_ASSERTS)
    # clang's -Wpedantic flags every qCDebug(category) << ... (a Qt macro): dozens of warnings that
    # hide anything that matters in this build's output. After the project's -Wpedantic, so it holds.
    target_compile_options(jobslib_compiler_settings INTERFACE -Wno-gnu-zero-variadic-macro-arguments)
    # Stack traces with file:line need llvm-symbolizer; Debian's llvm-14 has it only as llvm-symbolizer-14.
    find_program(JOBSLIB_LLVM_SYMBOLIZER NAMES llvm-symbolizer llvm-symbolizer-14)
    set(_jobslib_fuzz_env "UBSAN_OPTIONS=print_stacktrace=1")
    if(JOBSLIB_LLVM_SYMBOLIZER)
      list(APPEND _jobslib_fuzz_env "ASAN_SYMBOLIZER_PATH=${JOBSLIB_LLVM_SYMBOLIZER}")
    else()
      message(STATUS "llvm-symbolizer not found: sanitizer stack traces will show addresses only (package llvm-14)")
    endif()
  endif()
endif()

# jobslib_add_fuzzer(<name>): tests/fuzz/fuzz_<name>.cpp, seeds in corpus/<name>, crash inputs in
# regressions/<name>, a libFuzzer dictionary in <name>.dict if there is one; adds the executable
# fuzz_<name> to the target `fuzzers` and its ctest tests.
function(jobslib_add_fuzzer name)
  set(_dir ${CMAKE_CURRENT_SOURCE_DIR})
  set(_target fuzz_${name})
  set(_seeds ${_dir}/corpus/${name})
  set(_regressions ${_dir}/regressions/${name})
  set(_work ${CMAKE_BINARY_DIR}/fuzz/${name})
  set(_script ${PROJECT_SOURCE_DIR}/cmake/JobslibFuzzing.cmake)
  if(JOBSLIB_FUZZ)
    add_executable(${_target} ${_dir}/fuzz_${name}.cpp)
    target_compile_options(${_target} PRIVATE -fsanitize=fuzzer ${_jobslib_sanitizers} ${_jobslib_fuzz_compile})
    target_link_options(${_target} PRIVATE -fsanitize=fuzzer ${_jobslib_sanitizers})
  else()
    add_executable(${_target} ${_dir}/fuzz_${name}.cpp ${_dir}/replay_main.cpp)
  endif()
  target_include_directories(${_target} PRIVATE ${_dir})
  target_compile_definitions(${_target} PRIVATE QT_FORCE_ASSERTS)
  target_link_libraries(${_target} PRIVATE jobslib::core Qt6::Core Qt6::Network jobslib_compiler_settings)
  set_target_properties(${_target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/fuzz)
  add_dependencies(fuzzers ${_target})

  set(_args -DFUZZER=$<TARGET_FILE:${_target}> -DNAME=${name} -DSEEDS=${_seeds} -DREGRESSIONS=${_regressions} -DWORK=${_work})
  if(EXISTS ${_dir}/${name}.dict)
    list(APPEND _args -DDICT=${_dir}/${name}.dict)
  endif()
  if(JOBSLIB_FUZZ)
    add_test(NAME fuzz-replay-${name} COMMAND ${CMAKE_COMMAND} ${_args} -DMODE=replay "-DFLAGS=${JOBSLIB_FUZZ_FLAGS}" -P ${_script})
    add_test(NAME fuzz-${name} COMMAND ${CMAKE_COMMAND} ${_args} -DMODE=fuzz -DSECONDS=${JOBSLIB_FUZZ_SECONDS}
      "-DFLAGS=${JOBSLIB_FUZZ_FLAGS}" -P ${_script})
    math(EXPR _timeout "${JOBSLIB_FUZZ_SECONDS} + 120")
    set_tests_properties(fuzz-${name} PROPERTIES LABELS fuzz TIMEOUT ${_timeout} ENVIRONMENT "${_jobslib_fuzz_env}")
    set_tests_properties(fuzz-replay-${name} PROPERTIES LABELS fuzz TIMEOUT 120 ENVIRONMENT "${_jobslib_fuzz_env}")
  else()
    add_test(NAME fuzz-replay-${name} COMMAND ${_target} ${_seeds} ${_regressions})
    set_tests_properties(fuzz-replay-${name} PROPERTIES LABELS fuzz TIMEOUT 120)
  endif()
endfunction()

if(NOT CMAKE_SCRIPT_MODE_FILE)
  return()
endif()

# ---------------------------------------------------------------------------------------------
# Script mode: cmake -DFUZZER= -DNAME= -DSEEDS= -DREGRESSIONS= -DWORK= -DMODE=fuzz|replay
#                    [-DSECONDS=] [-DFLAGS=] [-DDICT=] -P JobslibFuzzing.cmake
foreach(var FUZZER NAME SEEDS REGRESSIONS WORK MODE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "JobslibFuzzing.cmake: -D${var}=... is missing")
  endif()
endforeach()

# Every input file of the seeds and regressions (README files and dot files are not inputs).
set(_inputs)
foreach(dir ${SEEDS} ${REGRESSIONS})
  file(GLOB _files LIST_DIRECTORIES false ${dir}/*)
  foreach(f ${_files})
    get_filename_component(_base ${f} NAME)
    if(NOT _base MATCHES "^\\." AND NOT _base MATCHES "^README")
      list(APPEND _inputs ${f})
    endif()
  endforeach()
endforeach()
if(NOT _inputs)
  message(FATAL_ERROR "fuzz ${NAME}: no inputs in ${SEEDS}")
endif()
list(SORT _inputs)

if(MODE STREQUAL "replay")
  # Given files (not directories), libFuzzer runs each once and stops at the first failure.
  execute_process(COMMAND ${FUZZER} ${FLAGS} ${_inputs} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${out}\nfuzz ${NAME}: replaying the seeds and regressions failed (${rc})")
  endif()
  list(LENGTH _inputs n)
  message(STATUS "fuzz ${NAME}: ${n} inputs replayed")
  return()
endif()

if(NOT MODE STREQUAL "fuzz")
  message(FATAL_ERROR "JobslibFuzzing.cmake: MODE must be fuzz or replay")
endif()
# The working corpus is the build tree's: libFuzzer adds what it finds there (so the next run starts
# further on) and never writes into the source tree. The seeds and regressions are copied in every time.
set(_corpus ${WORK}/corpus)
set(_artifacts ${WORK}/artifacts/)
file(MAKE_DIRECTORY ${_corpus} ${_artifacts})
file(COPY ${_inputs} DESTINATION ${_corpus})
# The dictionary: the names the parsers look up inside Qt, where libFuzzer's comparison tracing cannot see.
set(_dict)
if(DICT)
  set(_dict -dict=${DICT})
endif()
# -max_len: the parsers' inputs are small; without it one big regression input makes every mutation big.
execute_process(COMMAND ${FUZZER} -max_total_time=${SECONDS} -max_len=8192 ${FLAGS} ${_dict} -print_final_stats=1 -artifact_prefix=${_artifacts} ${_corpus}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
# How far it got, also in <work>/summary.txt for scripts/fuzz.sh to show (ctest hides a passing test's output).
set(_summary "fuzz ${NAME}: ${SECONDS} s")
foreach(stat number_of_executed_units average_exec_per_sec new_units_added)
  if(out MATCHES "stat::${stat}: *([0-9]+)")
    string(APPEND _summary ", ${stat} ${CMAKE_MATCH_1}")
  endif()
endforeach()
if(rc EQUAL 0)
  file(WRITE ${WORK}/summary.txt "${_summary}, no failure\n")
  message(STATUS "${_summary}, no failure")
  return()
endif()
file(WRITE ${WORK}/summary.txt "${_summary}, FAILED\n")
string(REGEX MATCH "(Test unit|artifact)[^\n]*written to ([^\n]+)" _written "${out}")
set(_reproducer "${CMAKE_MATCH_2}")
if(_reproducer)
  set(_how "reproducer: ${_reproducer}\n  replay it:      ${FUZZER} ${_reproducer}\n  keep it as a regression test (after the fix): cp ${_reproducer} ${REGRESSIONS}/<what-it-breaks>")
else()
  set(_how "no reproducer was written (see the output above)")
endif()
message(FATAL_ERROR "${out}\nfuzz ${NAME}: FAILED (libFuzzer exit ${rc})\n  ${_how}")
