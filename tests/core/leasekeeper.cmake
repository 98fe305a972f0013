jobslib_add_test(tst_leasekeeper SOURCES tst_leasekeeper.cpp PREFIX core)
