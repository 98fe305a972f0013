# The delivery policy of network metrics backends (fake clock, scripted sender).
jobslib_add_test(tst_bufferedmetrics SOURCES tst_bufferedmetrics.cpp PREFIX metrics)
