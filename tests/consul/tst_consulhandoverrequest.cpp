// SPDX-License-Identifier: BSD-3-Clause
// "Request handover" end to end: real runjob processes on one Consul key (the standalone
// simulator), the request written the way the dashboard writes it (a KvStore from makeKvStore on
// the lock's options), the action log read back the same way. As in tst_consulhandover, every
// task writes start/end lines with its fencing token to a shared journal under a second lock, so
// the journal proves that no two runs overlapped.
#include "consulsimprocess.h"
#include "kv/actionlog.h"
#include "kv/kvstore.h"
#include "runjobprocess.h"
#include "taskjournal.h"
#include "testcontext.h"
#include "testutil.h"

#include "app/backendregistry.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <signal.h>

using namespace jobslib;
using namespace jobslib::test;

namespace {

const QString Key = QStringLiteral("jobs/handoverrequest/lock");
const QString LivenessKey = QStringLiteral("jobs/handoverrequest/liveness");
/*! The yield after a handover with the Consul TTL of these tests (10 s): min(TTL, 10 s). */
constexpr qint64 YieldMs = 10000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

class TestConsulHandoverRequest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void requestDuringARunHandsOverToTheStandby();
    void onlyInstanceTakesTheLockBackAfterTheYield();

private:
    QProcessEnvironment environment(const QString &name) const;
    std::shared_ptr<RunjobProcess> startInstance(const QString &name, const QString &work, const QProcessEnvironment &extra = {});
    QList<JournalEntry> journal(const QString &what = QString()) const { return TaskJournal(m_dir->path()).entries(what); }
    /*! What the dashboard does: creates the request key (only if there is none). */
    bool requestHandover(const QString &by, const QString &reason);
    std::optional<KvItem> get(const QString &key);
    QList<ActionRecord> actions();
    /*! The instance's heartbeat record (liveness backend consul), {} while there is none. */
    QJsonObject heartbeat(const QString &name, qint64 pid);

    /*! Runs the event loop until the store answers, with a deadline; a late answer is dropped. */
    template<typename T, typename Call>
    Expected<T> await(Call call)
    {
        auto result = std::make_shared<std::optional<Expected<T>>>();
        call([result](const Expected<T> &r) { *result = r; });
        if (!QTest::qWaitFor([&result] { return result->has_value(); }, 5000))
            return Expected<T>::failure(QStringLiteral("the store did not answer within 5 s"));
        return **result;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ConsulSimProcess> m_sim;
    BackendRegistry m_registry = BackendRegistry::builtins();
    QNetworkAccessManager m_network;
    std::shared_ptr<KvStore> m_store;
    QList<QPair<QString, std::shared_ptr<RunjobProcess>>> m_instances;
};

void TestConsulHandoverRequest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_sim = std::make_unique<ConsulSimProcess>();
    QString error;
    QVERIFY2(m_sim->start({QStringLiteral("--ttl-multiplier"), QStringLiteral("1")}, &error), qPrintable(error));
    // The dashboard's view of the store: the lock's own options.
    const Config config = testConfig(m_registry, {{QStringLiteral("one_instance.backend"), QStringLiteral("consul")},
                                                  {QStringLiteral("one_instance.consul.address"), m_sim->address()},
                                                  {QStringLiteral("one_instance.consul.key"), Key}});
    Expected<std::shared_ptr<KvStore>> store = makeKvStore(&m_network, config, QStringLiteral("one_instance.consul"));
    QVERIFY2(store.ok(), qPrintable(store.error()));
    m_store = store.value();
}

void TestConsulHandoverRequest::cleanup()
{
    if (QTest::currentTestFailed() || qEnvironmentVariableIsSet("JOBSLIB_TEST_VERBOSE")) {
        for (const auto &[name, p] : std::as_const(m_instances))
            qInfo().noquote() << "--- runjob" << name << "output:\n" << p->output();
        for (const JournalEntry &e : journal())
            qInfo().noquote() << "journal:" << e.what << e.instance << e.token << e.ms << e.pid;
    }
    m_instances.clear();
    m_store.reset();
    m_sim.reset();
    m_dir.reset();
}

QProcessEnvironment TestConsulHandoverRequest::environment(const QString &name) const
{
    QProcessEnvironment env = cleanEnvironment();
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND"), QStringLiteral("consul"));
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_ADDRESS"), m_sim->address());
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_KEY"), Key);
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_TTL"), QStringLiteral("10"));
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_LOCK_DELAY"), QStringLiteral("0"));
    env.insert(QStringLiteral("JOBSLIB_TASK_KILL_GRACE"), QStringLiteral("2"));
    env.insert(QStringLiteral("JOBSLIB_FQDN"), name + QStringLiteral(".test"));
    env.insert(QStringLiteral("INSTANCE"), name);
    return env;
}

std::shared_ptr<RunjobProcess> TestConsulHandoverRequest::startInstance(const QString &name, const QString &work, const QProcessEnvironment &extra)
{
    QProcessEnvironment env = environment(name);
    const QStringList keys = extra.keys();
    for (const QString &k : keys)
        env.insert(k, extra.value(k));
    auto p = std::make_shared<RunjobProcess>(env);
    p->start({QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QStringLiteral("30"), QStringLiteral("--"), QStringLiteral("sh"),
              QStringLiteral("-c"), TaskJournal(m_dir->path()).workScript(work)});
    m_instances << qMakePair(name, p);
    return p;
}

bool TestConsulHandoverRequest::requestHandover(const QString &by, const QString &reason)
{
    HandoverRequest r;
    r.requestedBy = by;
    r.timeMs = nowMs();
    r.reason = reason;
    const Expected<bool> created = await<bool>([&](KvStore::Done<bool> done) { m_store->create(handoverKey(Key), r.toJson(), this, done); });
    if (!created.ok())
        qWarning().noquote() << "handover request not written:" << created.error();
    return created.ok() && created.value();
}

std::optional<KvItem> TestConsulHandoverRequest::get(const QString &key)
{
    const Expected<std::optional<KvItem>> item =
        await<std::optional<KvItem>>([&](KvStore::Done<std::optional<KvItem>> done) { m_store->get(key, this, done); });
    if (!item.ok())
        qWarning().noquote() << "get" << key << "failed:" << item.error();
    return item.ok() ? item.value() : std::nullopt;
}

QList<ActionRecord> TestConsulHandoverRequest::actions()
{
    const Expected<QList<KvItem>> items = await<QList<KvItem>>([&](KvStore::Done<QList<KvItem>> done) { m_store->list(eventsPrefix(Key), this, done); });
    QList<ActionRecord> r;
    if (!items.ok()) {
        qWarning().noquote() << "action log not listed:" << items.error();
        return r;
    }
    for (const KvItem &item : items.value()) {
        const Expected<ActionRecord> record = ActionRecord::fromJson(item.value);
        if (record.ok())
            r << record.value();
    }
    return r;
}

QJsonObject TestConsulHandoverRequest::heartbeat(const QString &name, qint64 pid)
{
    const ConsulSimProcess::Reply reply = m_sim->request("GET", QStringLiteral("/v1/kv/%1/instances/%2.test:%3?raw").arg(LivenessKey, name).arg(pid));
    return reply.status == 200 ? QJsonDocument::fromJson(reply.body).object() : QJsonObject();
}

// Two instances with keep_lock, A holds and runs; the request arrives during A's run. A finishes
// the run, releases, the standby B takes over; A stays out for the yield, then is B's standby.
void TestConsulHandoverRequest::requestDuringARunHandsOverToTheStandby()
{
    // A long run, so that the request surely arrives while it runs.
    const auto a = startInstance(QStringLiteral("a"), QStringLiteral("5"));
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 1; }, 10000));
    const JournalEntry first = journal(QStringLiteral("start")).constFirst();
    QCOMPARE(first.instance, QStringLiteral("a"));
    const auto b = startInstance(QStringLiteral("b"), QStringLiteral("0.2"));
    QVERIFY(b->waitForOutput(QStringLiteral("Can't acquire lock (lock owner is a.test")));
    QVERIFY(journal(QStringLiteral("end")).isEmpty());

    QVERIFY(requestHandover(QStringLiteral("tester@ci"), QStringLiteral("kernel update")));
    QVERIFY(a->waitForOutput(QStringLiteral("Handover requested by tester@ci (kernel update); releasing the lock after the current run"), 5000));
    // The run is not cut short: B starts after A's run ended normally.
    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 2; }, 15000));
    const JournalEntry second = journal(QStringLiteral("start")).constLast();
    QCOMPARE(second.instance, QStringLiteral("b"));
    QVERIFY(second.token > first.token);
    const QList<JournalEntry> ends = journal(QStringLiteral("end"));
    QCOMPARE(ends.size(), 1);
    QCOMPARE(ends.constFirst().instance, QStringLiteral("a"));
    QVERIFY(ends.constFirst().ms <= second.ms);
    QVERIFY(ends.constFirst().ms - first.ms >= 5000);
    const QString out = a->output();
    QVERIFY(out.indexOf(QStringLiteral("Handover requested by")) < out.indexOf(QStringLiteral("Task done")));
    QVERIFY(a->waitForOutput(QStringLiteral("Lock handed over; not contending for it for 10 seconds")));

    // The request is gone, the action log says who handed what over.
    QTRY_VERIFY_WITH_TIMEOUT(!get(handoverKey(Key)).has_value(), 5000);
    QList<ActionRecord> log;
    QTRY_VERIFY_WITH_TIMEOUT(!(log = actions()).isEmpty(), 5000);
    QCOMPARE(log.size(), 1);
    const ActionRecord &handover = log.constFirst();
    QCOMPARE(handover.action, QStringLiteral("handover"));
    QCOMPARE(handover.outcome, QStringLiteral("done"));
    QCOMPARE(handover.who, QStringLiteral("runjob@a.test:%1").arg(a->pid()));
    QCOMPARE(handover.target, QStringLiteral("a.test pid %1, token %2").arg(a->pid()).arg(first.token));
    QCOMPARE(handover.detail, QStringLiteral("released after run 1"));
    QCOMPARE(handover.job, Key);
    QVERIFY(qAbs(handover.timeMs - ends.constFirst().ms) < 5000);

    // After the yield A contends again, finds B holding, and is its standby.
    QVERIFY(a->waitForOutput(QStringLiteral("Handover yield over: contending for the lock again"), int(YieldMs + 5000)));
    QVERIFY(QTest::qWaitFor(
        [&] {
            const QString text = a->output();
            return text.indexOf(QStringLiteral("Can't acquire lock (lock owner is b.test"), text.indexOf(QStringLiteral("Handover yield over"))) >= 0;
        },
        5000));
    QCOMPARE(journal(QStringLiteral("start")).size(), 2);
    QCOMPARE(actions().size(), 1); // no take-back

    for (const auto &p : {a, b}) {
        p->signal(SIGTERM);
        QVERIFY(p->waitForExit());
        QCOMPARE(p->exitCode(), 143);
    }
    const QString violation = TaskJournal::checkNoOverlapAndGrowingTokens(journal());
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
}

// The only instance is asked to hand over between runs: it releases at once, says so in its
// heartbeat, and, nobody having taken the lock, takes it back after the yield.
void TestConsulHandoverRequest::onlyInstanceTakesTheLockBackAfterTheYield()
{
    QProcessEnvironment liveness;
    liveness.insert(QStringLiteral("JOBSLIB_LIVENESS_BACKEND"), QStringLiteral("consul"));
    liveness.insert(QStringLiteral("JOBSLIB_LIVENESS_CONSUL_ADDRESS"), m_sim->address());
    liveness.insert(QStringLiteral("JOBSLIB_LIVENESS_CONSUL_KEY"), LivenessKey);
    const auto a = startInstance(QStringLiteral("a"), QStringLiteral("0.1"), liveness);
    QVERIFY(a->waitForOutput(QStringLiteral("Sleep for 30 seconds, lock is kept")));
    const JournalEntry first = journal(QStringLiteral("start")).constFirst();

    const qint64 requestedAt = nowMs();
    QVERIFY(requestHandover(QStringLiteral("tester@ci"), QString()));
    QVERIFY(a->waitForOutput(QStringLiteral("Handover requested by tester@ci; releasing the lock now (between runs)"), 5000));
    QVERIFY(QTest::qWaitFor([&] { return heartbeat(QStringLiteral("a"), a->pid()).value(QLatin1String("state")).toString() == QLatin1String("handing-over"); },
                            5000));
    QCOMPARE(heartbeat(QStringLiteral("a"), a->pid()).value(QLatin1String("fencing_token")).toInteger(), 0);
    QVERIFY(!get(handoverKey(Key)).has_value());

    QVERIFY(QTest::qWaitFor([&] { return journal(QStringLiteral("start")).size() == 2; }, int(YieldMs + 10000)));
    const JournalEntry second = journal(QStringLiteral("start")).constLast();
    QCOMPARE(second.instance, QStringLiteral("a"));
    QVERIFY(second.token > first.token);
    // Not before the yield was over: the lock was free all along, and nobody contended. (Clock's
    // timers of 2 s and more are coarse: Qt may fire them up to 5 % early.)
    QVERIFY2(second.ms - requestedAt >= YieldMs * 95 / 100 - 100, qPrintable(QStringLiteral("took it back after %1 ms").arg(second.ms - requestedAt)));
    QVERIFY(a->waitForOutput(QStringLiteral("The lock was still free after the handover (nobody took it over): taking it back")));

    QList<ActionRecord> log;
    QTRY_VERIFY_WITH_TIMEOUT((log = actions()).size() == 2, 5000);
    QCOMPARE(log.at(0).action, QStringLiteral("handover"));
    QCOMPARE(log.at(0).outcome, QStringLiteral("done"));
    QCOMPARE(log.at(0).detail, QStringLiteral("released between runs, after run 1"));
    QCOMPARE(log.at(1).action, QStringLiteral("take-back"));
    QCOMPARE(log.at(1).outcome, QStringLiteral("done"));
    QCOMPARE(log.at(1).target, QStringLiteral("a.test pid %1, token %2").arg(a->pid()).arg(second.token));

    a->signal(SIGTERM);
    QVERIFY(a->waitForExit());
    QCOMPARE(a->exitCode(), 143);
    const QString violation = TaskJournal::checkNoOverlapAndGrowingTokens(journal());
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
}

QTEST_GUILESS_MAIN(TestConsulHandoverRequest)
#include "tst_consulhandoverrequest.moc"
