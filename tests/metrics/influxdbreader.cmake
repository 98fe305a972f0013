# InfluxDbReader (job history for the dashboard): parser and errors always, reading back against a real influxd 1.x
# (Debian package "influxdb") when it is installed; those functions skip without it.
jobslib_add_test(tst_influxdbreader SOURCES tst_influxdbreader.cpp PREFIX metrics LABELS influxdb)
