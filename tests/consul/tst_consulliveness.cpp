// SPDX-License-Identifier: BSD-3-Clause
// ConsulLiveness against the in-process simulator: Python's record, heartbeat, agent TTL check.
#include "app/backendregistry.h"
#include "app/context.h"
#include "consulsimulator.h"
#include "liveness/consulliveness.h"
#include "lock/consullock.h"
#include "util/clock.h"
#include "statestore.h"
#include "agent.h"
#include "testcontext.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace jobslib;
using namespace jobslib::test;

namespace {
const QString Key = QStringLiteral("jobs/test/liveness");
}

class TestConsulLiveness : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void writeIsPythonsRecordAndReadsBack();
    void readOfMissingKeyFails();
    void heartbeatPerInstance();
    void heartbeatsOfSilentInstancesArePruned();
    void agentTtlCheckFollowsState();
    void lockInAnotherDatacenter();

private:
    std::unique_ptr<Context> context(const QHash<QString, QString> &extra = {}) const;
    QByteArray stored(const QString &key) const
    {
        const consulsim::KvEntry *e = m_sim->store()->kvGet(key);
        return e ? e->value : QByteArray();
    }
    std::unique_ptr<consulsim::ConsulSimulator> m_sim;
    BackendRegistry m_registry = BackendRegistry::builtins();
};

void TestConsulLiveness::init()
{
    m_sim = std::make_unique<consulsim::ConsulSimulator>();
    QVERIFY(m_sim->start());
}

std::unique_ptr<Context> TestConsulLiveness::context(const QHash<QString, QString> &extra) const
{
    QHash<QString, QString> v{{QStringLiteral("one_instance.backend"), QStringLiteral("consul")},
                              {QStringLiteral("one_instance.consul.address"), m_sim->address()},
                              {QStringLiteral("one_instance.consul.key"), QStringLiteral("jobs/test/lock")},
                              {QStringLiteral("one_instance.consul.ttl"), QStringLiteral("10")},
                              {QStringLiteral("liveness.backend"), QStringLiteral("consul")},
                              {QStringLiteral("liveness.consul.address"), m_sim->address()},
                              {QStringLiteral("liveness.consul.key"), Key},
                              {QStringLiteral("fqdn"), QStringLiteral("host-a.example.com")},
                              {QStringLiteral("datacenter"), QStringLiteral("prague")}};
    for (auto it = extra.cbegin(); it != extra.cend(); ++it)
        v.insert(it.key(), it.value());
    return testContext(m_registry, v, QStringLiteral("job"));
}

void TestConsulLiveness::writeIsPythonsRecordAndReadsBack()
{
    auto ctx = context();
    const OwnerRecord record = OwnerRecord::now(QStringLiteral("host-a.example.com"), ctx->clock().utcNow());
    QSignalSpy written(ctx->liveness(), &LivenessBackend::writeFinished);
    ctx->liveness()->write(record);
    QVERIFY(written.wait(5000));
    QVERIFY(written.constFirst().constFirst().toBool());
    // Byte for byte what Python's ConsulLiveness writes, so Python's readers parse it.
    QCOMPARE(stored(Key), record.toJson());
    QVERIFY(stored(Key).startsWith("{\"fqdn\": \"host-a.example.com\", \"timestamp\": "));
    QSignalSpy read(ctx->liveness(), &LivenessBackend::readFinished);
    ctx->liveness()->read();
    QVERIFY(read.wait(5000));
    const auto back = read.constFirst().constFirst().value<std::optional<OwnerRecord>>();
    QVERIFY(back);
    QCOMPARE(back->timestamp, record.timestamp);
}

void TestConsulLiveness::readOfMissingKeyFails()
{
    auto ctx = context();
    QSignalSpy read(ctx->liveness(), &LivenessBackend::readFinished);
    ctx->liveness()->read();
    QVERIFY(read.wait(5000));
    QVERIFY(!read.constFirst().constFirst().value<std::optional<OwnerRecord>>());
    QVERIFY(read.constFirst().at(1).toString().contains(Key));
}

void TestConsulLiveness::heartbeatPerInstance()
{
    auto ctx = context();
    auto *liveness = qobject_cast<ConsulLiveness *>(ctx->liveness());
    QVERIFY(liveness);
    InstanceState s;
    s.state = QStringLiteral("running");
    s.fencingToken = 7;
    liveness->reportState(s);
    const QString key = Key + QStringLiteral("/instances/") + ctx->instanceId();
    QCOMPARE(liveness->heartbeatKey(), key);
    QTRY_VERIFY_WITH_TIMEOUT(!stored(key).isEmpty(), 5000);
    const QJsonObject hb = QJsonDocument::fromJson(stored(key)).object();
    QCOMPARE(hb.value(QLatin1String("state")).toString(), QStringLiteral("running"));
    QCOMPARE(hb.value(QLatin1String("datacenter")).toString(), QStringLiteral("prague"));
    QCOMPARE(hb.value(QLatin1String("fqdn")).toString(), QStringLiteral("host-a.example.com"));
    QCOMPARE(hb.value(QLatin1String("fencing_token")).toInt(), 7);
    QVERIFY(hb.value(QLatin1String("pid")).toInt() > 0);
    s.state = QStringLiteral("standby");
    liveness->reportState(s);
    QTRY_VERIFY_WITH_TIMEOUT(QJsonDocument::fromJson(stored(key)).object().value(QLatin1String("state")).toString() == QLatin1String("standby"), 5000);
}

void TestConsulLiveness::heartbeatsOfSilentInstancesArePruned()
{
    const QString prefix = Key + QStringLiteral("/instances/");
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const auto record = [](qint64 timestamp) { return QStringLiteral(R"({"state":"running","timestamp":%1})").arg(timestamp).toUtf8(); };
    m_sim->store()->kvSet(prefix + QStringLiteral("crashed.example.com:11"), record(now - 86401), 0);
    m_sim->store()->kvSet(prefix + QStringLiteral("alive.example.com:12"), record(now - 30), 0);
    m_sim->store()->kvSet(prefix + QStringLiteral("unknown"), QByteArrayLiteral("not a heartbeat"), 0);

    InstanceState running;
    running.state = QStringLiteral("running");
    // heartbeat_retention 0: nothing is deleted.
    {
        auto keep = context({{QStringLiteral("liveness.consul.heartbeat_retention"), QStringLiteral("0")}});
        auto *liveness = qobject_cast<ConsulLiveness *>(keep->liveness());
        liveness->reportState(running);
        QTRY_VERIFY_WITH_TIMEOUT(!stored(liveness->heartbeatKey()).isEmpty(), 5000);
    }
    // The default (a day): the heartbeat silent for longer goes, at the instance's first heartbeat.
    auto ctx = context({{QStringLiteral("fqdn"), QStringLiteral("host-b.example.com")}});
    auto *liveness = qobject_cast<ConsulLiveness *>(ctx->liveness());
    QVERIFY(m_sim->store()->kvGet(prefix + QStringLiteral("crashed.example.com:11")));
    liveness->reportState(running);
    QTRY_VERIFY_WITH_TIMEOUT(!m_sim->store()->kvGet(prefix + QStringLiteral("crashed.example.com:11")), 5000);
    QVERIFY(m_sim->store()->kvGet(prefix + QStringLiteral("alive.example.com:12")));
    QVERIFY(m_sim->store()->kvGet(prefix + QStringLiteral("unknown")));
    QVERIFY(!stored(liveness->heartbeatKey()).isEmpty());
}

void TestConsulLiveness::agentTtlCheckFollowsState()
{
    auto ctx = context({{QStringLiteral("liveness.consul.check_id"), QStringLiteral("job-check")}});
    const auto statusOf = [this] {
        const consulsim::AgentCheck *c = m_sim->agent()->check(QStringLiteral("job-check"));
        return c ? c->check.status : QString();
    };
    InstanceState s;
    s.state = QStringLiteral("sleeping");
    ctx->liveness()->reportState(s);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(), QStringLiteral("passing"), 5000);
    s.state = QStringLiteral("failing");
    s.lastError = QStringLiteral("exit code 3");
    ctx->liveness()->reportState(s);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(), QStringLiteral("critical"), 5000);
    QCOMPARE(m_sim->agent()->check(QStringLiteral("job-check"))->check.output, QStringLiteral("exit code 3"));
    s.state = QStringLiteral("standby");
    ctx->liveness()->reportState(s);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(), QStringLiteral("warning"), 5000);
}

void TestConsulLiveness::lockInAnotherDatacenter()
{
    // The home datacenter is named with ?dc=; one Consul does not know is an error, never a lock.
    auto ctx = context({{QStringLiteral("one_instance.consul.datacenter"), QStringLiteral("dc9")}});
    QSignalSpy failed(ctx->lock(), &LockBackend::acquireFailed);
    ctx->lock()->acquire();
    QVERIFY(failed.wait(5000));
    QVERIFY2(failed.constFirst().constFirst().toString().contains(QStringLiteral("No path to datacenter")), qPrintable(failed.constFirst().constFirst().toString()));
    auto home = context({{QStringLiteral("one_instance.consul.datacenter"), m_sim->options().datacenter}});
    QSignalSpy acquired(home->lock(), &LockBackend::acquired);
    home->lock()->acquire();
    QVERIFY(acquired.wait(5000));
    for (const auto &r : m_sim->requestLog()) {
        if (r.path == QLatin1String("/v1/session/create"))
            QVERIFY(r.rawQuery.contains("dc="));
    }
}

QTEST_GUILESS_MAIN(TestConsulLiveness)
#include "tst_consulliveness.moc"
