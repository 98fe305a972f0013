// SPDX-License-Identifier: BSD-3-Clause
// EtcdClient against a real etcd 3.4 (Debian's etcd-server): KV round trips with binary data, the
// create-if-absent and delete-if-created-at transactions, leases, watches, endpoint failover,
// authentication and the request timeout. Loopback only; every wait is a condition with a deadline.
#include "etcd/etcdclient.h"
#include "etcdcluster.h"
#include "util/logcategories.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPointer>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <memory>

using namespace jobslib;
using jobslib::test::EtcdCluster;

namespace {

/*! Every binary byte, \0 and 0xff included. */
QByteArray allBytes()
{
    QByteArray b;
    for (int i = 0; i < 256; ++i)
        b.append(char(i));
    return b;
}

/*! What jobslib.etcd logged (to prove that no secret is in it). */
QMutex g_logMutex;
QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;

void captureLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (context.category && qstrcmp(context.category, "jobslib.etcd") == 0) {
        QMutexLocker lock(&g_logMutex);
        g_log.append(message);
    }
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

bool isUnavailableForTest(const EtcdError &e)
{
    return e.httpStatus == 503 || e.grpcCode == 14;
}

} // namespace

class TestEtcdClient : public QObject
{
    Q_OBJECT

    std::unique_ptr<EtcdCluster> m_etcd; ///< one member, shared by the tests that do not break it
    QNetworkAccessManager m_network;
    QList<std::shared_ptr<int>> m_callbackCounts;

    std::unique_ptr<EtcdClient> client(const QList<QUrl> &endpoints, int timeoutMs = 5000, const QString &user = {}, const QString &password = {})
    {
        EtcdEndpoint e;
        e.endpoints = endpoints;
        e.timeoutMs = timeoutMs;
        e.username = user;
        e.password = password;
        return std::make_unique<EtcdClient>(&m_network, e);
    }

    std::unique_ptr<EtcdCluster> startCluster(int members)
    {
        auto cluster = std::make_unique<EtcdCluster>();
        QString error;
        if (!cluster->start(members, &error)) {
            qWarning().noquote() << error;
            return nullptr;
        }
        return cluster;
    }

    /*!
     * Runs call(context, callback) and waits for the callback. Every callback is counted;
     * cleanup() checks that each one ran exactly once.
     */
    template<typename T, typename Call>
    EtcdResult<T> await(Call &&call, int timeoutMs = 20000)
    {
        auto result = std::make_shared<std::optional<EtcdResult<T>>>();
        auto calls = std::make_shared<int>(0);
        m_callbackCounts.append(calls);
        call(this, [result, calls](const EtcdResult<T> &r) {
            *result = r;
            ++*calls;
        });
        if (!QTest::qWaitFor([&] { return result->has_value(); }, timeoutMs)) {
            EtcdResult<T> r;
            r.error.message = QStringLiteral("test: no callback within %1 ms").arg(timeoutMs);
            return r;
        }
        return **result;
    }

    EtcdResult<EtcdRead> get(EtcdClient &c, const QByteArray &key)
    {
        return await<EtcdRead>([&](QObject *ctx, auto done) { c.get(key, ctx, done); });
    }
    EtcdResult<qint64> put(EtcdClient &c, const QByteArray &key, const QByteArray &value, qint64 lease = 0)
    {
        return await<qint64>([&](QObject *ctx, auto done) { c.put(key, value, lease, ctx, done); });
    }
    EtcdResult<EtcdCreate> create(EtcdClient &c, const QByteArray &key, const QByteArray &value, qint64 lease)
    {
        return await<EtcdCreate>([&](QObject *ctx, auto done) { c.createIfAbsent(key, value, lease, ctx, done); });
    }
    EtcdResult<qint64> grant(EtcdClient &c, qint64 ttl)
    {
        return await<qint64>([&](QObject *ctx, auto done) { c.grantLease(ttl, ctx, done); });
    }
    EtcdResult<qint64> keepAlive(EtcdClient &c, qint64 lease)
    {
        return await<qint64>([&](QObject *ctx, auto done) { c.keepAlive(lease, ctx, done); });
    }
    EtcdResult<bool> revoke(EtcdClient &c, qint64 lease)
    {
        return await<bool>([&](QObject *ctx, auto done) { c.revokeLease(lease, ctx, done); });
    }

    /*! etcd_debugging_mvcc_watcher_total of a member: the watchers it has (-1 when unknown). */
    int watchers(EtcdCluster &cluster, int member)
    {
        QNetworkRequest request(QUrl(cluster.clientUrl(member).toString() + QStringLiteral("/metrics")));
        QPointer<QNetworkReply> reply = m_network.get(request);
        if (!QTest::qWaitFor([&] { return !reply || reply->isFinished(); }, 5000) || !reply)
            return -1;
        reply->deleteLater();
        static const QRegularExpression re(QStringLiteral("^etcd_debugging_mvcc_watcher_total (\\d+)$"), QRegularExpression::MultilineOption);
        const QRegularExpressionMatch m = re.match(QString::fromUtf8(reply->readAll()));
        return m.hasMatch() ? m.captured(1).toInt() : -1;
    }

    /*! Collects what a watch reports. */
    struct WatchLog
    {
        int created = 0;
        QList<EtcdWatchEvent> events;
        QList<EtcdError> failures;
    };
    static std::shared_ptr<WatchLog> observe(EtcdWatch *watch)
    {
        auto log = std::make_shared<WatchLog>();
        connect(watch, &EtcdWatch::created, watch, [log] { ++log->created; });
        connect(watch, &EtcdWatch::events, watch, [log](const QList<EtcdWatchEvent> &events) { log->events += events; });
        connect(watch, &EtcdWatch::failed, watch, [log](const EtcdError &e) { log->failures.append(e); });
        return log;
    }

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void kvRoundTripWithBinaryData();
    void createIfAbsentFirstWinsSecondSeesHolder();
    void deleteIfCreatedAtOnlyAtThatRevision();
    void leaseGrantKeepAliveRevoke();
    void callbackDroppedWithItsContext();
    void watchReportsChangesInOrder();
    void watchFromRevisionAndCompaction();
    void watchManyEventsInOneStream();
    void failoverToTheNextMember();
    void allEndpointsDeadIsOneNetworkError();
    void watchEndsWhenItsMemberLosesTheLeader();
    void authentication();
    void timeoutAgainstFrozenMember();
};

void TestEtcdClient::initTestCase()
{
    if (!EtcdCluster::isAvailable())
        QSKIP("etcd is not installed (Debian package etcd-server)");
    m_network.setProxy(QNetworkProxy::NoProxy);
    g_previousHandler = qInstallMessageHandler(captureLog);
    m_etcd = startCluster(1);
    QVERIFY(m_etcd);
}

void TestEtcdClient::cleanup()
{
    // Each callback exactly once: none missing, none twice (later requests gave duplicates time).
    for (const auto &count : std::as_const(m_callbackCounts))
        QCOMPARE(*count, 1);
    m_callbackCounts.clear();
}

void TestEtcdClient::cleanupTestCase()
{
    m_etcd.reset();
    qInstallMessageHandler(g_previousHandler);
}

void TestEtcdClient::kvRoundTripWithBinaryData()
{
    auto c = client(m_etcd->clientUrls());
    const QByteArray prefix = "t/kv/";
    const QByteArray binaryKey = prefix + QByteArray("\x00\xff\x01/", 4);

    const auto missing = get(*c, prefix + "missing");
    QVERIFY2(missing.ok(), qPrintable(missing.error.describe()));
    QVERIFY(!missing.value->kv);
    QVERIFY(missing.value->revision > 0);

    const auto written = put(*c, prefix + "a", allBytes());
    QVERIFY2(written.ok(), qPrintable(written.error.describe()));
    QVERIFY(*written.value > missing.value->revision);
    // Another client reads exactly these bytes.
    QCOMPARE(m_etcd->get(QByteArray(prefix + "a")).value_or(QByteArray()), allBytes());

    const auto read = get(*c, prefix + "a");
    QVERIFY2(read.ok(), qPrintable(read.error.describe()));
    QVERIFY(read.value->kv);
    QCOMPARE(read.value->kv->key, prefix + "a");
    QCOMPARE(read.value->kv->value, allBytes());
    QCOMPARE(read.value->kv->createRevision, *written.value);
    QCOMPARE(read.value->kv->modRevision, *written.value);
    QCOMPARE(read.value->kv->version, 1);
    QCOMPARE(read.value->kv->lease, 0);
    QCOMPARE(read.value->revision, *written.value);

    // Overwrite: the version counts, the create revision stays. An empty value is left out of
    // etcd's JSON and reads back empty.
    const auto again = put(*c, prefix + "a", QByteArray());
    QVERIFY(again.ok());
    const auto reread = get(*c, prefix + "a");
    QVERIFY(reread.ok() && reread.value->kv);
    QCOMPARE(reread.value->kv->value, QByteArray());
    QCOMPARE(reread.value->kv->version, 2);
    QCOMPARE(reread.value->kv->createRevision, *written.value);
    QCOMPARE(reread.value->kv->modRevision, *again.value);

    QVERIFY(put(*c, prefix + "b", "bee").ok());
    QVERIFY(put(*c, binaryKey, allBytes()).ok());
    QVERIFY(put(*c, "t/kw", "outside the prefix").ok());
    const auto listed = await<QList<EtcdKv>>([&](QObject *ctx, auto done) { c->list(prefix, ctx, done); });
    QVERIFY2(listed.ok(), qPrintable(listed.error.describe()));
    QCOMPARE(listed.value->size(), 3);
    QCOMPARE(listed.value->at(0).key, binaryKey); // byte order: "\0" sorts first
    QCOMPARE(listed.value->at(0).value, allBytes());
    QCOMPARE(listed.value->at(1).key, prefix + "a");
    QCOMPARE(listed.value->at(2).key, prefix + "b");
    QCOMPARE(listed.value->at(2).value, QByteArray("bee"));

    const auto removed = await<qint64>([&](QObject *ctx, auto done) { c->remove(prefix + "b", ctx, done); });
    QVERIFY2(removed.ok(), qPrintable(removed.error.describe()));
    QCOMPARE(*removed.value, 1);
    const auto removedAgain = await<qint64>([&](QObject *ctx, auto done) { c->remove(prefix + "b", ctx, done); });
    QVERIFY(removedAgain.ok());
    QCOMPARE(*removedAgain.value, 0);
    const auto gone = get(*c, prefix + "b");
    QVERIFY(gone.ok());
    QVERIFY(!gone.value->kv);
}

void TestEtcdClient::createIfAbsentFirstWinsSecondSeesHolder()
{
    auto a = client(m_etcd->clientUrls());
    auto b = client(m_etcd->clientUrls());
    const QByteArray key = "t/create/lock";
    const auto leaseA = grant(*a, 30);
    const auto leaseB = grant(*b, 30);
    QVERIFY2(leaseA.ok() && leaseB.ok(), qPrintable(leaseA.error.describe() + leaseB.error.describe()));

    const auto first = create(*a, key, "holder a", *leaseA.value);
    QVERIFY2(first.ok(), qPrintable(first.error.describe()));
    QVERIFY(first.value->created);
    QVERIFY(!first.value->existing);
    const auto read = get(*a, key);
    QVERIFY(read.ok() && read.value->kv);
    QCOMPARE(read.value->kv->createRevision, first.value->revision);
    QCOMPARE(read.value->kv->lease, *leaseA.value);

    const auto second = create(*b, key, "holder b", *leaseB.value);
    QVERIFY2(second.ok(), qPrintable(second.error.describe()));
    QVERIFY(!second.value->created);
    QVERIFY(second.value->existing);
    QCOMPARE(second.value->existing->key, key);
    QCOMPARE(second.value->existing->value, QByteArray("holder a"));
    QCOMPARE(second.value->existing->lease, *leaseA.value);
    QCOMPARE(second.value->existing->createRevision, first.value->revision);
    QVERIFY(second.value->revision >= first.value->revision);
    QCOMPARE(m_etcd->get(key).value_or(QByteArray()), QByteArray("holder a"));

    QVERIFY(revoke(*a, *leaseA.value).ok());
    QVERIFY(revoke(*b, *leaseB.value).ok());
}

void TestEtcdClient::deleteIfCreatedAtOnlyAtThatRevision()
{
    auto c = client(m_etcd->clientUrls());
    const QByteArray key = "t/delete/lock";
    const auto deleteAt = [&](qint64 revision) {
        return await<bool>([&](QObject *ctx, auto done) { c->deleteIfCreatedAt(key, revision, ctx, done); });
    };
    const auto first = create(*c, key, "one", 0);
    QVERIFY(first.ok() && first.value->created);
    const qint64 firstRevision = first.value->revision;

    auto wrong = deleteAt(firstRevision + 1000);
    QVERIFY2(wrong.ok(), qPrintable(wrong.error.describe()));
    QVERIFY(!*wrong.value);
    QVERIFY(m_etcd->get(key));

    // Deleted and created again (by someone else): the old revision deletes nothing.
    QVERIFY(m_etcd->remove(key));
    const auto second = create(*c, key, "two", 0);
    QVERIFY(second.ok() && second.value->created);
    QVERIFY(second.value->revision > firstRevision);
    auto stale = deleteAt(firstRevision);
    QVERIFY(stale.ok());
    QVERIFY(!*stale.value);
    QCOMPARE(m_etcd->get(key).value_or(QByteArray()), QByteArray("two"));

    auto right = deleteAt(second.value->revision);
    QVERIFY2(right.ok(), qPrintable(right.error.describe()));
    QVERIFY(*right.value);
    QVERIFY(!m_etcd->get(key));
    // Absent now: nothing to delete.
    auto absent = deleteAt(second.value->revision);
    QVERIFY(absent.ok());
    QVERIFY(!*absent.value);
}

void TestEtcdClient::leaseGrantKeepAliveRevoke()
{
    auto c = client(m_etcd->clientUrls());
    const auto lease = grant(*c, 30);
    QVERIFY2(lease.ok(), qPrintable(lease.error.describe()));
    QVERIFY(*lease.value > 0);

    // The keep-alive stream is left after its first answer: well within the timeout.
    QElapsedTimer t;
    t.start();
    const auto alive = keepAlive(*c, *lease.value);
    QVERIFY2(alive.ok(), qPrintable(alive.error.describe()));
    QVERIFY(*alive.value > 0 && *alive.value <= 30);
    QVERIFY2(t.elapsed() < 2500, qPrintable(QString::number(t.elapsed())));

    const QByteArray key = "t/lease/attached";
    QVERIFY(put(*c, key, "with lease", *lease.value).ok());
    const auto attached = get(*c, key);
    QVERIFY(attached.ok() && attached.value->kv);
    QCOMPARE(attached.value->kv->lease, *lease.value);

    const auto revoked = revoke(*c, *lease.value);
    QVERIFY2(revoked.ok(), qPrintable(revoked.error.describe()));
    QVERIFY(*revoked.value);
    const auto dead = keepAlive(*c, *lease.value);
    QVERIFY2(dead.ok(), qPrintable(dead.error.describe()));
    QCOMPARE(*dead.value, 0);
    const auto gone = get(*c, key);
    QVERIFY(gone.ok());
    QVERIFY(!gone.value->kv);

    // Revoking a lease etcd does not know (any more) is fine.
    const auto again = revoke(*c, *lease.value);
    QVERIFY2(again.ok(), qPrintable(again.error.describe()));
    QVERIFY(*again.value);
    QVERIFY(revoke(*c, 123456789).ok());

    // A put with a lease that does not exist is refused with etcd's error.
    const auto refused = put(*c, key, "x", *lease.value);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error.httpStatus, 404);
    QCOMPARE(refused.error.grpcCode, 5);
    QVERIFY2(refused.error.describe().contains(QLatin1String("requested lease not found")), qPrintable(refused.error.describe()));
}

void TestEtcdClient::callbackDroppedWithItsContext()
{
    auto c = client(m_etcd->clientUrls());
    bool called = false;
    auto context = std::make_unique<QObject>();
    c->put("t/context/k", "v", 0, context.get(), [&called](const EtcdResult<qint64> &) { called = true; });
    context.reset();
    // The put itself still happens; a later request's answer proves it was answered meanwhile.
    QVERIFY(QTest::qWaitFor([&] { return m_etcd->get(QByteArray("t/context/k")).has_value(); }, 10000));
    QVERIFY(get(*c, "t/context/k").ok());
    QVERIFY(!called);
}

void TestEtcdClient::watchReportsChangesInOrder()
{
    auto c = client(m_etcd->clientUrls());
    const QByteArray key = "t/watch/key";
    const int before = watchers(*m_etcd, 0);
    QVERIFY(before >= 0);

    QPointer<EtcdWatch> watch = c->watch(key, 0, this);
    auto log = observe(watch);
    QVERIFY(QTest::qWaitFor([&] { return log->created == 1 || !log->failures.isEmpty(); }, 10000));
    QCOMPARE(log->created, 1);
    QVERIFY(log->failures.isEmpty());
    QVERIFY(watch->lastRevision() > 0);
    QCOMPARE(watchers(*m_etcd, 0), before + 1);

    // Changes by another client, one put and one delete.
    QVERIFY(m_etcd->put(key, allBytes()));
    QVERIFY(m_etcd->put(QByteArray("t/watch/other"), "not watched"));
    QVERIFY(m_etcd->remove(key));
    QVERIFY(QTest::qWaitFor([&] { return log->events.size() >= 2; }, 10000));
    QCOMPARE(log->events.size(), 2);
    const EtcdWatchEvent &putEvent = log->events.at(0);
    const EtcdWatchEvent &del = log->events.at(1);
    QCOMPARE(putEvent.type, EtcdWatchEvent::Type::Put);
    QCOMPARE(putEvent.kv.key, key);
    QCOMPARE(putEvent.kv.value, allBytes());
    QCOMPARE(putEvent.kv.createRevision, putEvent.kv.modRevision);
    QCOMPARE(putEvent.kv.version, 1);
    QCOMPARE(del.type, EtcdWatchEvent::Type::Delete);
    QCOMPARE(del.kv.key, key);
    QCOMPARE(del.kv.modRevision, putEvent.kv.modRevision + 2); // the other key's put is in between
    QCOMPARE(watch->lastRevision(), del.kv.modRevision);
    const auto now = get(*c, key);
    QVERIFY(now.ok());
    QCOMPARE(now.value->revision, del.kv.modRevision);

    // Deleting the watch ends it at etcd too, without a signal.
    delete watch;
    QVERIFY(QTest::qWaitFor([&] { return watchers(*m_etcd, 0) == before; }, 10000));
    QVERIFY(log->failures.isEmpty());
}

void TestEtcdClient::watchFromRevisionAndCompaction()
{
    auto c = client(m_etcd->clientUrls());
    const QByteArray key = "t/history/key";
    const auto first = put(*c, key, "1");
    const auto second = put(*c, key, "2");
    QVERIFY(first.ok() && second.ok());

    // From a past revision: the history is replayed, then the watch goes on.
    QPointer<EtcdWatch> watch = c->watch(key, *first.value, this);
    auto log = observe(watch);
    QVERIFY(QTest::qWaitFor([&] { return log->events.size() >= 2 || !log->failures.isEmpty(); }, 10000));
    QCOMPARE(log->created, 1);
    QCOMPARE(log->events.size(), 2);
    QCOMPARE(log->events.at(0).kv.value, QByteArray("1"));
    QCOMPARE(log->events.at(1).kv.value, QByteArray("2"));
    QCOMPARE(watch->lastRevision(), *second.value);
    delete watch;

    // Compacted past the start revision: failed() once, saying so.
    const auto third = put(*c, key, "3");
    QVERIFY(third.ok());
    const EtcdCluster::Reply compacted =
        m_etcd->request(0, QStringLiteral("/v3/kv/compaction"), QStringLiteral(R"({"revision":"%1","physical":true})").arg(*third.value).toUtf8());
    QVERIFY2(compacted.ok(), qPrintable(compacted.describe()));
    watch = c->watch(key, *first.value, this);
    log = observe(watch);
    QVERIFY(QTest::qWaitFor([&] { return !log->failures.isEmpty(); }, 10000));
    QCOMPARE(log->failures.size(), 1);
    QCOMPARE(log->failures.at(0).compactRevision, *third.value);
    QVERIFY2(log->failures.at(0).describe().contains(QLatin1String("compacted")), qPrintable(log->failures.at(0).describe()));
    QVERIFY(log->events.isEmpty());
    delete watch;
}

void TestEtcdClient::watchManyEventsInOneStream()
{
    // Many answers in quick succession: joined and split across network chunks as they come.
    auto c = client(m_etcd->clientUrls());
    const QByteArray key = "t/many/key";
    QPointer<EtcdWatch> watch = c->watch(key, 0, this);
    auto log = observe(watch);
    QVERIFY(QTest::qWaitFor([&] { return log->created == 1; }, 10000));
    const int count = 200;
    auto results = std::make_shared<int>(0);
    for (int i = 0; i < count; ++i)
        c->put(key, QByteArray::number(i) + QByteArray(i * 37 % 3000, '{'), 0, this, [results](const EtcdResult<qint64> &r) {
            if (r.ok())
                ++*results;
        });
    QVERIFY(QTest::qWaitFor([&] { return *results == count && log->events.size() >= count; }, 30000));
    QCOMPARE(log->events.size(), count);
    QSet<QByteArray> values;
    for (int i = 0; i < count; ++i) {
        if (i > 0)
            QCOMPARE(log->events.at(i).kv.modRevision, log->events.at(i - 1).kv.modRevision + 1);
        QCOMPARE(log->events.at(i).kv.version, i + 1);
        values.insert(log->events.at(i).kv.value);
    }
    QCOMPARE(values.size(), count);
    QCOMPARE(watch->lastRevision(), log->events.constLast().kv.modRevision);
    QVERIFY(log->failures.isEmpty());
    delete watch;
}

void TestEtcdClient::failoverToTheNextMember()
{
    auto cluster = startCluster(3);
    QVERIFY(cluster);
    auto c = client(cluster->clientUrls(), 2000);
    QVERIFY(put(*c, "t/failover/k", "1").ok());
    const QUrl first = c->currentEndpoint();
    QCOMPARE(first, cluster->clientUrls().constFirst());

    // A watch on that member ends when it dies, once; opened again it lands on another member.
    QPointer<EtcdWatch> watch = c->watch("t/failover/k", 0, this);
    auto log = observe(watch);
    QVERIFY(QTest::qWaitFor([&] { return log->created == 1; }, 10000));

    cluster->killMember(0);
    QVERIFY(QTest::qWaitFor([&] { return !log->failures.isEmpty(); }, 10000));
    QCOMPARE(log->failures.size(), 1);
    QVERIFY(log->failures.at(0).isNetwork());

    QElapsedTimer t;
    t.start();
    const auto second = put(*c, "t/failover/k", "2");
    QVERIFY2(second.ok(), qPrintable(second.error.describe()));
    QVERIFY(c->currentEndpoint() != first);
    QVERIFY(cluster->clientUrls().contains(c->currentEndpoint()));
    QVERIFY2(t.elapsed() < 2000 + 3000, qPrintable(QString::number(t.elapsed())));
    const auto read = get(*c, "t/failover/k");
    QVERIFY(read.ok() && read.value->kv);
    QCOMPARE(read.value->kv->value, QByteArray("2"));

    const qint64 from = watch->lastRevision() + 1;
    delete watch;
    watch = c->watch("t/failover/k", from, this);
    log = observe(watch);
    QVERIFY(QTest::qWaitFor([&] { return !log->events.isEmpty() || !log->failures.isEmpty(); }, 10000));
    QVERIFY(log->failures.isEmpty());
    QCOMPARE(log->events.constFirst().kv.value, QByteArray("2")); // nothing missed in between
    delete watch;

    // A new client starts at the dead member and moves on as well.
    auto fresh = client(cluster->clientUrls(), 2000);
    const auto lease = grant(*fresh, 10);
    QVERIFY2(lease.ok(), qPrintable(lease.error.describe()));
    QVERIFY(fresh->currentEndpoint() != first);
    const auto alive = keepAlive(*fresh, *lease.value);
    QVERIFY2(alive.ok() && *alive.value > 0, qPrintable(alive.error.describe()));
}

void TestEtcdClient::allEndpointsDeadIsOneNetworkError()
{
    auto cluster = startCluster(3);
    QVERIFY(cluster);
    const int timeoutMs = 1000;
    auto c = client(cluster->clientUrls(), timeoutMs);
    QVERIFY(put(*c, "t/dead/k", "1").ok());
    // One refuses connections, two hang (frozen): each endpoint is tried once.
    cluster->killMember(0);
    cluster->pauseMember(1);
    cluster->pauseMember(2);
    QElapsedTimer t;
    t.start();
    const auto r = get(*c, "t/dead/k");
    const qint64 elapsed = t.elapsed();
    QVERIFY(!r.ok());
    QVERIFY(r.error.isNetwork());
    QVERIFY(r.error.timedOut);
    const QString text = r.error.describe();
    QVERIFY2(text.contains(QLatin1String("all 3 endpoints")), qPrintable(text));
    QVERIFY2(text.contains(cluster->clientUrl(0).toString()) && text.contains(QLatin1String("refused"), Qt::CaseInsensitive), qPrintable(text));
    QVERIFY2(text.contains(cluster->clientUrl(1).toString()) && text.contains(QLatin1String("no answer within 1000 ms")), qPrintable(text));
    QVERIFY2(elapsed >= 2 * timeoutMs - 100 && elapsed < 3 * timeoutMs + 2000, qPrintable(QString::number(elapsed)));

    // All refusing: the same error once, at once.
    cluster->killMember(1);
    cluster->killMember(2);
    t.restart();
    const auto refused = get(*c, "t/dead/k");
    QVERIFY(!refused.ok());
    QVERIFY(refused.error.isNetwork());
    QVERIFY(!refused.error.timedOut);
    QVERIFY2(refused.error.describe().startsWith(QLatin1String("network: Connection refused (all 3 endpoints)")), qPrintable(refused.error.describe()));
    QVERIFY2(t.elapsed() < timeoutMs, qPrintable(QString::number(t.elapsed())));

    // A watch fails once too.
    QPointer<EtcdWatch> watch = c->watch("t/dead/k", 0, this);
    auto log = observe(watch);
    QVERIFY(QTest::qWaitFor([&] { return !log->failures.isEmpty(); }, 10000));
    QCOMPARE(log->failures.size(), 1);
    QCOMPARE(log->created, 0);
    QVERIFY(log->failures.at(0).describe().contains(QLatin1String("all 3 endpoints")));
    delete watch;
}

void TestEtcdClient::watchEndsWhenItsMemberLosesTheLeader()
{
    // A member cut off from the quorum would keep a watch open and quiet forever; with
    // "hasleader" etcd ends it, so the caller notices and re-creates it elsewhere.
    auto cluster = startCluster(3);
    QVERIFY(cluster);
    auto c = client(cluster->clientUrls(), 2000);
    QPointer<EtcdWatch> watch = c->watch("t/leader/k", 0, this);
    auto log = observe(watch);
    QVERIFY(QTest::qWaitFor([&] { return log->created == 1; }, 10000));
    QCOMPARE(c->currentEndpoint(), cluster->clientUrls().constFirst());
    cluster->killMember(1);
    cluster->killMember(2);
    QVERIFY(QTest::qWaitFor([&] { return !log->failures.isEmpty(); }, 15000));
    QCOMPARE(log->failures.size(), 1);
    const EtcdError &e = log->failures.constFirst();
    QVERIFY2(isUnavailableForTest(e) && e.describe().contains(QLatin1String("no leader")), qPrintable(e.describe()));
    delete watch;

    // The keep-alive on that member fails at once too, instead of after etcd's request timeout.
    QElapsedTimer t;
    t.start();
    const auto alive = keepAlive(*c, 42);
    QVERIFY(!alive.ok());
    QVERIFY2(alive.error.describe().contains(QLatin1String("no leader")), qPrintable(alive.error.describe()));
    QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
}

void TestEtcdClient::authentication()
{
    {
        QMutexLocker lock(&g_logMutex);
        g_log.clear();
    }
    // Logged whatever QT_LOGGING_RULES says, to check what is in it.
    const_cast<QLoggingCategory &>(lcEtcd()).setEnabled(QtDebugMsg, true);
    auto cluster = startCluster(1);
    QVERIFY(cluster);
    const QString password = QStringLiteral("s3cret-pw");
    QString error;
    QVERIFY2(cluster->enableAuth(password, &error), qPrintable(error));

    auto wrong = client(cluster->clientUrls(), 5000, QStringLiteral("root"), QStringLiteral("not-it"));
    const auto refused = get(*wrong, "t/auth/k");
    QVERIFY(!refused.ok());
    QVERIFY(!refused.error.isNetwork());
    const QString text = refused.error.describe();
    QVERIFY2(text.contains(QLatin1String("authentication as 'root' failed")) && text.contains(QLatin1String("invalid user ID or password")), qPrintable(text));
    QVERIFY(!text.contains(QLatin1String("not-it")));
    // The watch says the same.
    QPointer<EtcdWatch> refusedWatch = wrong->watch("t/auth/k", 0, this);
    auto refusedLog = observe(refusedWatch);
    QVERIFY(QTest::qWaitFor([&] { return !refusedLog->failures.isEmpty(); }, 10000));
    QVERIFY(refusedLog->failures.at(0).describe().contains(QLatin1String("invalid user ID or password")));
    delete refusedWatch;

    // No credentials at all: etcd's own error.
    auto anonymous = client(cluster->clientUrls());
    const auto noUser = get(*anonymous, "t/auth/k");
    QVERIFY(!noUser.ok());
    QVERIFY2(noUser.error.describe().contains(QLatin1String("user name is empty")), qPrintable(noUser.error.describe()));

    auto right = client(cluster->clientUrls(), 5000, QStringLiteral("root"), password);
    QVERIFY(put(*right, "t/auth/k", "1").ok());
    const auto read = get(*right, "t/auth/k");
    QVERIFY2(read.ok() && read.value->kv, qPrintable(read.error.describe()));
    QPointer<EtcdWatch> watch = right->watch("t/auth/k", 0, this);
    auto log = observe(watch);
    QVERIFY(QTest::qWaitFor([&] { return log->created == 1 || !log->failures.isEmpty(); }, 10000));
    QCOMPARE(log->created, 1);
    delete watch;

    // A restarted member has forgotten every token: the client fetches a new one by itself.
    cluster->stopMember(0);
    QVERIFY2(cluster->startMember(0, &error), qPrintable(error));
    const auto afterRestart = put(*right, "t/auth/k", "2");
    QVERIFY2(afterRestart.ok(), qPrintable(afterRestart.error.describe()));
    // The same for a watch.
    cluster->stopMember(0);
    QVERIFY2(cluster->startMember(0, &error), qPrintable(error));
    watch = right->watch("t/auth/k", 0, this);
    log = observe(watch);
    QVERIFY(QTest::qWaitFor([&] { return log->created == 1 || !log->failures.isEmpty(); }, 10000));
    QVERIFY2(log->failures.isEmpty(), qPrintable(log->failures.value(0).describe()));
    QVERIFY(cluster->put(QByteArray("t/auth/k"), "3"));
    QVERIFY(QTest::qWaitFor([&] { return !log->events.isEmpty(); }, 10000));
    QCOMPARE(log->events.constFirst().kv.value, QByteArray("3"));
    delete watch;

    // Neither the password nor a token (simple tokens: 16 letters, '.', the Raft index) is logged.
    QStringList logged;
    {
        QMutexLocker lock(&g_logMutex);
        logged = g_log;
    }
    QVERIFY(!logged.isEmpty());
    static const QRegularExpression tokenLike(QStringLiteral("[A-Za-z]{16}\\.\\d+"));
    for (const QString &line : std::as_const(logged)) {
        QVERIFY2(!line.contains(password) && !line.contains(QLatin1String("not-it")), qPrintable(line));
        QVERIFY2(!line.contains(tokenLike), qPrintable(line));
    }
}

void TestEtcdClient::timeoutAgainstFrozenMember()
{
    auto cluster = startCluster(1);
    QVERIFY(cluster);
    auto c = client(cluster->clientUrls(), 1000);
    QVERIFY(put(*c, "t/frozen/k", "1").ok());
    cluster->pauseMember(0);

    QElapsedTimer t;
    t.start();
    const auto r = get(*c, "t/frozen/k");
    const qint64 elapsed = t.elapsed();
    QVERIFY(!r.ok());
    QVERIFY(r.error.isNetwork());
    QVERIFY(r.error.timedOut);
    QVERIFY2(r.error.describe().startsWith(QLatin1String("timeout: no answer within 1000 ms (") + cluster->clientUrl(0).toString()),
             qPrintable(r.error.describe()));
    QVERIFY2(elapsed >= 900 && elapsed < 4000, qPrintable(QString::number(elapsed)));

    // The keep-alive and a watch that cannot open time out the same way.
    const auto alive = keepAlive(*c, 42);
    QVERIFY(!alive.ok());
    QVERIFY(alive.error.timedOut);
    QPointer<EtcdWatch> watch = c->watch("t/frozen/k", 0, this);
    auto log = observe(watch);
    QVERIFY(QTest::qWaitFor([&] { return !log->failures.isEmpty(); }, 10000));
    QVERIFY(log->failures.at(0).timedOut);
    delete watch;

    cluster->resumeMember(0);
    QVERIFY(cluster->waitHealthy());
    const auto back = get(*c, "t/frozen/k");
    QVERIFY2(back.ok() && back.value->kv, qPrintable(back.error.describe()));
}

QTEST_GUILESS_MAIN(TestEtcdClient)
#include "tst_etcdclient.moc"
