// SPDX-License-Identifier: BSD-3-Clause
// EtcdKvStore (and KvStore's watch multiplexing) against a real etcd 3.4 (Debian's etcd-server):
// the KvStore contract that Consul's test checks too (kvstorecontract.h: reads and writes, watches
// that share one watch stream), and what is etcd's own: the holder's lease, a member that stops and
// comes back. Loopback only; every wait is a condition with a deadline.
#include "app/backendregistry.h"
#include "etcd/etcdclient.h"
#include "etcdcluster.h"
#include "kv/etcdkvstore.h"
#include "kv/kvstore.h"
#include "kvstorecontract.h"
#include "kvtesting.h"
#include "testcontext.h"

#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <optional>

using namespace jobslib;
using jobslib::test::CountingNetwork;
using jobslib::test::KvAwait;
using jobslib::test::KvServerProbe;
using jobslib::test::EtcdCluster;
namespace KvStoreContract = jobslib::test::KvStoreContract;

namespace {

const QString WatchPath = QStringLiteral("/v3/watch");
const QString RangePath = QStringLiteral("/v3/kv/range");

/*!
 * etcd's side of the contract checks: the watch streams and listings (ranges) the store's client
 * opened since mark() (the gateway's URLs do not tell the prefix; the store's watchedPrefix() does),
 * and another client's writes straight to the cluster.
 */
class EtcdServer : public KvServerProbe
{
public:
    EtcdServer(EtcdCluster &etcd, const CountingNetwork &network) : m_etcd(etcd), m_network(network) {}

    bool write(const QString &key, const QByteArray &value) override { return m_etcd.put(key.toUtf8(), value); }

    void mark() override
    {
        m_watches = m_network.count(WatchPath);
        m_ranges = m_network.count(RangePath);
    }
    // Not waited for: a change right after the listing, before the stream is open, must not be
    // lost (the store watches from the listing's revision).
    void waitUntilWatching() override {}
    void expectOneWatchStarted(const QString &) override
    {
        QTRY_COMPARE_WITH_TIMEOUT(m_network.count(WatchPath) - m_watches, 1, 5000);
        QCOMPARE(m_network.count(RangePath) - m_ranges, 1);
    }
    void expectStillTheOneWatch(const QString &) override
    {
        QCOMPARE(m_network.count(WatchPath) - m_watches, 1);
        QCOMPARE(m_network.count(RangePath) - m_ranges, 1);
    }
    void expectNoNewWatch() override
    {
        QCOMPARE(m_network.count(WatchPath), m_watches);
        QCOMPARE(m_network.count(RangePath), m_ranges);
    }
    // The gateway does not tell which streams are open: the store's empty watchedPrefix() is all there is.
    void expectNoWatch() override {}

    bool sameValueIsAChange() const override { return true; } // a put is a new revision, whatever the value
    bool lockIndexIsCreateRevision() const override { return true; }

private:
    EtcdCluster &m_etcd;
    const CountingNetwork &m_network;
    int m_watches = 0;
    int m_ranges = 0;
};

} // namespace

class TestEtcdKvStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<EtcdCluster> m_etcd; ///< one member, shared by the tests that do not stop it
    CountingNetwork m_network;
    KvAwait m_kv{this};
    std::unique_ptr<EtcdServer> m_server; ///< m_etcd, for the contract checks

    std::unique_ptr<EtcdKvStore> store(const EtcdCluster &cluster, QNetworkAccessManager *network = nullptr)
    {
        EtcdEndpoint e;
        e.endpoints = cluster.clientUrls();
        e.timeoutMs = 3000;
        return std::make_unique<EtcdKvStore>(network ? network : &m_network, e);
    }
    std::unique_ptr<EtcdKvStore> store() { return store(*m_etcd); }

    /*! Runs call(context, callback), waits for the callback; cleanup() checks each ran exactly once. */
    template<typename T, typename Call>
    Expected<T> await(Call &&call, int timeoutMs = 10000)
    {
        return m_kv.await<T>(std::forward<Call>(call), timeoutMs);
    }
    bool put(KvStore &s, const QString &key, const QByteArray &value) { return m_kv.put(s, key, value); }

    std::optional<KvItem> get(KvStore &s, const QString &key) { return m_kv.get(s, key); }

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void watchesShareOneWatchStream();
    void manyWatchesOpenOneStream();
    void readsAndWrites();
    void createOnlyWhenAbsent();
    void holderInfoOfALease();
    void watchSeesAChangeWithinOneSecond();
    void lastWatchGoneStopsTheStream();
    void laterWatchGetsTheCurrentContent();
    void unreachableOnceThenBack();
    void factoryBuildsByGroup();
};

void TestEtcdKvStore::initTestCase()
{
    if (!EtcdCluster::isAvailable())
        QSKIP("etcd is not installed (Debian package etcd-server)");
    m_etcd = std::make_unique<EtcdCluster>();
    QString error;
    QVERIFY2(m_etcd->start(1, &error), qPrintable(error));
    m_server = std::make_unique<EtcdServer>(*m_etcd, m_network);
}

void TestEtcdKvStore::cleanup()
{
    QVERIFY2(m_kv.allCalledOnce(), "a callback did not run exactly once");
    m_kv.clear();
}

void TestEtcdKvStore::watchesShareOneWatchStream()
{
    KvStoreContract::watchesShareOneServerWatch(*store(), *m_server);
}

void TestEtcdKvStore::manyWatchesOpenOneStream()
{
    KvStoreContract::manyWatchesStartOneServerWatch(*store(), *m_server);
}

void TestEtcdKvStore::readsAndWrites()
{
    auto s = store();
    QCOMPARE(s->backendName(), QStringLiteral("etcd"));
    QCOMPARE(s->address(), m_etcd->clientUrl(0).toString());
    KvStoreContract::readsAndWrites(*s, m_kv, *m_server);
    if (QTest::currentTestFailed())
        return;
    // Nobody listening there (the shared member keeps running for the other tests).
    EtcdEndpoint nowhere;
    nowhere.endpoints = {QUrl(QStringLiteral("http://127.0.0.1:1"))};
    EtcdKvStore dead(&m_network, nowhere);
    KvStoreContract::readFailsWhenUnreachable(dead, m_kv);
}

void TestEtcdKvStore::createOnlyWhenAbsent()
{
    KvStoreContract::createOnlyWhenAbsent(*store(), m_kv);
}

void TestEtcdKvStore::holderInfoOfALease()
{
    auto s = store();
    EtcdEndpoint e;
    e.endpoints = m_etcd->clientUrls();
    EtcdClient client(&m_network, e);
    std::optional<qint64> lease;
    client.grantLease(30, this, [&](const EtcdResult<qint64> &r) { lease = r.value.value_or(0); });
    QTRY_VERIFY_WITH_TIMEOUT(lease.has_value(), 5000);
    QVERIFY(*lease != 0);
    std::optional<bool> written;
    client.put("holder/locked", "owner", *lease, this, [&](const EtcdResult<qint64> &r) { written = r.ok(); });
    QTRY_VERIFY_WITH_TIMEOUT(written.has_value(), 5000);
    QVERIFY(*written);

    const auto item = get(*s, QStringLiteral("holder/locked"));
    QVERIFY(item.has_value());
    QCOMPARE(item->holder, QString::number(*lease));

    const auto info = await<HolderInfo>([&](QObject *ctx, auto done) { s->holderInfo(item->holder, ctx, done); });
    QVERIFY2(info.ok(), qPrintable(info.error()));
    QVERIFY(info->exists);
    QCOMPARE(info->ttlS, qint64(30));
    QVERIFY2(info->remainingS > 0 && info->remainingS <= 30, qPrintable(QString::number(info->remainingS)));
    QCOMPARE(info->lockDelayS, qint64(-1));
    QVERIFY(info->node.isEmpty());

    std::optional<bool> revoked;
    client.revokeLease(*lease, this, [&](const EtcdResult<bool> &r) { revoked = r.ok(); });
    QTRY_VERIFY_WITH_TIMEOUT(revoked.has_value(), 5000);
    QVERIFY(*revoked);
    const auto gone = await<HolderInfo>([&](QObject *ctx, auto done) { s->holderInfo(item->holder, ctx, done); });
    QVERIFY2(gone.ok(), qPrintable(gone.error()));
    QVERIFY(!gone->exists);
    QVERIFY(!get(*s, QStringLiteral("holder/locked")).has_value()); // went with its lease

    KvStoreContract::holderInfoOfNobody(*s, m_kv);
    if (QTest::currentTestFailed())
        return;
    const auto garbage = await<HolderInfo>([&](QObject *ctx, auto done) { s->holderInfo(QStringLiteral("not-a-lease"), ctx, done); });
    QVERIFY(!garbage.ok());
}

void TestEtcdKvStore::watchSeesAChangeWithinOneSecond()
{
    KvStoreContract::watchSeesAChangeWithinOneSecond(*store(), m_kv, *m_server);
}

void TestEtcdKvStore::lastWatchGoneStopsTheStream()
{
    KvStoreContract::lastWatchGoneStopsTheServerWatch(store(), *m_server);
}

void TestEtcdKvStore::laterWatchGetsTheCurrentContent()
{
    KvStoreContract::laterWatchGetsTheCurrentContent(*store(), *m_server);
}

void TestEtcdKvStore::unreachableOnceThenBack()
{
    EtcdCluster cluster;
    QString error;
    QVERIFY2(cluster.start(1, &error), qPrintable(error));
    CountingNetwork network;
    auto s = store(cluster, &network);
    QVERIFY(cluster.put(QByteArray("out/r"), QByteArray("one")));
    std::unique_ptr<KvWatch> w(s->watch(QStringLiteral("out/r"), false));
    QSignalSpy changed(w.get(), &KvWatch::changed);
    QSignalSpy unreachable(w.get(), &KvWatch::unreachable);
    QSignalSpy reachability(s.get(), &KvStore::reachabilityChanged);
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(network.count(WatchPath), 1, 5000);

    cluster.stopMember(0);
    QTRY_COMPARE_WITH_TIMEOUT(unreachable.size(), 1, 5000);
    QVERIFY(!unreachable.at(0).at(0).toString().isEmpty());
    QCOMPARE(reachability.size(), 1);
    QCOMPARE(reachability.at(0).at(0).toBool(), false);
    QVERIFY(!s->isReachable());
    // It lists again after 1 s, then 2 s: refused, without more signals.
    const int ranges = network.count(RangePath);
    QTRY_VERIFY_WITH_TIMEOUT(network.count(RangePath) >= ranges + 2, 10000);
    QCOMPARE(unreachable.size(), 1);
    QCOMPARE(reachability.size(), 1);
    QCOMPARE(changed.size(), 1);

    QVERIFY2(cluster.startMember(0, &error), qPrintable(error));
    QVERIFY(cluster.put(QByteArray("out/r"), QByteArray("two")));
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 20000);
    QCOMPARE(changed.at(1).at(0).value<QList<KvItem>>().at(0).value, QByteArray("two"));
    QCOMPARE(reachability.size(), 2);
    QCOMPARE(reachability.at(1).at(0).toBool(), true);
    QVERIFY(s->isReachable());
    QCOMPARE(unreachable.size(), 1);
    // And it watches again.
    QVERIFY(cluster.put(QByteArray("out/r"), QByteArray("three")));
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 3, 1000);
}

void TestEtcdKvStore::factoryBuildsByGroup()
{
    const BackendRegistry registry = BackendRegistry::builtins();
    const Config config = test::testConfig(registry, {{QStringLiteral("one_instance.backend"), QStringLiteral("etcd")},
                                                      {QStringLiteral("one_instance.etcd.key"), QStringLiteral("factory/lock")},
                                                      {QStringLiteral("one_instance.etcd.endpoints"), m_etcd->endpoints()}});
    auto made = makeKvStore(&m_network, config, QStringLiteral("one_instance.etcd"));
    QVERIFY2(made.ok(), qPrintable(made.error()));
    QCOMPARE(made.value()->backendName(), QStringLiteral("etcd"));
    QVERIFY(put(*made.value(), QStringLiteral("factory/x"), "works"));
    QCOMPARE(m_etcd->get("factory/x").value_or(QByteArray()), QByteArray("works"));

    const auto wrong = makeKvStore(&m_network, config, QStringLiteral("metrics.influxdb"));
    QVERIFY(!wrong.ok());
    QVERIFY2(wrong.error().contains(QLatin1String("metrics.influxdb")), qPrintable(wrong.error()));
}

QTEST_GUILESS_MAIN(TestEtcdKvStore)
#include "tst_etcdkvstore.moc"
