# InfluxDbWriter on the wire: v1/v2 requests, answers, timeout, https; against a recording HTTP server of the test.
jobslib_add_test(tst_influxdbwriter SOURCES tst_influxdbwriter.cpp PREFIX metrics)
