# Packages: `cpack -G DEB` (one .deb per install component) and `cpack -G TGZ` (one relocatable tarball
# with everything). tests/packaging/cpack.cmake builds both and checks them.
#
#   jobslib            (component runtime)   runjob, libjobslib.so.N, jobslib-guard, the keychain plugin
#   jobslib-dashboard  (component dashboard) jobslib-dashboard; Depends: jobslib (= this version)
#   jobslib-dev        (component dev)       headers, libjobslib.so, the CMake package Jobslib, the
#                                            example sources; Depends: jobslib (= this version),
#                                            qt6-base-dev
#
# The example task plugin (helloworld) is not installed (see JOBSLIB_BUILD_EXAMPLES): -dev ships its
# sources under share/doc/jobslib/examples. Library dependencies come from dpkg-shlibdeps.
#
# The .deb files install under /usr (CPackDeb's default prefix), whatever CMAKE_INSTALL_PREFIX is:
# runjob finds its plugins, the keychain plugin and jobslib-guard relative to itself (../lib/jobslib,
# ../libexec/jobslib) and the library through RPATH $ORIGIN/../<libdir>, so the tree is relocatable.
# Every install() of the project must name one of the components above: an install() without
# COMPONENT lands in "Unspecified" and becomes a package jobslib-unspecified (the test fails then).

set(CPACK_PACKAGE_NAME ${PROJECT_NAME})
set(CPACK_PACKAGE_VENDOR "the jobslib (C++/Qt) authors")
if(NOT DEFINED CPACK_PACKAGE_CONTACT)
  set(CPACK_PACKAGE_CONTACT "jobslib maintainers <maintainers@users.noreply.r-seed-54955f16.example>")
endif()
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VERSION_MAJOR ${PROJECT_VERSION_MAJOR})
set(CPACK_PACKAGE_VERSION_MINOR ${PROJECT_VERSION_MINOR})
set(CPACK_PACKAGE_VERSION_PATCH ${PROJECT_VERSION_PATCH})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
set(CPACK_STRIP_FILES ON)
if(NOT CPACK_GENERATOR)
  set(CPACK_GENERATOR DEB TGZ)
endif()

# --- Debian packages, one per component ---------------------------------------------------------
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # <name>_<version>-<release>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(_jobslib_deb_version "${CPACK_PACKAGE_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dpkg-shlibdeps must find libjobslib.so.N for the keychain plugin (its RPATH does not point at it)
# and for the dashboard (whose package does not contain it); no dependency comes from there, the
# dependency on the runtime package is written out below.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_LIBRARY_OUTPUT_DIRECTORY})
# DEBIAN/shlibs of the runtime package, so other packages' dpkg-shlibdeps find libjobslib.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ${PROJECT_NAME})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "${PROJECT_DESCRIPTION}
runjob runs a periodic task on servers in several datacenters so that only one
instance is active at a time (Consul, etcd or local locks with fencing tokens),
with InfluxDB metrics and an HTTP status endpoint. Includes libjobslib,
jobslib-guard and the keychain plugin.")

set(CPACK_DEBIAN_DASHBOARD_PACKAGE_NAME ${PROJECT_NAME}-dashboard)
set(CPACK_DEBIAN_DASHBOARD_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_DASHBOARD_PACKAGE_DEPENDS "${PROJECT_NAME} (= ${_jobslib_deb_version})")
set(CPACK_DEBIAN_DASHBOARD_DESCRIPTION "Desktop view of runjob's locks and instances across datacenters
jobslib-dashboard shows who holds each job's lock in every datacenter, every
instance's heartbeat and the runs' history from InfluxDB, and can release a
lock or request a handover.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME ${PROJECT_NAME}-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${PROJECT_NAME} (= ${_jobslib_deb_version}), qt6-base-dev (>= 6.4)")
set(CPACK_DEBIAN_DEV_DESCRIPTION "Development files for jobslib task plugins
Headers of libjobslib, the CMake package Jobslib (find_package(Jobslib):
jobslib::core and jobslib_add_task_plugin()) and the example task.")

# CPackDeb puts the project's summary in front of every package's description; reset to CPack's
# default in the per-generator file below, each package's first description line is its own summary.
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/JobslibCPackOptions.cmake CONTENT [[
# Read by cpack for every generator (CPACK_PROJECT_CONFIG_FILE); written by cmake/JobslibCPack.cmake.
if(CPACK_GENERATOR STREQUAL "DEB")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CPACK_DEFAULT_PACKAGE_DESCRIPTION_SUMMARY}")
endif()
]] @ONLY)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_BINARY_DIR}/JobslibCPackOptions.cmake)

# --- The tarball: every component in one tree, relative to its top directory -------------------
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)

# Debian wants the license as /usr/share/doc/<package>/copyright; the tarball gets the same files.
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE RENAME copyright
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${CPACK_DEBIAN_RUNTIME_PACKAGE_NAME} COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE RENAME copyright
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${CPACK_DEBIAN_DEV_PACKAGE_NAME} COMPONENT dev)
if(TARGET jobslib-dashboard)
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE RENAME copyright
    DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${CPACK_DEBIAN_DASHBOARD_PACKAGE_NAME}
    COMPONENT dashboard)
endif()

# include(CPack) writes CPackConfig.cmake with the components known at that moment: run it at the end
# of the top directory, so install() rules added after this file is included still get packaged.
cmake_language(DEFER CALL include CPack)
