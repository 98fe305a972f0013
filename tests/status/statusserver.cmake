jobslib_add_test(tst_statusserver SOURCES tst_statusserver.cpp PREFIX status)
