# An application that links libjobslib, as users do: its own Context subclass, option and task.
add_executable(jobslib-customapp customapp.cpp)
target_link_libraries(jobslib-customapp PRIVATE jobslib::core jobslib_compiler_settings)
set_target_properties(jobslib-customapp PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
jobslib_add_test(tst_customapp SOURCES tst_customapp.cpp PREFIX cli DEPENDS jobslib-customapp jobslib-guard)
