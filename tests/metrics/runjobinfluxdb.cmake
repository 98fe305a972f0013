# End-to-end: real runjob processes against a real influxd 1.x (Debian package "influxdb"); skips without it.
jobslib_add_test(tst_runjobinfluxdb SOURCES tst_runjobinfluxdb.cpp PREFIX metrics LABELS influxdb TIMEOUT 300 DEPENDS runjob jobslib-guard)
