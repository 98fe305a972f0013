# Configuration: the settings file parser, the loader, logging settings and the owner record.
jobslib_add_test(tst_inifile SOURCES tst_inifile.cpp PREFIX core)
jobslib_add_test(tst_configloader SOURCES tst_configloader.cpp PREFIX core)
jobslib_add_test(tst_logging SOURCES tst_logging.cpp PREFIX core)
jobslib_add_test(tst_ownerrecord SOURCES tst_ownerrecord.cpp PREFIX core)
