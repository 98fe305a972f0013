// SPDX-License-Identifier: BSD-3-Clause
// ConsulKvStore (and KvStore's watch multiplexing) against the in-process Consul simulator: the
// KvStore contract that etcd's test checks too (kvstorecontract.h: reads and writes, watches that
// share one blocking query), and what is Consul's own: the holder's session, Go durations, an
// unreachable Consul and its return, an index that goes backwards. Loopback only; every wait is a
// condition with a deadline.
#include "app/backendregistry.h"
#include "blockingqueries.h"
#include "consul/consulclient.h"
#include "consulsimulator.h"
#include "kv/consulkvstore.h"
#include "kv/kvstore.h"
#include "kvstorecontract.h"
#include "kvtesting.h"
#include "testcontext.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

#include <algorithm>
#include <memory>
#include <optional>

using namespace jobslib;
using jobslib::test::CountingNetwork;
using jobslib::test::KvAwait;
using jobslib::test::KvServerProbe;
namespace KvStoreContract = jobslib::test::KvStoreContract;
using jobslib::consulsim::ConsulSimulator;
using jobslib::consulsim::LoggedRequest;

namespace {

/*!
 * The simulator's side of the contract checks: the KV listings (GET ?recurse without an index: what
 * starts a watch) and blocking rounds (with one) as the store's client made them and as the
 * simulator received them, and its parked queries. Another client's writes go through a store on
 * a network of its own, so that the client's requests are the store's under test alone.
 */
class ConsulServer : public KvServerProbe
{
public:
    ConsulServer(ConsulSimulator &sim, const CountingNetwork &network, KvAwait &kv, const ConsulEndpoint &endpoint)
        : m_sim(sim), m_network(network), m_kv(kv), m_writer(&m_writerNetwork, endpoint)
    {
    }

    bool write(const QString &key, const QByteArray &value) override { return m_kv.put(m_writer, key, value); }

    void mark() override
    {
        const QList<LoggedRequest> log = m_sim.requestLog();
        m_sequence = log.isEmpty() ? 0 : log.constLast().sequence;
        m_urls = m_network.urls().size();
    }
    void waitUntilWatching() override { QTRY_COMPARE_WITH_TIMEOUT(m_sim.blockingQueries()->parkedCount(), 1, 5000); }
    void expectOneWatchStarted(const QString &prefix) override
    {
        // Parked once the round of prefix arrived: the query before it (of another prefix) has gone.
        QTRY_VERIFY_WITH_TIMEOUT(count(received(), prefix, Rounds) >= 1 && m_sim.blockingQueries()->parkedCount() == 1, 5000);
        QCOMPARE(count(received(), prefix, Listings), 1);
        QCOMPARE(count(received(), prefix, OtherPrefixes), 0);
        // Not even started and aborted: the client asked for the listing and its first blocking round, nothing else.
        const QList<KvGet> made = sent();
        QCOMPARE(count(made, prefix, Listings), 1);
        QCOMPARE(count(made, prefix, Rounds), 1);
        QCOMPARE(made.size(), 2);
    }
    void expectStillTheOneWatch(const QString &prefix) override
    {
        QTRY_COMPARE_WITH_TIMEOUT(m_sim.blockingQueries()->parkedCount(), 1, 5000);
        for (const QList<KvGet> &gets : {received(), sent()}) {
            QCOMPARE(count(gets, prefix, Listings), 1);
            QCOMPARE(count(gets, prefix, OtherPrefixes), 0);
        }
    }
    void expectNoNewWatch() override
    {
        QCOMPARE(count(sent(), QString(), AllListings), 0); // at once: what the simulator logs comes later
        QCOMPARE(count(received(), QString(), AllListings), 0);
    }
    // The parked query was aborted: the simulator sees its connection go.
    void expectNoWatch() override { QTRY_COMPARE_WITH_TIMEOUT(m_sim.blockingQueries()->parkedCount(), 0, 5000); }

    bool sameValueIsAChange() const override { return false; } // Consul skips the write: no index moves
    bool lockIndexIsCreateRevision() const override { return false; }

private:
    /*! One request of Consul's KV since mark(): sent by the client or received by the simulator. */
    struct KvGet
    {
        QString path;
        bool listing = false;  ///< GET ?recurse without an index
        bool blocking = false; ///< GET ?recurse with an index
    };
    enum Kind { Listings, Rounds, OtherPrefixes, AllListings };

    QList<KvGet> received() const
    {
        QList<KvGet> gets;
        for (const LoggedRequest &r : m_sim.requestLog()) {
            if (r.sequence > m_sequence && r.path.startsWith(QLatin1String("/v1/kv/"))) {
                const bool recurse = r.method == QLatin1String("GET") && r.rawQuery.contains("recurse");
                gets.append({r.path, recurse && !r.rawQuery.contains("index="), recurse && r.rawQuery.contains("index=")});
            }
        }
        return gets;
    }
    QList<KvGet> sent() const
    {
        QList<KvGet> gets;
        for (const QUrl &url : m_network.urls().mid(m_urls)) {
            if (url.path().startsWith(QLatin1String("/v1/kv/"))) {
                const QUrlQuery q(url);
                // Only GETs ask to recurse (put and delete name one key).
                const bool recurse = q.hasQueryItem(QStringLiteral("recurse"));
                gets.append({url.path(), recurse && !q.hasQueryItem(QStringLiteral("index")), recurse && q.hasQueryItem(QStringLiteral("index"))});
            }
        }
        return gets;
    }
    static int count(const QList<KvGet> &gets, const QString &prefix, Kind kind)
    {
        const QString path = QStringLiteral("/v1/kv/") + prefix;
        return int(std::count_if(gets.cbegin(), gets.cend(), [&](const KvGet &g) {
            switch (kind) {
            case Listings: return g.path == path && g.listing;
            case Rounds: return g.path == path && g.blocking;
            case OtherPrefixes: return g.path != path && (g.listing || g.blocking);
            case AllListings: return g.listing;
            }
            return false;
        }));
    }

    ConsulSimulator &m_sim;
    const CountingNetwork &m_network;
    KvAwait &m_kv;
    QNetworkAccessManager m_writerNetwork;
    ConsulKvStore m_writer;
    quint64 m_sequence = 0; ///< the simulator's last request at mark()
    qsizetype m_urls = 0;   ///< the client's requests at mark()
};

} // namespace

class TestConsulKvStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<ConsulSimulator> m_sim;
    CountingNetwork m_network;
    KvAwait m_kv{this};
    std::unique_ptr<ConsulServer> m_server; ///< the simulator of this test, for the contract checks

    ConsulEndpoint endpoint() const
    {
        ConsulEndpoint e;
        e.baseUrl = m_sim->baseUrl();
        e.timeoutMs = 2000;
        return e;
    }
    std::unique_ptr<ConsulKvStore> store() { return std::make_unique<ConsulKvStore>(&m_network, endpoint()); }

    /*! Runs call(context, callback), waits for the callback; cleanup() checks each ran exactly once. */
    template<typename T, typename Call>
    Expected<T> await(Call &&call, int timeoutMs = 10000)
    {
        return m_kv.await<T>(std::forward<Call>(call), timeoutMs);
    }
    bool put(KvStore &s, const QString &key, const QByteArray &value) { return m_kv.put(s, key, value); }

    /*! GET requests of the KV listing of prefix the simulator answered (or parked), without an index when initialOnly. */
    int listRequests(const QString &prefix, bool initialOnly = false) const
    {
        int n = 0;
        for (const LoggedRequest &r : m_sim->requestLog()) {
            if (r.method == QLatin1String("GET") && r.path == QStringLiteral("/v1/kv/") + prefix && r.rawQuery.contains("recurse")
                && (!initialOnly || !r.rawQuery.contains("index=")))
                ++n;
        }
        return n;
    }

private Q_SLOTS:
    void init();
    void cleanup();

    void readsAndWrites();
    void createOnlyWhenAbsent();
    void holderInfoOfASession();
    void durationsAsConsulWritesThem();
    void watchSeesAChangeWithinOneSecond();
    void watchesShareOneBlockingQuery();
    void manyWatchesStartOneQuery();
    void lastWatchGoneStopsTheQuery();
    void laterWatchGetsTheCurrentContent();
    void unreachableOnceThenBack();
    void indexGoingBackwardsStartsOver();
    void factoryBuildsByGroup();
};

void TestConsulKvStore::init()
{
    m_sim = std::make_unique<ConsulSimulator>();
    QString error;
    QVERIFY2(m_sim->start(&error), qPrintable(error));
    m_server = std::make_unique<ConsulServer>(*m_sim, m_network, m_kv, endpoint());
}

void TestConsulKvStore::cleanup()
{
    QVERIFY2(m_kv.allCalledOnce(), "a callback did not run exactly once");
    m_kv.clear();
    m_server.reset(); // before the simulator it refers to
    m_sim.reset();
}

void TestConsulKvStore::readsAndWrites()
{
    auto s = store();
    QCOMPARE(s->backendName(), QStringLiteral("consul"));
    QCOMPARE(s->address(), m_sim->baseUrl().toString(QUrl::StripTrailingSlash));
    KvStoreContract::readsAndWrites(*s, m_kv, *m_server);
    if (QTest::currentTestFailed())
        return;
    // An unreachable Consul: the same store, its server stopped.
    m_sim->stop();
    KvStoreContract::readFailsWhenUnreachable(*s, m_kv);
}

void TestConsulKvStore::createOnlyWhenAbsent()
{
    KvStoreContract::createOnlyWhenAbsent(*store(), m_kv);
}

void TestConsulKvStore::holderInfoOfASession()
{
    auto s = store();
    ConsulClient client(&m_network, endpoint());
    std::optional<QString> session;
    client.createSession(QJsonObject{{QStringLiteral("TTL"), QStringLiteral("15s")}, {QStringLiteral("LockDelay"), QStringLiteral("7s")}}, this,
                         [&](const ConsulResult<QString> &r) { session = r.value.value_or(QString()); });
    QTRY_VERIFY_WITH_TIMEOUT(session.has_value(), 5000);
    QVERIFY(!session->isEmpty());
    std::optional<bool> acquired;
    QUrlQuery acquire;
    acquire.addQueryItem(QStringLiteral("acquire"), *session);
    client.kvPut(QStringLiteral("jobs/locked"), "owner", acquire, this, [&](const ConsulResult<bool> &r) { acquired = r.value.value_or(false); });
    QTRY_VERIFY_WITH_TIMEOUT(acquired.has_value(), 5000);
    QVERIFY(*acquired);

    const auto item = await<std::optional<KvItem>>([&](QObject *ctx, auto done) { s->get(QStringLiteral("jobs/locked"), ctx, done); });
    QVERIFY(item.ok() && item->has_value());
    QCOMPARE((*item)->holder, *session);
    QCOMPARE((*item)->lockIndex, quint64(1));

    const auto info = await<HolderInfo>([&](QObject *ctx, auto done) { s->holderInfo((*item)->holder, ctx, done); });
    QVERIFY2(info.ok(), qPrintable(info.error()));
    QVERIFY(info->exists);
    QCOMPARE(info->ttlS, qint64(15));
    QCOMPARE(info->lockDelayS, qint64(7));
    QCOMPARE(info->remainingS, qint64(-1));
    QCOMPARE(info->node, m_sim->nodeName());

    m_sim->loseAllSessions();
    const auto gone = await<HolderInfo>([&](QObject *ctx, auto done) { s->holderInfo(*session, ctx, done); });
    QVERIFY2(gone.ok(), qPrintable(gone.error()));
    QVERIFY(!gone->exists);

    KvStoreContract::holderInfoOfNobody(*s, m_kv);
}

void TestConsulKvStore::durationsAsConsulWritesThem()
{
    QCOMPARE(ConsulKvStore::durationSeconds(QStringLiteral("15s")), qint64(15));
    QCOMPARE(ConsulKvStore::durationSeconds(QStringLiteral("1m30s")), qint64(90));
    QCOMPARE(ConsulKvStore::durationSeconds(QStringLiteral("1h0m0s")), qint64(3600));
    QCOMPARE(ConsulKvStore::durationSeconds(QStringLiteral("1.5s")), qint64(2));
    QCOMPARE(ConsulKvStore::durationSeconds(QStringLiteral("15000ms")), qint64(15));
    QCOMPARE(ConsulKvStore::durationSeconds(QStringLiteral("0s")), qint64(0));
    QCOMPARE(ConsulKvStore::durationSeconds(QString()), qint64(-1));
    QCOMPARE(ConsulKvStore::durationSeconds(QStringLiteral("15")), qint64(-1));
    QCOMPARE(ConsulKvStore::durationSeconds(QStringLiteral("15x")), qint64(-1));
}

void TestConsulKvStore::watchSeesAChangeWithinOneSecond()
{
    KvStoreContract::watchSeesAChangeWithinOneSecond(*store(), m_kv, *m_server);
}

void TestConsulKvStore::watchesShareOneBlockingQuery()
{
    KvStoreContract::watchesShareOneServerWatch(*store(), *m_server);
}

void TestConsulKvStore::manyWatchesStartOneQuery()
{
    KvStoreContract::manyWatchesStartOneServerWatch(*store(), *m_server);
}

void TestConsulKvStore::lastWatchGoneStopsTheQuery()
{
    KvStoreContract::lastWatchGoneStopsTheServerWatch(store(), *m_server);
}

void TestConsulKvStore::laterWatchGetsTheCurrentContent()
{
    KvStoreContract::laterWatchGetsTheCurrentContent(*store(), *m_server);
}

void TestConsulKvStore::unreachableOnceThenBack()
{
    auto s = store();
    QVERIFY(put(*s, QStringLiteral("jobs/r"), "one"));
    std::unique_ptr<KvWatch> w(s->watch(QStringLiteral("jobs/r"), false));
    QSignalSpy changed(w.get(), &KvWatch::changed);
    QSignalSpy unreachable(w.get(), &KvWatch::unreachable);
    QSignalSpy reachability(s.get(), &KvStore::reachabilityChanged);
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->blockingQueries()->parkedCount(), 1, 5000);

    const quint16 port = m_sim->port();
    QSignalSpy requestsEnded(&m_network, &QNetworkAccessManager::finished);
    m_sim.reset(); // Consul is gone: the parked query breaks, every retry is refused
    QTRY_COMPARE_WITH_TIMEOUT(unreachable.size(), 1, 5000);
    QVERIFY(!unreachable.at(0).at(0).toString().isEmpty());
    QCOMPARE(reachability.size(), 1);
    QCOMPARE(reachability.at(0).at(0).toBool(), false);
    QVERIFY(!s->isReachable());
    // Retries (after 1 s, then 2 s) fail too, without more signals.
    QTRY_VERIFY_WITH_TIMEOUT(requestsEnded.size() >= 3, 10000);
    QCOMPARE(unreachable.size(), 1);
    QCOMPARE(reachability.size(), 1);
    // A watch added meanwhile gets what is known (stale) and learns that the store is unreachable.
    std::unique_ptr<KvWatch> late(s->watch(QStringLiteral("jobs/r"), false));
    QSignalSpy lateChanged(late.get(), &KvWatch::changed);
    QSignalSpy lateUnreachable(late.get(), &KvWatch::unreachable);
    QTRY_COMPARE_WITH_TIMEOUT(lateUnreachable.size(), 1, 1000);
    QCOMPARE(lateChanged.size(), 1);
    QCOMPARE(late->items().at(0).value, QByteArray("one"));

    // Back on the same port, with other content (a fresh Consul, its index started over).
    ConsulSimulator::Options o;
    o.port = port;
    m_sim = std::make_unique<ConsulSimulator>(o);
    QString error;
    QVERIFY2(m_sim->start(&error), qPrintable(error));
    ConsulClient direct(&m_network, endpoint());
    std::optional<bool> written;
    direct.kvPut(QStringLiteral("jobs/r"), "two", {}, this, [&](const ConsulResult<bool> &r) { written = r.value.value_or(false); });
    QTRY_VERIFY_WITH_TIMEOUT(written.has_value(), 5000);
    QVERIFY(*written);
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 10000);
    QCOMPARE(changed.at(1).at(0).value<QList<KvItem>>().at(0).value, QByteArray("two"));
    QTRY_COMPARE_WITH_TIMEOUT(lateChanged.size(), 2, 1000);
    QCOMPARE(late->items().at(0).value, QByteArray("two"));
    QCOMPARE(lateUnreachable.size(), 1);
    QCOMPARE(reachability.size(), 2);
    QCOMPARE(reachability.at(1).at(0).toBool(), true);
    QVERIFY(s->isReachable());
    QCOMPARE(unreachable.size(), 1);
    // And it watches again: a change within a second.
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->blockingQueries()->parkedCount(), 1, 5000);
    QVERIFY(put(*s, QStringLiteral("jobs/r"), "three"));
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 3, 1000);
}

void TestConsulKvStore::indexGoingBackwardsStartsOver()
{
    auto s = store();
    s->setWatchWaitMs(1000);
    auto writer = store();
    for (int i = 0; i < 20; ++i)
        QVERIFY(put(*writer, QStringLiteral("rw/filler%1").arg(i), "x"));
    std::unique_ptr<KvWatch> w(s->watch(QStringLiteral("rw/key"), false));
    QSignalSpy changed(w.get(), &KvWatch::changed);
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->blockingQueries()->parkedCount(), 1, 5000);
    const int initial = listRequests(QStringLiteral("rw/key"), true);
    QCOMPARE(initial, 1);

    m_sim->rewindIndex(15);
    // The parked query returns the smaller index at its timeout: the store starts over without an index.
    QTRY_COMPARE_WITH_TIMEOUT(listRequests(QStringLiteral("rw/key"), true), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->blockingQueries()->parkedCount(), 1, 5000);
    // A write at the lower index wakes the watch at once (it would not wake a query still at the old index).
    QVERIFY(put(*writer, QStringLiteral("rw/key"), "after rewind"));
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 900);
    QCOMPARE(changed.at(1).at(0).value<QList<KvItem>>().at(0).value, QByteArray("after rewind"));
    QVERIFY(s->isReachable());
}

void TestConsulKvStore::factoryBuildsByGroup()
{
    const BackendRegistry registry = BackendRegistry::builtins();
    const Config config = test::testConfig(registry, {{QStringLiteral("one_instance.backend"), QStringLiteral("consul")},
                                                      {QStringLiteral("one_instance.consul.key"), QStringLiteral("factory/lock")},
                                                      {QStringLiteral("one_instance.consul.address"), m_sim->address()}});
    auto made = makeKvStore(&m_network, config, QStringLiteral("one_instance.consul"));
    QVERIFY2(made.ok(), qPrintable(made.error()));
    QCOMPARE(made.value()->backendName(), QStringLiteral("consul"));
    QCOMPARE(made.value()->address(), m_sim->baseUrl().toString(QUrl::StripTrailingSlash));
    QVERIFY(put(*made.value(), QStringLiteral("factory/x"), "works"));

    const auto wrong = makeKvStore(&m_network, config, QStringLiteral("one_instance.file"));
    QVERIFY(!wrong.ok());
    QVERIFY2(wrong.error().contains(QLatin1String("one_instance.file")), qPrintable(wrong.error()));
}

QTEST_GUILESS_MAIN(TestConsulKvStore)
#include "tst_consulkvstore.moc"
