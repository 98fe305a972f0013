# What /status, /livez, /readyz and /metrics report, through the runner's state machine (fake clock and backends).
jobslib_add_test(tst_runmonitor SOURCES tst_runmonitor.cpp PREFIX status)
