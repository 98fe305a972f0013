# Secrets by reference (file:, keychain:) against the ACL-enabled Consul simulator. The keychain
# part needs a real Secret Service: the test runs in a private D-Bus session with an unlocked
# gnome-keyring (dbus-run-session + gnome-keyring-daemon --unlock).
if(TARGET Qt6Keychain::Qt6Keychain AND TARGET jobslib_consulsim)
  add_executable(tst_secrets tst_secrets.cpp)
  target_link_libraries(tst_secrets PRIVATE jobslib::core Qt6::Test Qt6::Network jobslib_test_support jobslib_consulsim
    Qt6Keychain::Qt6Keychain jobslib_compiler_settings)
  set_target_properties(tst_secrets PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_dependencies(tst_secrets runjob jobslib-guard jobslib_keychain)
  add_test(NAME cli-tst_secrets
    COMMAND dbus-run-session -- sh -c "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$0\"" $<TARGET_FILE:tst_secrets>)
  set_tests_properties(cli-tst_secrets PROPERTIES TIMEOUT 120 LABELS cli
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_LOGGING_RULES=jobslib.consul.debug=false")
endif()
