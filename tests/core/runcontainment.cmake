# "Nothing of a run outlives it": daemons of a command task against the real guard and runjob.
# The cgroup tests need a writable cgroup v2 (root, or a delegated cgroup) and skip otherwise.
jobslib_add_test(tst_runcontainment SOURCES tst_runcontainment.cpp PREFIX core TIMEOUT 60 DEPENDS runjob jobslib-guard)

# A command that leaves daemons behind in every way it can (double fork, setsid, an orphan that
# forks again, an orphan that ends) and notes their pids.
add_executable(rundaemons rundaemons.cpp)
target_link_libraries(rundaemons PRIVATE jobslib_compiler_settings)
set_target_properties(rundaemons PROPERTIES AUTOMOC OFF RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
add_dependencies(tst_runcontainment rundaemons)
target_compile_definitions(tst_runcontainment PRIVATE JOBSLIB_RUNDAEMONS="$<TARGET_FILE:rundaemons>")
