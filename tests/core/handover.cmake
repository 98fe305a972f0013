# Operator actions beside the lock: the action log's keys and records, and the runner's side of
# "Request handover". Both use an in-memory key-value store (memorykvstore).
jobslib_add_test(tst_actionlog SOURCES tst_actionlog.cpp memorykvstore.cpp PREFIX core)
jobslib_add_test(tst_runnerhandover SOURCES tst_runnerhandover.cpp memorykvstore.cpp PREFIX core)
