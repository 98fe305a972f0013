jobslib_add_test(tst_runjob SOURCES tst_runjob.cpp PREFIX cli TIMEOUT 300 DEPENDS runjob jobslib-guard helloworld)
jobslib_add_test(tst_filelockhandover SOURCES tst_filelockhandover.cpp PREFIX cli TIMEOUT 300 DEPENDS runjob jobslib-guard)
jobslib_add_test(tst_docs SOURCES tst_docs.cpp PREFIX cli DEPENDS runjob)

# A task author's view: install jobslib, build the example plugin out of tree with find_package(Jobslib), run it.
add_test(NAME cli-plugin-out-of-tree
  COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
          -DWORK_DIR=${CMAKE_BINARY_DIR}/tests/plugin-out-of-tree -P ${CMAKE_SOURCE_DIR}/tests/support/plugin_out_of_tree.cmake)
set_tests_properties(cli-plugin-out-of-tree PROPERTIES TIMEOUT 600 LABELS "cli;slow")
