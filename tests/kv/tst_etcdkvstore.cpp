// SPDX-License-Identifier: BSD-3-Clause
// EtcdKvStore (and KvStore's watch multiplexing) against a real etcd 3.4 (Debian's etcd-server):
// reads and writes, the holder's lease, watches that share one watch stream, a member that stops
// and comes back. Loopback only; every wait is a condition with a deadline.
#include "app/backendregistry.h"
#include "etcd/etcdclient.h"
#include "etcdcluster.h"
#include "kv/etcdkvstore.h"
#include "kv/kvstore.h"
#include "testcontext.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>
#include <optional>

using namespace jobslib;
using jobslib::test::EtcdCluster;

namespace {

/*! Counts the requests by path, so that a test sees how many watch streams and listings the store opened. */
class CountingNetwork : public QNetworkAccessManager
{
public:
    int count(const QString &path) const { return m_counts.value(path); }

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *outgoingData) override
    {
        ++m_counts[request.url().path()];
        return QNetworkAccessManager::createRequest(op, request, outgoingData);
    }

private:
    QHash<QString, int> m_counts;
};

const QString WatchPath = QStringLiteral("/v3/watch");
const QString RangePath = QStringLiteral("/v3/kv/range");

} // namespace

class TestEtcdKvStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<EtcdCluster> m_etcd; ///< one member, shared by the tests that do not stop it
    CountingNetwork m_network;
    QList<std::shared_ptr<int>> m_callbackCounts;

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
        auto result = std::make_shared<std::optional<Expected<T>>>();
        auto calls = std::make_shared<int>(0);
        m_callbackCounts.append(calls);
        call(this, [result, calls](const Expected<T> &r) {
            result->emplace(r);
            ++*calls;
        });
        if (!QTest::qWaitFor([&] { return result->has_value(); }, timeoutMs))
            return Expected<T>::failure(QStringLiteral("test: no callback within %1 ms").arg(timeoutMs));
        return **result;
    }

    bool put(KvStore &s, const QString &key, const QByteArray &value)
    {
        const auto r = await<bool>([&](QObject *ctx, auto done) { s.put(key, value, ctx, done); });
        return r.ok() && *r;
    }

    std::optional<KvItem> get(KvStore &s, const QString &key)
    {
        const auto r = await<std::optional<KvItem>>([&](QObject *ctx, auto done) { s.get(key, ctx, done); });
        return r.ok() ? *r : std::nullopt;
    }

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
}

void TestEtcdKvStore::cleanup()
{
    for (const auto &count : std::as_const(m_callbackCounts))
        QCOMPARE(*count, 1);
    m_callbackCounts.clear();
}

void TestEtcdKvStore::watchesShareOneWatchStream()
{
    auto s = store();
    const int watchesBefore = m_network.count(WatchPath);
    const int rangesBefore = m_network.count(RangePath);
    std::unique_ptr<KvWatch> a(s->watch(QStringLiteral("share/alpha"), false));
    std::unique_ptr<KvWatch> b(s->watch(QStringLiteral("share/beta/"), true));
    QSignalSpy changedA(a.get(), &KvWatch::changed);
    QSignalSpy changedB(b.get(), &KvWatch::changed);
    QTRY_COMPARE_WITH_TIMEOUT(changedA.size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 1, 5000);
    QVERIFY(a->items().isEmpty());
    QCOMPARE(s->watchedPrefix(), QStringLiteral("share/"));
    QTRY_COMPARE_WITH_TIMEOUT(m_network.count(WatchPath) - watchesBefore, 1, 5000);
    QCOMPARE(m_network.count(RangePath) - rangesBefore, 1);

    QElapsedTimer t;
    t.start();
    QVERIFY(m_etcd->put(QByteArray("share/beta/one"), QByteArray("1")));
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 2, 1000);
    QCOMPARE(changedB.at(1).at(0).value<QList<KvItem>>().size(), 1);
    QVERIFY(m_etcd->put(QByteArray("share/alpha"), QByteArray("a")));
    QTRY_COMPARE_WITH_TIMEOUT(changedA.size(), 2, 1000);
    QCOMPARE(changedB.size(), 2);
    // Keys under the prefix that neither watches wake nobody; the key watch is exact.
    QVERIFY(m_etcd->put(QByteArray("share/gamma"), QByteArray("g")));
    QVERIFY(m_etcd->put(QByteArray("share/alphabet"), QByteArray("not alpha")));
    QVERIFY(m_etcd->put(QByteArray("share/beta/two"), QByteArray("2"))); // a marker that all were seen
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 3, 1000);
    QCOMPARE(changedA.size(), 2);
    QCOMPARE(b->items().size(), 2);
    // Still the one stream, no new listing.
    QCOMPARE(m_network.count(WatchPath) - watchesBefore, 1);
    QCOMPARE(m_network.count(RangePath) - rangesBefore, 1);
}

void TestEtcdKvStore::manyWatchesOpenOneStream()
{
    auto s = store();
    QVERIFY(m_etcd->put(QByteArray("many/k7"), QByteArray("seven")));
    const int watchesBefore = m_network.count(WatchPath);
    const int rangesBefore = m_network.count(RangePath);
    std::vector<std::unique_ptr<KvWatch>> watches;
    std::vector<std::unique_ptr<QSignalSpy>> spies;
    for (int i = 0; i < 300; ++i) {
        watches.emplace_back(s->watch(QStringLiteral("many/k%1").arg(i), false));
        spies.push_back(std::make_unique<QSignalSpy>(watches.back().get(), &KvWatch::changed));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(spies.begin(), spies.end(), [](const auto &spy) { return spy->size() == 1; }), 5000);
    QCOMPARE(s->watchedPrefix(), QStringLiteral("many/k"));
    QTRY_COMPARE_WITH_TIMEOUT(m_network.count(WatchPath) - watchesBefore, 1, 5000);
    QCOMPARE(m_network.count(RangePath) - rangesBefore, 1);
    QCOMPARE(watches.at(7)->items().size(), 1);
    QCOMPARE(watches.at(7)->items().at(0).value, QByteArray("seven"));
    QVERIFY(watches.at(70)->items().isEmpty());
    // A change reaches its one watch only.
    QVERIFY(m_etcd->put(QByteArray("many/k70"), QByteArray("seventy")));
    QTRY_COMPARE_WITH_TIMEOUT(spies.at(70)->size(), 2, 1000);
    QVERIFY(std::count_if(spies.begin(), spies.end(), [](const auto &spy) { return spy->size() == 2; }) == 1);
}

void TestEtcdKvStore::readsAndWrites()
{
    auto s = store();
    QCOMPARE(s->backendName(), QStringLiteral("etcd"));
    QCOMPARE(s->address(), m_etcd->clientUrl(0).toString());

    QVERIFY(!get(*s, QStringLiteral("rw/none")).has_value());
    const QByteArray binary("a\0b\xff\n", 5);
    QVERIFY(put(*s, QStringLiteral("rw/b"), binary));
    QVERIFY(put(*s, QStringLiteral("rw/a"), "first"));
    QVERIFY(put(*s, QStringLiteral("rw/a/handover"), "{}"));
    QVERIFY(put(*s, QStringLiteral("rx/other"), "x"));

    const auto b = get(*s, QStringLiteral("rw/b"));
    QVERIFY(b.has_value());
    QCOMPARE(b->key, QStringLiteral("rw/b"));
    QCOMPARE(b->value, binary);
    QVERIFY(b->holder.isEmpty());
    QVERIFY(b->lockIndex > 0);
    QCOMPARE(b->lockIndex, b->modifyIndex); // created by this put

    // Written again: the create revision (the lock index) stays, the mod revision moves.
    QVERIFY(put(*s, QStringLiteral("rw/b"), "second"));
    const auto b2 = get(*s, QStringLiteral("rw/b"));
    QVERIFY(b2.has_value());
    QCOMPARE(b2->lockIndex, b->lockIndex);
    QVERIFY(b2->modifyIndex > b->modifyIndex);

    const auto listed = await<QList<KvItem>>([&](QObject *ctx, auto done) { s->list(QStringLiteral("rw/"), ctx, done); });
    QVERIFY2(listed.ok(), qPrintable(listed.error()));
    QCOMPARE(listed->size(), 3);
    QCOMPARE(listed->at(0).key, QStringLiteral("rw/a"));
    QCOMPARE(listed->at(1).key, QStringLiteral("rw/a/handover"));
    QCOMPARE(listed->at(2).key, QStringLiteral("rw/b"));

    const auto removed = await<bool>([&](QObject *ctx, auto done) { s->remove(QStringLiteral("rw/a"), ctx, done); });
    QVERIFY(removed.ok() && *removed);
    const auto again = await<bool>([&](QObject *ctx, auto done) { s->remove(QStringLiteral("rw/a"), ctx, done); });
    QVERIFY(again.ok() && *again);
    QVERIFY(!get(*s, QStringLiteral("rw/a")).has_value());
    QVERIFY(get(*s, QStringLiteral("rw/a/handover")).has_value());

    // Nobody listening there: a failure with the reason.
    EtcdEndpoint nowhere;
    nowhere.endpoints = {QUrl(QStringLiteral("http://127.0.0.1:1"))};
    EtcdKvStore dead(&m_network, nowhere);
    const auto failed = await<std::optional<KvItem>>([&](QObject *ctx, auto done) { dead.get(QStringLiteral("rw/b"), ctx, done); });
    QVERIFY(!failed.ok());
    QVERIFY2(failed.error().contains(QLatin1String("network")), qPrintable(failed.error()));
}

void TestEtcdKvStore::createOnlyWhenAbsent()
{
    auto s = store();
    const auto first = await<bool>([&](QObject *ctx, auto done) { s->create(QStringLiteral("create/h"), "one", ctx, done); });
    QVERIFY2(first.ok(), qPrintable(first.error()));
    QVERIFY(*first);
    const auto second = await<bool>([&](QObject *ctx, auto done) { s->create(QStringLiteral("create/h"), "two", ctx, done); });
    QVERIFY2(second.ok(), qPrintable(second.error()));
    QVERIFY(!*second);
    const auto got = get(*s, QStringLiteral("create/h"));
    QVERIFY(got.has_value());
    QCOMPARE(got->value, QByteArray("one"));
    QVERIFY(got->holder.isEmpty());
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

    const auto nobody = await<HolderInfo>([&](QObject *ctx, auto done) { s->holderInfo(QString(), ctx, done); });
    QVERIFY(nobody.ok() && !nobody->exists);
    const auto garbage = await<HolderInfo>([&](QObject *ctx, auto done) { s->holderInfo(QStringLiteral("not-a-lease"), ctx, done); });
    QVERIFY(!garbage.ok());
}

void TestEtcdKvStore::watchSeesAChangeWithinOneSecond()
{
    auto s = store();
    QVERIFY(m_etcd->put(QByteArray("watch/w"), QByteArray("before")));
    std::unique_ptr<KvWatch> w(s->watch(QStringLiteral("watch/w"), false));
    QSignalSpy changed(w.get(), &KvWatch::changed);
    QVERIFY(changed.isEmpty()); // never inside watch()
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 5000);
    auto items = changed.at(0).at(0).value<QList<KvItem>>();
    QCOMPARE(items.size(), 1);
    QCOMPARE(items.at(0).value, QByteArray("before"));
    QCOMPARE(w->items(), items);

    // Changes right after the listing, before the stream is open, are not lost (it watches from the listing's revision).
    QElapsedTimer t;
    t.start();
    QVERIFY(put(*s, QStringLiteral("watch/w"), "after"));
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 1000);
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    items = changed.at(1).at(0).value<QList<KvItem>>();
    QCOMPARE(items.size(), 1);
    QCOMPARE(items.at(0).value, QByteArray("after"));
    QCOMPARE(items.at(0).lockIndex, changed.at(0).at(0).value<QList<KvItem>>().at(0).lockIndex);

    QVERIFY(await<bool>([&](QObject *ctx, auto done) { s->remove(QStringLiteral("watch/w"), ctx, done); }).ok());
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 3, 1000);
    QVERIFY(changed.at(2).at(0).value<QList<KvItem>>().isEmpty());
    QVERIFY(s->isReachable());
}

void TestEtcdKvStore::lastWatchGoneStopsTheStream()
{
    auto s = store();
    auto owner = std::make_unique<QObject>();
    KvWatch *w1 = s->watch(QStringLiteral("stop/a"), false, owner.get());
    KvWatch *w2 = s->watch(QStringLiteral("stop/b"), false, owner.get());
    QSignalSpy changed1(w1, &KvWatch::changed);
    QSignalSpy changed2(w2, &KvWatch::changed);
    QTRY_VERIFY_WITH_TIMEOUT(changed1.size() == 1 && changed2.size() == 1, 5000);
    QCOMPARE(s->watchedPrefix(), QStringLiteral("stop/"));
    const int watchesBefore = m_network.count(WatchPath);
    delete w2;
    QTRY_COMPARE_WITH_TIMEOUT(s->watchedPrefix(), QStringLiteral("stop/a"), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_network.count(WatchPath) - watchesBefore, 1, 5000);
    // The narrower watch still works.
    QVERIFY(m_etcd->put(QByteArray("stop/a"), QByteArray("A")));
    QTRY_COMPARE_WITH_TIMEOUT(changed1.size(), 2, 1000);
    owner.reset();
    QTRY_VERIFY_WITH_TIMEOUT(s->watchedPrefix().isEmpty(), 5000);
    KvWatch *orphan = s->watch(QStringLiteral("stop/c"), false);
    s.reset();
    delete orphan;
}

void TestEtcdKvStore::laterWatchGetsTheCurrentContent()
{
    auto s = store();
    std::unique_ptr<KvWatch> all(s->watch(QStringLiteral("late/"), true));
    QSignalSpy changedAll(all.get(), &KvWatch::changed);
    QTRY_COMPARE_WITH_TIMEOUT(changedAll.size(), 1, 5000);
    QVERIFY(m_etcd->put(QByteArray("late/b"), QByteArray("bee")));
    QTRY_COMPARE_WITH_TIMEOUT(changedAll.size(), 2, 1000);
    const int watchesBefore = m_network.count(WatchPath);
    const int rangesBefore = m_network.count(RangePath);

    std::unique_ptr<KvWatch> b(s->watch(QStringLiteral("late/b"), false));
    QSignalSpy changedB(b.get(), &KvWatch::changed);
    QCOMPARE(changedB.size(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 1, 1000);
    QCOMPARE(changedB.at(0).at(0).value<QList<KvItem>>().at(0).value, QByteArray("bee"));
    QCOMPARE(s->watchedPrefix(), QStringLiteral("late/"));
    QCOMPARE(m_network.count(WatchPath), watchesBefore); // no restart for it
    QCOMPARE(m_network.count(RangePath), rangesBefore);

    QVERIFY(m_etcd->put(QByteArray("lateother/c"), QByteArray("sea")));
    std::unique_ptr<KvWatch> c(s->watch(QStringLiteral("lateother/c"), false));
    QSignalSpy changedC(c.get(), &KvWatch::changed);
    QTRY_COMPARE_WITH_TIMEOUT(changedC.size(), 1, 5000);
    QCOMPARE(changedC.at(0).at(0).value<QList<KvItem>>().at(0).value, QByteArray("sea"));
    QCOMPARE(s->watchedPrefix(), QStringLiteral("late"));
    QCOMPARE(changedAll.size(), 2);
    QCOMPARE(changedB.size(), 1);
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
