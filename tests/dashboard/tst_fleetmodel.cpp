// SPDX-License-Identifier: BSD-3-Clause
// FleetModel (checked throughout by QAbstractItemModelTester) and EventLogModel on a live fleet
// read from the Consul simulator: a lock taken, released, lost with lock-delay; heartbeats
// appearing and disappearing; a datacenter that cannot be reached.
#include "consulsimprocess.h"
#include "etcdcluster.h"
#include "dashboardtesting.h"

#include "credentialstore.h"
#include "eventlogmodel.h"
#include "fleet.h"
#include "fleetmodel.h"
#include "lockactions.h"

#include "etcd/etcdclient.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

using namespace jobslib::dashboard;
using namespace jobslib::test;

namespace {
const QString LockKey = QStringLiteral("jobs/demo/lock");

QByteArray heartbeat(const QString &fqdn, int pid, const QString &state, qint64 at, quint64 token = 0)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("state"), state},
                                     {QStringLiteral("fqdn"), fqdn},
                                     {QStringLiteral("datacenter"), QStringLiteral("dc1")},
                                     {QStringLiteral("pid"), pid},
                                     {QStringLiteral("version"), QStringLiteral("0.1.0")},
                                     {QStringLiteral("job"), QStringLiteral("demo")},
                                     {QStringLiteral("timestamp"), at},
                                     {QStringLiteral("last_success"), at - 5},
                                     {QStringLiteral("last_error"), QString()},
                                     {QStringLiteral("fencing_token"), qint64(token)},
                                     {QStringLiteral("heartbeat_interval"), 10}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

class TestFleetModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void liveLockAndInstances();
    void unreachableDatacenter();
    void eventLog();
    void etcdDatacenterAndRelease();

private:
    QString createSession(int lockDelayS);
    QString cell(int job, int column) const { return m_model->data(m_model->index(job, column)).toString(); }

    std::unique_ptr<ConsulSimProcess> m_sim;
    std::unique_ptr<CredentialStore> m_credentials;
    std::unique_ptr<Fleet> m_fleet;
    std::unique_ptr<FleetModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestFleetModel::init()
{
    m_sim = std::make_unique<ConsulSimProcess>();
    QString error;
    QVERIFY2(m_sim->start({}, &error), qPrintable(error));
    m_credentials = std::make_unique<CredentialStore>(QStringLiteral("jobslib-test"));
    m_credentials->useSessionOnly(QStringLiteral("test"));
    m_fleet = std::make_unique<Fleet>(*m_credentials);
    m_model = std::make_unique<FleetModel>(*m_fleet);
    m_tester = std::make_unique<QAbstractItemModelTester>(m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestFleetModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
    m_fleet.reset();
    m_sim.reset();
}

QString TestFleetModel::createSession(int lockDelayS)
{
    const auto r = m_sim->request("PUT", QStringLiteral("/v1/session/create"),
                                  QStringLiteral(R"({"TTL": "30s", "LockDelay": "%1s"})").arg(lockDelayS).toUtf8());
    return QJsonDocument::fromJson(r.body).object().value(QStringLiteral("ID")).toString();
}

void TestFleetModel::liveLockAndInstances()
{
    const DashboardSettings settings = oneDatacenter(m_sim->address(), LockKey, QStringLiteral("jobs/demo/liveness"));
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QVERIFY(m_sim->request("PUT", QStringLiteral("/v1/kv/jobs/demo/liveness/instances/a.test:1"), heartbeat(QStringLiteral("a.test"), 1, QStringLiteral("running"), now, 0)).ok());

    QSignalSpy first(m_fleet.get(), &Fleet::firstDataArrived);
    m_fleet->setSettings(settings);
    QVERIFY(first.wait(5000));
    QCOMPARE(m_model->rowCount(), 1);
    QCOMPARE(cell(0, FleetModel::Name), QStringLiteral("demo"));
    QCOMPARE(cell(0, FleetModel::Lock), QStringLiteral("free"));
    QCOMPARE(m_model->rowCount(m_model->index(0, 0)), 1);

    // Somebody acquires: the row shows the holder within a second.
    const QString session = createSession(15);
    QVERIFY(!session.isEmpty());
    const QByteArray record = R"({"fqdn": "a.test", "timestamp": 1700000000, "time_utc": "2023-11-14 22:13:20", "time_local": "x", "pid": 1, "datacenter": "dc1"})";
    QElapsedTimer t;
    t.start();
    QVERIFY(m_sim->request("PUT", QStringLiteral("/v1/kv/%1?acquire=%2").arg(LockKey, session), record).ok());
    QTRY_COMPARE_WITH_TIMEOUT(cell(0, FleetModel::Lock), QStringLiteral("held"), 1000);
    qInfo("lock change to row: %lld ms", t.elapsed());
    QCOMPARE(cell(0, FleetModel::Holder), QStringLiteral("a.test (dc1), pid 1"));
    QCOMPARE(cell(0, FleetModel::Token), QStringLiteral("1"));
    QTRY_COMPARE_WITH_TIMEOUT(cell(0, FleetModel::Ttl), QStringLiteral("30 s (lock-delay 15 s)"), 2000);
    QCOMPARE(m_model->data(m_model->index(0, 0), FleetModel::LockStateRole).toInt(), int(LockState::Held));

    // A second instance appears, a stale one is flagged.
    QVERIFY(m_sim->request("PUT", QStringLiteral("/v1/kv/jobs/demo/liveness/instances/b.test:2"), heartbeat(QStringLiteral("b.test"), 2, QStringLiteral("standby"), now - 120)).ok());
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(m_model->index(0, 0)), 2, 1000);
    const QModelIndex b = m_model->index(1, FleetModel::Lock, m_model->index(0, 0));
    QCOMPARE(b.data().toString(), QStringLiteral("standby (stale)"));
    QVERIFY(b.data(FleetModel::StaleRole).toBool());
    QVERIFY(cell(0, FleetModel::Instances).contains(QStringLiteral("1 stale")));

    // Released: free. Taken again and the session destroyed: in lock-delay.
    QVERIFY(m_sim->request("PUT", QStringLiteral("/v1/kv/%1?release=%2").arg(LockKey, session), QByteArray()).ok());
    QTRY_COMPARE_WITH_TIMEOUT(cell(0, FleetModel::Lock), QStringLiteral("free"), 1000);
    QVERIFY(m_sim->request("PUT", QStringLiteral("/v1/kv/%1?acquire=%2").arg(LockKey, session), record).ok());
    QTRY_COMPARE_WITH_TIMEOUT(cell(0, FleetModel::Lock), QStringLiteral("held"), 1000);
    QVERIFY(m_sim->request("PUT", QStringLiteral("/v1/session/destroy/") + session).ok());
    QTRY_VERIFY_WITH_TIMEOUT(cell(0, FleetModel::Lock).startsWith(QStringLiteral("in lock-delay")), 1000);

    // An instance goes away: its row is removed.
    QVERIFY(m_sim->request("DELETE", QStringLiteral("/v1/kv/jobs/demo/liveness/instances/a.test:1")).ok());
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(m_model->index(0, 0)), 1, 1000);
}

void TestFleetModel::unreachableDatacenter()
{
    DashboardSettings settings = oneDatacenter(m_sim->address(), LockKey);
    settings.datacenters[0].name = QStringLiteral("up");
    DatacenterSettings down;
    down.name = QStringLiteral("down");
    down.address = closedPortAddress();
    settings.datacenters << down;
    QSignalSpy first(m_fleet.get(), &Fleet::firstDataArrived);
    m_fleet->setSettings(settings);
    QVERIFY(first.wait(10000));
    QCOMPARE(cell(0, FleetModel::Lock), QStringLiteral("free")); // what the reachable one says
    QVERIFY2(cell(0, FleetModel::Instances).contains(QStringLiteral("down unreachable")), qPrintable(cell(0, FleetModel::Instances)));
    QVERIFY(!m_fleet->datacenterError(1).isEmpty());
    QVERIFY(m_fleet->datacenterError(0).isEmpty());

    // The only datacenter gone: unknown, and it comes back.
    m_sim->stop();
    QTRY_COMPARE_WITH_TIMEOUT(cell(0, FleetModel::Lock), QStringLiteral("unknown"), 10000);
}

void TestFleetModel::eventLog()
{
    const DashboardSettings settings = oneDatacenter(m_sim->address(), LockKey);
    EventLogModel events(*m_fleet);
    QAbstractItemModelTester tester(&events, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy first(m_fleet.get(), &Fleet::firstDataArrived);
    m_fleet->setSettings(settings);
    QVERIFY(first.wait(5000));
    QCOMPARE(events.rowCount(), 0);
    jobslib::ActionRecord older{QStringLiteral("release-lock"), QStringLiteral("ops@host"), 1700000000000, QStringLiteral("demo"),
                                QStringLiteral("a.test, pid 1"), QStringLiteral("done"), QStringLiteral("destroyed session")};
    jobslib::ActionRecord newer = older;
    newer.action = QStringLiteral("request-handover");
    newer.timeMs += 1000;
    newer.outcome = QStringLiteral("requested");
    QVERIFY(m_sim->request("PUT", QStringLiteral("/v1/kv/jobs/demo/lock/events/1700000000000-aaaa"), older.toJson()).ok());
    QVERIFY(m_sim->request("PUT", QStringLiteral("/v1/kv/jobs/demo/lock/events/1700000001000-bbbb"), newer.toJson()).ok());
    QTRY_COMPARE_WITH_TIMEOUT(events.rowCount(), 2, 1000);
    QCOMPARE(events.index(0, EventLogModel::Action).data().toString(), QStringLiteral("Request handover")); // newest first
    QCOMPARE(events.index(1, EventLogModel::Who).data().toString(), QStringLiteral("ops@host"));
    QCOMPARE(events.index(1, EventLogModel::Outcome).data().toString(), QStringLiteral("done"));
    QCOMPARE(events.index(1, EventLogModel::Job).data().toString(), QStringLiteral("demo"));
}

void TestFleetModel::etcdDatacenterAndRelease()
{
    if (!EtcdCluster::isAvailable())
        QSKIP("etcd is not installed: install Debian's package etcd-server");
    EtcdCluster etcd;
    QString error;
    QVERIFY2(etcd.start(1, &error), qPrintable(error));
    // A holder as EtcdLock makes one: a lease, the record created under it.
    QNetworkAccessManager network;
    jobslib::EtcdEndpoint endpoint;
    endpoint.endpoints = etcd.clientUrls();
    jobslib::EtcdClient client(&network, endpoint);
    std::optional<qint64> lease;
    client.grantLease(30, this, [&lease](const jobslib::EtcdResult<qint64> &r) { lease = r.value.value_or(-1); });
    QTRY_VERIFY(lease.has_value());
    QVERIFY(*lease > 0);
    const QByteArray record = R"({"fqdn": "e.test", "timestamp": 1700000000, "time_utc": "2023-11-14 22:13:20", "time_local": "x", "pid": 9, "datacenter": "dc1"})";
    bool created = false;
    client.createIfAbsent(LockKey.toUtf8(), record, *lease, this, [&created](const jobslib::EtcdResult<jobslib::EtcdCreate> &r) { created = r.ok() && r.value->created; });
    QTRY_VERIFY(created);

    DashboardSettings settings = oneDatacenter(QString(), LockKey);
    settings.datacenters[0].backend = QStringLiteral("etcd");
    settings.datacenters[0].address = etcd.clientUrls().first().toString();
    QSignalSpy first(m_fleet.get(), &Fleet::firstDataArrived);
    m_fleet->setSettings(settings);
    QVERIFY(first.wait(10000));
    QCOMPARE(cell(0, FleetModel::Lock), QStringLiteral("held"));
    QCOMPARE(cell(0, FleetModel::Holder), QStringLiteral("e.test (dc1), pid 9"));
    QCOMPARE(cell(0, FleetModel::Ttl), QStringLiteral("30 s")); // the lease's; etcd has no lock-delay

    // The dashboard's Release lock (runjob's release-lock for etcd): the key is fenced for a TTL.
    LockActions actions(*m_fleet);
    QSignalSpy finished(&actions, &LockActions::finished);
    // First with a token the operator never saw: refused, nothing released.
    actions.releaseLock(0, 0, m_model->summary(0).lockView.fencingToken + 100, QStringLiteral("e.test"));
    QVERIFY(finished.wait(15000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QCOMPARE(cell(0, FleetModel::Lock), QStringLiteral("held"));
    finished.clear();
    actions.releaseLock(0, 0, m_model->summary(0).lockView.fencingToken, QStringLiteral("e.test"));
    QVERIFY(finished.wait(15000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QTRY_VERIFY_WITH_TIMEOUT(cell(0, FleetModel::Lock).startsWith(QStringLiteral("in lock-delay")), 2000);
}

QTEST_MAIN(TestFleetModel)
#include "tst_fleetmodel.moc"
