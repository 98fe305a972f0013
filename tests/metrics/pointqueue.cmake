jobslib_add_test(tst_pointqueue SOURCES tst_pointqueue.cpp PREFIX metrics)
