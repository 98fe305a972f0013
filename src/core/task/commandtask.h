// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "basetask.h"
#include "runcgroup.h"

#include <QProcess>
#include <QStringList>

class QTimer;

namespace jobslib {

/*!
 * A task that runs an external command (`task.command`) instead of C++ code. The command's
 * output goes straight to runjob's stdout and stderr and its stdin is /dev/null. It learns the
 * run's fencing token, lock key and task name from JOBSLIB_FENCING_TOKEN, JOBSLIB_LOCK_KEY and
 * JOBSLIB_TASK_NAME.
 *
 * The command runs under jobslib-guard, which leads a process group of its own and is the child
 * subreaper of the run: stopping sends the signal to the whole group (grandchildren included),
 * and whatever the command leaves behind when it ends, daemons that left the group with setsid
 * included, is killed. If runjob dies, even by SIGKILL, the guard kills all of it, so no part of
 * the task runs on without the lock holder. The guard also learns the lock deadline
 * (setLockDeadline()) through a control pipe and kills the run once it passes unrenewed, so a
 * frozen runjob cannot leave the command running past its lock. Where runjob may make cgroups
 * below its own (systemd's Delegate=yes), each run gets one (RunCgroup), and ending the run
 * kills everything in it.
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
    /*!
     * Has jobslib-guard kill the whole run (a "K" line on the control pipe): the group, the
     * daemons it adopted and the run's cgroup. A SIGKILL to the group would kill the guard first.
     * Should the guard not have ended within GuardKillWaitMs, SIGKILL to the group, the guard and
     * the run's cgroup. A command can always be forced.
     */
    bool forceStop() override;
    /*! True when jobslib-guard is found: it kills the run at the lock deadline. */
    bool isKilledAtLockDeadline() const override;

    /*! How long forceStop() gives jobslib-guard to kill the run before it kills the guard too. */
    static constexpr int GuardKillWaitMs = 1000;
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
    /*! What forceStop() falls back on: SIGKILL to the group, the guard and the run's cgroup. */
    void killRun();
    /*! Kills what is left in the run's cgroup and deletes it, retrying while it is not empty. */
    void removeCgroup(const RunCgroup &cgroup, int attempt = 0);
    bool openControl(QString *error);
    bool writeControl(const QByteArray &line);
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
    RunCgroup m_cgroup;            ///< the run's cgroup, while a run lasts; invalid without one
    QTimer *m_killTimer = nullptr; ///< forceStop()'s wait for the guard; runs once "K" was sent
};

} // namespace jobslib
