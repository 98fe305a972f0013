# The status endpoint of a real runjob process, and secrets that must not show.
jobslib_add_test(tst_runjobstatus SOURCES tst_runjobstatus.cpp PREFIX status TIMEOUT 120 DEPENDS runjob jobslib-guard)
