# cmake -P script: install jobslib into a scratch prefix, build examples/helloworld against it
# with find_package(Jobslib), and run the installed runjob on the plugin.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(LAST_OUT "${out}" PARENT_SCOPE)
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/helloworld -B ${WORK_DIR}/build -G Ninja
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/build)
# The installed runjob finds the installed plugin in <prefix>/lib/jobslib/plugins by itself.
run(${CMAKE_COMMAND} -E env --unset=JOBSLIB_PLUGIN_PATH ${WORK_DIR}/prefix/bin/runjob --run-once --disable-one-instance
    helloworld.HelloWorld --name OutOfTree)
if(NOT LAST_OUT MATCHES "Hello, OutOfTree! \\(fencing token 1\\)")
  message(FATAL_ERROR "unexpected output: ${LAST_OUT}")
endif()
run(${WORK_DIR}/prefix/bin/runjob --version)
message(STATUS "out-of-tree plugin ok: ${LAST_OUT}")
