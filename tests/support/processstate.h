// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QList>
#include <QString>

namespace jobslib::test {

/*!
 * The state letter of a process as /proc/PID/stat has it: 'R' running, 'S' sleeping, 'T' stopped
 * (SIGSTOP), 'Z' zombie...; 0 when there is no such process.
 */
char processState(qint64 pid);
/*! Whether the process is stopped by a signal (state 'T'): a SIGSTOP has taken effect. */
inline bool processStopped(qint64 pid)
{
    return processState(pid) == 'T';
}
/*!
 * Waits (event loop running) until the process is stopped: a SIGSTOP, sent or raised by the
 * process itself, has taken effect. False when the deadline passed or the process ended.
 */
bool waitUntilStopped(qint64 pid, int timeoutMs);
/*! The name of a process (/proc/PID/comm, at most 15 characters); empty when it is gone. */
QString processName(qint64 pid);
/*!
 * The children of a process: /proc/PID/task/TID/children of every thread (Linux 3.5+), or, where
 * that is not there, every process whose PPid is pid.
 */
QList<qint64> childProcesses(qint64 pid);
/*! The first child of pid named name (processName()), 0 if there is none. */
qint64 childNamed(qint64 pid, const QString &name);

} // namespace jobslib::test
