// SPDX-License-Identifier: BSD-3-Clause
#include "app/backendregistry.h"
#include "app/context.h"
#include "lock/lockbackend.h"
#include "task/commandtask.h"
#include "task/guardlocator.h"
#include "testcontext.h"
#include "testutil.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <signal.h>
#include <unistd.h>

using namespace jobslib;

namespace {

constexpr int Deadline = 10000;

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

QTEST_GUILESS_MAIN(TestCommandTask)
#include "tst_commandtask.moc"
