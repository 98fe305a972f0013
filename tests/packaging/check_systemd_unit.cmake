# cmake -DSYSTEMD_ANALYZE=... -DUNIT_IN=runjob@.service.in -DRUNJOB=<build>/bin/runjob -DMAN_DIR=packaging/man
#       -DWORK_DIR=<dir> [-DINJECT=Key=value] -P check_systemd_unit.cmake
# Writes runjob@.service with the build tree's runjob as ExecStart into WORK_DIR and has
# `systemd-analyze verify` check it (Documentation=man:runjob(1) against packaging/man). systemd
# only warns about unknown keys or bad values and still exits 0, so any output fails the test too.
# Then checks what runjob relies on: who gets the stop signal, the stop timeout against runjob's
# own kill grace, the cgroup delegated for the runs' cgroups, the settings paths, restarts and the
# hardening. INJECT adds a line after
# KillMode= (for the test that proves a broken unit fails).
cmake_minimum_required(VERSION 3.21)
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/JobslibScriptArgs.cmake)
jobslib_require_args(SYSTEMD_ANALYZE UNIT_IN RUNJOB MAN_DIR WORK_DIR)
if(NOT EXISTS "${RUNJOB}")
  message(FATAL_ERROR "${RUNJOB} does not exist: build runjob first")
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/man/man1")
file(COPY "${MAN_DIR}/runjob.1" DESTINATION "${WORK_DIR}/man/man1")
file(READ "${UNIT_IN}" unit)
string(REPLACE "@JOBSLIB_UNIT_RUNJOB@" "${RUNJOB}" unit "${unit}")
if(unit MATCHES "@[A-Za-z_]+@")
  message(FATAL_ERROR "Unsubstituted placeholder ${CMAKE_MATCH_0} in ${UNIT_IN}")
endif()
if(INJECT)
  string(REPLACE "\nKillMode=mixed\n" "\nKillMode=mixed\n${INJECT}\n" unit "${unit}")
endif()
set(problems "")
set(unit_file "${WORK_DIR}/runjob@.service")
file(WRITE "${unit_file}" "${unit}")

execute_process(COMMAND ${CMAKE_COMMAND} -E env "MANPATH=${WORK_DIR}/man" "${SYSTEMD_ANALYZE}" verify "${unit_file}"
  WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
string(STRIP "${out}" out)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "")
  message(FATAL_ERROR "systemd-analyze verify ${unit_file}: exit code ${rc}\n${out}")
endif()

# The settings runjob depends on, as key=value lines of the unit (comments ignored).
string(REGEX REPLACE "(^|\n)[#;][^\n]*" "" settings "${unit}")
function(expect_line line why)
  string(REGEX REPLACE "([][.*+?^$()|\\\\])" "\\\\\\1" re "${line}")
  if(NOT settings MATCHES "(^|\n)${re}(\n|$)")
    set(problems "${problems}\n- runjob@.service lacks `${line}`: ${why}" PARENT_SCOPE)
  endif()
endfunction()
expect_line("KillMode=mixed" "SIGTERM must reach runjob alone, which stops its task and releases the lock")
expect_line("SuccessExitStatus=143" "runjob exits 143 after a SIGTERM it handled")
expect_line("Restart=on-failure" "restart after failures")
expect_line("RestartPreventExitStatus=2" "exit code 2 is a configuration error: restarting cannot help")
expect_line("EnvironmentFile=-/etc/jobslib/%i.env" "the optional per-job environment file")
expect_line("NoNewPrivileges=yes" "hardening")
expect_line("ProtectSystem=strict" "hardening")
expect_line("ProtectHome=yes" "hardening")
expect_line("PrivateTmp=yes" "hardening")
expect_line("StateDirectory=jobslib" "/var/lib/jobslib must be writable under ProtectSystem=strict (spool)")
expect_line("RuntimeDirectory=jobslib" "/run/jobslib must be writable: the default lock and liveness files")
expect_line("RuntimeDirectoryPreserve=yes" "stopping one instance must not delete the lock files of the others")
expect_line("Environment=XDG_RUNTIME_DIR=%t" "the default lock and liveness files go to \$XDG_RUNTIME_DIR/jobslib = /run/jobslib")
# The last assignment is the one systemd uses.
function(last_value key out)
  string(REGEX MATCHALL "(^|\n)${key}=[^\n]*" all "${settings}")
  list(POP_BACK all last)
  string(REGEX REPLACE "^\n?${key}=" "" last "${last}")
  set(${out} "${last}" PARENT_SCOPE)
endfunction()
last_value(Delegate delegate)
if(NOT delegate STREQUAL "yes")
  set(problems "${problems}\n- runjob@.service needs `Delegate=yes` (it has `Delegate=${delegate}`): each run gets a cgroup below the unit's, killed as a whole when the run ends")
endif()
last_value(ProtectControlGroups protect_cgroups)
if(protect_cgroups MATCHES "^(yes|true|on|1)$")
  set(problems "${problems}\n- ProtectControlGroups=${protect_cgroups} makes the cgroup file system read-only: runs cannot get a cgroup of their own")
endif()
string(REGEX REPLACE "([][.*+?^$()|\\\\])" "\\\\\\1" runjob_re "${RUNJOB}")
if(NOT settings MATCHES "\nExecStart=${runjob_re} --settings /etc/jobslib/%i\\.ini \\$RUNJOB_ARGS\n")
  set(problems "${problems}\n- ExecStart must run runjob --settings /etc/jobslib/%i.ini")
endif()

# runjob stops the task (after task.kill_grace jobslib-guard kills it; runjob does itself if the
# guard has not within 1 s, CommandTask::GuardKillWaitMs), then flushes metrics for at most 5 s
# (Runner's flushTimeoutMs, not an option) and releases the lock: systemd must wait longer.
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=JOBSLIB_TASK_KILL_GRACE --unset=JOBSLIB_SETTINGS
    --unset=JOBSLIB_SETTINGS_MODULE "${RUNJOB}" --print-config -- /bin/true
  RESULT_VARIABLE rc OUTPUT_VARIABLE config ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT config MATCHES "task\\.kill_grace = ([0-9.]+)")
  message(FATAL_ERROR "runjob --print-config gave no task.kill_grace (exit code ${rc}):\n${config}${err}")
endif()
set(kill_grace ${CMAKE_MATCH_1})
string(REGEX REPLACE "\\..*" "" grace_s "${kill_grace}")
if(NOT kill_grace STREQUAL grace_s)
  math(EXPR grace_s "${grace_s} + 1") # rounded up
endif()
if(NOT settings MATCHES "\nTimeoutStopSec=([0-9]+)\n")
  message(FATAL_ERROR "runjob@.service needs TimeoutStopSec= in plain seconds")
endif()
set(timeout ${CMAKE_MATCH_1})
math(EXPR needed "${grace_s} + 1 + 5 + 5") # grace + the guard's kill + metrics flush + the lock release
if(timeout LESS needed)
  set(problems "${problems}\n- TimeoutStopSec=${timeout} is too short: task.kill_grace ${kill_grace} s + 1 s for jobslib-guard's kill + 5 s metrics flush + 5 s for the release")
endif()
if(problems)
  message(FATAL_ERROR "runjob@.service:${problems}")
endif()
message(STATUS "systemd-analyze verify: clean; TimeoutStopSec=${timeout} >= task.kill_grace ${kill_grace} + 11")
