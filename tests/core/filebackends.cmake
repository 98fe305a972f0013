# The local "file" backends: lock, liveness, metrics (and the line protocol they share with InfluxDB).
jobslib_add_test(tst_filelock SOURCES tst_filelock.cpp PREFIX core)
jobslib_add_test(tst_fileliveness SOURCES tst_fileliveness.cpp PREFIX core)
jobslib_add_test(tst_lineprotocol SOURCES tst_lineprotocol.cpp PREFIX core)
jobslib_add_test(tst_filemetrics SOURCES tst_filemetrics.cpp PREFIX core)
