# packaging-cpack: `cpack -G DEB` and `cpack -G TGZ` from this build tree into a scratch directory, then
# cpack.cmake checks the packages (contents, Depends, versions, copyright) and runs the unpacked runjob.
# It builds nothing (no DEPENDS; with Ninja cpack only runs the install scripts): run it on a built
# tree, as ctest does.
set(_jobslib_pkg_dashboard OFF)
if(TARGET jobslib-dashboard)
  set(_jobslib_pkg_dashboard ON)
endif()
set(_jobslib_pkg_keychain OFF)
if(TARGET jobslib_keychain)
  set(_jobslib_pkg_keychain ON)
endif()
add_test(NAME packaging-cpack
  COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/cpack -DVERSION=${PROJECT_VERSION}
          -DDASHBOARD=${_jobslib_pkg_dashboard} -DKEYCHAIN=${_jobslib_pkg_keychain}
          -P ${CMAKE_CURRENT_LIST_DIR}/cpack.cmake)
# cpack strips, runs dpkg-shlibdeps per package and compresses: some seconds, more on a busy machine.
set_tests_properties(packaging-cpack PROPERTIES TIMEOUT 300 LABELS packaging
  SKIP_REGULAR_EXPRESSION "jobslib-packaging-skip:")
