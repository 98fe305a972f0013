// SPDX-License-Identifier: BSD-3-Clause
#include "app/backendregistry.h"
#include "app/context.h"
#include "lock/lockbackend.h"
#include "task/commandtask.h"
#include "task/guardlocator.h"
#include "testcontext.h"
#include "testutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

using namespace jobslib;

namespace {

constexpr int Deadline = 10000;
/*! How late past a lock deadline the guard's kill may be seen (scheduling on a loaded machine). */
constexpr int KillSlack = 1500;

/*! The pids a shell wrote to path, one a line; a line still being written is not counted. */
QList<qint64> readPids(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<qint64> pids;
    const QList<QByteArray> lines = f.readAll().split('\n');
    // The last element follows the last newline: empty, or a line not complete yet.
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        bool ok = false;
        const qint64 pid = lines.at(i).trimmed().toLongLong(&ok);
        if (ok && pid > 0)
            pids.append(pid);
    }
    return pids;
}

bool allGone(const QList<qint64> &pids)
{
    for (qint64 pid : pids) {
        if (test::processAlive(pid))
            return false;
    }
    return true;
}

/*! A shell with a background child that writes the child's pid to file, then sleeps. */
QStringList sleeperCommand(const QString &file)
{
    return {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("sleep 300 & echo $! > \"$1\"; sleep 300"), QStringLiteral("sh"),
            file};
}

/*! The state letter of /proc/PID/stat ('T' stopped, 'Z' zombie...), or 0. */
char processState(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray s = stat.readAll();
    const auto close = s.lastIndexOf(')');
    return close > 0 && s.size() > close + 2 ? s.at(close + 2) : 0;
}

/*! A C++ task that runs until it is cancelled, and notes when it noticed. */
class UntilCancelledTask : public BaseTask
{
public:
    void task() override
    {
        QElapsedTimer t;
        t.start();
        while (!isCancellationRequested()) {
            if (t.elapsed() > Deadline)
                throw TaskError(QStringLiteral("never cancelled"));
            QThread::msleep(1);
        }
        noticedAfterMs = t.elapsed();
    }
    std::atomic<qint64> noticedAfterMs{-1};
};

} // namespace

class TestCommandTask : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void nameAndSplit();
    void exitZeroSucceeds();
    void exitCodeFails();
    void programNotFound();
    void killedBySignal();
    void emptyCommand();
    void environment();
    void stopKillsWholeGroup();
    void forceStopWhenTermIgnored();
    void finishedOncePerStart();
    void groupDiesWithParent();
    void guardBadUsage();
    void guardMissing();
    void withoutGuard();

    void lockDeadlineKillsCommand();
    void renewedLockKeepsCommand();
    void noLockDeadline();
    void frozenParentLosesGroup();
    void guardControlPipe();
    void guardKillsLeftoversWhenCommandEnds();
    void threadTaskSeesLockDeadline();

private:
    bool runToEnd(CommandTask &task, TaskResult *result);
    void attach(CommandTask &task) { task.attach(m_context.get(), nullptr); }

    std::unique_ptr<BackendRegistry> m_registry;
    std::unique_ptr<Context> m_context;
    QList<qint64> m_strays; ///< pids to SIGKILL in cleanup() should a test fail half-way
};

void TestCommandTask::initTestCase()
{
    qRegisterMetaType<TaskResult>();
    // The tests run from build/tests, the guard is in build/bin: the locator would not find it.
    qputenv("JOBSLIB_GUARD", test::binary(QStringLiteral("jobslib-guard")).toLocal8Bit());
    QVERIFY(QFile::exists(test::binary(QStringLiteral("jobslib-guard"))));
}

void TestCommandTask::init()
{
    m_registry = std::make_unique<BackendRegistry>(BackendRegistry::builtins());
    m_context = test::testContext(*m_registry, {}, QString()); // no task name: the command's own name is used
    m_strays.clear();
}

void TestCommandTask::cleanup()
{
    for (qint64 pid : std::as_const(m_strays)) {
        if (test::processAlive(pid))
            ::kill(pid_t(pid), SIGKILL);
    }
    m_context.reset();
    m_registry.reset();
}

bool TestCommandTask::runToEnd(CommandTask &task, TaskResult *result)
{
    QSignalSpy spy(&task, &BaseTask::finished);
    task.start();
    if (!spy.wait(Deadline) || spy.size() != 1)
        return false;
    *result = spy.at(0).at(0).value<TaskResult>();
    return true;
}

void TestCommandTask::nameAndSplit()
{
    CommandTask task({QStringLiteral("/usr/bin/env"), QStringLiteral("true")});
    QCOMPARE(task.name(), QStringLiteral("env"));
    QCOMPARE(task.description(), QStringLiteral("Runs an external command"));
    task.setName(QStringLiteral("nightly"));
    QCOMPARE(task.name(), QStringLiteral("nightly"));
    // A shell's quoting, without expansion.
    QCOMPARE(CommandTask::splitCommand(QStringLiteral("sh -c \"exit 3\" 'a b' c\\ d \"x\\\"y\" '$HOME' e''f")),
             (QStringList{QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("exit 3"), QStringLiteral("a b"), QStringLiteral("c d"),
                          QStringLiteral("x\"y"), QStringLiteral("$HOME"), QStringLiteral("ef")}));
    QCOMPARE(CommandTask::splitCommand(QStringLiteral("sh -c 'unterminated")), QStringList());
    QCOMPARE(CommandTask::splitCommand(QStringLiteral("  ")), QStringList());
}

void TestCommandTask::exitZeroSucceeds()
{
    CommandTask task({QStringLiteral("true")});
    attach(task);
    TaskResult r;
    QVERIFY(runToEnd(task, &r));
    QVERIFY2(r.succeeded, qPrintable(r.error));
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.error.isEmpty());
}

void TestCommandTask::exitCodeFails()
{
    CommandTask task({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("exit 3")});
    attach(task);
    TaskResult r;
    QVERIFY(runToEnd(task, &r));
    QVERIFY(!r.succeeded);
    QCOMPARE(r.exitCode, 3);
    QCOMPARE(r.error, QStringLiteral("command exited with code 3"));
}

void TestCommandTask::programNotFound()
{
    const QString program = QStringLiteral("jobslib-no-such-program-xyz");
    CommandTask task({program, QStringLiteral("arg")});
    attach(task);
    TaskResult r;
    QVERIFY(runToEnd(task, &r));
    QVERIFY(!r.succeeded);
    QCOMPARE(r.exitCode, 127);
    QCOMPARE(r.error, QStringLiteral("command not found or not executable: ") + program);
}

void TestCommandTask::killedBySignal()
{
    CommandTask task({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("kill -9 $$")});
    attach(task);
    TaskResult r;
    QVERIFY(runToEnd(task, &r));
    QVERIFY(!r.succeeded);
    QCOMPARE(r.exitCode, -9);
    QCOMPARE(r.error, QStringLiteral("command killed by signal 9"));
}

void TestCommandTask::emptyCommand()
{
    CommandTask task(QStringList{});
    attach(task);
    TaskResult r;
    QVERIFY(runToEnd(task, &r));
    QVERIFY(!r.succeeded);
    QVERIFY(!r.error.isEmpty());
}

void TestCommandTask::environment()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("env"));
    CommandTask task({QStringLiteral("sh"), QStringLiteral("-c"),
                      QStringLiteral("printf '%s\\n%s\\n%s\\n' \"$JOBSLIB_FENCING_TOKEN\" \"$JOBSLIB_LOCK_KEY\" \"$JOBSLIB_TASK_NAME\" > \"$1\""),
                      QStringLiteral("sh"), file});
    task.setName(QStringLiteral("envtask"));
    attach(task);
    task.setFencingToken(42);
    TaskResult r;
    QVERIFY(runToEnd(task, &r));
    QVERIFY2(r.succeeded, qPrintable(r.error));

    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines.at(0), QStringLiteral("42"));
    QVERIFY(m_context->lock());
    QCOMPARE(lines.at(1), m_context->lock()->lockKey());
    QCOMPARE(lines.at(2), QStringLiteral("envtask"));
}

void TestCommandTask::stopKillsWholeGroup()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("pids"));
    CommandTask task({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("sleep 300 & echo $! > \"$1\"; sleep 300"),
                      QStringLiteral("sh"), file});
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    task.start();
    QVERIFY(QTest::qWaitFor([&] { return !readPids(file).isEmpty(); }, Deadline));
    const qint64 grandchild = readPids(file).constFirst();
    m_strays.append(grandchild);
    QVERIFY(test::processAlive(grandchild));
    QVERIFY(spy.isEmpty());

    task.requestStop();
    QVERIFY(task.isCancellationRequested());
    QVERIFY(spy.wait(Deadline));
    const auto r = spy.at(0).at(0).value<TaskResult>();
    QVERIFY(!r.succeeded);
    QCOMPARE(r.error, QStringLiteral("command killed by signal 15"));
    QCOMPARE(r.exitCode, -15);
    // Orphans are reaped by init; processAlive() already counts a zombie as gone.
    QVERIFY(QTest::qWaitFor([&] { return !test::processAlive(grandchild); }, Deadline));
}

void TestCommandTask::forceStopWhenTermIgnored()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("ready"));
    CommandTask task({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("trap '' TERM; echo $$ > \"$1\"; sleep 300"),
                      QStringLiteral("sh"), file});
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    task.start();
    // Only once the shell wrote the file is SIGTERM sure to be ignored.
    QVERIFY(QTest::qWaitFor([&] { return !readPids(file).isEmpty(); }, Deadline));
    const qint64 shell = readPids(file).constFirst();
    m_strays.append(shell);

    task.requestStop();
    QVERIFY(!spy.wait(300));
    QVERIFY(test::processAlive(shell));

    QVERIFY(task.forceStop());
    QVERIFY(spy.wait(Deadline));
    QCOMPARE(spy.size(), 1);
    const auto r = spy.at(0).at(0).value<TaskResult>();
    QCOMPARE(r.error, QStringLiteral("command killed by signal 9"));
    QCOMPARE(r.exitCode, -9);
    QVERIFY(QTest::qWaitFor([&] { return !test::processAlive(shell); }, Deadline));
}

void TestCommandTask::finishedOncePerStart()
{
    // Stopping after the end, and a second run of the same task, each report exactly once.
    CommandTask task({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("exit 5")});
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    for (int run = 1; run <= 2; ++run) {
        task.start();
        QVERIFY(spy.wait(Deadline));
        task.requestStop();
        QVERIFY(task.forceStop());
        // A second finished() would be queued right behind the first.
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        QCOMPARE(spy.size(), run);
        QCOMPARE(spy.at(run - 1).at(0).value<TaskResult>().exitCode, 5);
    }
}

void TestCommandTask::groupDiesWithParent()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("pids"));
    QProcess parent;
    parent.setProcessChannelMode(QProcess::ForwardedChannels);
    parent.start(QStringLiteral(JOBSLIB_GUARDPARENT), {test::binary(QStringLiteral("jobslib-guard")), file});
    QVERIFY2(parent.waitForStarted(Deadline), qPrintable(parent.errorString()));

    QVERIFY(QTest::qWaitFor([&] { return readPids(file).size() >= 2; }, Deadline));
    const QList<qint64> pids = readPids(file); // the shell's background sleep, the shell
    m_strays += pids;
    QVERIFY(!allGone(pids));

    // runjob dies the hard way: no chance to stop the task itself.
    parent.kill();
    QVERIFY(parent.waitForFinished(Deadline));
    QVERIFY(QTest::qWaitFor([&] { return allGone(pids); }, 5000));
}

void TestCommandTask::guardBadUsage()
{
    const QString guard = test::binary(QStringLiteral("jobslib-guard"));
    QCOMPARE(test::run(guard, {}).exitCode, 125);
    QCOMPARE(test::run(guard, {QStringLiteral("notapid"), QStringLiteral("--"), QStringLiteral("true")}).exitCode, 125);
    QCOMPARE(test::run(guard, {QStringLiteral("1"), QStringLiteral("true")}).exitCode, 125);
    const QString pid = QString::number(QCoreApplication::applicationPid());
    const QString control = QStringLiteral("--control-fd");
    const QString dashes = QStringLiteral("--");
    const QString t = QStringLiteral("true");
    QCOMPARE(test::run(guard, {pid, control, QStringLiteral("x"), dashes, t}).exitCode, 125);
    QCOMPARE(test::run(guard, {pid, control, QStringLiteral("200"), dashes, t}).exitCode, 125); // not open
    QCOMPARE(test::run(guard, {pid, control, QStringLiteral("3"), t}).exitCode, 125);
    QCOMPARE(test::run(guard, {pid, control, dashes, t}).exitCode, 125);

    // Used by hand with the right parent it is transparent.
    const QString self = QString::number(QCoreApplication::applicationPid());
    const auto r = test::run(guard, {self, QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("exit 7")});
    QCOMPARE(r.exitCode, 7);
    QVERIFY(!r.crashed);

    // A parent other than the one named has already died, as far as the guard can tell: it
    // kills its group (its own, never the caller's) before the command runs.
    const QString other = QString::number(::getppid());
    const auto orphan = test::run(guard, {other, QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("exit 7")});
    QVERIFY(orphan.crashed);
    QCOMPARE(orphan.exitCode, SIGKILL);
}

void TestCommandTask::guardMissing()
{
    qputenv("JOBSLIB_GUARD", "/nonexistent/jobslib-guard");
    CommandTask task({QStringLiteral("true")});
    attach(task);
    TaskResult r;
    const bool ended = runToEnd(task, &r);
    qputenv("JOBSLIB_GUARD", test::binary(QStringLiteral("jobslib-guard")).toLocal8Bit());
    QVERIFY(ended);
    QVERIFY(!r.succeeded);
    QVERIFY2(r.error.startsWith(QStringLiteral("cannot start jobslib-guard /nonexistent/jobslib-guard")), qPrintable(r.error));
}

void TestCommandTask::withoutGuard()
{
    qunsetenv("JOBSLIB_GUARD");
    const auto restore = qScopeGuard([] { qputenv("JOBSLIB_GUARD", test::binary(QStringLiteral("jobslib-guard")).toLocal8Bit()); });
    if (!guardExecutable().isEmpty())
        QSKIP("a jobslib-guard is installed on this machine");
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("jobslib-guard not found")));

    CommandTask failing({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("exit 4")});
    attach(failing);
    TaskResult r;
    QVERIFY(runToEnd(failing, &r));
    QCOMPARE(r.exitCode, 4);
    QCOMPARE(r.error, QStringLiteral("command exited with code 4"));

    // Stopping still reaches the whole group: the command leads one itself.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("pids"));
    CommandTask task({QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("sleep 300 & echo $! > \"$1\"; sleep 300"),
                      QStringLiteral("sh"), file});
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    task.start();
    QVERIFY(QTest::qWaitFor([&] { return !readPids(file).isEmpty(); }, Deadline));
    const qint64 grandchild = readPids(file).constFirst();
    m_strays.append(grandchild);
    task.requestStop();
    QVERIFY(spy.wait(Deadline));
    QCOMPARE(spy.at(0).at(0).value<TaskResult>().exitCode, -15);
    QVERIFY(QTest::qWaitFor([&] { return !test::processAlive(grandchild); }, Deadline));

    CommandTask missing({QStringLiteral("jobslib-no-such-program-xyz")});
    attach(missing);
    QVERIFY(runToEnd(missing, &r));
    QVERIFY(!r.succeeded);
    QVERIFY2(r.error.startsWith(QStringLiteral("cannot start command jobslib-no-such-program-xyz")), qPrintable(r.error));
}

void TestCommandTask::lockDeadlineKillsCommand()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("pids"));
    CommandTask task(sleeperCommand(file));
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    QElapsedTimer elapsed;
    elapsed.start();
    task.setLockDeadline(300); // as the runner does: right before start(), which keeps it
    task.start();
    QVERIFY(QTest::qWaitFor([&] { return !readPids(file).isEmpty(); }, Deadline));
    const qint64 grandchild = readPids(file).constFirst();
    m_strays.append(grandchild);

    // Nothing renews: the guard kills the group by itself, runjob does not stop the task.
    QVERIFY(QTest::qWaitFor([&] { return !spy.isEmpty(); }, Deadline));
    const qint64 took = elapsed.elapsed();
    QVERIFY2(took >= 290 && took < 300 + KillSlack, qPrintable(QString::number(took)));
    QCOMPARE(spy.size(), 1);
    const auto r = spy.at(0).at(0).value<TaskResult>();
    QCOMPARE(r.error, QStringLiteral("command killed by signal 9"));
    QCOMPARE(r.exitCode, -9);
    QVERIFY(task.isLockDeadlinePassed());
    QVERIFY(task.isCancellationRequested());
    QVERIFY(QTest::qWaitFor([&] { return !test::processAlive(grandchild); }, Deadline));
}

void TestCommandTask::renewedLockKeepsCommand()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("pids"));
    CommandTask task(sleeperCommand(file));
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    task.setLockDeadline(300);
    task.start();
    QTimer renew;
    renew.setTimerType(Qt::PreciseTimer);
    renew.setInterval(100);
    connect(&renew, &QTimer::timeout, &task, [&task] { task.setLockDeadline(300); });
    renew.start();
    QVERIFY(QTest::qWaitFor([&] { return !readPids(file).isEmpty(); }, Deadline));
    const qint64 grandchild = readPids(file).constFirst();
    m_strays.append(grandchild);

    // Five times the deadline, always renewed in time.
    QVERIFY(!QTest::qWaitFor([&] { return !spy.isEmpty(); }, 1500));
    QVERIFY(test::processAlive(grandchild));
    QVERIFY(!task.isCancellationRequested());

    renew.stop();
    QElapsedTimer elapsed;
    elapsed.start();
    QVERIFY(QTest::qWaitFor([&] { return !spy.isEmpty(); }, Deadline));
    QVERIFY2(elapsed.elapsed() < 300 + KillSlack, qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(spy.at(0).at(0).value<TaskResult>().exitCode, -9);
    QVERIFY(QTest::qWaitFor([&] { return !test::processAlive(grandchild); }, Deadline));
}

void TestCommandTask::noLockDeadline()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("pids"));
    CommandTask task(sleeperCommand(file));
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    // A lock without a deadline (file, dummy), set after a short one: the short one is gone.
    task.setLockDeadline(300);
    task.start();
    task.setLockDeadline(BaseTask::NoLockDeadline);
    QCOMPARE(task.lockRemainingMs(), BaseTask::NoLockDeadline);
    QVERIFY(QTest::qWaitFor([&] { return !readPids(file).isEmpty(); }, Deadline));
    const qint64 grandchild = readPids(file).constFirst();
    m_strays.append(grandchild);

    QVERIFY(!QTest::qWaitFor([&] { return !spy.isEmpty(); }, 800));
    QVERIFY(test::processAlive(grandchild));
    QVERIFY(!task.isLockDeadlinePassed());

    task.requestStop();
    QVERIFY(QTest::qWaitFor([&] { return !spy.isEmpty(); }, Deadline));
    QCOMPARE(spy.at(0).at(0).value<TaskResult>().exitCode, -15);
    QVERIFY(QTest::qWaitFor([&] { return !test::processAlive(grandchild); }, Deadline));
}

void TestCommandTask::frozenParentLosesGroup()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("pids"));
    QProcess parent;
    parent.setProcessChannelMode(QProcess::ForwardedChannels);
    parent.start(QStringLiteral(JOBSLIB_GUARDPARENT), {test::binary(QStringLiteral("jobslib-guard")), file, QStringLiteral("500")});
    QVERIFY2(parent.waitForStarted(Deadline), qPrintable(parent.errorString()));
    const auto pid = pid_t(parent.processId());
    // However the test ends, the helper is woken and reaped.
    const auto reap = qScopeGuard([&] {
        ::kill(pid, SIGCONT);
        parent.kill();
        parent.waitForFinished(Deadline);
    });

    QVERIFY(QTest::qWaitFor([&] { return readPids(file).size() >= 2; }, Deadline));
    const QList<qint64> pids = readPids(file); // the shell's background sleep, the shell
    m_strays += pids;

    // runjob freezes: alive (no parent-death signal, the pipe stays open) but renewing nothing.
    QCOMPARE(::kill(pid, SIGSTOP), 0);
    QVERIFY(QTest::qWaitFor([&] { return processState(pid) == 'T'; }, Deadline));
    QVERIFY(QTest::qWaitFor([&] { return allGone(pids); }, 500 + KillSlack));
    QCOMPARE(processState(pid), 'T');
    QCOMPARE(parent.state(), QProcess::Running);
}

void TestCommandTask::guardKillsLeftoversWhenCommandEnds()
{
    // The test plays a runjob that does nothing after the command ended (as a frozen one): the
    // guard itself kills what the command left in the background.
    QTemporaryDir dir;
    const QString pidFile = dir.filePath(QStringLiteral("bg"));
    QProcess p;
    p.start(test::binary(QStringLiteral("jobslib-guard")),
            {QString::number(QCoreApplication::applicationPid()), QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"),
             QStringLiteral("sleep 300 & echo $! > %1").arg(pidFile)});
    QVERIFY(p.waitForFinished(Deadline));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    QFile f(pidFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const qint64 background = f.readAll().trimmed().toLongLong();
    QVERIFY(background > 0);
    QVERIFY2(QTest::qWaitFor([&] { return !test::processAlive(background); }, Deadline), "the background child outlived the command");
}

void TestCommandTask::guardControlPipe()
{
    // The test plays runjob itself: a deadline nobody renews, then a pipe closed while the
    // command runs. Either way the guard says why and kills its group, itself included.
    const QString guard = test::binary(QStringLiteral("jobslib-guard"));
    const QString self = QString::number(QCoreApplication::applicationPid());
    struct Case
    {
        QByteArray line;
        bool closePipe;
        QByteArray message;
    };
    const Case cases[] = {
        {"D 100\n", false, "jobslib-guard: the lock was not renewed in time (runjob unresponsive): killing the task\n"},
        {"D -1\n", true, "jobslib-guard: runjob is gone: killing the task\n"},
    };
    for (const Case &c : cases) {
        int fds[2];
        QCOMPARE(::pipe2(fds, O_CLOEXEC), 0);
        const auto closeFds = qScopeGuard([&] {
            ::close(fds[0]);
            if (fds[1] >= 0)
                ::close(fds[1]);
        });
        QCOMPARE(::write(fds[1], c.line.constData(), size_t(c.line.size())), ssize_t(c.line.size()));
        QProcess p;
        const int readFd = fds[0];
        p.setChildProcessModifier([readFd] {
            if (readFd == 3)
                ::fcntl(3, F_SETFD, 0);
            else
                ::dup2(readFd, 3);
        });
        p.start(guard, {self, QStringLiteral("--control-fd"), QStringLiteral("3"), QStringLiteral("--"), QStringLiteral("sleep"),
                        QStringLiteral("300")});
        QVERIFY2(p.waitForStarted(Deadline), qPrintable(p.errorString()));
        if (c.closePipe) {
            ::close(fds[1]);
            fds[1] = -1;
        }
        QVERIFY(p.waitForFinished(Deadline));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        QCOMPARE(p.exitCode(), SIGKILL);
        QCOMPARE(p.readAllStandardError(), c.message);
    }
}

void TestCommandTask::threadTaskSeesLockDeadline()
{
    UntilCancelledTask task;
    QSignalSpy spy(&task, &BaseTask::finished);
    task.setLockDeadline(200);
    QVERIFY(!task.isLockDeadlinePassed());
    QVERIFY(!task.isCancellationRequested());
    QVERIFY(task.lockRemainingMs() > 0 && task.lockRemainingMs() <= 200);
    QElapsedTimer elapsed;
    elapsed.start();
    task.start();
    // Nobody calls requestStop(): the worker thread sees the deadline pass by itself.
    QVERIFY(QTest::qWaitFor([&] { return !spy.isEmpty(); }, Deadline));
    const auto r = spy.at(0).at(0).value<TaskResult>();
    QVERIFY2(r.succeeded, qPrintable(r.error));
    QVERIFY2(task.noticedAfterMs >= 190 && elapsed.elapsed() < 200 + KillSlack, qPrintable(QString::number(task.noticedAfterMs)));
    QVERIFY(task.isLockDeadlinePassed());
    QVERIFY(task.isCancellationRequested());
    QCOMPARE(task.lockRemainingMs(), 0);

    // The runner clears it before the next run; a passed deadline no longer cancels.
    task.setLockDeadline(BaseTask::NoLockDeadline);
    QVERIFY(!task.isLockDeadlinePassed());
    QVERIFY(!task.isCancellationRequested());
    // Any other negative remainder is a deadline already passed, not "none".
    task.setLockDeadline(-5);
    QVERIFY(task.isLockDeadlinePassed());
}

QTEST_GUILESS_MAIN(TestCommandTask)
#include "tst_commandtask.moc"
