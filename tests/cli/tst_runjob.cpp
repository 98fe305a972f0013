// SPDX-License-Identifier: BSD-3-Clause
// End-to-end: the real runjob binary with the local backends, as an operator runs it.
#include "runjobprocess.h"
#include "testutil.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

using namespace jobslib::test;

class TestRunjob : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void helloWorldRunOnce();
    void taskHelpShowsItsArguments();
    void taskOptionFromSettings();
    void commandTaskExitCodeMapsToStatus();
    void commandSeesFencingTokenAndLockKey();
    void taskCommandSetting();
    void printConfigShowsSources();
    void explainSaysFailoverTimes();
    void checkLiveness();
    void lockInfoAndReleaseLock();
    void releaseLockRefusesWithoutTerminal();
    void sigtermStopsCommandGroupAndReleases();
    void sighupLogsStateAndGoesOn();
    void killNineTakesTheTaskDown();
    void pythonLoggingFormatFromEnv();

private:
    QProcessEnvironment env() const;
    QString path(const QString &name) const { return m_dir->filePath(name); }
    static QString readFile(const QString &path);
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestRunjob::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QProcessEnvironment TestRunjob::env() const
{
    QProcessEnvironment e = cleanEnvironment();
    e.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH"), path(QStringLiteral("job.lock")));
    return e;
}

QString TestRunjob::readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

void TestRunjob::helloWorldRunOnce()
{
    const ProcessResult r = run(binary(QStringLiteral("runjob")), {QStringLiteral("--run-once"), QStringLiteral("helloworld.HelloWorld"),
                                                                  QStringLiteral("--name"), QStringLiteral("Tester")},
                                env());
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("Hello, Tester! (fencing token 1)"), r.out.constData());
    // Python's log texts and default format: "<date> <time> <logger> INFO Run task".
    QVERIFY2(QString::fromUtf8(r.err).contains(QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d jobslib.runner INFO Run task$"),
                                                                   QRegularExpression::MultilineOption)),
             r.err.constData());
    QVERIFY(r.err.contains("INFO Task done"));
    // The lock was released: the record holds the token only.
    QCOMPARE(readFile(path(QStringLiteral("job.lock"))).trimmed(), QStringLiteral("{\"fencing_token\": 1}"));
}

void TestRunjob::taskHelpShowsItsArguments()
{
    const ProcessResult r = run(binary(QStringLiteral("runjob")), {QStringLiteral("helloworld.HelloWorld"), QStringLiteral("--help")}, env());
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("--name <name>"));
    QVERIFY(r.out.contains("helloworld.HelloWorld: Print a greeting"));
    QVERIFY(r.out.contains("--sleep-interval"));
}

void TestRunjob::taskOptionFromSettings()
{
    QFile s(path(QStringLiteral("s.ini")));
    QVERIFY(s.open(QIODevice::WriteOnly));
    s.write("run_once = 1\n[helloworld]\ngreeting = Ahoj\n");
    s.close();
    const ProcessResult r = run(binary(QStringLiteral("runjob")), {QStringLiteral("-s"), s.fileName(), QStringLiteral("helloworld.HelloWorld")}, env());
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("Ahoj, world!"), r.out.constData());
    // A task named by its name() instead of plugin.Class.
    const ProcessResult byName = run(binary(QStringLiteral("runjob")), {QStringLiteral("--run-once"), QStringLiteral("helloworld")}, env());
    QCOMPARE(byName.exitCode, 0);
    QVERIFY(byName.out.contains("Hello, world!"));
}

void TestRunjob::commandTaskExitCodeMapsToStatus()
{
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("JOBSLIB_METRICS_BACKEND"), QStringLiteral("file"));
    e.insert(QStringLiteral("JOBSLIB_METRICS_FILE_PATH"), path(QStringLiteral("metrics.txt")));
    const ProcessResult failed = run(binary(QStringLiteral("runjob")), {QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("sh"),
                                                                       QStringLiteral("-c"), QStringLiteral("exit 3")},
                                     e);
    QCOMPARE(failed.exitCode, 1);
    QVERIFY2(failed.err.contains("sh task failed: command exited with code 3"), failed.err.constData());
    const ProcessResult ok = run(binary(QStringLiteral("runjob")), {QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("true")}, e);
    QCOMPARE(ok.exitCode, 0);
    const QString metrics = readFile(path(QStringLiteral("metrics.txt")));
    QVERIFY2(metrics.contains(QStringLiteral("job_duration_seconds,status=failed,task=sh,type=task value=")), qPrintable(metrics));
    QVERIFY(metrics.contains(QStringLiteral("job_duration_seconds,status=succeeded,task=true,type=task value=")));
    QVERIFY(metrics.contains(QStringLiteral("last_successful_run_timestamp,task=true value=")));
}

void TestRunjob::commandSeesFencingTokenAndLockKey()
{
    const QStringList args{QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"),
                           QStringLiteral("echo \"token=$JOBSLIB_FENCING_TOKEN key=$JOBSLIB_LOCK_KEY\"")};
    const ProcessResult first = run(binary(QStringLiteral("runjob")), args, env());
    const ProcessResult second = run(binary(QStringLiteral("runjob")), args, env());
    QCOMPARE(first.exitCode, 0);
    QVERIFY2(first.out.contains(QStringLiteral("token=1 key=%1").arg(path(QStringLiteral("job.lock"))).toUtf8()), first.out.constData());
    QVERIFY2(second.out.contains("token=2 key="), second.out.constData());
}

void TestRunjob::taskCommandSetting()
{
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("JOBSLIB_TASK_COMMAND"), QStringLiteral("sh -c 'echo from-setting'"));
    e.insert(QStringLiteral("JOBSLIB_RUN_ONCE"), QStringLiteral("1"));
    const ProcessResult r = run(binary(QStringLiteral("runjob")), {}, e);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("from-setting"), r.err.constData());
}

void TestRunjob::printConfigShowsSources()
{
    QFile s(path(QStringLiteral("s.ini")));
    QVERIFY(s.open(QIODevice::WriteOnly));
    s.write("# comment\nrun_interval = 30\nsleep_interval = 7\n");
    s.close();
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("JOBSLIB_KEEP_LOCK"), QStringLiteral("yes"));
    e.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND"), QStringLiteral("jobslib.oneinstance.dummy.DummyLock"));
    const ProcessResult r = run(binary(QStringLiteral("runjob")),
                                {QStringLiteral("-s"), s.fileName(), QStringLiteral("--print-config"), QStringLiteral("--sleep-interval"), QStringLiteral("5"),
                                 QStringLiteral("--"), QStringLiteral("true")},
                                e);
    QCOMPARE(r.exitCode, 0);
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QStringLiteral("sleep_interval = 5  (cli --sleep-interval)")), qPrintable(out));
    QVERIFY(out.contains(QStringLiteral("run_interval = 30  (file %1:2)").arg(s.fileName())));
    QVERIFY(out.contains(QStringLiteral("keep_lock = true  (env JOBSLIB_KEEP_LOCK)")));
    QVERIFY(out.contains(QStringLiteral("one_instance.backend = dummy  (env JOBSLIB_ONE_INSTANCE_BACKEND)")));
    QVERIFY(out.contains(QStringLiteral("run_once = false  (default)")));
    // The file lock is not selected: its options are not shown.
    QVERIFY(!out.contains(QStringLiteral("one_instance.file.path")));
}

void TestRunjob::explainSaysFailoverTimes()
{
    const ProcessResult r = run(binary(QStringLiteral("runjob")), {QStringLiteral("--explain"), QStringLiteral("--keep-lock"), QStringLiteral("--run-interval"),
                                                                  QStringLiteral("60"), QStringLiteral("--"), QStringLiteral("true")},
                                env());
    QCOMPARE(r.exitCode, 0);
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QStringLiteral("fixed rate")), qPrintable(out));
    QVERIFY(out.contains(QStringLiteral("kept between iterations")));
    QVERIFY(out.contains(QStringLiteral("crash")));
    QVERIFY(out.contains(QStringLiteral("graceful")));
    QVERIFY(out.contains(QStringLiteral("143")));

    // Consul: 2 x TTL, the lock-delay, and the standbys' back-off after it (min(lock-delay, 5 s)).
    QProcessEnvironment consul = env();
    consul.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND"), QStringLiteral("consul"));
    consul.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_KEY"), QStringLiteral("jobs/x"));
    consul.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_TTL"), QStringLiteral("15"));
    for (const auto &[delay, worst] : {std::pair{"0", "worst case 30 s"}, std::pair{"2", "worst case 34 s"}, std::pair{"30", "worst case 65 s"}}) {
        consul.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_LOCK_DELAY"), QString::fromLatin1(delay));
        const ProcessResult c = run(binary(QStringLiteral("runjob")), {QStringLiteral("--explain"), QStringLiteral("--"), QStringLiteral("true")}, consul);
        QCOMPARE(c.exitCode, 0);
        QVERIFY2(c.out.contains(worst), c.out.constData());
    }
    // Cut off from Consul, the holder finds the lock lost 6 s before the TTL ends (1 s for the
    // kill, the 5 s margin) for a command jobslib-guard kills at the deadline, and the kill grace
    // earlier for a C++ task, which runjob can only leave behind by exiting; it renews three
    // times in what is left.
    {
        const ProcessResult c = run(binary(QStringLiteral("runjob")), {QStringLiteral("--explain"), QStringLiteral("--"), QStringLiteral("true")}, consul);
        QCOMPARE(c.exitCode, 0);
        for (const char *text : {"renews every 3.0 s", "within 9 s of sending the last one", "6 s before the server could expire the lease",
                                 "jobslib-guard kills a command at that deadline"})
            QVERIFY2(c.out.contains(text), c.out.constData());
        QProcessEnvironment cpp = consul;
        cpp.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_TTL"), QStringLiteral("30"));
        const ProcessResult t = run(binary(QStringLiteral("runjob")), {QStringLiteral("--explain"), QStringLiteral("helloworld.HelloWorld")}, cpp);
        QCOMPARE(t.exitCode, 0);
        for (const char *text : {"renews every 4.7 s", "within 14 s of sending the last one", "16 s before the server could expire the lease",
                                 "kill grace of 10 s", "runjob exits without it"})
            QVERIFY2(t.out.contains(text), t.out.constData());
    }
    // Consul's release-lock fence: the kill grace + 1 s + the 5 s margin, at least Consul's minimal session TTL.
    for (const auto &[grace, fence] : {std::pair{"10", "the fence, 16 s"}, std::pair{"2", "the fence, 10 s"}}) {
        consul.insert(QStringLiteral("JOBSLIB_TASK_KILL_GRACE"), QString::fromLatin1(grace));
        const ProcessResult c = run(binary(QStringLiteral("runjob")), {QStringLiteral("--explain"), QStringLiteral("--"), QStringLiteral("true")}, consul);
        QCOMPARE(c.exitCode, 0);
        QVERIFY2(c.out.contains(fence), c.out.constData());
    }

    // etcd's release-lock fence: the TTL, or the kill grace + 1 s when that is longer, + the 5 s margin.
    QProcessEnvironment etcd = env();
    etcd.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND"), QStringLiteral("etcd"));
    etcd.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_KEY"), QStringLiteral("jobs/x"));
    etcd.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_TTL"), QStringLiteral("9"));
    for (const auto &[grace, fence] : {std::pair{"10", "blocked for 16 s"}, std::pair{"2", "blocked for 14 s"}}) {
        etcd.insert(QStringLiteral("JOBSLIB_TASK_KILL_GRACE"), QString::fromLatin1(grace));
        const ProcessResult e = run(binary(QStringLiteral("runjob")), {QStringLiteral("--explain"), QStringLiteral("--"), QStringLiteral("true")}, etcd);
        QCOMPARE(e.exitCode, 0);
        QVERIFY2(e.out.contains(fence), e.out.constData());
    }
}

void TestRunjob::checkLiveness()
{
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("JOBSLIB_LIVENESS_BACKEND"), QStringLiteral("file"));
    e.insert(QStringLiteral("JOBSLIB_LIVENESS_FILE_PATH"), path(QStringLiteral("live.json")));
    const QStringList check{QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("60")};
    const ProcessResult missing = run(binary(QStringLiteral("runjob")), check, e);
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains("Can't read liveness state"), missing.err.constData());

    QCOMPARE(run(binary(QStringLiteral("runjob")), {QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("true")}, e).exitCode, 0);
    const ProcessResult pass = run(binary(QStringLiteral("runjob")), check, e);
    QCOMPARE(pass.exitCode, 0);
    QCOMPARE(pass.out, QByteArray("PASS\n"));

    // A Python-written record, 1000 s old.
    const qint64 old = QDateTime::currentSecsSinceEpoch() - 1000;
    QFile f(path(QStringLiteral("live.json")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral("{\"fqdn\": \"py.example.com\", \"timestamp\": %1, \"time_utc\": \"x\", \"time_local\": \"x\"}").arg(old).toUtf8());
    f.close();
    const ProcessResult fail = run(binary(QStringLiteral("runjob")), check, e);
    QCOMPARE(fail.exitCode, 1);
    QCOMPARE(fail.out, QByteArray("FAIL\n"));
    const ProcessResult lenient = run(binary(QStringLiteral("runjob")), {QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("5000")}, e);
    QCOMPARE(lenient.out, QByteArray("PASS\n"));
}

void TestRunjob::lockInfoAndReleaseLock()
{
    // A holder that keeps its lock while sleeping.
    RunjobProcess holder(env());
    holder.start({QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QStringLiteral("3600"), QStringLiteral("--"), QStringLiteral("true")});
    QVERIFY2(holder.waitForOutput(QStringLiteral("lock is kept")), qPrintable(holder.output()));

    const ProcessResult info = run(binary(QStringLiteral("runjob")), {QStringLiteral("lock-info")}, env());
    QCOMPARE(info.exitCode, 0);
    const QString text = QString::fromUtf8(info.out);
    QVERIFY2(text.contains(QStringLiteral("state: held by ")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("pid %1").arg(holder.pid())));
    QVERIFY(text.contains(QStringLiteral("fencing token 1")));

    const ProcessResult json = run(binary(QStringLiteral("runjob")), {QStringLiteral("lock-info"), QStringLiteral("--json")}, env());
    QVERIFY2(json.out.contains("\"held\":true"), json.out.constData());

    const ProcessResult release = run(binary(QStringLiteral("runjob")), {QStringLiteral("release-lock"), QStringLiteral("--yes")}, env());
    QCOMPARE(release.exitCode, 0);
    QVERIFY2(release.out.startsWith("released:"), release.out.constData());
    // The holder notices (SIGTERM for a file lock), releases and exits 143.
    QVERIFY(holder.waitForExit());
    QCOMPARE(holder.exitCode(), 143);
    QVERIFY(holder.output().contains(QStringLiteral("Received signal 15")));

    const ProcessResult after = run(binary(QStringLiteral("runjob")), {QStringLiteral("lock-info")}, env());
    QVERIFY2(after.out.contains("state: free"), after.out.constData());
    const ProcessResult again = run(binary(QStringLiteral("runjob")), {QStringLiteral("release-lock"), QStringLiteral("--yes")}, env());
    QCOMPARE(again.exitCode, 0);
    QVERIFY(again.out.contains("is free"));
}

void TestRunjob::releaseLockRefusesWithoutTerminal()
{
    RunjobProcess holder(env());
    holder.start({QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QStringLiteral("3600"), QStringLiteral("--"), QStringLiteral("true")});
    QVERIFY(holder.waitForOutput(QStringLiteral("lock is kept")));
    const ProcessResult r = run(binary(QStringLiteral("runjob")), {QStringLiteral("release-lock")}, env(), 10000, QByteArray("y\n"));
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains("--yes"));
    QCOMPARE(holder.process().state(), QProcess::Running);
    holder.signal(SIGTERM);
    QVERIFY(holder.waitForExit());
}

void TestRunjob::sigtermStopsCommandGroupAndReleases()
{
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("JOBSLIB_METRICS_BACKEND"), QStringLiteral("file"));
    e.insert(QStringLiteral("JOBSLIB_METRICS_FILE_PATH"), path(QStringLiteral("metrics.txt")));
    const QString pids = path(QStringLiteral("pids"));
    RunjobProcess job(e);
    job.start({QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"),
               QStringLiteral("sleep 300 & echo $! > %1; sleep 300").arg(pids)});
    QVERIFY(QTest::qWaitFor([&] { return readFile(pids).endsWith(QLatin1Char('\n')); }, 10000));
    const qint64 grandchild = readFile(pids).trimmed().toLongLong();
    QVERIFY(processAlive(grandchild));
    job.signal(SIGTERM);
    QVERIFY(job.waitForExit());
    QCOMPARE(job.exitCode(), 143);
    QVERIFY2(job.output().contains(QStringLiteral("Task has been terminated")), qPrintable(job.output()));
    QVERIFY(QTest::qWaitFor([&] { return !processAlive(grandchild); }, 5000));
    QVERIFY(readFile(path(QStringLiteral("metrics.txt"))).contains(QStringLiteral("status=killed")));
    QCOMPARE(readFile(path(QStringLiteral("job.lock"))).trimmed(), QStringLiteral("{\"fencing_token\": 1}"));
}

void TestRunjob::sighupLogsStateAndGoesOn()
{
    RunjobProcess job(env());
    job.start({QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QStringLiteral("3600"), QStringLiteral("--"), QStringLiteral("true")});
    QVERIFY(job.waitForOutput(QStringLiteral("lock is kept")));
    job.signal(SIGHUP);
    QVERIFY(job.waitForOutput(QStringLiteral("State: sleeping, iteration 1, last status succeeded, lock held (fencing token 1), next iteration in")));
    QCOMPARE(job.process().state(), QProcess::Running);
    job.signal(SIGINT);
    QVERIFY(job.waitForExit());
    QCOMPARE(job.exitCode(), 130);
}

void TestRunjob::killNineTakesTheTaskDown()
{
    const QString pids = path(QStringLiteral("pids"));
    RunjobProcess job(env());
    job.start({QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"),
               QStringLiteral("sleep 300 & echo $! > %1; echo $$ >> %1; sleep 300").arg(pids)});
    QVERIFY(QTest::qWaitFor([&] { return readFile(pids).count(QLatin1Char('\n')) == 2; }, 10000));
    const QStringList lines = readFile(pids).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    job.signal(SIGKILL);
    QVERIFY(job.waitForExit());
    for (const QString &p : lines)
        QVERIFY2(QTest::qWaitFor([&] { return !processAlive(p.toLongLong()); }, 5000), qPrintable(QStringLiteral("pid %1 survived runjob").arg(p)));
    // The kernel freed the lock with the process: the next instance gets it at once.
    const ProcessResult next = run(binary(QStringLiteral("runjob")), {QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("true")}, env());
    QCOMPARE(next.exitCode, 0);
    QVERIFY(next.err.contains("Run task"));
}

void TestRunjob::pythonLoggingFormatFromEnv()
{
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("JOBSLIB_LOGGING"),
             QStringLiteral(R"({"version": 1, "formatters": {"f": {"format": "%(levelname)s|%(name)s|%(message)s"}},
                "handlers": {"h": {"class": "logging.StreamHandler", "formatter": "f"}},
                "root": {"level": "WARNING", "handlers": ["h"]}})"));
    const ProcessResult r = run(binary(QStringLiteral("runjob")), {QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("sh"),
                                                                  QStringLiteral("-c"), QStringLiteral("exit 1")},
                                e);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("ERROR|jobslib.runner|sh task failed"), r.err.constData());
    QVERIFY(!r.err.contains("Run task")); // INFO is below WARNING
}

QTEST_GUILESS_MAIN(TestRunjob)
#include "tst_runjob.moc"
