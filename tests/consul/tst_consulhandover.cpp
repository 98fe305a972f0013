// SPDX-License-Identifier: BSD-3-Clause
// Real runjob processes on one Consul key, against the standalone simulator (jobslib-consul-sim,
// sessions expiring at exactly TTL: Consul's contract is "never before TTL"). As in
// tst_filelockhandover, every task takes a second, independent lock (flock -n) around its work
// and writes OVERLAP to a shared journal when that fails, so the journal proves that no two task
// executions ever overlapped, whatever the test does to the holders or to Consul. The journal
// also carries each run's fencing token (JOBSLIB_FENCING_TOKEN), wall-clock ms and task pid.
#include "consulsimprocess.h"
#include "lock/lockbackend.h"
#include "handoverscenario.h"
#include "runjobprocess.h"
#include "taskjournal.h"
#include "testutil.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

using namespace jobslib::test;

namespace {

const QString Key = QStringLiteral("jobs/handover/lock");
const QString LivenessKey = QStringLiteral("jobs/handover/liveness");
const QString AclToken = QStringLiteral("master-5e3a9c1f"); // distinctive, so a leak is found
const QString WrongToken = QStringLiteral("wrong-7b2d4e60");
const QString Python = QStringLiteral("/usr/bin/python3");

using Entry = JournalEntry;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

int countOf(const QString &text, const QString &what)
{
    return int(text.count(what));
}

} // namespace

class TestConsulHandover : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void gracefulAndCrashFailover();
    void frozenHolderNeverOverlaps();
    void renewalErrorsSlowAnswersAndBlackhole();
    void forceReleaseFromAnotherProcess();
    void aclTokenRequiredWrongAndRight();
    void pythonJobslibInterop();
    void lockInfoAndLivenessAgainstConsul();

private:
    bool startSimulator(const QStringList &args = {});
    QProcessEnvironment environment(const QString &name, int lockDelay = 0) const;
    QString workScript(const QString &work) const;
    std::shared_ptr<RunjobProcess> startInstance(const QString &name, const QStringList &loopArgs, const QString &work, int lockDelay = 0,
                                                 const QProcessEnvironment &extra = {});
    ProcessResult runjob(const QStringList &args, const QProcessEnvironment &env, int timeoutMs = 20000) const;
    QList<Entry> journal(const QString &what = QString()) const;
    /*! Renewals of sessions logged by the simulator since sequence `since`: {status, AtMs}. */
    QList<QPair<int, qint64>> renewals(qint64 since);
    qint64 lastSequence();
    static void verifyNoOverlapAndGrowingTokens(const QList<Entry> &entries);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ConsulSimProcess> m_sim;
    QList<QPair<QString, std::shared_ptr<RunjobProcess>>> m_instances; ///< name, process
};

void TestConsulHandover::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(startSimulator());
}

void TestConsulHandover::cleanup()
{
    // A frozen instance would never die of SIGTERM; SIGKILL (the destructor) kills its task too.
    for (const auto &[name, p] : std::as_const(m_instances)) {
        if (p->process().state() != QProcess::NotRunning)
            p->signal(SIGCONT);
    }
    // On failure (or with JOBSLIB_TEST_VERBOSE set) the outputs and the journal help the reader.
    if (QTest::currentTestFailed() || qEnvironmentVariableIsSet("JOBSLIB_TEST_VERBOSE")) {
        for (const auto &[name, p] : std::as_const(m_instances))
            qInfo().noquote() << "--- runjob" << name << "output:\n" << p->output();
        QFile f(m_dir->filePath(QStringLiteral("journal")));
        if (f.open(QIODevice::ReadOnly))
            qInfo().noquote() << "--- journal:\n" << f.readAll();
    }
    m_instances.clear();
    m_sim.reset();
    m_dir.reset();
}

bool TestConsulHandover::startSimulator(const QStringList &args)
{
    m_sim = std::make_unique<ConsulSimProcess>();
    QString error;
    // Multiplier 1: sessions expire exactly at TTL, the tightest case Consul allows.
    const bool ok = m_sim->start(QStringList{QStringLiteral("--ttl-multiplier"), QStringLiteral("1")} + args, &error);
    if (!ok)
        qWarning().noquote() << error;
    return ok;
}

QProcessEnvironment TestConsulHandover::environment(const QString &name, int lockDelay) const
{
    QProcessEnvironment env = cleanEnvironment();
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND"), QStringLiteral("consul"));
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_ADDRESS"), m_sim->address());
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_KEY"), Key);
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_TTL"), QStringLiteral("10"));
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_LOCK_DELAY"), QString::number(lockDelay));
    env.insert(QStringLiteral("JOBSLIB_TASK_KILL_GRACE"), QStringLiteral("2"));
    env.insert(QStringLiteral("JOBSLIB_FQDN"), name + QStringLiteral(".test"));
    env.insert(QStringLiteral("INSTANCE"), name);
    return env;
}

QString TestConsulHandover::workScript(const QString &work) const
{
    return TaskJournal(m_dir->path()).workScript(work);
}

std::shared_ptr<RunjobProcess> TestConsulHandover::startInstance(const QString &name, const QStringList &loopArgs, const QString &work, int lockDelay,
                                                                 const QProcessEnvironment &extra)
{
    QProcessEnvironment env = environment(name, lockDelay);
    const auto keys = extra.keys();
    for (const QString &k : keys)
        env.insert(k, extra.value(k));
    auto p = std::make_shared<RunjobProcess>(env);
    p->start(loopArgs + QStringList{QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"), workScript(work)});
    m_instances << qMakePair(name, p);
    return p;
}

ProcessResult TestConsulHandover::runjob(const QStringList &args, const QProcessEnvironment &env, int timeoutMs) const
{
    return run(binary(QStringLiteral("runjob")), args, env, timeoutMs);
}

QList<Entry> TestConsulHandover::journal(const QString &what) const
{
    return TaskJournal(m_dir->path()).entries(what);
}

qint64 TestConsulHandover::lastSequence()
{
    const QJsonArray log = m_sim->requests();
    return log.isEmpty() ? 0 : qint64(log.last().toObject().value(QLatin1String("Sequence")).toDouble());
}

QList<QPair<int, qint64>> TestConsulHandover::renewals(qint64 since)
{
    QList<QPair<int, qint64>> r;
    const QJsonArray log = m_sim->requests(since);
    for (const QJsonValue &v : log) {
        const QJsonObject o = v.toObject();
        if (o.value(QLatin1String("Path")).toString().startsWith(QLatin1String("/v1/session/renew/")))
            r << qMakePair(o.value(QLatin1String("Status")).toInt(), qint64(o.value(QLatin1String("AtMs")).toDouble()));
    }
    return r;
}

void TestConsulHandover::verifyNoOverlapAndGrowingTokens(const QList<Entry> &entries)
{
    const QString violation = TaskJournal::checkNoOverlapAndGrowingTokens(entries);
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
}

// 1. Three instances with keep_lock: graceful handover within 1 s, crash failover within the
//    bound --explain prints (tightened to what TTL x 1 allows), tokens 1, 2, 3.
void TestConsulHandover::gracefulAndCrashFailover()
{
    const QStringList loop{QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QStringLiteral("30")};

    // The crash bound runjob states for these settings.
    const ProcessResult explain = runjob({QStringLiteral("--explain"), QStringLiteral("--"), QStringLiteral("true")}, environment(QStringLiteral("x")));
    QCOMPARE(explain.exitCode, 0);
    const QRegularExpressionMatch crashLine =
        QRegularExpression(QStringLiteral("Crash of the holder.*worst case (\\d+) s")).match(QString::fromUtf8(explain.out));
    QVERIFY2(crashLine.hasMatch(), explain.out.constData());
    const qint64 explainedCrashMs = crashLine.captured(1).toLongLong() * 1000;
    QCOMPARE(explainedCrashMs, 20000); // 2 x TTL + lock-delay 0
    // The simulator expires sessions at 1 x TTL: 10 s after the last renewal, + lock-delay 0, + slack.
    const qint64 crashBoundMs = qMin<qint64>(explainedCrashMs, 12000);

    QMap<QString, std::shared_ptr<RunjobProcess>> instances;
    for (const QString &n : {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")})
        instances.insert(n, startInstance(n, loop, QStringLiteral("0.05")));
    const auto starts = [this] { return journal(QStringLiteral("start")); };
    const TaskJournal tasks(m_dir->path());
    QString error;
    QString holder = HandoverScenario::waitForHolderAndStandbys(instances, tasks, 1, 10000, &error);
    QVERIFY2(!holder.isEmpty(), qPrintable(error));

    // Graceful: SIGTERM releases the key; a standby notices through its blocking query.
    const std::optional<qint64> graceful = HandoverScenario::takeover(instances, holder, SIGTERM, tasks, 2, 5000, &error);
    QVERIFY2(graceful, qPrintable(error));
    const qint64 gracefulMs = *graceful;
    qInfo("graceful takeover %lld ms after SIGTERM to the holder", gracefulMs);
    QVERIFY2(gracefulMs <= 1000, qPrintable(QStringLiteral("took %1 ms").arg(gracefulMs)));

    // The last standby lost the race and watches again.
    holder = HandoverScenario::waitForHolderAndStandbys(instances, tasks, 2, 5000, &error);
    QVERIFY2(!holder.isEmpty(), qPrintable(error));

    // Crash: kill -9 of the new holder. Nobody releases; the session expires at its TTL.
    const std::optional<qint64> crash = HandoverScenario::takeover(instances, holder, SIGKILL, tasks, 3, int(crashBoundMs + 3000), &error);
    QVERIFY2(crash, qPrintable(error));
    const qint64 crashMs = *crash;
    qInfo("crash takeover %lld ms after kill -9 (bound %lld ms; --explain: %lld ms)", crashMs, crashBoundMs, explainedCrashMs);
    QVERIFY2(crashMs <= crashBoundMs, qPrintable(QStringLiteral("took %1 ms").arg(crashMs)));

    // Counted before the shutdown: once one instance has stopped and released, a standby may
    // rightly start a run before its own SIGTERM arrives.
    const QList<Entry> s = starts();
    QCOMPARE(s.size(), 3);
    for (const auto &p : std::as_const(instances))
        p->signal(SIGTERM);
    for (const auto &p : std::as_const(instances)) {
        QVERIFY(p->waitForExit());
        QCOMPARE(p->exitCode(), 143);
    }
    QCOMPARE(s.at(0).token, 1u);
    QCOMPARE(s.at(1).token, 2u);
    QCOMPARE(s.at(2).token, 3u);
    verifyNoOverlapAndGrowingTokens(journal());
}

// 2. The holder is frozen (SIGSTOP) past its TTL: jobslib-guard kills its task at the lease
//    deadline while runjob cannot, before the session expires and a standby takes over.
void TestConsulHandover::frozenHolderNeverOverlaps()
{
    const QStringList loop{QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QStringLiteral("30")};
    QMap<QString, std::shared_ptr<RunjobProcess>> instances;
    for (const QString &n : {QStringLiteral("a"), QStringLiteral("b")})
        instances.insert(n, startInstance(n, loop, QStringLiteral("60")));
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 1; }, 10000));
    const Entry first = journal(QStringLiteral("start")).constFirst();
    const auto holder = instances.value(first.instance);
    const QString standbyName = first.instance == QLatin1String("a") ? QStringLiteral("b") : QStringLiteral("a");
    const auto standby = instances.value(standbyName);
    QVERIFY(standby->waitForOutput(QStringLiteral("Can't acquire lock (lock owner is %1.test").arg(first.instance)));
    QVERIFY(processAlive(first.pid));

    const qint64 stoppedAt = nowMs();
    holder->signal(SIGSTOP);
    qint64 taskDeadAt = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            if (!taskDeadAt && !processAlive(first.pid))
                taskDeadAt = nowMs();
            return journal(QStringLiteral("start")).size() == 2;
        },
        20000));
    const Entry second = journal(QStringLiteral("start")).constLast();
    QCOMPARE(second.instance, standbyName);
    QVERIFY(taskDeadAt > 0);
    qInfo("holder frozen: its task killed %lld ms after SIGSTOP, the standby's task started %lld ms after it", taskDeadAt - stoppedAt,
          second.ms - taskDeadAt);
    // Polling sees the death late, never early: the old task was gone at least the 5 s margin
    // before the new one started (the flock detector below checks the overlap itself).
    QVERIFY2(second.ms - taskDeadAt >= jobslib::LockBackend::FenceMarginS * 1000,
             qPrintable(QStringLiteral("task died at %1, standby started at %2").arg(taskDeadAt).arg(second.ms)));
    QVERIFY(holder->waitForOutput(QStringLiteral("jobslib-guard: "), 1000)); // the guard, not runjob, killed it
    // Frozen for longer than the TTL in all: nothing else happens meanwhile.
    QVERIFY(!QTest::qWaitFor([&] { return journal().size() > 2; }, int(qMax<qint64>(0, stoppedAt + 11000 - nowMs()))));
    QVERIFY(nowMs() - stoppedAt > 10000);

    holder->signal(SIGCONT);
    QVERIFY(holder->waitForOutput(QStringLiteral("Lock has been lost"), 5000));
    // It goes back to sleep (standby) and does not run while the other holds.
    QVERIFY(QTest::qWaitFor(
        [&] {
            const QString out = holder->output();
            return out.indexOf(QStringLiteral("Sleep for"), out.indexOf(QStringLiteral("Lock has been lost"))) >= 0;
        },
        5000));
    QVERIFY(holder->process().state() == QProcess::Running);
    QVERIFY(processAlive(second.pid));
    const ProcessResult info = runjob({QStringLiteral("lock-info")}, environment(QStringLiteral("admin")));
    QCOMPARE(info.exitCode, 0);
    QVERIFY2(info.out.contains(QByteArray("held by " + standbyName.toUtf8() + ".test")), info.out.constData());

    // Counted before the shutdown (see gracefulAndCrashFailover).
    QCOMPARE(journal(QStringLiteral("start")).size(), 2);
    QCOMPARE(journal(QStringLiteral("end")).size(), 0);
    for (const auto &p : std::as_const(instances))
        p->signal(SIGTERM);
    for (const auto &p : std::as_const(instances)) {
        QVERIFY(p->waitForExit());
        QCOMPARE(p->exitCode(), 143);
    }
    QVERIFY(second.token > first.token);
    verifyNoOverlapAndGrowingTokens(journal());
}

// 3. Consul failing renewals (500), answering slowly, then not at all.
void TestConsulHandover::renewalErrorsSlowAnswersAndBlackhole()
{
    // The standby retries every 5 s besides watching: its blocking query hangs in the blackhole.
    const QStringList loop{QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QStringLiteral("5")};
    QMap<QString, std::shared_ptr<RunjobProcess>> instances;
    for (const QString &n : {QStringLiteral("a"), QStringLiteral("b")})
        instances.insert(n, startInstance(n, loop, QStringLiteral("60")));
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 1; }, 10000));
    const Entry first = journal(QStringLiteral("start")).constFirst();
    const auto holder = instances.value(first.instance);
    const auto standby = instances.value(first.instance == QLatin1String("a") ? QStringLiteral("b") : QStringLiteral("a"));
    QVERIFY(standby->waitForOutput(QStringLiteral("Can't acquire lock (lock owner is %1.test").arg(first.instance)));

    // 500 for three renewals: retried, the lock is kept, the error logged once.
    qint64 since = lastSequence();
    QUrlQuery fail(QStringLiteral("count=3&status=500&pathPrefix=/v1/session/renew"));
    fail.addQueryItem(QStringLiteral("body"), QStringLiteral("No cluster leader"));
    QVERIFY(m_sim->control(QStringLiteral("fail"), fail).ok());
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto r = renewals(since);
            return r.size() >= 4 && r.constLast().first == 200;
        },
        15000));
    QVERIFY(holder->waitForOutput(QStringLiteral("Lock renewal works again"), 2000));
    QCOMPARE(countOf(holder->output(), QStringLiteral("Can't extend lock")), 1);
    QVERIFY2(holder->output().contains(QStringLiteral("Can't extend lock: HTTP 500: No cluster leader")), qPrintable(holder->output()));
    QVERIFY(!holder->output().contains(QStringLiteral("Lock has been lost")));
    QCOMPARE(journal(QStringLiteral("start")).size(), 1);
    QVERIFY(processAlive(first.pid));

    // Slow answers (1.5 s, well inside the timeout): still kept.
    since = lastSequence();
    QVERIFY(m_sim->control(QStringLiteral("delay"), QUrlQuery(QStringLiteral("ms=1500"))).ok());
    QVERIFY(QTest::qWaitFor(
        [&] {
            int ok = 0;
            for (const auto &r : renewals(since))
                ok += r.first == 200;
            return ok >= 2;
        },
        15000));
    QVERIFY(m_sim->control(QStringLiteral("clear-faults")).ok());
    QCOMPARE(countOf(holder->output(), QStringLiteral("Can't extend lock")), 1);
    QVERIFY(!holder->output().contains(QStringLiteral("Lock has been lost")));
    QCOMPARE(journal(QStringLiteral("start")).size(), 1);
    QVERIFY(processAlive(first.pid));

    // Blackhole: no answers at all. The holder must stop its task 5 s before the session could
    // expire (10 s after the last renewal Consul answered), and nobody else may run meanwhile.
    qint64 offset = 0;
    QVERIFY(m_sim->syncClock(&offset));
    since = lastSequence();
    QVERIFY(m_sim->control(QStringLiteral("blackhole"), QUrlQuery(QStringLiteral("enabled=1"))).ok());
    const qint64 blackholedAt = nowMs();
    qint64 taskDeadAt = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            if (!processAlive(first.pid))
                taskDeadAt = nowMs();
            return taskDeadAt > 0;
        },
        15000));
    qint64 lastRenewal = 0;
    for (const auto &r : renewals(0)) {
        if (r.first == 200)
            lastRenewal = r.second + offset;
    }
    QVERIFY(lastRenewal > 0 && lastRenewal <= blackholedAt + 50);
    qInfo("blackhole: the holder's task stopped %lld ms after the last answered renewal (%lld ms after the blackhole began)",
          taskDeadAt - lastRenewal, taskDeadAt - blackholedAt);
    // Dead at least the 5 s margin before Consul could expire the session (10 s after the last
    // renewal it answered): the deadline falls 6 s before, jobslib-guard kills 0.1 s before that.
    QVERIFY2(taskDeadAt - lastRenewal < 10000 - jobslib::LockBackend::FenceMarginS * 1000, qPrintable(QString::number(taskDeadAt - lastRenewal)));
    QVERIFY(holder->waitForOutput(QStringLiteral("Lock has been lost"), 3000));
    // Past the moment the simulator expires the session: still nobody runs.
    const int untilExpired = int(qMax<qint64>(0, lastRenewal + 11000 - nowMs()));
    QVERIFY(!QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() > 1; }, untilExpired));

    const qint64 clearedAt = nowMs();
    QVERIFY(m_sim->control(QStringLiteral("clear-faults")).ok());
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 2; }, 20000));
    qInfo("after the blackhole: a task started again %lld ms after the faults were cleared", journal(QStringLiteral("start")).constLast().ms - clearedAt);
    QVERIFY(journal(QStringLiteral("start")).constLast().ms >= clearedAt);

    for (const auto &p : std::as_const(instances)) {
        p->signal(SIGTERM);
        QVERIFY(p->waitForExit(15000));
    }
    verifyNoOverlapAndGrowingTokens(journal());
}

// 4. release-lock from another process: the holder notices through its watch and stops its
//    task within 1 s; a standby runs only when release-lock's fence session has expired.
void TestConsulHandover::forceReleaseFromAnotherProcess()
{
    const int lockDelay = 1;
    const QStringList loop{QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QStringLiteral("30")};
    QMap<QString, std::shared_ptr<RunjobProcess>> instances;
    for (const QString &n : {QStringLiteral("a"), QStringLiteral("b")}) {
        QProcessEnvironment metrics;
        metrics.insert(QStringLiteral("JOBSLIB_METRICS_BACKEND"), QStringLiteral("file"));
        metrics.insert(QStringLiteral("JOBSLIB_METRICS_FILE_PATH"), m_dir->filePath(QStringLiteral("metrics-") + n));
        instances.insert(n, startInstance(n, loop, QStringLiteral("60"), lockDelay, metrics));
    }
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 1; }, 10000));
    const Entry first = journal(QStringLiteral("start")).constFirst();
    const auto holder = instances.value(first.instance);
    const QString standbyName = first.instance == QLatin1String("a") ? QStringLiteral("b") : QStringLiteral("a");
    QVERIFY(instances.value(standbyName)->waitForOutput(QStringLiteral("Can't acquire lock (lock owner is %1.test").arg(first.instance)));
    qint64 offset = 0;
    QVERIFY(m_sim->syncClock(&offset));

    // release-lock runs beside the test's event loop, which watches the holder's task die.
    QProcess release;
    release.setProcessEnvironment(environment(QStringLiteral("admin"), lockDelay));
    const qint64 releaseAt = nowMs();
    release.start(binary(QStringLiteral("runjob")), {QStringLiteral("release-lock"), QStringLiteral("--yes")});
    qint64 taskDeadAt = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            if (!taskDeadAt && !processAlive(first.pid))
                taskDeadAt = nowMs();
            return taskDeadAt && release.state() == QProcess::NotRunning;
        },
        5000));
    const QByteArray releaseOutput = release.readAllStandardOutput() + release.readAllStandardError();
    QVERIFY2(release.exitStatus() == QProcess::NormalExit && release.exitCode() == 0, releaseOutput.constData());
    QVERIFY2(releaseOutput.contains(QByteArray(first.instance.toUtf8() + ".test")), releaseOutput.constData());
    qInfo("force-release: the holder's task stopped %lld ms after release-lock was started", taskDeadAt - releaseAt);
    QVERIFY2(taskDeadAt - releaseAt <= 1000, qPrintable(QString::number(taskDeadAt - releaseAt)));
    QVERIFY(journal(QStringLiteral("end")).isEmpty());
    QVERIFY(holder->waitForOutput(QStringLiteral("Lock has been lost"), 2000));
    QVERIFY(holder->waitForOutput(QStringLiteral("Task interrupted"), 2000));
    QVERIFY(QTest::qWaitFor(
        [&] {
            QFile f(m_dir->filePath(QStringLiteral("metrics-") + first.instance));
            return f.open(QIODevice::ReadOnly) && f.readAll().contains("status=interrupted");
        },
        3000));

    // Meanwhile the key is held by release-lock's fence session, which nobody renews.
    const ConsulSimProcess::Reply fenced = m_sim->request("GET", QStringLiteral("/v1/kv/") + Key);
    QVERIFY2(fenced.ok() && QJsonDocument::fromJson(fenced.body).array().at(0)[QLatin1String("Session")].isString(), fenced.body.constData());

    // The next holder, only when the fence session has expired (10 s: the kill grace of 2 s + 1,
    // raised to Consul's minimal TTL; the simulator expires at 1 x TTL): the standby, or the old
    // holder, which with keep_lock watches again at once. Not after the lock-delay of 1 s, which
    // is shorter than the kill grace.
    const qint64 fenceMs = 10000;
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 2; }, fenceMs + 8000));
    const Entry second = journal(QStringLiteral("start")).constLast();
    QVERIFY2(second.instance == standbyName || second.instance == first.instance, qPrintable(second.instance));
    qint64 fencedAt = 0;
    for (const QJsonValue &v : m_sim->requests()) {
        const QJsonObject o = v.toObject();
        if (!fencedAt && o.value(QLatin1String("Path")).toString() == QLatin1String("/v1/txn")
            && qint64(o.value(QLatin1String("AtMs")).toDouble()) + offset >= releaseAt)
            fencedAt = qint64(o.value(QLatin1String("AtMs")).toDouble()) + offset;
    }
    QVERIFY(fencedAt > 0);
    qInfo("force-release: %s's task started %lld ms after the fence (its TTL %lld ms)", qPrintable(second.instance), second.ms - fencedAt, fenceMs);
    QVERIFY2(second.ms - fencedAt >= fenceMs - 20, qPrintable(QString::number(second.ms - fencedAt)));
    QVERIFY(second.ms - fencedAt <= fenceMs + 5000);
    // The fence took a lock index of its own: tokens grow by two.
    QCOMPARE(second.token, first.token + 2);

    for (const auto &p : std::as_const(instances)) {
        p->signal(SIGTERM);
        QVERIFY(p->waitForExit());
    }
    verifyNoOverlapAndGrowingTokens(journal());
}

// 5. ACLs: no token and a wrong one fail with one clear line; the right one works; the token
//    never shows.
void TestConsulHandover::aclTokenRequiredWrongAndRight()
{
    QVERIFY(startSimulator({QStringLiteral("--acl-token"), AclToken}));
    const QStringList once{QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("true")};
    // What of the tokens the output shows (nothing, hopefully).
    const auto leaked = [](const ProcessResult &r) {
        const QString all = QString::fromUtf8(r.out + r.err);
        return all.contains(AclToken) || all.contains(WrongToken) ? all : QString();
    };

    QProcessEnvironment env = environment(QStringLiteral("a"));
    ProcessResult r = runjob(once, env);
    QCOMPARE(r.exitCode, 1);
    QStringList errors = QString::fromUtf8(r.err).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.constFirst().contains(QStringLiteral("403")) && errors.constFirst().contains(QStringLiteral("Permission denied")),
             qPrintable(errors.constFirst()));
    QVERIFY2(leaked(r).isEmpty(), qPrintable(QStringLiteral("no token: the token was printed: ") + leaked(r)));

    env.insert(QStringLiteral("CONSUL_HTTP_TOKEN"), WrongToken);
    r = runjob(once, env);
    QCOMPARE(r.exitCode, 1);
    errors = QString::fromUtf8(r.err).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.constFirst().contains(QStringLiteral("403")) && errors.constFirst().contains(QStringLiteral("ACL not found")),
             qPrintable(errors.constFirst()));
    QVERIFY2(leaked(r).isEmpty(), qPrintable(QStringLiteral("wrong token: the token was printed: ") + leaked(r)));

    env.insert(QStringLiteral("CONSUL_HTTP_TOKEN"), AclToken);
    r = runjob(once, env);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.err.contains("Task done"));
    QVERIFY2(leaked(r).isEmpty(), qPrintable(QStringLiteral("right token: the token was printed: ") + leaked(r)));

    r = runjob({QStringLiteral("--print-config"), QStringLiteral("--"), QStringLiteral("true")}, env);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("one_instance.consul.token = ********  (env CONSUL_HTTP_TOKEN)"), r.out.constData());
    QVERIFY2(leaked(r).isEmpty(), qPrintable(QStringLiteral("--print-config: the token was printed: ") + leaked(r)));

    // The token went to Consul in the header only: never in a URL the simulator logged.
    const QByteArray log = QJsonDocument(m_sim->requests()).toJson();
    QVERIFY(log.contains("/v1/session/create"));
    for (const QJsonValue &v : m_sim->requests())
        QVERIFY(!v.toObject().value(QLatin1String("RawQuery")).toString().contains(AclToken));
}

// 6. A Python jobslib 3.2.1 instance (tests/consul/pyjobslib_lock.py, python3-consul) and runjob
//    instances on one key: both kinds hold it in turn, never together.
void TestConsulHandover::pythonJobslibInterop()
{
    if (!QFile::exists(Python) || run(Python, {QStringLiteral("-c"), QStringLiteral("import consul")}).exitCode != 0)
        QSKIP("Debian's python3-consul is not installed (scripts/install-deps.sh test)");
    const int lockDelay = 1; // Python's default
    const QString script = QStringLiteral(JOBSLIB_SOURCE_DIR "/tests/consul/pyjobslib_lock.py");
    const auto startPython = [&](const QStringList &loopArgs, const QString &work) {
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment env = cleanEnvironment();
        env.insert(QStringLiteral("INSTANCE"), QStringLiteral("py"));
        p->setProcessEnvironment(env);
        p->start(Python, QStringList{script, QStringLiteral("--address"), m_sim->address(), QStringLiteral("--key"), Key, QStringLiteral("--fqdn"),
                                     QStringLiteral("py.test"), QStringLiteral("--ttl"), QStringLiteral("10"), QStringLiteral("--lock-delay"),
                                     QString::number(lockDelay)}
                             + loopArgs + QStringList{QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"), workScript(work)});
        return p;
    };
    const auto startsOf = [this](bool python) {
        int n = 0;
        for (const Entry &e : journal(QStringLiteral("start")))
            n += (e.instance == QLatin1String("py")) == python;
        return n;
    };

    // Contention: two runjob instances every 0.5 s, the Python one every 0.35-0.45 s, for 12 s.
    const QStringList loop{QStringLiteral("--run-interval"), QStringLiteral("0.5")};
    auto a = startInstance(QStringLiteral("a"), loop, QStringLiteral("0.15"), lockDelay);
    auto b = startInstance(QStringLiteral("b"), loop, QStringLiteral("0.15"), lockDelay);
    auto py = startPython({QStringLiteral("--duration"), QStringLiteral("12"), QStringLiteral("--interval"), QStringLiteral("0.35"),
                           QStringLiteral("--jitter"), QStringLiteral("0.1")},
                          QStringLiteral("0.15"));
    QVERIFY(py->waitForStarted(5000));
    QVERIFY(QTest::qWaitFor([&] { return py->state() == QProcess::NotRunning; }, 30000));
    const QString pyOut = QString::fromUtf8(py->readAllStandardOutput());
    const QString pyErr = QString::fromUtf8(py->readAllStandardError());
    QVERIFY2(py->exitStatus() == QProcess::NormalExit && py->exitCode() == 0, qPrintable(pyErr));
    QVERIFY2(!pyErr.contains(QStringLiteral("task failed")) && !pyErr.contains(QStringLiteral("Lock has expired")), qPrintable(pyErr));
    a->signal(SIGTERM);
    b->signal(SIGTERM);
    QVERIFY(a->waitForExit());
    QVERIFY(b->waitForExit());
    const int pythonRuns = startsOf(true);
    const int runjobRuns = startsOf(false);
    qInfo("Python jobslib and runjob on one key: %d Python runs, %d runjob runs (%s)", pythonRuns, runjobRuns, qPrintable(pyOut.trimmed()));
    QVERIFY2(pyOut.contains(QStringLiteral("acquired %1").arg(pythonRuns)), qPrintable(pyOut));
    QVERIFY2(pythonRuns >= 2, qPrintable(pyErr));
    QVERIFY(runjobRuns >= 2);
    // They really contended: each side saw the other as the owner at least once.
    QVERIFY2(pyErr.contains(QStringLiteral("(lock owner is a.test")) || pyErr.contains(QStringLiteral("(lock owner is b.test")), qPrintable(pyErr));
    QVERIFY(QString(a->output() + b->output()).contains(QStringLiteral("Can't acquire lock (lock owner is py.test, locked at ")));
    verifyNoOverlapAndGrowingTokens(journal());
    // The emulation sent what Python jobslib 3.2.1 sends (reference 4.3): {"lockdelay": "1s",
    // "ttl": "10s"}, the four-field record, a release with an empty body, no destroy after it.
    QStringList pythonWire;
    for (const QJsonValue &v : m_sim->requests()) {
        const QJsonObject o = v.toObject();
        bool fromPython = false;
        for (const QJsonValue &h : o.value(QLatin1String("Headers")).toArray())
            fromPython |= h.toArray().at(0).toString().compare(QLatin1String("User-Agent"), Qt::CaseInsensitive) == 0
                && h.toArray().at(1).toString().startsWith(QLatin1String("python-requests/"));
        if (!fromPython)
            continue;
        const QString path = o.value(QLatin1String("Path")).toString();
        const QString query = o.value(QLatin1String("RawQuery")).toString();
        const QString body = o.value(QLatin1String("Body")).toString();
        if (path == QLatin1String("/v1/session/create"))
            pythonWire << QStringLiteral("create ") + body;
        else if (query.startsWith(QLatin1String("acquire=")))
            pythonWire << QStringLiteral("acquire ") + body.section(QLatin1Char(','), 0, 0);
        else if (query.startsWith(QLatin1String("release=")))
            pythonWire << QStringLiteral("release [%1]").arg(body);
        else if (path.startsWith(QLatin1String("/v1/session/destroy/")))
            pythonWire << QStringLiteral("destroy");
    }
    QVERIFY(pythonWire.contains(QStringLiteral("create {\"lockdelay\": \"1s\", \"ttl\": \"10s\"}")));
    QVERIFY(pythonWire.contains(QStringLiteral("acquire {\"fqdn\": \"py.test\"")));
    QCOMPARE(int(pythonWire.count(QStringLiteral("release []"))), pythonRuns);
    for (qsizetype i = 0; i + 1 < pythonWire.size(); ++i) {
        if (pythonWire.at(i) == QLatin1String("release []"))
            QVERIFY(pythonWire.at(i + 1) != QLatin1String("destroy")); // the session leak
    }
    // Python releases with an empty body: the key stays, without a session or a value.
    const ConsulSimProcess::Reply key = m_sim->request("GET", QStringLiteral("/v1/kv/") + Key);
    QCOMPARE(key.status, 200);
    const QJsonObject entry = QJsonDocument::fromJson(key.body).array().first().toObject();
    QVERIFY(!entry.contains(QLatin1String("Session")));

    // A Python holder, as lock-info and a runjob instance see it. Its 6 s of work outlast ttl/2:
    // it renews its session meanwhile.
    const int before = startsOf(true);
    py = startPython({QStringLiteral("--iterations"), QStringLiteral("1"), QStringLiteral("--interval"), QStringLiteral("0")}, QStringLiteral("6"));
    QVERIFY(QTest::qWaitFor([&] { return startsOf(true) > before; }, 5000));
    ProcessResult info = runjob({QStringLiteral("lock-info")}, environment(QStringLiteral("admin"), lockDelay));
    QCOMPARE(info.exitCode, 0);
    QVERIFY2(info.out.contains("state: held by py.test since "), info.out.constData());
    ProcessResult once = runjob({QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("true")}, environment(QStringLiteral("c"), lockDelay));
    QCOMPARE(once.exitCode, 0); // pending
    QVERIFY2(once.err.contains("Can't acquire lock (lock owner is py.test, locked at "), once.err.constData());
    QVERIFY(!once.err.contains("Run task"));
    QVERIFY(QTest::qWaitFor([&] { return py->state() == QProcess::NotRunning; }, 15000));
    QCOMPARE(py->exitCode(), 0);
    QVERIFY(py->readAllStandardOutput().contains("iterations 1 acquired 1"));
    QVERIFY(py->readAllStandardError().contains("Lock extended"));
    info = runjob({QStringLiteral("lock-info")}, environment(QStringLiteral("admin"), lockDelay));
    QVERIFY2(info.out.contains("state: free"), info.out.constData());
    verifyNoOverlapAndGrowingTokens(journal());
    QCOMPARE(journal(QStringLiteral("OVERLAP")).size(), 0);
}

// 7. lock-info and check-liveness against Consul; the per-instance heartbeat.
void TestConsulHandover::lockInfoAndLivenessAgainstConsul()
{
    QProcessEnvironment env = environment(QStringLiteral("a"));
    // The lock's address through CONSUL_HTTP_ADDR, the liveness's through its own option.
    env.remove(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_ADDRESS"));
    env.insert(QStringLiteral("CONSUL_HTTP_ADDR"), m_sim->address());
    env.insert(QStringLiteral("JOBSLIB_LIVENESS_BACKEND"), QStringLiteral("consul"));
    env.insert(QStringLiteral("JOBSLIB_LIVENESS_CONSUL_ADDRESS"), m_sim->address());
    env.insert(QStringLiteral("JOBSLIB_LIVENESS_CONSUL_KEY"), LivenessKey);

    // Before any run: nothing to read (Python: "Can't read liveness state", exit 1).
    ProcessResult r = runjob({QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("60")}, env);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("Can't read liveness state"), r.err.constData());
    // A record a Python instance wrote an hour ago: too old.
    const qint64 hourAgo = nowMs() / 1000 - 3600;
    const QString utc = QDateTime::fromSecsSinceEpoch(hourAgo, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    const QByteArray old = QStringLiteral("{\"fqdn\": \"py.test\", \"timestamp\": %1, \"time_utc\": \"%2\", \"time_local\": \"%2\"}")
                               .arg(hourAgo)
                               .arg(utc)
                               .toUtf8();
    QCOMPARE(m_sim->request("PUT", QStringLiteral("/v1/kv/") + LivenessKey, old).body.trimmed(), QByteArray("true"));
    r = runjob({QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("60")}, env);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.out, QByteArray("FAIL\n"));
    r = runjob({QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("7200")}, env);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("PASS\n"));

    auto a = std::make_shared<RunjobProcess>(env);
    a->start({QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QStringLiteral("30"), QStringLiteral("--"), QStringLiteral("sh"),
              QStringLiteral("-c"), workScript(QStringLiteral("0.05"))});
    m_instances << qMakePair(QStringLiteral("a"), a);
    QVERIFY(a->waitForOutput(QStringLiteral("Sleep for 30 seconds, lock is kept")));

    r = runjob({QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("60")}, env);
    QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
    QCOMPARE(r.out, QByteArray("PASS\n"));

    // Python's liveness record at the key.
    const ConsulSimProcess::Reply record = m_sim->request("GET", QStringLiteral("/v1/kv/%1?raw").arg(LivenessKey));
    QCOMPARE(record.status, 200);
    QVERIFY2(record.body.startsWith("{\"fqdn\": \"a.test\", \"timestamp\": "), record.body.constData());

    // The heartbeat <key>/instances/<fqdn>:<pid>, sleeping after the run.
    const QString heartbeat = QStringLiteral("%1/instances/a.test:%2").arg(LivenessKey).arg(a->pid());
    QJsonObject beat;
    QVERIFY(QTest::qWaitFor(
        [&] {
            const ConsulSimProcess::Reply list = m_sim->request("GET", QStringLiteral("/v1/kv/%1/instances/?recurse").arg(LivenessKey));
            for (const QJsonValue &v : QJsonDocument::fromJson(list.body).array()) {
                const QJsonObject o = v.toObject();
                if (o.value(QLatin1String("Key")).toString() == heartbeat)
                    beat = QJsonDocument::fromJson(QByteArray::fromBase64(o.value(QLatin1String("Value")).toString().toLatin1())).object();
            }
            return beat.value(QLatin1String("state")).toString() == QLatin1String("sleeping");
        },
        5000));
    QCOMPARE(beat.value(QLatin1String("fqdn")).toString(), QStringLiteral("a.test"));
    QCOMPARE(beat.value(QLatin1String("pid")).toInteger(), a->pid());
    QCOMPARE(beat.value(QLatin1String("fencing_token")).toInteger(), 1);

    // lock-info: the holder, as text and JSON.
    r = runjob({QStringLiteral("lock-info")}, env);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QStringLiteral("lock: consul %1\n").arg(Key).toUtf8()), r.out.constData());
    QVERIFY2(r.out.contains(QStringLiteral("state: held by a.test pid %1 since ").arg(a->pid()).toUtf8()), r.out.constData());
    QVERIFY2(r.out.contains(", fencing token 1"), r.out.constData());
    r = runjob({QStringLiteral("lock-info"), QStringLiteral("--json")}, env);
    QCOMPARE(r.exitCode, 0);
    const QJsonObject json = QJsonDocument::fromJson(r.out).object();
    QVERIFY(json.value(QLatin1String("held")).toBool());
    QCOMPARE(json.value(QLatin1String("holder")).toObject().value(QLatin1String("fqdn")).toString(), QStringLiteral("a.test"));

    a->signal(SIGTERM);
    QVERIFY(a->waitForExit());
    QCOMPARE(a->exitCode(), 143);
    r = runjob({QStringLiteral("lock-info")}, env);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("state: free"), r.out.constData());
    // Still within max-age after the holder left.
    r = runjob({QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("60")}, env);
    QCOMPARE(r.exitCode, 0);
}

QTEST_GUILESS_MAIN(TestConsulHandover)
#include "tst_consulhandover.moc"
