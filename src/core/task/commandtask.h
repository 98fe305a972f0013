// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "basetask.h"

#include <QProcess>
#include <QStringList>

namespace jobslib {

/*!
 * A task that runs an external command (`task.command`) instead of C++ code. The command's
 * output goes straight to runjob's stdout and stderr and its stdin is /dev/null. It learns the
 * run's fencing token, lock key and task name from JOBSLIB_FENCING_TOKEN, JOBSLIB_LOCK_KEY and
 * JOBSLIB_TASK_NAME.
 *
 * The command runs under jobslib-guard, which leads a process group of its own: stopping sends
 * the signal to the whole group (grandchildren included), and if runjob dies, even by SIGKILL,
 * the guard kills the group, so no part of the task runs on without the lock holder. The guard
 * also learns the lock deadline (setLockDeadline()) through a control pipe and kills the group
 * once it passes unrenewed, so a frozen runjob cannot leave the command running past its lock.
 */
class JOBSLIB_EXPORT CommandTask : public BaseTask
{
    Q_OBJECT
public:
    /*! command: the program and its arguments, not interpreted by a shell. */
    explicit CommandTask(const QStringList &command, QObject *parent = nullptr);
    ~CommandTask() override;

    /*! The program's file name unless setName() was called. */
    QString name() const override;
    void setName(const QString &name) { m_name = name; }
    QString description() const override;
    QStringList command() const { return m_command; }

    void start() override;
    /*! SIGTERM to the whole process group. */
    void requestStop() override;
    /*! SIGKILL to the whole process group; a command can always be forced. */
    bool forceStop() override;
    /*! Also tells the guard of a running command, which kills the group once the deadline passes. */
    void setLockDeadline(qint64 remainingMs) override;

    /*!
     * Splits a `task.command` setting into program and arguments as a POSIX shell would, without
     * any expansion: whitespace separates; '...' is literal; "..." groups with \ escaping
     * " \ $ and `; a backslash outside quotes escapes the next character. Returns an empty list
     * for an unterminated quote.
     */
    static QStringList splitCommand(const QString &command);

private:
    // start() replaces the thread that would run task(); it is never called.
    void task() override;

    void onProcessFinished(QProcess *process, int exitCode, QProcess::ExitStatus status);
    void onProcessError(QProcess *process, QProcess::ProcessError error);
    /*! Ends the run of process, once: later reports of the same process are dropped. */
    void complete(QProcess *process, const TaskResult &result);
    void signalGroup(int sig);
    bool openControl(QString *error);
    void sendLockDeadline();
    void closeControl();
    QProcessEnvironment commandEnvironment() const;

    QStringList m_command;
    QString m_name;
    QProcess *m_process = nullptr; ///< the running process; null once its end was seen
    qint64 m_pgid = 0;             ///< its process group (= its pid); 0 when none may be signalled
    bool m_guarded = false;        ///< runs under jobslib-guard (exit 127 then means exec failed)
    int m_controlFd = -1;          ///< write end of the guard's control pipe (non-blocking), while a run lasts
    int m_controlReadFd = -1;      ///< its read end, kept so a write never raises SIGPIPE
};

} // namespace jobslib
