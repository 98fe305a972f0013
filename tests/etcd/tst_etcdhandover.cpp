// SPDX-License-Identifier: BSD-3-Clause
// Real runjob processes on one etcd key, against real etcd members (Debian's etcd-server, started
// by jobslib::test::EtcdCluster on free loopback ports). As in tst_consulhandover, every task takes
// a second, independent lock (flock -n) around its work and writes OVERLAP to a shared journal when
// that fails, so the journal proves that no two task executions ever overlapped, whatever the test
// does to the holders or to etcd. The journal also carries each run's fencing token
// (JOBSLIB_FENCING_TOKEN: the lock key's create revision), wall-clock ms and task pid.
//
// The lease TTL is 9 s, the shortest allowed, to keep the test short: keep-alive every 1 s, local
// deadline 3 s after the last confirmed keep-alive was sent (the TTL less 1 s for the kill and the
// 5 s margin), etcd expires the lease 9 s after it received the last one.
#include "etcdcluster.h"
#include "handoverscenario.h"
#include "lock/lockbackend.h"
#include "runjobprocess.h"
#include "taskjournal.h"
#include "testutil.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

using namespace jobslib::test;

namespace {

const QString Key = QStringLiteral("jobs/handover/lock");
const QString LivenessKey = QStringLiteral("jobs/handover/liveness");
const QString Password = QStringLiteral("pw-9c4e2a7f51"); // distinctive, so a leak is found
constexpr qint64 TtlS = 9;
constexpr qint64 TtlMs = TtlS * 1000;
/// release-lock's fence with this TTL and kill grace (2 s): the TTL + jobslib::LockBackend::FenceMarginS.
constexpr qint64 FenceMs = TtlMs + 5000;

using Entry = JournalEntry;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QStringList keepLock(int sleepInterval)
{
    return {QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QString::number(sleepInterval)};
}

} // namespace

// QSKIP only leaves the function it is called in: this is a macro for the test functions.
#define REQUIRE_ETCD()                                                                                                                  \
    do {                                                                                                                                \
        if (!EtcdCluster::isAvailable())                                                                                                \
            QSKIP("etcd is not installed: install Debian's package etcd-server");                                                      \
    } while (false)

class TestEtcdHandover : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void singleMemberGracefulAndCrash();
    void memberOfTheHolderKilled();
    void quorumLostAndRegained();
    void frozenHolderNeverOverlaps();
    void lockInfoReleaseLockAndLiveness();
    void printConfigAndExplain();
    void standbyWatchThroughFrozenMember();
    void forceReleaseWhileHolderWatchHangs();

private:
    bool startCluster(int members);
    /*! The client URLs of the members, in this order, as the endpoints option takes them. */
    QString endpoints(const QList<int> &members) const;
    QProcessEnvironment environment(const QString &name, const QString &endpointList = QString()) const;
    std::shared_ptr<RunjobProcess> startInstance(const QString &name, const QStringList &loopArgs, const QString &work,
                                                 const QString &endpointList = QString(), const QProcessEnvironment &extra = {});
    ProcessResult runjob(const QStringList &args, const QProcessEnvironment &env, int timeoutMs = 20000) const;
    QList<Entry> journal(const QString &what = QString()) const;
    QList<Entry> startsSince(qint64 ms) const;
    /*! The lock key as etcd has it (the range answer's kvs[0]: create_revision, lease... as strings). */
    QJsonObject lockKv();
    static void verifyNoOverlapAndGrowingTokens(const QList<Entry> &entries);
    /*! The lines of a runjob output that are not INFO (warnings, errors, jobslib-guard). */
    static QString problems(const QString &output);
    /*! A number from a member's /metrics: the first line matching `pattern` ("name{labels} (value)"), -1 without an answer. */
    qint64 metricAt(int member, const QString &pattern);
    /*! The keep-alive streams a member has served (etcd's grpc_server_started_total): only a holder sends them. */
    qint64 keepAlivesAt(int member);
    /*! Whether the member serves keep-alives (the holder talks to it): its count grows within a TTL. */
    bool keepAlivesGrowAt(int member);
    /*! The watches registered at a member (etcd_debugging_mvcc_watcher_total). */
    qint64 watchersAt(int member) { return metricAt(member, QStringLiteral("^etcd_debugging_mvcc_watcher_total (\\d+)$")); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EtcdCluster> m_cluster;
    QList<QPair<QString, std::shared_ptr<RunjobProcess>>> m_instances; ///< name, process
};

void TestEtcdHandover::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestEtcdHandover::cleanup()
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
        if (m_cluster && QTest::currentTestFailed())
            qInfo().noquote() << "--- etcd:\n" << m_cluster->outputs();
    }
    m_instances.clear();
    m_cluster.reset();
    m_dir.reset();
}

bool TestEtcdHandover::startCluster(int members)
{
    m_cluster = std::make_unique<EtcdCluster>();
    QString error;
    if (!m_cluster->start(members, &error)) {
        qWarning().noquote() << "etcd did not start:" << error;
        return false;
    }
    return true;
}

QString TestEtcdHandover::endpoints(const QList<int> &members) const
{
    QStringList urls;
    for (int m : members)
        urls << m_cluster->clientUrl(m);
    return urls.join(QLatin1Char(','));
}

QProcessEnvironment TestEtcdHandover::environment(const QString &name, const QString &endpointList) const
{
    QProcessEnvironment env = cleanEnvironment();
    const auto keys = env.keys();
    for (const QString &k : keys) {
        if (k.startsWith(QLatin1String("ETCDCTL_"))) // etcdctl's variables are options too
            env.remove(k);
    }
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND"), QStringLiteral("etcd"));
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_ENDPOINTS"), endpointList.isEmpty() && m_cluster ? m_cluster->endpoints() : endpointList);
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_KEY"), Key);
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_TTL"), QString::number(TtlS));
    // Per member: a member that does not answer costs 1 s before the next one is asked, inside
    // the 3 s between a keep-alive that was answered and the deadline (ttl - 6 s).
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_TIMEOUT"), QStringLiteral("1"));
    env.insert(QStringLiteral("JOBSLIB_TASK_KILL_GRACE"), QStringLiteral("2"));
    env.insert(QStringLiteral("JOBSLIB_FQDN"), name + QStringLiteral(".test"));
    env.insert(QStringLiteral("INSTANCE"), name);
    return env;
}

std::shared_ptr<RunjobProcess> TestEtcdHandover::startInstance(const QString &name, const QStringList &loopArgs, const QString &work,
                                                               const QString &endpointList, const QProcessEnvironment &extra)
{
    QProcessEnvironment env = environment(name, endpointList);
    const auto keys = extra.keys();
    for (const QString &k : keys)
        env.insert(k, extra.value(k));
    auto p = std::make_shared<RunjobProcess>(env);
    p->start(loopArgs + QStringList{QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"), TaskJournal(m_dir->path()).workScript(work)});
    m_instances << qMakePair(name, p);
    return p;
}

ProcessResult TestEtcdHandover::runjob(const QStringList &args, const QProcessEnvironment &env, int timeoutMs) const
{
    return run(binary(QStringLiteral("runjob")), args, env, timeoutMs);
}

QList<Entry> TestEtcdHandover::journal(const QString &what) const
{
    return TaskJournal(m_dir->path()).entries(what);
}

QList<Entry> TestEtcdHandover::startsSince(qint64 ms) const
{
    QList<Entry> r;
    for (const Entry &e : journal(QStringLiteral("start"))) {
        if (e.ms >= ms)
            r << e;
    }
    return r;
}

QJsonObject TestEtcdHandover::lockKv()
{
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("key"), QString::fromLatin1(Key.toUtf8().toBase64())}}).toJson(QJsonDocument::Compact);
    const EtcdCluster::Reply r = m_cluster->request(0, QStringLiteral("/v3/kv/range"), body);
    return QJsonDocument::fromJson(r.body).object().value(QLatin1String("kvs")).toArray().at(0).toObject();
}

void TestEtcdHandover::verifyNoOverlapAndGrowingTokens(const QList<Entry> &entries)
{
    const QString violation = TaskJournal::checkNoOverlapAndGrowingTokens(entries);
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
}

QString TestEtcdHandover::problems(const QString &output)
{
    QStringList lines = output.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    lines.removeIf([](const QString &line) { return line.contains(QLatin1String(" INFO ")); });
    return lines.join(QLatin1Char('\n'));
}

qint64 TestEtcdHandover::metricAt(int member, const QString &pattern)
{
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(m_cluster->clientUrl(member).toString() + QStringLiteral("/metrics")));
    request.setTransferTimeout(2000);
    std::unique_ptr<QNetworkReply> reply(network.get(request));
    if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 3000) || reply->error() != QNetworkReply::NoError)
        return -1;
    const QRegularExpressionMatch m = QRegularExpression(pattern, QRegularExpression::MultilineOption).match(QString::fromUtf8(reply->readAll()));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

qint64 TestEtcdHandover::keepAlivesAt(int member)
{
    return metricAt(member, QStringLiteral("^grpc_server_started_total\\{grpc_method=\"LeaseKeepAlive\"[^}]*\\} (\\d+)$"));
}

bool TestEtcdHandover::keepAlivesGrowAt(int member)
{
    const qint64 before = keepAlivesAt(member);
    return before >= 0 && QTest::qWaitFor([&] { return keepAlivesAt(member) > before; }, int(TtlMs));
}

// 1. One member, three instances with keep_lock: exactly one runs; graceful handover within 1 s
//    through the standbys' watch; kill -9 failover within the bound --explain prints (+ etcd's
//    expiry granularity); fencing tokens (create revisions) grow; nothing overlaps.
void TestEtcdHandover::singleMemberGracefulAndCrash()
{
    REQUIRE_ETCD();
    QVERIFY(startCluster(1));

    // The crash bound runjob states for these settings.
    const ProcessResult explain = runjob({QStringLiteral("--explain"), QStringLiteral("--"), QStringLiteral("true")}, environment(QStringLiteral("x")));
    QCOMPARE(explain.exitCode, 0);
    const QRegularExpressionMatch crashLine =
        QRegularExpression(QStringLiteral("Crash of the holder.*worst case ([\\d.]+) s")).match(QString::fromUtf8(explain.out));
    QVERIFY2(crashLine.hasMatch(), explain.out.constData());
    const qint64 explainedCrashMs = qint64(crashLine.captured(1).toDouble() * 1000);
    QCOMPARE(explainedCrashMs, TtlMs + 500); // etcd looks for expired leases every 500 ms
    // Then its watch event, the standby's 0-50 ms jitter, the create transaction, jobslib-guard and sh.
    const qint64 crashBoundMs = explainedCrashMs + 1000;

    QMap<QString, std::shared_ptr<RunjobProcess>> instances;
    for (const QString &n : {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")})
        instances.insert(n, startInstance(n, keepLock(30), QStringLiteral("0.05")));
    const auto starts = [this] { return journal(QStringLiteral("start")); };

    const TaskJournal tasks(m_dir->path());
    QString error;
    QString holder = HandoverScenario::waitForHolderAndStandbys(instances, tasks, 1, 15000, &error);
    QVERIFY2(!holder.isEmpty(), qPrintable(error));

    // Graceful: SIGTERM revokes the lease, which deletes the key; a standby's watch sees it.
    const std::optional<qint64> graceful = HandoverScenario::takeover(instances, holder, SIGTERM, tasks, 2, 5000, &error);
    QVERIFY2(graceful, qPrintable(error));
    const qint64 gracefulMs = *graceful;
    qInfo("graceful takeover %lld ms after SIGTERM to the holder", gracefulMs);
    QVERIFY2(gracefulMs <= 1000, qPrintable(QStringLiteral("took %1 ms").arg(gracefulMs)));

    // The last standby lost the race and watches again.
    holder = HandoverScenario::waitForHolderAndStandbys(instances, tasks, 2, 5000, &error);
    QVERIFY2(!holder.isEmpty(), qPrintable(error));

    // Crash: kill -9 of the new holder. Nobody revokes; etcd expires the lease at its TTL.
    const std::optional<qint64> crash = HandoverScenario::takeover(instances, holder, SIGKILL, tasks, 3, int(crashBoundMs + 3000), &error);
    QVERIFY2(crash, qPrintable(error));
    const qint64 crashMs = *crash;
    qInfo("crash takeover %lld ms after kill -9 (bound %lld ms; --explain: worst case %lld ms)", crashMs, crashBoundMs, explainedCrashMs);
    QVERIFY2(crashMs <= crashBoundMs, qPrintable(QStringLiteral("took %1 ms").arg(crashMs)));
    // Not before the lease could have expired: the last keep-alive was at most ttl/3 before the
    // kill (ttl/2 allows for a late one on a busy machine).
    QVERIFY2(crashMs >= TtlMs / 2, qPrintable(QStringLiteral("took only %1 ms: the lease cannot have expired").arg(crashMs)));

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
    QVERIFY(s.at(0).token > 0);
    QVERIFY(s.at(1).token > s.at(0).token);
    QVERIFY(s.at(2).token > s.at(1).token);
    verifyNoOverlapAndGrowingTokens(journal());
}

// 2. Three members; both instances know all three, the member the holder talks to first in their
//    lists. (a) That member, a follower, is killed: the holder moves to the next endpoint (the
//    leader) and keeps the lock. (b) The follower restarts; the member the holder talks to now,
//    the leader, is killed: the holder keeps the lock or loses it safely. (c) That one restarts;
//    the member the holder talks to then hangs (SIGSTOP). Never two holders at once; the service
//    goes on. Whom the holder talks to is seen in each member's count of
//    keep-alive streams (only a holder sends keep-alives).
void TestEtcdHandover::memberOfTheHolderKilled()
{
    REQUIRE_ETCD();
    QVERIFY(startCluster(3));
    const int leader = m_cluster->leader();
    QVERIFY(leader >= 0);
    const int follower = (leader + 1) % 3;
    const int third = (leader + 2) % 3;
    const QString list = endpoints({follower, leader, third});
    const auto completeRunsSince = [this](qint64 ms) {
        int n = 0;
        const QList<Entry> all = journal();
        for (const Entry &s : all) {
            if (s.what != QLatin1String("start") || s.ms < ms)
                continue;
            for (const Entry &e : all)
                n += e.what == QLatin1String("end") && e.pid == s.pid;
        }
        return n;
    };

    // Short runs with the lock kept in between: the service is seen to go on.
    const QStringList loop = keepLock(1);
    auto a = startInstance(QStringLiteral("a"), loop, QStringLiteral("0.3"), list);
    QVERIFY(QTest::qWaitFor([&] { return !journal(QStringLiteral("start")).isEmpty(); }, 15000));
    QVERIFY(a->waitForOutput(QStringLiteral("lock is kept")));
    auto b = startInstance(QStringLiteral("b"), loop, QStringLiteral("0.3"), list);
    QVERIFY(b->waitForOutput(QStringLiteral("Can't acquire lock (lock owner is a.test")));
    for (const Entry &e : journal(QStringLiteral("start")))
        QCOMPARE(e.instance, QStringLiteral("a"));
    QVERIFY2(keepAlivesGrowAt(follower), "the holder does not talk to its first endpoint");

    // (a) kill -9 of the follower the holder talks to.
    const qsizetype aBefore = a->output().size();
    const qsizetype bBefore = b->output().size();
    const qint64 killedAt = nowMs();
    m_cluster->killMember(follower);
    QVERIFY2(keepAlivesGrowAt(leader), "the holder did not move to its next endpoint");
    // The scenario is a duration: the holder goes on renewing through the next member for two
    // TTLs, running every ~1.3 s meanwhile.
    QVERIFY(QTest::qWaitFor([&] { return nowMs() >= killedAt + 2 * TtlMs && completeRunsSince(killedAt) >= 4; }, int(2 * TtlMs + 10000)));
    for (const Entry &e : startsSince(killedAt))
        QCOMPARE(e.instance, QStringLiteral("a"));
    const QString aAfterFollower = a->output().mid(aBefore).trimmed();
    QVERIFY2(!aAfterFollower.contains(QStringLiteral("Lock has been lost")), qPrintable(aAfterFollower));
    // The standby goes on contending, through another member too.
    QVERIFY(QTest::qWaitFor([&] { return b->output().mid(bBefore).contains(QStringLiteral("Can't acquire lock (lock owner is a.test")); }, 5000));
    qInfo("follower %d killed: the holder kept the lock, %d complete runs in the next %lld ms; its warnings and errors:\n%s", follower,
          completeRunsSince(killedAt), nowMs() - killedAt, qPrintable(problems(aAfterFollower)));

    // (b) The follower comes back; the member the holder talks to now, the leader, is killed.
    QVERIFY(m_cluster->startMember(follower));
    QVERIFY(m_cluster->waitHealthy(20000));
    QVERIFY2(keepAlivesGrowAt(leader), "the holder does not talk to the member it moved to");
    const bool stillLeader = m_cluster->leader() == leader;
    const qsizetype aBefore2 = a->output().size();
    const qint64 killed2At = nowMs();
    m_cluster->killMember(leader);
    // Either it keeps the lock (its keep-alives reach the new leader, which extends every lease)
    // or it loses it at its deadline and somebody acquires it again. The scenario is a duration:
    // two TTLs after the kill, and at least two complete runs.
    QVERIFY(QTest::qWaitFor([&] { return nowMs() >= killed2At + 2 * TtlMs && completeRunsSince(killed2At) >= 2; }, int(2 * TtlMs + 15000)));
    const QList<Entry> after = startsSince(killed2At);
    const QString aAfterLeader = a->output().mid(aBefore2).trimmed();
    const bool kept = !aAfterLeader.contains(QStringLiteral("Lock has been lost"));
    qInfo("member %d (%s) killed: the holder %s the lock; %d complete runs in the next %lld ms, the first by %s %lld ms after the kill; the "
          "holder's warnings and errors:\n%s",
          leader, stillLeader ? "the leader" : "no longer the leader", kept ? "kept" : "lost", completeRunsSince(killed2At), nowMs() - killed2At,
          qPrintable(after.constFirst().instance), after.constFirst().ms - killed2At, qPrintable(problems(aAfterLeader)));
    if (kept) {
        for (const Entry &e : after)
            QCOMPARE(e.instance, QStringLiteral("a"));
    }

    // (c) The killed member comes back; the member the holder talks to now hangs (SIGSTOP): its
    //     requests time out (1 s) and go to the next member. Unless it was the leader (then as
    //     in (b)), the holder keeps the lock.
    QVERIFY(m_cluster->startMember(leader));
    QVERIFY(m_cluster->waitHealthy(20000));
    int current = -1;
    for (int m : {third, follower, leader}) {
        if (keepAlivesGrowAt(m)) {
            current = m;
            break;
        }
    }
    QVERIFY2(current >= 0, "no member serves the holder's keep-alives");
    const int next = current == third ? follower : current == follower ? leader : third; // its list: follower, leader, third
    const bool pausedLeader = m_cluster->leader() == current;
    const qsizetype aBefore3 = a->output().size();
    const qint64 pausedAt = nowMs();
    m_cluster->pauseMember(current);
    QVERIFY2(keepAlivesGrowAt(next), "the holder did not move on from a member that does not answer");
    QVERIFY(QTest::qWaitFor([&] { return nowMs() >= pausedAt + 2 * TtlMs && completeRunsSince(pausedAt) >= 2; }, int(2 * TtlMs + 15000)));
    const QString aAfterPause = a->output().mid(aBefore3).trimmed();
    const bool keptPaused = !aAfterPause.contains(QStringLiteral("Lock has been lost"));
    qInfo("member %d (%s) paused: the holder moved to member %d and %s the lock; %d complete runs in the next %lld ms; its warnings and "
          "errors:\n%s",
          current, pausedLeader ? "the leader" : "a follower", next, keptPaused ? "kept" : "lost", completeRunsSince(pausedAt), nowMs() - pausedAt,
          qPrintable(problems(aAfterPause)));
    if (!pausedLeader) {
        QVERIFY2(keptPaused, qPrintable(aAfterPause));
        for (const Entry &e : startsSince(pausedAt))
            QCOMPARE(e.instance, QStringLiteral("a"));
    }
    m_cluster->resumeMember(current);

    for (const auto &p : {a, b}) {
        p->signal(SIGTERM);
        QVERIFY(p->waitForExit(15000));
        QCOMPARE(p->exitCode(), 143);
    }
    verifyNoOverlapAndGrowingTokens(journal());
}

// 3. Three members, two of them stopped: no quorum. The holder stops its task at its local
//    deadline and nobody acquires while the quorum is missing; once the members are back a
//    holder runs again, with a larger token, and nothing overlaps.
void TestEtcdHandover::quorumLostAndRegained()
{
    REQUIRE_ETCD();
    QVERIFY(startCluster(3));
    // a talks to member 0 first, b to member 2, the one that stays.
    auto a = startInstance(QStringLiteral("a"), keepLock(30), QStringLiteral("60"), endpoints({0, 1, 2}));
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 1; }, 15000));
    const Entry first = journal(QStringLiteral("start")).constFirst();
    QCOMPARE(first.instance, QStringLiteral("a"));
    auto b = startInstance(QStringLiteral("b"), keepLock(30), QStringLiteral("60"), endpoints({2, 1, 0}));
    QVERIFY(b->waitForOutput(QStringLiteral("Can't acquire lock (lock owner is a.test")));

    const qsizetype aBefore = a->output().size();
    const qsizetype bBefore = b->output().size();
    m_cluster->stopMember(0);
    m_cluster->stopMember(1);
    const qint64 quorumLostAt = nowMs(); // no keep-alive can be confirmed from here on

    qint64 lostAt = 0;
    qint64 taskDeadAt = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            if (!lostAt && a->output().mid(aBefore).contains(QStringLiteral("Lock has been lost")))
                lostAt = nowMs();
            if (!taskDeadAt && !processAlive(first.pid))
                taskDeadAt = nowMs();
            return lostAt && taskDeadAt;
        },
        int(TtlMs + 5000)));
    qInfo("quorum lost: the holder logged the loss %lld ms and its task was gone %lld ms after the second member stopped", lostAt - quorumLostAt,
          taskDeadAt - quorumLostAt);
    // The deadline is TTL - 6 s after the last confirmed keep-alive was sent, which was before
    // the quorum was gone: the task is dead at least the 5 s margin before etcd could expire the
    // lease (1 s of it for the poll and a busy machine).
    QVERIFY2(lostAt - quorumLostAt <= TtlMs - jobslib::LockBackend::FenceMarginS * 1000, qPrintable(QString::number(lostAt - quorumLostAt)));
    QVERIFY2(taskDeadAt - quorumLostAt <= TtlMs - jobslib::LockBackend::FenceMarginS * 1000, qPrintable(QString::number(taskDeadAt - quorumLostAt)));
    QVERIFY(a->waitForOutput(QStringLiteral("Task interrupted"), 3000));
    QVERIFY(journal(QStringLiteral("end")).isEmpty());

    // The outage itself is a duration: two more TTLs without a quorum, in which nobody may start.
    QVERIFY(!QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() > 1; }, int(2 * TtlMs)));
    const QString aOutage = a->output().mid(aBefore).trimmed();
    const QString bOutage = b->output().mid(bBefore).trimmed();
    qInfo("during the outage (%lld ms) a logged %lld lines, b %lld lines:\n--- a:\n%s\n--- b:\n%s", nowMs() - quorumLostAt,
          qint64(aOutage.count(QLatin1Char('\n')) + 1), qint64(bOutage.isEmpty() ? 0 : bOutage.count(QLatin1Char('\n')) + 1), qPrintable(aOutage),
          qPrintable(bOutage));
    // One warning per distinct renewal error, not one per retry.
    QVERIFY2(aOutage.count(QStringLiteral("Can't extend lock")) <= 3, qPrintable(aOutage));

    QVERIFY(m_cluster->startMember(0));
    QVERIFY(m_cluster->startMember(1));
    const qint64 restartedAt = nowMs();
    QVERIFY(m_cluster->waitHealthy(20000));
    const qint64 healthyAt = nowMs();
    // The new leader extends every lease by its TTL, a's too (its revoke could not get through):
    // its key goes TTL (+ an election timeout) after the election; then the watch, or the retry
    // of a watch that failed, sees it.
    const qint64 resumeBoundMs = TtlMs + 15000;
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 2; }, int(resumeBoundMs + 5000)));
    const Entry second = journal(QStringLiteral("start")).constLast();
    qInfo("quorum back: members restarted, healthy after %lld ms; %s's task started %lld ms after the restart", healthyAt - restartedAt,
          qPrintable(second.instance), second.ms - restartedAt);
    QVERIFY2(second.ms - restartedAt <= resumeBoundMs, qPrintable(QString::number(second.ms - restartedAt)));
    QVERIFY(second.token > first.token);

    for (const auto &p : {a, b}) {
        p->signal(SIGTERM);
        QVERIFY(p->waitForExit(15000));
        QCOMPARE(p->exitCode(), 143);
    }
    QCOMPARE(journal(QStringLiteral("start")).size(), 2);
    verifyNoOverlapAndGrowingTokens(journal());
}

// 4. The holder is frozen (SIGSTOP) past its lease: jobslib-guard kills its task at the lease
//    deadline while runjob cannot, before etcd expires the lease and a standby takes over.
void TestEtcdHandover::frozenHolderNeverOverlaps()
{
    REQUIRE_ETCD();
    QVERIFY(startCluster(1));
    QMap<QString, std::shared_ptr<RunjobProcess>> instances;
    for (const QString &n : {QStringLiteral("a"), QStringLiteral("b")})
        instances.insert(n, startInstance(n, keepLock(30), QStringLiteral("60")));
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 1; }, 15000));
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
        int(2 * TtlMs + 5000)));
    const Entry second = journal(QStringLiteral("start")).constLast();
    QCOMPARE(second.instance, standbyName);
    QVERIFY(taskDeadAt > 0);
    qInfo("holder frozen: its task killed %lld ms after SIGSTOP, the standby's task started %lld ms after it", taskDeadAt - stoppedAt,
          second.ms - taskDeadAt);
    QVERIFY2(taskDeadAt - stoppedAt <= TtlMs - jobslib::LockBackend::FenceMarginS * 1000, qPrintable(QString::number(taskDeadAt - stoppedAt)));
    // Polling sees the death late, never early: the old task was gone at least the 5 s margin
    // before the new one started (the flock detector below checks the overlap itself).
    QVERIFY2(second.ms - taskDeadAt >= jobslib::LockBackend::FenceMarginS * 1000,
             qPrintable(QStringLiteral("task died at %1, standby started at %2").arg(taskDeadAt).arg(second.ms)));
    QVERIFY(holder->waitForOutput(QStringLiteral("jobslib-guard: "), 1000)); // the guard, not runjob, killed it
    // Frozen for longer than the TTL in all: nothing else happens meanwhile.
    QVERIFY(!QTest::qWaitFor([&] { return journal().size() > 2; }, int(qMax<qint64>(0, stoppedAt + TtlMs + 1000 - nowMs()))));
    QVERIFY(nowMs() - stoppedAt > TtlMs);

    const qsizetype before = holder->output().size();
    holder->signal(SIGCONT);
    QVERIFY(holder->waitForOutput(QStringLiteral("Lock has been lost"), 5000));
    // It goes back to sleep and does not run while the other holds.
    QVERIFY(QTest::qWaitFor(
        [&] {
            const QString out = holder->output().mid(before);
            return out.indexOf(QStringLiteral("Sleep for"), out.indexOf(QStringLiteral("Lock has been lost"))) >= 0;
        },
        5000));
    QVERIFY(holder->process().state() == QProcess::Running);
    QVERIFY(processAlive(second.pid));
    const ProcessResult info = runjob({QStringLiteral("lock-info")}, environment(QStringLiteral("admin")));
    QCOMPARE(info.exitCode, 0);
    QVERIFY2(info.out.contains(QByteArray("held by " + standbyName.toUtf8() + ".test")), info.out.constData());

    // Counted before the shutdown: once one instance has stopped and released, a standby with
    // keep_lock may rightly start a run before its own SIGTERM arrives (seen under ASan).
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

// 5. lock-info (text and JSON) and release-lock against etcd; check-liveness and the per-instance
//    heartbeat with the etcd liveness backend.
void TestEtcdHandover::lockInfoReleaseLockAndLiveness()
{
    REQUIRE_ETCD();
    QVERIFY(startCluster(1));
    QProcessEnvironment liveness;
    liveness.insert(QStringLiteral("JOBSLIB_LIVENESS_BACKEND"), QStringLiteral("etcd"));
    liveness.insert(QStringLiteral("JOBSLIB_LIVENESS_ETCD_ENDPOINTS"), m_cluster->endpoints());
    liveness.insert(QStringLiteral("JOBSLIB_LIVENESS_ETCD_KEY"), LivenessKey);
    QProcessEnvironment admin = environment(QStringLiteral("admin"));
    admin.insert(liveness);

    // Nothing written yet: Python's "Can't read liveness state", exit 1.
    ProcessResult r = runjob({QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("60")}, admin);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("Can't read liveness state"), r.err.constData());
    r = runjob({QStringLiteral("lock-info")}, admin);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QStringLiteral("lock: etcd %1\nstate: free\n").arg(Key).toUtf8());

    QMap<QString, std::shared_ptr<RunjobProcess>> instances;
    for (const QString &n : {QStringLiteral("a"), QStringLiteral("b")})
        instances.insert(n, startInstance(n, keepLock(30), QStringLiteral("60"), QString(), liveness));
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 1; }, 15000));
    const Entry first = journal(QStringLiteral("start")).constFirst();
    const auto holder = instances.value(first.instance);
    const QString standbyName = first.instance == QLatin1String("a") ? QStringLiteral("b") : QStringLiteral("a");
    const auto standby = instances.value(standbyName);
    QVERIFY(standby->waitForOutput(QStringLiteral("Can't acquire lock (lock owner is %1.test").arg(first.instance)));

    // The key as etcd has it: the token is its create revision, the holder id its lease.
    const QJsonObject kv = lockKv();
    QCOMPARE(kv.value(QLatin1String("create_revision")).toString().toULongLong(), first.token);
    const QString leaseHex = QString::number(kv.value(QLatin1String("lease")).toString().toLongLong(), 16);
    QVERIFY(kv.value(QLatin1String("lease")).toString().toLongLong() != 0);

    r = runjob({QStringLiteral("lock-info")}, admin);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("lock: etcd %1\n").arg(Key).toUtf8()), r.out.constData());
    QVERIFY2(r.out.contains(QStringLiteral("state: held by %1.test pid %2 since ").arg(first.instance).arg(holder->pid()).toUtf8()), r.out.constData());
    QVERIFY2(r.out.contains(QStringLiteral(", fencing token %1 (lease %2)\n").arg(first.token).arg(leaseHex).toUtf8()), r.out.constData());
    QVERIFY2(r.out.contains(QStringLiteral("detail: create revision %1\n").arg(first.token).toUtf8()), r.out.constData());
    r = runjob({QStringLiteral("lock-info"), QStringLiteral("--json")}, admin);
    QCOMPARE(r.exitCode, 0);
    const QJsonObject json = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(json.value(QLatin1String("backend")).toString(), QStringLiteral("etcd"));
    QCOMPARE(json.value(QLatin1String("key")).toString(), Key);
    QVERIFY(json.value(QLatin1String("held")).toBool());
    const QJsonObject holderJson = json.value(QLatin1String("holder")).toObject();
    QCOMPARE(holderJson.value(QLatin1String("fqdn")).toString(), first.instance + QStringLiteral(".test"));
    QCOMPARE(holderJson.value(QLatin1String("pid")).toInteger(), holder->pid());
    QCOMPARE(quint64(holderJson.value(QLatin1String("fencing_token")).toInteger()), first.token);
    QCOMPARE(json.value(QLatin1String("holder_id")).toString(), QStringLiteral("lease ") + leaseHex);

    // The heartbeats of both instances: <key>/instances/<fqdn>:<pid>.
    const auto heartbeat = [this](const QString &name, qint64 pid) {
        return QJsonDocument::fromJson(m_cluster->get(QStringLiteral("%1/instances/%2.test:%3").arg(LivenessKey, name).arg(pid))).object();
    };
    QVERIFY(QTest::qWaitFor(
        [&] {
            return heartbeat(first.instance, holder->pid()).value(QLatin1String("state")).toString() == QLatin1String("running")
                && heartbeat(standbyName, standby->pid()).value(QLatin1String("state")).toString() == QLatin1String("standby");
        },
        5000));
    QCOMPARE(quint64(heartbeat(first.instance, holder->pid()).value(QLatin1String("fencing_token")).toInteger()), first.token);

    // release-lock runs beside the test's event loop, which watches the holder's task die.
    QProcess release;
    release.setProcessEnvironment(admin);
    const qsizetype before = holder->output().size();
    const qint64 releaseAt = nowMs();
    release.start(binary(QStringLiteral("runjob")), {QStringLiteral("release-lock"), QStringLiteral("--yes")});
    qint64 taskDeadAt = 0;
    qint64 lostAt = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            if (!taskDeadAt && !processAlive(first.pid))
                taskDeadAt = nowMs();
            if (!lostAt && holder->output().mid(before).contains(QStringLiteral("Lock has been lost")))
                lostAt = nowMs();
            return taskDeadAt && lostAt && release.state() == QProcess::NotRunning;
        },
        5000));
    const QByteArray releaseOutput = release.readAllStandardOutput() + release.readAllStandardError();
    QVERIFY2(release.exitStatus() == QProcess::NormalExit && release.exitCode() == 0, releaseOutput.constData());
    QVERIFY2(releaseOutput.contains(QStringLiteral("released: taken from %2.test (lease %1); the lock is free in %3 s, when the old holder has "
                                                   "certainly stopped")
                                        .arg(leaseHex, first.instance)
                                        .arg(FenceMs / 1000)
                                        .toUtf8()),
             releaseOutput.constData());
    qInfo("release-lock: the holder logged the loss %lld ms and its task was gone %lld ms after release-lock was started", lostAt - releaseAt,
          taskDeadAt - releaseAt);
    QVERIFY2(lostAt - releaseAt <= 1000, qPrintable(QString::number(lostAt - releaseAt)));
    QVERIFY2(taskDeadAt - releaseAt <= 1000, qPrintable(QString::number(taskDeadAt - releaseAt)));
    QVERIFY(holder->waitForOutput(QStringLiteral("Task interrupted"), 2000));
    QVERIFY(journal(QStringLiteral("end")).isEmpty());
    // etcd has no lock-delay: release-lock blocks the key for a TTL + the 5 s margin (until the
    // old holder has certainly stopped, even if it did not hear of it); then the standby's watch sees it go.
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 2; }, int(FenceMs + 3000)));
    const Entry second = journal(QStringLiteral("start")).constLast();
    // Both contend once the fence expires: the standby, and the old holder, which watches again with keep_lock.
    qInfo("release-lock: %s's task started %lld ms after release-lock was started", qPrintable(second.instance), second.ms - releaseAt);
    QVERIFY2(second.ms - releaseAt >= FenceMs - 200, qPrintable(QStringLiteral("a task started %1 ms after release-lock").arg(second.ms - releaseAt)));
    QVERIFY(second.token > first.token);
    const auto secondHolder = second.instance == standbyName ? standby : holder;
    r = runjob({QStringLiteral("lock-info")}, admin);
    QVERIFY2(r.out.contains(QStringLiteral("state: held by %1.test pid %2 since ").arg(second.instance).arg(secondHolder->pid()).toUtf8()), r.out.constData());
    QVERIFY2(r.out.contains(QStringLiteral(", fencing token %1 (lease ").arg(second.token).toUtf8()), r.out.constData());

    for (const auto &p : std::as_const(instances)) {
        p->signal(SIGTERM);
        QVERIFY(p->waitForExit());
        QCOMPARE(p->exitCode(), 143);
    }
    r = runjob({QStringLiteral("lock-info")}, admin);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("state: free"), r.out.constData());
    // Interrupted runs write no liveness.
    r = runjob({QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("60")}, admin);
    QCOMPARE(r.exitCode, 1);

    // A successful run: the Python liveness record, check-liveness passes, the heartbeat sleeps.
    auto c = startInstance(QStringLiteral("c"), keepLock(30), QStringLiteral("0.05"), QString(), liveness);
    QVERIFY(c->waitForOutput(QStringLiteral("Sleep for 30 seconds, lock is kept"), 15000));
    const Entry third = journal(QStringLiteral("start")).constLast();
    QCOMPARE(third.instance, QStringLiteral("c"));
    r = runjob({QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("60")}, admin);
    QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
    QCOMPARE(r.out, QByteArray("PASS\n"));
    const QByteArray record = m_cluster->get(LivenessKey);
    QVERIFY2(record.startsWith("{\"fqdn\": \"c.test\", \"timestamp\": "), record.constData());
    QJsonObject beat;
    QVERIFY(QTest::qWaitFor(
        [&] {
            beat = heartbeat(QStringLiteral("c"), c->pid());
            return beat.value(QLatin1String("state")).toString() == QLatin1String("sleeping");
        },
        5000));
    QCOMPARE(beat.value(QLatin1String("fqdn")).toString(), QStringLiteral("c.test"));
    QCOMPARE(beat.value(QLatin1String("pid")).toInteger(), c->pid());
    QCOMPARE(quint64(beat.value(QLatin1String("fencing_token")).toInteger()), third.token);

    c->signal(SIGTERM);
    QVERIFY(c->waitForExit());
    QCOMPARE(c->exitCode(), 143);
    // Still within max-age after the holder left.
    r = runjob({QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("60")}, admin);
    QCOMPARE(r.exitCode, 0);
    verifyNoOverlapAndGrowingTokens(journal());
}

// 6. --print-config: every etcd option with its source, the password masked; --explain: the key,
//    the TTL and the bounds; invalid etcd settings are usage errors. No etcd needed.
void TestEtcdHandover::printConfigAndExplain()
{
    const QString settings = m_dir->filePath(QStringLiteral("settings.ini"));
    {
        QFile f(settings);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("[one_instance]\n"            // 1
                               "backend = etcd\n"            // 2
                               "[one_instance.etcd]\n"       // 3
                               "key = jobs/config/lock\n"    // 4
                               "ttl = 12\n"                  // 5
                               "username = root\n"           // 6
                               "password = %1\n")            // 7
                    .arg(Password)
                    .toUtf8());
    }
    QProcessEnvironment env = cleanEnvironment();
    for (const QString &k : env.keys()) {
        if (k.startsWith(QLatin1String("ETCDCTL_")))
            env.remove(k);
    }
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_ENDPOINTS"), QStringLiteral("http://127.0.0.1:1,http://127.0.0.1:2"));
    env.insert(QStringLiteral("JOBSLIB_LIVENESS_BACKEND"), QStringLiteral("etcd"));
    env.insert(QStringLiteral("JOBSLIB_LIVENESS_ETCD_KEY"), QStringLiteral("jobs/config/liveness"));
    env.insert(QStringLiteral("ETCDCTL_ENDPOINTS"), QStringLiteral("http://127.0.0.1:3")); // etcdctl's variable, for the liveness

    const QStringList base{QStringLiteral("-s"), settings};
    ProcessResult r = runjob(base + QStringList{QStringLiteral("--print-config"), QStringLiteral("--"), QStringLiteral("true")}, env);
    QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
    const QString out = QString::fromUtf8(r.out);
    const QString file = QStringLiteral("file %1:").arg(settings);
    const QStringList expected{
        QStringLiteral("one_instance.backend = etcd  (") + file + QStringLiteral("2)"),
        QStringLiteral("one_instance.etcd.endpoints = http://127.0.0.1:1,http://127.0.0.1:2  (env JOBSLIB_ONE_INSTANCE_ETCD_ENDPOINTS)"),
        QStringLiteral("one_instance.etcd.key = jobs/config/lock  (") + file + QStringLiteral("4)"),
        QStringLiteral("one_instance.etcd.ttl = 12  (") + file + QStringLiteral("5)"),
        QStringLiteral("one_instance.etcd.timeout = 5  (default)"),
        QStringLiteral("one_instance.etcd.ssl_verify = true  (default)"),
        QStringLiteral("one_instance.etcd.username = root  (") + file + QStringLiteral("6)"),
        QStringLiteral("one_instance.etcd.password = ********  (") + file + QStringLiteral("7)"),
        QStringLiteral("liveness.backend = etcd  (env JOBSLIB_LIVENESS_BACKEND)"),
        QStringLiteral("liveness.etcd.endpoints = http://127.0.0.1:3  (env ETCDCTL_ENDPOINTS)"),
        QStringLiteral("liveness.etcd.key = jobs/config/liveness  (env JOBSLIB_LIVENESS_ETCD_KEY)"),
    };
    for (const QString &line : expected)
        QVERIFY2(out.contains(line + QLatin1Char('\n')), qPrintable(QStringLiteral("missing '%1' in:\n%2").arg(line, out)));
    QVERIFY2(!QString::fromUtf8(r.out + r.err).contains(Password), "the password was printed");

    r = runjob(base + QStringList{QStringLiteral("--explain"), QStringLiteral("--"), QStringLiteral("true")}, env);
    QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
    const QString explain = QString::fromUtf8(r.out);
    for (const QString &text : {QStringLiteral("the key 'jobs/config/lock'"), QStringLiteral("TTL 12 s"), QStringLiteral("every 2.0 s"),
                                QStringLiteral("2 endpoint(s)"), QStringLiteral("worst case 12.5 s"), QStringLiteral("after 5 s per member")}) {
        QVERIFY2(explain.contains(text), qPrintable(QStringLiteral("missing '%1' in:\n%2").arg(text, explain)));
    }
    QVERIFY2(!QString::fromUtf8(r.out + r.err).contains(Password), "the password was printed");

    // Invalid settings: usage errors (exit 2) that name the option.
    const auto usageError = [&](const QString &var, const QString &value, const QString &mentions) {
        QProcessEnvironment bad = env;
        bad.insert(var, value);
        const ProcessResult e = runjob(base + QStringList{QStringLiteral("--print-config"), QStringLiteral("--"), QStringLiteral("true")}, bad);
        QVERIFY2(e.exitCode == 2, qPrintable(QStringLiteral("%1=%2: exit %3: %4").arg(var, value).arg(e.exitCode).arg(QString::fromUtf8(e.out + e.err))));
        QVERIFY2(e.err.contains(mentions.toUtf8()), e.err.constData());
        QVERIFY2(!e.err.contains(Password.toUtf8()), "the password was printed");
    };
    usageError(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_TTL"), QStringLiteral("1"), QStringLiteral("one_instance.etcd.ttl"));
    usageError(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_ENDPOINTS"), QStringLiteral("ftp://127.0.0.1:1"), QStringLiteral("one_instance.etcd.endpoints"));
}

// 7. The member a standby watches through hangs (SIGSTOP: its connections stay open, nothing
//    answers) while the other two keep their quorum. When the holder then stops gracefully, the
//    standby should take over as it does through a working member, at least within a TTL (as
//    fast as after a crash); at the latest its next iteration does.
void TestEtcdHandover::standbyWatchThroughFrozenMember()
{
    REQUIRE_ETCD();
    QVERIFY(startCluster(3));
    const int leader = m_cluster->leader();
    QVERIFY(leader >= 0);
    const int frozen = (leader + 1) % 3; // a follower: the leader and the quorum stay
    const int other = (leader + 2) % 3;
    const int sleepS = 12;
    auto a = startInstance(QStringLiteral("a"), keepLock(sleepS), QStringLiteral("0.05"), endpoints({leader, other, frozen}));
    QVERIFY(a->waitForOutput(QStringLiteral("lock is kept"), 15000));
    QCOMPARE(watchersAt(frozen), 0);
    auto b = startInstance(QStringLiteral("b"), keepLock(sleepS), QStringLiteral("0.05"), endpoints({frozen, leader, other}));
    QVERIFY(b->waitForOutput(QStringLiteral("Can't acquire lock (lock owner is a.test")));
    QVERIFY(QTest::qWaitFor([&] { return watchersAt(frozen) == 1; }, 5000)); // b's watch

    m_cluster->pauseMember(frozen);
    a->signal(SIGTERM);
    QVERIFY(a->waitForExit());
    QCOMPARE(a->exitCode(), 143);
    const qint64 exitedAt = nowMs();
    const auto takenOver = [this] { return journal(QStringLiteral("start")).size() == 2; };
    // The standby re-reads the key every ttl/3 (at most 5 s) through a member that answers.
    QVERIFY2(QTest::qWaitFor(takenOver, int(TtlMs + 1000)), "the standby did not take over within a TTL");
    // At the latest its next iteration (its sleep interval after the last one) acquires the lock.
    QVERIFY(QTest::qWaitFor(takenOver, (sleepS + 5) * 1000));
    const Entry second = journal(QStringLiteral("start")).constLast();
    QCOMPARE(second.instance, QStringLiteral("b"));
    qInfo("member %d frozen: the standby's task started %lld ms after the holder exited", frozen, second.ms - exitedAt);
    m_cluster->resumeMember(frozen);

    b->signal(SIGTERM);
    QVERIFY(b->waitForExit(15000));
    QCOMPARE(b->exitCode(), 143);
    verifyNoOverlapAndGrowingTokens(journal());
}

// 8. release-lock while the member that carries the holder's own-key watch hangs (its keep-alives
//    have moved on to another member). etcd has no lock-delay, so release-lock fences the key for a
//    TTL + 5 s: the holder, which hears of it only at its next keep-alive, must have stopped its task
//    before anybody can acquire. The journal must show no overlap.
void TestEtcdHandover::forceReleaseWhileHolderWatchHangs()
{
    REQUIRE_ETCD();
    QVERIFY(startCluster(3));
    const int leader = m_cluster->leader();
    QVERIFY(leader >= 0);
    const int frozen = (leader + 1) % 3; // a follower: the leader and the quorum stay
    const int other = (leader + 2) % 3;
    auto a = startInstance(QStringLiteral("a"), keepLock(30), QStringLiteral("60"), endpoints({frozen, leader, other}));
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 1; }, 15000));
    const Entry first = journal(QStringLiteral("start")).constFirst();
    auto b = startInstance(QStringLiteral("b"), keepLock(30), QStringLiteral("60"), endpoints({other, leader, frozen}));
    QVERIFY(b->waitForOutput(QStringLiteral("Can't acquire lock (lock owner is a.test")));
    // a's watches: of its own key, and (HandoverListener, through its KvStore) of its handover request.
    QVERIFY(QTest::qWaitFor([&] { return watchersAt(frozen) == 2; }, 5000));
    QVERIFY(keepAlivesGrowAt(frozen));

    m_cluster->pauseMember(frozen);
    QVERIFY2(keepAlivesGrowAt(leader), "the holder did not move its keep-alives on"); // after its 1 s timeout
    QVERIFY(processAlive(first.pid));
    // Right after a keep-alive, so that the next one (ttl/3 later) cannot tell the holder first.
    const qint64 keepAlives = keepAlivesAt(leader);
    QVERIFY(QTest::qWaitFor([&] { return keepAlivesAt(leader) > keepAlives; }, int(TtlMs)));
    const qint64 releaseAt = nowMs();
    const ProcessResult r = runjob({QStringLiteral("release-lock"), QStringLiteral("--yes")}, environment(QStringLiteral("admin"), endpoints({leader})));
    QVERIFY2(r.exitCode == 0 && r.out.startsWith("released: taken from a.test"), QByteArray(r.out + r.err).constData());
    qint64 lostAt = 0;
    qint64 taskDeadAt = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            if (!lostAt && a->output().contains(QStringLiteral("Lock has been lost")))
                lostAt = nowMs();
            if (!taskDeadAt && !processAlive(first.pid))
                taskDeadAt = nowMs();
            return lostAt && taskDeadAt && journal(QStringLiteral("start")).size() + journal(QStringLiteral("OVERLAP")).size() >= 2;
        },
        int(FenceMs + TtlMs)));
    const QList<Entry> all = journal();
    qInfo("release-lock with the holder's watch hanging: the holder logged the loss %lld ms and its task was gone %lld ms after release-lock "
          "started; the standby's run began %lld ms after release-lock started (%s)",
          lostAt - releaseAt, taskDeadAt - releaseAt, all.at(1).ms - releaseAt, qPrintable(all.at(1).what));
    // release-lock fenced the key for a TTL + 5 s: the holder stopped (at its next keep-alive) before anybody could acquire.
    QVERIFY2(taskDeadAt < all.at(1).ms, "the standby started before the holder's task was gone");
    QVERIFY2(journal(QStringLiteral("OVERLAP")).isEmpty(), "the standby's task ran while the holder's still did");
    m_cluster->resumeMember(frozen);

    for (const auto &p : {a, b}) {
        p->signal(SIGTERM);
        QVERIFY(p->waitForExit(15000));
        QCOMPARE(p->exitCode(), 143);
    }
}

QTEST_GUILESS_MAIN(TestEtcdHandover)
#include "tst_etcdhandover.moc"
