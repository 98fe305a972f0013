# The InfluxDbProcess helper (tests/support) against a real influxd 1.x (Debian package "influxdb"); skips without it.
jobslib_add_test(tst_influxdbprocess SOURCES tst_influxdbprocess.cpp PREFIX metrics LABELS influxdb)
