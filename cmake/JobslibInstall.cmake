# The CMake package `Jobslib`: find_package(Jobslib) gives jobslib::core and jobslib_add_task_plugin().
include(CMakePackageConfigHelpers)
set(JOBSLIB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Jobslib)
install(EXPORT JobslibTargets NAMESPACE jobslib:: DESTINATION ${JOBSLIB_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(cmake/JobslibConfig.cmake.in ${CMAKE_BINARY_DIR}/JobslibConfig.cmake
  INSTALL_DESTINATION ${JOBSLIB_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/JobslibConfigVersion.cmake COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/JobslibConfig.cmake ${CMAKE_BINARY_DIR}/JobslibConfigVersion.cmake
  cmake/JobslibPluginHelpers.cmake DESTINATION ${JOBSLIB_CMAKE_DIR} COMPONENT dev)
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT dev)
