// SPDX-License-Identifier: BSD-3-Clause
// How the dashboard reads a lock key and heartbeats: held / free / lock-delay from what the store
// shows, a job's row across datacenters, stale heartbeats.
#include "jobmonitor.h"
#include "jobsummary.h"

#include <QTest>

using namespace jobslib;
using namespace jobslib::dashboard;

namespace {
KvItem lockItem(const QString &session, const QByteArray &value, quint64 lockIndex = 3)
{
    KvItem item;
    item.key = QStringLiteral("jobs/x/lock");
    item.holder = session;
    item.value = value;
    item.lockIndex = lockIndex;
    return item;
}

const QByteArray Record = R"({"fqdn": "a.test", "timestamp": 1700000000, "time_utc": "2023-11-14 22:13:20", "time_local": "x", "pid": 42, "datacenter": "prague", "fencing_token": 3})";

InstanceInfo instance(const QString &fqdn, qint64 heartbeatAt, double interval, const QString &store = QStringLiteral("prague"))
{
    InstanceInfo i;
    i.fqdn = fqdn;
    i.pid = 1;
    i.store = store;
    i.heartbeatAt = heartbeatAt;
    i.intervalS = interval;
    return i;
}
} // namespace

class TestJobSummary : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void heldLock();
    void releasedLockIsFree();
    void destroyedSessionIsLockDelay();
    void lockDelayNeedsTheTransition();
    void etcdFenceIsLockDelay();
    void heartbeatParsingAndStaleness();
    void summaryAcrossDatacenters();
    void unreachableEverywhereIsUnknown();
    void splitBrainIsFlagged();
};

void TestJobSummary::heldLock()
{
    const LockView v = JobMonitor::lockViewOf(lockItem(QStringLiteral("s1"), Record), LockView(), QStringLiteral("consul"), 1000);
    QCOMPARE(v.state, LockState::Held);
    QCOMPARE(v.holderId, QStringLiteral("s1"));
    QCOMPARE(v.fencingToken, 3u);
    QVERIFY(v.holder);
    QCOMPARE(v.holder->fqdn, QStringLiteral("a.test"));
    QCOMPARE(v.holder->pid, 42);
}

void TestJobSummary::releasedLockIsFree()
{
    LockView held = JobMonitor::lockViewOf(lockItem(QStringLiteral("s1"), Record), LockView(), QStringLiteral("consul"), 1000);
    held.lockDelayS = 15;
    // A release (?release=) empties the value.
    QCOMPARE(JobMonitor::lockViewOf(lockItem(QString(), QByteArray()), held, QStringLiteral("consul"), 2000).state, LockState::Free);
    QCOMPARE(JobMonitor::lockViewOf(std::nullopt, held, QStringLiteral("consul"), 2000).state, LockState::Free);
}

void TestJobSummary::destroyedSessionIsLockDelay()
{
    LockView held = JobMonitor::lockViewOf(lockItem(QStringLiteral("s1"), Record), LockView(), QStringLiteral("consul"), 1000);
    held.lockDelayS = 15;
    // A destroyed or expired session leaves its record in the key: Consul's lock-delay applies.
    const LockView v = JobMonitor::lockViewOf(lockItem(QString(), Record), held, QStringLiteral("consul"), 2000);
    QCOMPARE(v.state, LockState::LockDelay);
    QCOMPARE(v.blockedUntilMs, 17000);
    // The same answer again (another watch round) keeps the end time.
    const LockView again = JobMonitor::lockViewOf(lockItem(QString(), Record), v, QStringLiteral("consul"), 5000);
    QCOMPARE(again.state, LockState::LockDelay);
    QCOMPARE(again.blockedUntilMs, 17000);
    // Past its end it is free.
    QCOMPARE(JobMonitor::lockViewOf(lockItem(QString(), Record), v, QStringLiteral("consul"), 18000).state, LockState::Free);
}

void TestJobSummary::lockDelayNeedsTheTransition()
{
    // Started after the session died: nothing tells when, so no lock-delay is claimed.
    QCOMPARE(JobMonitor::lockViewOf(lockItem(QString(), Record), LockView(), QStringLiteral("consul"), 2000).state, LockState::Free);
}

void TestJobSummary::etcdFenceIsLockDelay()
{
    const LockView held = JobMonitor::lockViewOf(lockItem(QStringLiteral("7001"), Record, 9), LockView(), QStringLiteral("etcd"), 1000);
    QCOMPARE(held.state, LockState::Held);
    // release-lock: same create revision, a new lease.
    const LockView fenced = JobMonitor::lockViewOf(lockItem(QStringLiteral("7002"), Record, 9), held, QStringLiteral("etcd"), 2000);
    QCOMPARE(fenced.state, LockState::LockDelay);
    // A new holder (new create revision) is simply held.
    QCOMPARE(JobMonitor::lockViewOf(lockItem(QStringLiteral("7003"), Record, 12), fenced, QStringLiteral("etcd"), 3000).state, LockState::Held);
}

void TestJobSummary::heartbeatParsingAndStaleness()
{
    const auto i = InstanceInfo::fromHeartbeat(QStringLiteral("k"), R"({"state":"sleeping","fqdn":"b.test","datacenter":"dc2","pid":7,"version":"0.1.0","job":"x","timestamp":1000,"last_success":990,"last_error":"","fencing_token":0,"heartbeat_interval":10,"next_run":1060})");
    QVERIFY2(i.ok(), qPrintable(i.error()));
    QCOMPARE(i->id(), QStringLiteral("b.test:7"));
    QCOMPARE(i->nextRun, 1060);
    QVERIFY(!i->isStale(1024));
    QVERIFY(i->isStale(1026)); // more than two intervals (plus 5 s of skew) without a heartbeat
    InstanceInfo off = *i;
    off.intervalS = 0;
    QVERIFY(!off.isStale(999999)); // heartbeats off: nothing to tell by
    QVERIFY(!InstanceInfo::fromHeartbeat(QStringLiteral("k"), "[1]").ok());
    QVERIFY(!InstanceInfo::fromHeartbeat(QStringLiteral("k"), "{}").ok());
}

void TestJobSummary::summaryAcrossDatacenters()
{
    JobDcState prague;
    prague.received = prague.reachable = true;
    prague.lock = JobMonitor::lockViewOf(lockItem(QStringLiteral("s1"), Record), LockView(), QStringLiteral("consul"), 1000);
    InstanceInfo holder = instance(QStringLiteral("a.test"), 1000, 10);
    holder.fencingToken = 3;
    holder.nextRun = 1100;
    holder.lastSuccess = 990;
    prague.instances = {holder};
    JobDcState frankfurt;
    frankfurt.received = frankfurt.reachable = true;
    frankfurt.lock.state = LockState::Free;
    InstanceInfo standby = instance(QStringLiteral("b.test"), 900, 10, QStringLiteral("frankfurt"));
    standby.nextRun = 1050;
    standby.lastError = QStringLiteral("exit code 1");
    frankfurt.instances = {standby};
    JobDcState ashburn;
    ashburn.received = true;
    ashburn.error = QStringLiteral("network: connection refused");

    const JobSummary s = summarize({&prague, &frankfurt, &ashburn}, {QStringLiteral("prague"), QStringLiteral("frankfurt"), QStringLiteral("ashburn")});
    QCOMPARE(s.lock, LockState::Held);
    QCOMPARE(s.lockDatacenter, QStringLiteral("prague"));
    QVERIFY(!s.splitBrain);
    QCOMPARE(s.unreachable, QStringList{QStringLiteral("ashburn")});
    QCOMPARE(s.instances.size(), 2);
    QCOMPARE(s.instances.at(0).store, QStringLiteral("frankfurt")); // sorted by datacenter
    QCOMPARE(s.lastSuccess, 990);
    QCOMPARE(s.lastFailure, QStringLiteral("b.test: exit code 1"));
    QCOMPARE(s.nextRun, 1100); // the holder's, not the standby's
    QCOMPARE(s.staleCount(1000), 1); // b.test: 100 s without a heartbeat
}

void TestJobSummary::unreachableEverywhereIsUnknown()
{
    JobDcState down;
    down.received = true;
    down.error = QStringLiteral("timeout");
    down.lock.state = LockState::Held; // stale knowledge must not show as held
    const JobSummary s = summarize({&down}, {QStringLiteral("prague")});
    QCOMPARE(s.lock, LockState::Unknown);
    QCOMPARE(s.unreachable, QStringList{QStringLiteral("prague")});
}

void TestJobSummary::splitBrainIsFlagged()
{
    JobDcState a;
    a.received = a.reachable = true;
    a.lock = JobMonitor::lockViewOf(lockItem(QStringLiteral("s1"), Record), LockView(), QStringLiteral("consul"), 1000);
    JobDcState b = a;
    const JobSummary s = summarize({&a, &b}, {QStringLiteral("a"), QStringLiteral("b")});
    QVERIFY(s.splitBrain);
}

QTEST_GUILESS_MAIN(TestJobSummary)
#include "tst_jobsummary.moc"
