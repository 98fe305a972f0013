// SPDX-License-Identifier: BSD-3-Clause
// "Nothing of a run outlives it": a command that leaves daemons behind (double fork, setsid, an
// orphan that forks again; tests/core/rundaemons.cpp) loses all of them when the run ends, when
// runjob is stopped or killed, and when the lock deadline passes; in a cgroup of runjob's own,
// even when jobslib-guard itself is frozen. Real processes throughout: CommandTask in this process,
// the runjob binary, jobslib-guard on its own.
#include "app/backendregistry.h"
#include "app/context.h"
#include "runjobprocess.h"
#include "task/commandtask.h"
#include "task/runcgroup.h"
#include "testcontext.h"
#include "testutil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace jobslib;

namespace {

constexpr int Deadline = 10000;
/*! Every line rundaemons writes but "main": the processes that must not outlive the run. */
const QStringList DaemonNames{QStringLiteral("double-fork"), QStringLiteral("setsid"), QStringLiteral("adopted"),
                              QStringLiteral("late-fork"), QStringLiteral("orphan-ended")};

/*! The "NAME PID" lines rundaemons wrote to path; a line still being written is not counted. */
QMap<QString, qint64> readNotes(const QString &path)
{
    QFile f(path);
    QMap<QString, qint64> notes;
    if (!f.open(QIODevice::ReadOnly))
        return notes;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        const QList<QByteArray> fields = lines.at(i).split(' ');
        if (fields.size() == 2)
            notes.insert(QString::fromLatin1(fields.at(0)), fields.at(1).toLongLong());
    }
    return notes;
}

/*! /proc/PID is gone: not even a zombie is left (the guard reaps what it adopted). */
bool reaped(qint64 pid)
{
    return !QFileInfo::exists(QStringLiteral("/proc/%1").arg(pid));
}

/*! The daemons that still run (zombies count as gone), as "NAME PID" for a failure message. */
QStringList survivors(const QMap<QString, qint64> &notes)
{
    QStringList alive;
    for (auto it = notes.cbegin(); it != notes.cend(); ++it) {
        if (it.key() != QLatin1String("main") && test::processAlive(it.value()))
            alive << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
    }
    return alive;
}

/*! The 0:: line of /proc/PID/cgroup: the process's cgroup v2. */
QByteArray cgroupOf(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/cgroup").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("0::"))
            return line.mid(3);
    }
    return {};
}

/*! Field 4 of /proc/PID/stat, the parent's pid. */
qint64 parentOf(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray s = stat.readAll();
    const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() : 0;
}

bool writeFile(const QString &path, const QByteArray &text)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Unbuffered) && f.write(text) == text.size();
}

} // namespace

class TestRunContainment : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void cgroupDirectoryParsing();
    void adoptedOrphansAreReaped();
    void commandEndKillsDaemons();
    void forceStopKillsDaemons();
    void lockDeadlineKillsDaemons();
    void runjobSigtermKillsDaemons();
    void runjobKillGraceKillsDaemons();
    void runjobKillNineKillsDaemons();
    void cgroupHoldsTheRun();
    void cgroupKillsDaemonsOfFrozenGuard();
    void cgroupRunjobKillNine();

private:
    QStringList daemonsCommand(const QString &mode) const
    {
        return {QStringLiteral(JOBSLIB_RUNDAEMONS), m_notes, mode};
    }
    /*! Waits for rundaemons' "main" line; remembers every pid for cleanup(). */
    bool waitForDaemons(QMap<QString, qint64> *notes);
    QProcessEnvironment runjobEnvironment() const;
    /*! A cgroup for the test below this process's own, or a reason to skip. */
    bool makeTestCgroup(QString *whyNot);
    /*! Moves this test process into the test cgroup, as systemd's Delegate=yes puts runjob in one. */
    bool enterTestCgroup() const { return writeFile(m_testCgroup + QStringLiteral("/cgroup.procs"), QByteArray::number(::getpid())); }
    /*! The run cgroups left in the test cgroup. */
    QStringList runCgroups() const;
    void attach(CommandTask &task) { task.attach(m_context.get(), nullptr); }

    std::unique_ptr<BackendRegistry> m_registry;
    std::unique_ptr<Context> m_context;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_notes;
    QList<qint64> m_strays;  ///< pids to SIGKILL in cleanup() should a test fail half-way
    QString m_ownCgroup;     ///< this process's cgroup directory when the test began
    QString m_testCgroup;    ///< the test's cgroup, removed in cleanup()
};

void TestRunContainment::initTestCase()
{
    qRegisterMetaType<TaskResult>();
    qputenv("JOBSLIB_GUARD", test::binary(QStringLiteral("jobslib-guard")).toLocal8Bit());
    QVERIFY(QFile::exists(test::binary(QStringLiteral("jobslib-guard"))));
    QVERIFY(QFile::exists(QStringLiteral(JOBSLIB_RUNDAEMONS)));
}

void TestRunContainment::init()
{
    m_registry = std::make_unique<BackendRegistry>(BackendRegistry::builtins());
    m_context = test::testContext(*m_registry, {}, QString());
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_notes = m_dir->filePath(QStringLiteral("notes"));
    m_strays.clear();
}

void TestRunContainment::cleanup()
{
    for (qint64 pid : std::as_const(m_strays)) {
        if (test::processAlive(pid))
            ::kill(pid_t(pid), SIGKILL);
    }
    if (!m_testCgroup.isEmpty()) {
        // Back where it was, then nothing may be left in the test's cgroup or below.
        writeFile(m_ownCgroup + QStringLiteral("/cgroup.procs"), QByteArray::number(::getpid()));
        const QStringList dirs = runCgroups() << m_testCgroup;
        for (const QString &dir : dirs) {
            writeFile(dir + QStringLiteral("/cgroup.kill"), "1");
            (void)QTest::qWaitFor([&] { return ::rmdir(QFile::encodeName(dir).constData()) == 0 || errno == ENOENT; }, Deadline);
        }
        QVERIFY2(!QFileInfo::exists(m_testCgroup), qPrintable(m_testCgroup));
        m_testCgroup.clear();
    }
    m_context.reset();
    m_registry.reset();
}

bool TestRunContainment::waitForDaemons(QMap<QString, qint64> *notes)
{
    const bool ready = QTest::qWaitFor([&] { return readNotes(m_notes).contains(QStringLiteral("main")); }, Deadline);
    *notes = readNotes(m_notes);
    m_strays += notes->values();
    return ready && notes->size() == DaemonNames.size() + 1;
}

QProcessEnvironment TestRunContainment::runjobEnvironment() const
{
    QProcessEnvironment env = test::cleanEnvironment();
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH"), m_dir->filePath(QStringLiteral("job.lock")));
    env.insert(QStringLiteral("JOBSLIB_GUARD"), test::binary(QStringLiteral("jobslib-guard")));
    return env;
}

bool TestRunContainment::makeTestCgroup(QString *whyNot)
{
    QFile cgroup(QStringLiteral("/proc/self/cgroup"));
    QFile mountInfo(QStringLiteral("/proc/self/mountinfo"));
    if (!cgroup.open(QIODevice::ReadOnly) || !mountInfo.open(QIODevice::ReadOnly)) {
        *whyNot = QStringLiteral("no /proc");
        return false;
    }
    m_ownCgroup = RunCgroup::cgroupDirectory(cgroup.readAll(), mountInfo.readAll(), whyNot);
    if (m_ownCgroup.isEmpty())
        return false;
    const QString dir = m_ownCgroup + QStringLiteral("/jobslib-test-%1").arg(::getpid());
    if (::mkdir(QFile::encodeName(dir).constData(), 0755) != 0) {
        *whyNot = QStringLiteral("cannot create %1: %2").arg(dir, qt_error_string(errno));
        return false;
    }
    m_testCgroup = dir;
    if (!QFileInfo::exists(dir + QStringLiteral("/cgroup.kill"))) {
        *whyNot = QStringLiteral("no cgroup.kill (Linux < 5.14): the test could not clean up after a failure");
        return false;
    }
    return true;
}

QStringList TestRunContainment::runCgroups() const
{
    QStringList dirs;
    const auto names = QDir(m_testCgroup).entryList({QStringLiteral("jobslib-run-*")}, QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &name : names)
        dirs << m_testCgroup + QLatin1Char('/') + name;
    return dirs;
}

void TestRunContainment::cgroupDirectoryParsing()
{
    QString why;
    const QByteArray hybrid = "0::/system.slice/runjob@x.service\n1:name=systemd:/system.slice/runjob@x.service\n";
    const QByteArray hybridMounts =
        "25 30 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
        "26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw,nsdelegate\n"
        "27 25 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n";
    QCOMPARE(RunCgroup::cgroupDirectory(hybrid, hybridMounts, &why), QStringLiteral("/sys/fs/cgroup/unified/system.slice/runjob@x.service"));

    const QByteArray unified = "0::/system.slice/runjob@x.service\n";
    const QByteArray unifiedMounts = "35 24 0:30 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
    QCOMPARE(RunCgroup::cgroupDirectory(unified, unifiedMounts, &why), QStringLiteral("/sys/fs/cgroup/system.slice/runjob@x.service"));
    // A mount of part of the hierarchy (a container's view), with an escaped space in its path.
    const QByteArray partMount = "35 24 0:30 /system.slice /mnt/cg\\040x rw - cgroup2 cgroup2 rw\n";
    QCOMPARE(RunCgroup::cgroupDirectory(unified, partMount, &why), QStringLiteral("/mnt/cg x/runjob@x.service"));
    QCOMPARE(RunCgroup::cgroupDirectory("0::/system.slice\n", partMount, &why), QStringLiteral("/mnt/cg x"));
    QCOMPARE(RunCgroup::cgroupDirectory("0::/\n", unifiedMounts, &why), QStringLiteral("/sys/fs/cgroup"));

    why.clear();
    QVERIFY(RunCgroup::cgroupDirectory("4:memory:/x\n1:name=systemd:/x\n", hybridMounts, &why).isEmpty());
    QCOMPARE(why, QStringLiteral("no cgroup v2 hierarchy"));
    QVERIFY(RunCgroup::cgroupDirectory(unified, "27 25 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw\n", &why).isEmpty());
    QCOMPARE(why, QStringLiteral("cgroup2 is not mounted"));
    QVERIFY(RunCgroup::cgroupDirectory("0::/user.slice\n", partMount, &why).isEmpty());
    QVERIFY(RunCgroup::cgroupDirectory("0::/gone (deleted)\n", unifiedMounts, &why).isEmpty());

    // An invalid one does nothing and is always "removed".
    const RunCgroup none;
    QVERIFY(!none.isValid());
    QVERIFY(!none.kill());
    QVERIFY(none.isEmpty());
    QVERIFY(none.remove());
}

void TestRunContainment::adoptedOrphansAreReaped()
{
    // While the command runs, an orphan that ends is the guard's to reap: no zombie piles up.
    CommandTask task(daemonsCommand(QStringLiteral("stay")));
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    task.start();
    QMap<QString, qint64> notes;
    QVERIFY(waitForDaemons(&notes));
    const qint64 orphan = notes.value(QStringLiteral("orphan-ended"));
    QVERIFY2(QTest::qWaitFor([&] { return reaped(orphan); }, Deadline), "an adopted orphan was left a zombie");
    QVERIFY(spy.isEmpty());
    task.requestStop();
    QVERIFY(spy.wait(Deadline));
}

void TestRunContainment::commandEndKillsDaemons()
{
    CommandTask task(daemonsCommand(QStringLiteral("exit")));
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    task.start();
    QVERIFY(spy.wait(Deadline));
    QMap<QString, qint64> notes;
    QVERIFY(waitForDaemons(&notes));
    const auto r = spy.at(0).at(0).value<TaskResult>();
    QVERIFY2(r.succeeded, qPrintable(r.error)); // the command's own status, not the kill's
    // The guard killed and reaped them before it ended: nothing to wait for.
    QVERIFY2(survivors(notes).isEmpty(), qPrintable(survivors(notes).join(QStringLiteral(", "))));
    for (const QString &name : DaemonNames)
        QVERIFY2(reaped(notes.value(name)), qPrintable(name));
}

void TestRunContainment::forceStopKillsDaemons()
{
    // The command ignores SIGTERM: after the grace runjob forces the stop, and the guard (told
    // over the pipe) kills the daemons too, where a SIGKILL to the group would have killed the
    // guard first and left them to init.
    CommandTask task(daemonsCommand(QStringLiteral("ignoreterm")));
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    task.start();
    QMap<QString, qint64> notes;
    QVERIFY(waitForDaemons(&notes));
    task.requestStop();
    QElapsedTimer elapsed;
    elapsed.start();
    QVERIFY(task.forceStop());
    QVERIFY(spy.wait(Deadline));
    // The guard did it, not the fallback that kills the guard after GuardKillWaitMs.
    QVERIFY2(elapsed.elapsed() < CommandTask::GuardKillWaitMs, qPrintable(QString::number(elapsed.elapsed())));
    const auto r = spy.at(0).at(0).value<TaskResult>();
    QCOMPARE(r.error, QStringLiteral("command killed by signal 9"));
    QCOMPARE(r.exitCode, -9);
    QVERIFY2(survivors(notes).isEmpty(), qPrintable(survivors(notes).join(QStringLiteral(", "))));
    QVERIFY(!test::processAlive(notes.value(QStringLiteral("main"))));
}

void TestRunContainment::lockDeadlineKillsDaemons()
{
    // The test plays a runjob that froze: its last renewal promised 200 ms more and no line
    // follows, while the pipe stays open (runjob is alive). The guard's dead-man switch fires.
    int fds[2];
    QCOMPARE(::pipe2(fds, O_CLOEXEC), 0);
    const auto closeFds = qScopeGuard([&] {
        ::close(fds[0]);
        ::close(fds[1]);
    });
    QCOMPARE(::write(fds[1], "D 60000\n", 8), ssize_t(8));
    QProcess guard;
    const int readFd = fds[0];
    guard.setChildProcessModifier([readFd] {
        if (readFd == 3)
            ::fcntl(3, F_SETFD, 0);
        else
            ::dup2(readFd, 3);
    });
    guard.start(test::binary(QStringLiteral("jobslib-guard")),
                QStringList{QString::number(QCoreApplication::applicationPid()), QStringLiteral("--control-fd"), QStringLiteral("3"),
                            QStringLiteral("--")}
                    + daemonsCommand(QStringLiteral("stay")));
    QVERIFY2(guard.waitForStarted(Deadline), qPrintable(guard.errorString()));
    m_strays << guard.processId();
    QMap<QString, qint64> notes;
    QVERIFY(waitForDaemons(&notes));

    QCOMPARE(::write(fds[1], "D 200\n", 6), ssize_t(6));
    QVERIFY(guard.waitForFinished(Deadline));
    QCOMPARE(guard.exitStatus(), QProcess::CrashExit);
    QCOMPARE(guard.exitCode(), SIGKILL);
    QCOMPARE(guard.readAllStandardError(),
             QByteArray("jobslib-guard: the lock was not renewed in time (runjob unresponsive): killing the task\n"));
    // The guard killed everything before itself.
    QVERIFY2(survivors(notes).isEmpty(), qPrintable(survivors(notes).join(QStringLiteral(", "))));
    QVERIFY(!test::processAlive(notes.value(QStringLiteral("main"))));
}

void TestRunContainment::runjobSigtermKillsDaemons()
{
    test::RunjobProcess job(runjobEnvironment());
    job.start(QStringList{QStringLiteral("--run-once"), QStringLiteral("--")} + daemonsCommand(QStringLiteral("stay")));
    QMap<QString, qint64> notes;
    QVERIFY2(waitForDaemons(&notes), qPrintable(job.output()));
    job.signal(SIGTERM);
    QVERIFY(job.waitForExit(Deadline));
    QCOMPARE(job.exitCode(), 143);
    // runjob ended after its guard, which killed them before it ended.
    QVERIFY2(survivors(notes).isEmpty(), qPrintable(survivors(notes).join(QStringLiteral(", ")) + QLatin1Char('\n') + job.output()));
}

void TestRunContainment::runjobKillGraceKillsDaemons()
{
    // The whole stop path: SIGTERM is ignored, the grace passes, the runner forces the stop.
    QProcessEnvironment env = runjobEnvironment();
    env.insert(QStringLiteral("JOBSLIB_TASK_KILL_GRACE"), QStringLiteral("0.2"));
    test::RunjobProcess job(env);
    job.start(QStringList{QStringLiteral("--run-once"), QStringLiteral("--")} + daemonsCommand(QStringLiteral("ignoreterm")));
    QMap<QString, qint64> notes;
    QVERIFY2(waitForDaemons(&notes), qPrintable(job.output()));
    job.signal(SIGTERM);
    QVERIFY(job.waitForExit(Deadline));
    QCOMPARE(job.exitCode(), 143);
    QVERIFY2(job.output().contains(QStringLiteral("Task did not stop within 0.2 seconds: killed")), qPrintable(job.output()));
    QVERIFY2(!job.output().contains(QStringLiteral("jobslib-guard did not end the run")), qPrintable(job.output()));
    QVERIFY2(survivors(notes).isEmpty(), qPrintable(survivors(notes).join(QStringLiteral(", ")) + QLatin1Char('\n') + job.output()));
}

void TestRunContainment::runjobKillNineKillsDaemons()
{
    test::RunjobProcess job(runjobEnvironment());
    job.start(QStringList{QStringLiteral("--run-once"), QStringLiteral("--")} + daemonsCommand(QStringLiteral("stay")));
    QMap<QString, qint64> notes;
    QVERIFY2(waitForDaemons(&notes), qPrintable(job.output()));
    job.signal(SIGKILL);
    QVERIFY(job.waitForExit(Deadline));
    // The guard learns of runjob's death from the kernel and acts on its own: wait for it.
    QVERIFY2(QTest::qWaitFor([&] { return survivors(notes).isEmpty(); }, Deadline),
             qPrintable(survivors(notes).join(QStringLiteral(", "))));
    QVERIFY(!test::processAlive(notes.value(QStringLiteral("main"))));
}

void TestRunContainment::cgroupHoldsTheRun()
{
    // runjob in a cgroup of its own (the test plays systemd's Delegate=yes by moving itself): each
    // run gets a cgroup below it, every daemon is in it, and it is gone after the run.
    QString why;
    if (!makeTestCgroup(&why))
        QSKIP(qPrintable(why));
    QVERIFY(enterTestCgroup());

    CommandTask task(daemonsCommand(QStringLiteral("stay")));
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    task.start();
    QMap<QString, qint64> notes;
    QVERIFY(waitForDaemons(&notes));
    const QStringList runs = runCgroups();
    QCOMPARE(runs.size(), 1);
    for (auto it = notes.cbegin(); it != notes.cend(); ++it) {
        if (it.key() == QLatin1String("orphan-ended"))
            continue; // gone by design
        // cgroupOf() is relative to the hierarchy's root; compare the tails.
        QVERIFY2(runs.constFirst().endsWith(QString::fromLocal8Bit(cgroupOf(it.value()))),
                 qPrintable(QStringLiteral("%1 is in %2, not %3").arg(it.key(), QString::fromLocal8Bit(cgroupOf(it.value())), runs.constFirst())));
    }
    // The guard stays in runjob's cgroup: it must survive the cgroup's kill.
    const qint64 guard = parentOf(notes.value(QStringLiteral("main")));
    QVERIFY(guard > 0);
    QCOMPARE(cgroupOf(guard), cgroupOf(::getpid()));

    task.requestStop();
    QVERIFY(spy.wait(Deadline));
    QCOMPARE(spy.at(0).at(0).value<TaskResult>().exitCode, -15);
    QVERIFY2(survivors(notes).isEmpty(), qPrintable(survivors(notes).join(QStringLiteral(", "))));
    QVERIFY2(QTest::qWaitFor([&] { return runCgroups().isEmpty(); }, Deadline), qPrintable(runCgroups().join(QLatin1Char(' '))));
}

void TestRunContainment::cgroupKillsDaemonsOfFrozenGuard()
{
    // The guard itself is frozen: it can neither kill the daemons nor take the "K" line. After
    // GuardKillWaitMs runjob kills the group, the guard and the run's cgroup, and only the last
    // reaches the daemons (without a cgroup they would go on under init).
    QString why;
    if (!makeTestCgroup(&why))
        QSKIP(qPrintable(why));
    QVERIFY(enterTestCgroup());

    CommandTask task(daemonsCommand(QStringLiteral("ignoreterm")));
    attach(task);
    QSignalSpy spy(&task, &BaseTask::finished);
    task.start();
    QMap<QString, qint64> notes;
    QVERIFY(waitForDaemons(&notes));
    const qint64 guard = parentOf(notes.value(QStringLiteral("main")));
    QVERIFY(guard > 0);
    m_strays << guard;
    QCOMPARE(::kill(pid_t(guard), SIGSTOP), 0);
    QVERIFY(QTest::qWaitFor(
        [&] {
            QFile stat(QStringLiteral("/proc/%1/stat").arg(guard));
            return stat.open(QIODevice::ReadOnly) && stat.readAll().contains(") T ");
        },
        Deadline));

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("jobslib-guard did not end the run within")));
    task.requestStop();
    QVERIFY(task.forceStop());
    QVERIFY(spy.wait(CommandTask::GuardKillWaitMs + Deadline));
    QCOMPARE(spy.at(0).at(0).value<TaskResult>().exitCode, -9); // the guard's own death
    QVERIFY2(QTest::qWaitFor([&] { return survivors(notes).isEmpty(); }, Deadline), qPrintable(survivors(notes).join(QStringLiteral(", "))));
    QVERIFY(!test::processAlive(notes.value(QStringLiteral("main"))));
    QVERIFY2(QTest::qWaitFor([&] { return runCgroups().isEmpty(); }, Deadline), qPrintable(runCgroups().join(QLatin1Char(' '))));
}

void TestRunContainment::cgroupRunjobKillNine()
{
    // runjob started in the cgroup (as systemd starts it), killed by SIGKILL: the guard kills the
    // run's cgroup and removes it.
    QString why;
    if (!makeTestCgroup(&why))
        QSKIP(qPrintable(why));
    test::RunjobProcess job(runjobEnvironment());
    const QByteArray procs = QFile::encodeName(m_testCgroup + QStringLiteral("/cgroup.procs"));
    job.process().setChildProcessModifier([procs] {
        const int fd = ::open(procs.constData(), O_WRONLY);
        if (fd < 0 || ::write(fd, "0", 1) != 1)
            ::_exit(126);
        ::close(fd);
    });
    job.start(QStringList{QStringLiteral("--run-once"), QStringLiteral("--")} + daemonsCommand(QStringLiteral("stay")));
    QMap<QString, qint64> notes;
    QVERIFY2(waitForDaemons(&notes), qPrintable(job.output()));
    QCOMPARE(runCgroups().size(), 1);
    QVERIFY(runCgroups().constFirst().endsWith(QString::fromLocal8Bit(cgroupOf(notes.value(QStringLiteral("late-fork"))))));

    job.signal(SIGKILL);
    QVERIFY(job.waitForExit(Deadline));
    QVERIFY2(QTest::qWaitFor([&] { return survivors(notes).isEmpty(); }, Deadline), qPrintable(survivors(notes).join(QStringLiteral(", "))));
    QVERIFY2(QTest::qWaitFor([&] { return runCgroups().isEmpty(); }, Deadline), qPrintable(runCgroups().join(QLatin1Char(' '))));
}

QTEST_GUILESS_MAIN(TestRunContainment)
#include "tst_runcontainment.moc"
