// SPDX-License-Identifier: BSD-3-Clause
#include "commandtask.h"

#include "app/context.h"
#include "guardlocator.h"
#include "lock/lockbackend.h"
#include "util/deferred.h"
#include "util/logcategories.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTimer>

#include <atomic>
#include <cerrno>
#include <cstdio>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

namespace jobslib {

namespace {

constexpr int GuardExecFailed = 127; // jobslib-guard's exit code when PROGRAM cannot be executed
constexpr int GuardControlFd = 3;    // where the guard finds its control pipe (--control-fd)

TaskResult failed(const QString &error, int exitCode = 0)
{
    TaskResult r;
    r.error = error;
    r.exitCode = exitCode;
    return r;
}

} // namespace

CommandTask::CommandTask(const QStringList &command, QObject *parent)
    : BaseTask(parent)
    , m_command(command)
    , m_killTimer(new QTimer(this))
{
    m_killTimer->setSingleShot(true);
    m_killTimer->setInterval(GuardKillWaitMs);
    connect(m_killTimer, &QTimer::timeout, this, [this] {
        if (!m_process)
            return;
        qCWarning(lcTask) << "jobslib-guard did not end the run within" << GuardKillWaitMs
                          << "ms after it was told to: killing the task's process group, the guard and the run's cgroup";
        killRun();
    });
}

CommandTask::~CommandTask()
{
    if (m_process) {
        // runjob is going away with the command still running (the runner normally waits for
        // finished()). QProcess's own destructor would kill only the guard and leave the rest
        // running: have the guard kill the run, as forceStop() does, but waiting right here, and
        // reap the guard without reporting anything.
        disconnect(m_process, nullptr, this, nullptr);
        if (!writeControl("K\n") || !m_process->waitForFinished(GuardKillWaitMs)) {
            killRun();
            m_process->waitForFinished(5000);
        }
    }
    if (m_cgroup.isValid()) {
        m_cgroup.kill();
        if (!m_cgroup.remove())
            qCDebug(lcTask) << "cannot remove the run's cgroup" << m_cgroup.path() << qt_error_string(errno);
    }
    closeControl();
}

QString CommandTask::name() const
{
    if (!m_name.isNull())
        return m_name;
    return m_command.isEmpty() ? QString() : QFileInfo(m_command.constFirst()).fileName();
}

QString CommandTask::description() const
{
    return QStringLiteral("Runs an external command");
}

QStringList CommandTask::splitCommand(const QString &command)
{
    QStringList words;
    QString word;
    bool inWord = false;
    for (qsizetype i = 0; i < command.size(); ++i) {
        const QChar c = command.at(i);
        if (c == QLatin1Char('\'')) {
            const auto end = command.indexOf(QLatin1Char('\''), i + 1);
            if (end < 0)
                return {};
            word += command.mid(i + 1, end - i - 1);
            i = end;
            inWord = true;
        } else if (c == QLatin1Char('"')) {
            qsizetype j = i + 1;
            for (; j < command.size() && command.at(j) != QLatin1Char('"'); ++j) {
                // Inside double quotes a backslash escapes only what a shell lets it escape.
                if (command.at(j) == QLatin1Char('\\') && j + 1 < command.size()
                    && QStringLiteral("\"\\$`").contains(command.at(j + 1)))
                    ++j;
                word += command.at(j);
            }
            if (j >= command.size())
                return {};
            i = j;
            inWord = true;
        } else if (c == QLatin1Char('\\')) {
            if (i + 1 >= command.size())
                return {};
            word += command.at(++i);
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words << word;
    return words;
}

void CommandTask::task()
{
}

QProcessEnvironment CommandTask::commandEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    LockBackend *lock = context().lock();
    const QString taskName = context().taskName().isEmpty() ? name() : context().taskName();
    env.insert(QStringLiteral("JOBSLIB_FENCING_TOKEN"), QString::number(fencingToken()));
    env.insert(QStringLiteral("JOBSLIB_LOCK_KEY"), lock ? lock->lockKey() : QString());
    env.insert(QStringLiteral("JOBSLIB_TASK_NAME"), taskName);
    return env;
}

void CommandTask::start()
{
    Q_ASSERT(!m_process);
    beginRun();
    m_pgid = 0;
    if (m_command.isEmpty() || m_command.constFirst().isEmpty()) {
        deferred(this, [this] { finish(failed(QStringLiteral("no command to run"))); });
        return;
    }

    const QString guard = guardExecutable();
    m_guarded = !guard.isEmpty();
    if (m_guarded) {
        QString error;
        if (!openControl(&error)) {
            deferred(this, [this, error] { finish(failed(error)); });
            return;
        }
        // Only the guard can put the command into a cgroup before it runs, and only its kill
        // reaches daemons when runjob is gone: no guard, no cgroup.
        QString whyNot;
        m_cgroup = RunCgroup::create(&whyNot);
        static std::atomic<bool> told{false};
        if (!m_cgroup.isValid() && !told.exchange(true)) {
            qCDebug(lcTask).noquote() << QStringLiteral("Runs get no cgroup of their own (%1): a run is contained by its process "
                                                        "group and jobslib-guard, the subreaper of its orphans")
                                             .arg(whyNot);
        }
    }

    auto *process = new QProcess(this);
    m_process = process;
    // Output is not ours to copy: the command writes to runjob's own stdout and stderr, so its
    // lines reach the journal or terminal unbuffered and in order. A periodic job is never
    // interactive, and a command that reads stdin must not hang on a pipe nobody writes.
    process->setProcessChannelMode(QProcess::ForwardedChannels);
    process->setStandardInputFile(QProcess::nullDevice());
    process->setProcessEnvironment(commandEnvironment());

    const pid_t runjobPid = ::getpid();
    if (m_guarded) {
        process->setProgram(guard);
        QStringList arguments{QString::number(runjobPid), QStringLiteral("--control-fd"), QString::number(GuardControlFd)};
        if (m_cgroup.isValid())
            arguments << QStringLiteral("--cgroup") << m_cgroup.path();
        process->setArguments(arguments << QStringLiteral("--") << m_command);
        const int controlFd = m_controlReadFd;
        // Runs between fork and exec: async-signal-safe calls only. The guard leads a new group
        // so stopping reaches the command's children too and never runjob itself.
        process->setChildProcessModifier([controlFd] {
            ::setpgid(0, 0);
            // The pipe's read end becomes the guard's fd 3. dup2() clears close-on-exec on the
            // copy; when the read end already is fd 3 there is no copy, so clear the flag itself.
            // (The pipe is made before QProcess makes its own, so none of those is fd 3.)
            if (controlFd == GuardControlFd)
                ::fcntl(controlFd, F_SETFD, 0);
            else
                ::dup2(controlFd, GuardControlFd);
        });
        // The first deadline goes into the pipe before the guard exists: whenever the guard first
        // looks, it has one, even if runjob froze right after start().
        sendLockDeadline();
    } else {
        static std::atomic<bool> warned{false};
        if (!warned.exchange(true)) {
            qCWarning(lcTask) << "jobslib-guard not found (set JOBSLIB_GUARD); commands run without it:"
                              << "if runjob dies, a command's own children may outlive it";
        }
        process->setProgram(m_command.constFirst());
        process->setArguments(m_command.mid(1));
        process->setChildProcessModifier([runjobPid] {
            ::setpgid(0, 0);
            // The next best thing to the guard: the command itself dies with runjob.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != runjobPid)
                ::_exit(GuardExecFailed); // runjob died before the death signal was armed
        });
    }

    connect(process, &QProcess::finished, this, [this, process](int exitCode, QProcess::ExitStatus status) {
        onProcessFinished(process, exitCode, status);
    });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        onProcessError(process, error);
    });

    if (m_guarded)
        qCDebug(lcTask) << "starting" << m_command << "under" << guard;
    else
        qCDebug(lcTask) << "starting" << m_command << "without jobslib-guard";
    process->start();
    if (m_process == process && process->processId() > 0) {
        m_pgid = process->processId();
        // The child calls setpgid() itself, but perhaps not yet: setting it from here too (the
        // shell's idiom) means the group exists before anybody may signal it. Fails harmlessly
        // with EACCES once the child has exec'd, by which time it made the group itself.
        ::setpgid(pid_t(m_pgid), pid_t(m_pgid));
    }
}

void CommandTask::onProcessFinished(QProcess *process, int exitCode, QProcess::ExitStatus status)
{
    if (status == QProcess::CrashExit) {
        // Qt 6 reports the signal number as the exit code of a crash; the guard dies of the
        // command's signal, so this is the command's.
        complete(process, failed(QStringLiteral("command killed by signal %1").arg(exitCode), -exitCode));
    } else if (exitCode == 0) {
        TaskResult r;
        r.succeeded = true;
        complete(process, r);
    } else if (exitCode == GuardExecFailed && m_guarded) {
        complete(process,
                 failed(QStringLiteral("command not found or not executable: %1").arg(m_command.constFirst()), exitCode));
    } else {
        complete(process, failed(QStringLiteral("command exited with code %1").arg(exitCode), exitCode));
    }
}

void CommandTask::onProcessError(QProcess *process, QProcess::ProcessError error)
{
    // Every other error comes with finished() as well, which reports it.
    if (error != QProcess::FailedToStart)
        return;
    const QString what = m_guarded ? QStringLiteral("cannot start jobslib-guard %1: %2").arg(process->program(), process->errorString())
                                   : QStringLiteral("cannot start command %1: %2").arg(m_command.constFirst(), process->errorString());
    complete(process, failed(what));
}

void CommandTask::complete(QProcess *process, const TaskResult &result)
{
    if (process != m_process)
        return;
    m_process = nullptr;
    m_killTimer->stop();
    // Whatever the command left running in the background would go on working without the lock:
    // the run is over, so its whole group goes. The guard killed it already unless it was
    // frozen and killed itself; so it is with the run's cgroup, which the guard also removed.
    signalGroup(SIGKILL);
    if (m_cgroup.isValid()) {
        removeCgroup(m_cgroup);
        m_cgroup = RunCgroup();
    }
    // A later stop must not signal the group, whose id is free for reuse as soon as its last
    // member is gone.
    m_pgid = 0;
    // The guard is gone: nothing reads the deadlines any more.
    closeControl();
    process->deleteLater();
    // FailedToStart may be reported from inside start(); the runner gets finished() only after
    // start() returned.
    deferred(this, [this, result] { finish(result); });
}

void CommandTask::requestStop()
{
    BaseTask::requestStop();
    signalGroup(SIGTERM);
}

bool CommandTask::forceStop()
{
    if (!m_process)
        return true;
    if (m_killTimer->isActive())
        return true; // the guard was told; the timer ends the wait
    if (m_guarded && writeControl("K\n")) {
        m_killTimer->start();
        return true;
    }
    killRun();
    return true;
}

bool CommandTask::isKilledAtLockDeadline() const
{
    return !guardExecutable().isEmpty();
}

void CommandTask::killRun()
{
    signalGroup(SIGKILL);
    // The guard leaves the group while it kills the run: should it hang there, it is not hit.
    if (m_guarded && m_process && m_process->processId() > 0)
        ::kill(pid_t(m_process->processId()), SIGKILL);
    if (m_cgroup.isValid())
        m_cgroup.kill();
}

void CommandTask::removeCgroup(const RunCgroup &cgroup, int attempt)
{
    // Killed processes leave the cgroup as they die, which takes a moment: 50 tries, 20 ms apart.
    constexpr int Attempts = 50;
    constexpr int RetryMs = 20;
    if (attempt == 0 && !cgroup.isEmpty())
        cgroup.kill();
    if (cgroup.remove())
        return;
    if (attempt + 1 >= Attempts) {
        qCWarning(lcTask) << "cannot remove the run's cgroup" << cgroup.path() << qt_error_string(errno);
        return;
    }
    QTimer::singleShot(RetryMs, this, [this, cgroup, attempt] { removeCgroup(cgroup, attempt + 1); });
}

void CommandTask::setLockDeadline(qint64 remainingMs)
{
    BaseTask::setLockDeadline(remainingMs);
    sendLockDeadline();
}

bool CommandTask::openControl(QString *error)
{
    Q_ASSERT(m_controlFd < 0 && m_controlReadFd < 0);
    int fds[2];
    // Close-on-exec: only the guard gets the read end (as fd 3), and no other child of runjob
    // may hold the write end, or the guard would miss the end of file when runjob dies.
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        *error = QStringLiteral("cannot create the control pipe for jobslib-guard: %1").arg(qt_error_string(errno));
        return false;
    }
    // Never block the event loop on the guard; its end is left alone (it polls before reading).
    ::fcntl(fds[1], F_SETFL, ::fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    m_controlReadFd = fds[0];
    m_controlFd = fds[1];
    return true;
}

bool CommandTask::writeControl(const QByteArray &line)
{
    if (m_controlFd < 0)
        return false;
    ssize_t written;
    do {
        written = ::write(m_controlFd, line.constData(), size_t(line.size()));
    } while (written < 0 && errno == EINTR);
    // A line is shorter than PIPE_BUF, so it is written whole or not at all. EAGAIN needs 64 KiB
    // of unread lines, i.e. a guard that stopped reading: the last line it did read still holds.
    if (written < 0 && errno != EAGAIN)
        qCDebug(lcTask) << "cannot write to jobslib-guard's control pipe:" << qt_error_string(errno);
    return written == ssize_t(line.size());
}

void CommandTask::sendLockDeadline()
{
    // What is left now: the guard counts it from when it reads the line.
    char line[32];
    const int size = std::snprintf(line, sizeof(line), "D %lld\n", static_cast<long long>(lockRemainingMs()));
    writeControl(QByteArray(line, size));
}

void CommandTask::closeControl()
{
    if (m_controlFd >= 0)
        ::close(m_controlFd);
    if (m_controlReadFd >= 0)
        ::close(m_controlReadFd);
    m_controlFd = -1;
    m_controlReadFd = -1;
}

void CommandTask::signalGroup(int sig)
{
    if (m_pgid <= 0)
        return;
    if (::kill(-pid_t(m_pgid), sig) != 0)
        qCDebug(lcTask) << "cannot signal process group" << m_pgid << qt_error_string(errno);
}

} // namespace jobslib
