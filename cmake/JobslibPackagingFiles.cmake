# Files for packages and distributions beside the programs (packaging/): runjob's systemd unit and
# man page (component runtime); the dashboard's man page, desktop entry, AppStream metainfo and
# icon (component dashboard). tests/packaging validates them.
set(JOBSLIB_DESKTOP_ID org.jobslib.Dashboard)
# Relative to the prefix (/usr: /usr/lib/systemd/system; /usr/local/lib/systemd/system is on
# systemd's search path too). Distributions may pass an absolute directory.
set(JOBSLIB_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING "Where runjob@.service is installed (relative to the prefix, or absolute)")

# ExecStart: under /usr or /usr/local just "runjob", which systemd (>= 239) looks up in its fixed
# search path (/usr/local/bin, /usr/bin, ...): the same unit then fits `cmake --install` with the
# default prefix and the .deb, which CPack installs under /usr whatever CMAKE_INSTALL_PREFIX says.
# Any other prefix gets the absolute path. tests/packaging verifies the unit with the build tree's
# runjob in its place. -DJOBSLIB_UNIT_RUNJOB=/path/to/runjob overrides it.
if(DEFINED JOBSLIB_UNIT_RUNJOB)
elseif(CMAKE_INSTALL_FULL_BINDIR MATCHES "^/usr(/local)?/bin$")
  set(JOBSLIB_UNIT_RUNJOB runjob)
else()
  set(JOBSLIB_UNIT_RUNJOB ${CMAKE_INSTALL_FULL_BINDIR}/runjob)
endif()
configure_file(packaging/systemd/runjob@.service.in ${CMAKE_BINARY_DIR}/packaging/systemd/runjob@.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/packaging/systemd/runjob@.service DESTINATION ${JOBSLIB_SYSTEMD_UNITDIR} COMPONENT runtime)
install(FILES packaging/man/runjob.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)

if(TARGET jobslib-dashboard)
  install(FILES packaging/man/jobslib-dashboard.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT dashboard)
  install(FILES packaging/desktop/${JOBSLIB_DESKTOP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT dashboard)
  install(FILES packaging/desktop/${JOBSLIB_DESKTOP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo COMPONENT dashboard)
  install(FILES resources/icons/jobslib-dashboard.png DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/128x128/apps
    RENAME ${JOBSLIB_DESKTOP_ID}.png COMPONENT dashboard)
endif()
