jobslib_add_test(tst_schedule SOURCES tst_schedule.cpp PREFIX core)
jobslib_add_test(tst_runner SOURCES tst_runner.cpp PREFIX core)
