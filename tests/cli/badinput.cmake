# Bad command lines, settings and environment: runjob must exit 2 with one error line and start nothing.
jobslib_add_test(tst_badinput SOURCES tst_badinput.cpp PREFIX cli)
add_dependencies(tst_badinput runjob jobslib-guard)
