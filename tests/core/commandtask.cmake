jobslib_add_test(tst_commandtask SOURCES tst_commandtask.cpp PREFIX core)
# The tests run commands under the real guard from ${CMAKE_BINARY_DIR}/bin.
add_dependencies(tst_commandtask jobslib-guard)

# Plays a runjob that dies (or, given a lock deadline, freezes): starts jobslib-guard as a group
# leader, then waits to be killed or stopped.
add_executable(guardparent guardparent.cpp)
target_link_libraries(guardparent PRIVATE jobslib_compiler_settings)
set_target_properties(guardparent PROPERTIES AUTOMOC OFF RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
add_dependencies(tst_commandtask guardparent)
target_compile_definitions(tst_commandtask PRIVATE JOBSLIB_GUARDPARENT="$<TARGET_FILE:guardparent>")
