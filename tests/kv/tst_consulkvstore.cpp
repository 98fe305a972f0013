// SPDX-License-Identifier: BSD-3-Clause
// ConsulKvStore (and KvStore's watch multiplexing) against the in-process Consul simulator: reads
// and writes, the holder's session, watches that share one blocking query, an unreachable Consul
// and its return, an index that goes backwards. Loopback only; every wait is a condition with a deadline.
#include "app/backendregistry.h"
#include "blockingqueries.h"
#include "consul/consulclient.h"
#include "consulsimulator.h"
#include "kv/consulkvstore.h"
#include "kv/kvstore.h"
#include "testcontext.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>
#include <optional>

using namespace jobslib;
using jobslib::consulsim::ConsulSimulator;
using jobslib::consulsim::LoggedRequest;

namespace {

/*! Counts the requests by path as the client makes them (also those aborted before they were sent). */
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

} // namespace

class TestConsulKvStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<ConsulSimulator> m_sim;
    CountingNetwork m_network;
    QList<std::shared_ptr<int>> m_callbackCounts;

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
}

void TestConsulKvStore::cleanup()
{
    for (const auto &count : std::as_const(m_callbackCounts))
        QCOMPARE(*count, 1);
    m_callbackCounts.clear();
    m_sim.reset();
}

void TestConsulKvStore::readsAndWrites()
{
    auto s = store();
    QCOMPARE(s->backendName(), QStringLiteral("consul"));
    QCOMPARE(s->address(), m_sim->baseUrl().toString(QUrl::StripTrailingSlash));

    const auto missing = await<std::optional<KvItem>>([&](QObject *ctx, auto done) { s->get(QStringLiteral("jobs/none"), ctx, done); });
    QVERIFY2(missing.ok(), qPrintable(missing.error()));
    QVERIFY(!missing->has_value());

    const QByteArray binary("a\0b\xff\n", 5);
    QVERIFY(put(*s, QStringLiteral("jobs/b"), binary));
    QVERIFY(put(*s, QStringLiteral("jobs/a"), "first"));
    QVERIFY(put(*s, QStringLiteral("jobs/a/handover"), "{}"));
    QVERIFY(put(*s, QStringLiteral("other/x"), "x"));

    const auto got = await<std::optional<KvItem>>([&](QObject *ctx, auto done) { s->get(QStringLiteral("jobs/b"), ctx, done); });
    QVERIFY2(got.ok(), qPrintable(got.error()));
    QVERIFY(got->has_value());
    QCOMPARE((*got)->key, QStringLiteral("jobs/b"));
    QCOMPARE((*got)->value, binary);
    QVERIFY((*got)->holder.isEmpty());
    QVERIFY((*got)->modifyIndex > 0);

    const auto listed = await<QList<KvItem>>([&](QObject *ctx, auto done) { s->list(QStringLiteral("jobs/"), ctx, done); });
    QVERIFY2(listed.ok(), qPrintable(listed.error()));
    QCOMPARE(listed->size(), 3);
    QCOMPARE(listed->at(0).key, QStringLiteral("jobs/a"));
    QCOMPARE(listed->at(1).key, QStringLiteral("jobs/a/handover"));
    QCOMPARE(listed->at(2).key, QStringLiteral("jobs/b"));
    QCOMPARE(listed->at(0).value, QByteArray("first"));

    const auto none = await<QList<KvItem>>([&](QObject *ctx, auto done) { s->list(QStringLiteral("nothing/"), ctx, done); });
    QVERIFY2(none.ok(), qPrintable(none.error()));
    QVERIFY(none->isEmpty());

    const auto removed = await<bool>([&](QObject *ctx, auto done) { s->remove(QStringLiteral("jobs/a"), ctx, done); });
    QVERIFY(removed.ok() && *removed);
    const auto again = await<bool>([&](QObject *ctx, auto done) { s->remove(QStringLiteral("jobs/a"), ctx, done); });
    QVERIFY(again.ok() && *again); // absent: true too
    const auto gone = await<std::optional<KvItem>>([&](QObject *ctx, auto done) { s->get(QStringLiteral("jobs/a"), ctx, done); });
    QVERIFY(gone.ok() && !gone->has_value());
    // The key under it is not touched: remove() is not recursive.
    const auto kept = await<std::optional<KvItem>>([&](QObject *ctx, auto done) { s->get(QStringLiteral("jobs/a/handover"), ctx, done); });
    QVERIFY(kept.ok() && kept->has_value());

    // An unreachable Consul: failure with the reason, not a crash or silence.
    m_sim->stop();
    const auto failed = await<std::optional<KvItem>>([&](QObject *ctx, auto done) { s->get(QStringLiteral("jobs/b"), ctx, done); });
    QVERIFY(!failed.ok());
    QVERIFY2(failed.error().contains(QLatin1String("network")), qPrintable(failed.error()));
}

void TestConsulKvStore::createOnlyWhenAbsent()
{
    auto s = store();
    const auto first = await<bool>([&](QObject *ctx, auto done) { s->create(QStringLiteral("jobs/h"), "one", ctx, done); });
    QVERIFY2(first.ok(), qPrintable(first.error()));
    QVERIFY(*first);
    const auto second = await<bool>([&](QObject *ctx, auto done) { s->create(QStringLiteral("jobs/h"), "two", ctx, done); });
    QVERIFY2(second.ok(), qPrintable(second.error()));
    QVERIFY(!*second);
    const auto got = await<std::optional<KvItem>>([&](QObject *ctx, auto done) { s->get(QStringLiteral("jobs/h"), ctx, done); });
    QVERIFY(got.ok() && got->has_value());
    QCOMPARE((*got)->value, QByteArray("one"));
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

    const auto nobody = await<HolderInfo>([&](QObject *ctx, auto done) { s->holderInfo(QString(), ctx, done); });
    QVERIFY(nobody.ok() && !nobody->exists);
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
    auto s = store();
    auto writer = store();
    QVERIFY(put(*writer, QStringLiteral("jobs/w"), "before"));
    std::unique_ptr<KvWatch> w(s->watch(QStringLiteral("jobs/w"), false));
    QSignalSpy changed(w.get(), &KvWatch::changed);
    QVERIFY(changed.isEmpty()); // never inside watch()
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 5000);
    auto items = changed.at(0).at(0).value<QList<KvItem>>();
    QCOMPARE(items.size(), 1);
    QCOMPARE(items.at(0).value, QByteArray("before"));
    QCOMPARE(w->items(), items);
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->blockingQueries()->parkedCount(), 1, 5000);

    QElapsedTimer t;
    t.start();
    QVERIFY(put(*writer, QStringLiteral("jobs/w"), "after"));
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 1000);
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    items = changed.at(1).at(0).value<QList<KvItem>>();
    QCOMPARE(items.size(), 1);
    QCOMPARE(items.at(0).value, QByteArray("after"));

    // The same value again is no change; deleting the key is one (an empty list).
    QVERIFY(put(*writer, QStringLiteral("jobs/w"), "after"));
    QVERIFY(await<bool>([&](QObject *ctx, auto done) { writer->remove(QStringLiteral("jobs/w"), ctx, done); }).ok());
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 3, 1000);
    QVERIFY(changed.at(2).at(0).value<QList<KvItem>>().isEmpty());
    QVERIFY(s->isReachable());
}

void TestConsulKvStore::watchesShareOneBlockingQuery()
{
    auto s = store();
    auto writer = store();
    std::unique_ptr<KvWatch> a(s->watch(QStringLiteral("jobs/alpha"), false));
    std::unique_ptr<KvWatch> b(s->watch(QStringLiteral("jobs/beta/"), true));
    QSignalSpy changedA(a.get(), &KvWatch::changed);
    QSignalSpy changedB(b.get(), &KvWatch::changed);
    QTRY_COMPARE_WITH_TIMEOUT(changedA.size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 1, 5000);
    QCOMPARE(s->watchedPrefix(), QStringLiteral("jobs/"));
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->blockingQueries()->parkedCount(), 1, 5000);
    QCOMPARE(listRequests(QStringLiteral("jobs/"), true), 1);
    QCOMPARE(listRequests(QStringLiteral("jobs/alpha")), 0);
    QCOMPARE(listRequests(QStringLiteral("jobs/beta/")), 0);

    // A change of one watch's key reaches that watch only.
    QVERIFY(put(*writer, QStringLiteral("jobs/beta/one"), "1"));
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 2, 1000);
    QCOMPARE(changedB.at(1).at(0).value<QList<KvItem>>().size(), 1);
    QVERIFY(put(*writer, QStringLiteral("jobs/alpha"), "a"));
    QTRY_COMPARE_WITH_TIMEOUT(changedA.size(), 2, 1000);
    QCOMPARE(changedB.size(), 2);
    // A key under the prefix that neither watches: the query wakes up, no watch reports.
    QVERIFY(put(*writer, QStringLiteral("jobs/gamma"), "g"));
    QVERIFY(put(*writer, QStringLiteral("jobs/alphabet"), "not alpha")); // the key watch is exact
    QVERIFY(put(*writer, QStringLiteral("jobs/beta/two"), "2"));          // a marker that both were seen
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 3, 1000);
    QCOMPARE(changedA.size(), 2);
    QCOMPARE(b->items().size(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->blockingQueries()->parkedCount(), 1, 5000);
    QCOMPARE(listRequests(QStringLiteral("jobs/"), true), 1);
}

void TestConsulKvStore::manyWatchesStartOneQuery()
{
    auto s = store();
    QVERIFY(put(*s, QStringLiteral("many/k7"), "seven"));
    std::vector<std::unique_ptr<KvWatch>> watches;
    std::vector<std::unique_ptr<QSignalSpy>> spies;
    for (int i = 0; i < 300; ++i) {
        watches.emplace_back(s->watch(QStringLiteral("many/k%1").arg(i), false));
        spies.push_back(std::make_unique<QSignalSpy>(watches.back().get(), &KvWatch::changed));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(spies.begin(), spies.end(), [](const auto &spy) { return spy->size() == 1; }), 5000);
    QCOMPARE(s->watchedPrefix(), QStringLiteral("many/k"));
    QCOMPARE(listRequests(QStringLiteral("many/k"), true), 1);
    // Not even started and aborted: the client made one request for the 300 watches.
    QCOMPARE(m_network.count(QStringLiteral("/v1/kv/many/k")), 2); // the listing and its first blocking round
    QCOMPARE(m_network.count(QStringLiteral("/v1/kv/many/k0")), 0);
    QCOMPARE(watches.at(7)->items().size(), 1);
    QCOMPARE(watches.at(7)->items().at(0).value, QByteArray("seven"));
    QVERIFY(watches.at(70)->items().isEmpty());
}

void TestConsulKvStore::lastWatchGoneStopsTheQuery()
{
    auto s = store();
    auto a = std::make_unique<QObject>();
    KvWatch *w1 = s->watch(QStringLiteral("stop/a"), false, a.get());
    KvWatch *w2 = s->watch(QStringLiteral("stop/b"), false, a.get());
    QSignalSpy changed1(w1, &KvWatch::changed);
    QSignalSpy changed2(w2, &KvWatch::changed);
    QTRY_VERIFY_WITH_TIMEOUT(changed1.size() == 1 && changed2.size() == 1, 5000);
    QCOMPARE(s->watchedPrefix(), QStringLiteral("stop/"));
    delete w2;
    // One watch left: its key alone.
    QTRY_COMPARE_WITH_TIMEOUT(s->watchedPrefix(), QStringLiteral("stop/a"), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(listRequests(QStringLiteral("stop/a"), true), 1, 5000);
    a.reset(); // deletes w1
    QTRY_VERIFY_WITH_TIMEOUT(s->watchedPrefix().isEmpty(), 5000);
    // The parked query was aborted: the simulator sees its connection go.
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->blockingQueries()->parkedCount(), 0, 5000);
    // A watch that outlives its store is harmless.
    KvWatch *orphan = s->watch(QStringLiteral("stop/c"), false);
    s.reset();
    delete orphan;
}

void TestConsulKvStore::laterWatchGetsTheCurrentContent()
{
    auto s = store();
    auto writer = store();
    std::unique_ptr<KvWatch> all(s->watch(QStringLiteral("late/"), true));
    QSignalSpy changedAll(all.get(), &KvWatch::changed);
    QTRY_COMPARE_WITH_TIMEOUT(changedAll.size(), 1, 5000);
    QVERIFY(put(*writer, QStringLiteral("late/b"), "bee"));
    QTRY_COMPARE_WITH_TIMEOUT(changedAll.size(), 2, 1000);
    const int initialLists = listRequests(QStringLiteral("late/"), true);

    // Covered by what the store knows: reported from it, after watch() returned.
    std::unique_ptr<KvWatch> b(s->watch(QStringLiteral("late/b"), false));
    QSignalSpy changedB(b.get(), &KvWatch::changed);
    QCOMPARE(changedB.size(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 1, 1000);
    QCOMPARE(changedB.at(0).at(0).value<QList<KvItem>>().size(), 1);
    QCOMPARE(changedB.at(0).at(0).value<QList<KvItem>>().at(0).value, QByteArray("bee"));
    QCOMPARE(s->watchedPrefix(), QStringLiteral("late/"));
    QCOMPARE(listRequests(QStringLiteral("late/"), true), initialLists); // no restart for it
    QCOMPARE(changedAll.size(), 2);

    // Not covered: the watch widens (to every key) and the new watch reports after its first answer.
    QVERIFY(put(*writer, QStringLiteral("other/c"), "sea"));
    std::unique_ptr<KvWatch> c(s->watch(QStringLiteral("other/c"), false));
    QSignalSpy changedC(c.get(), &KvWatch::changed);
    QTRY_COMPARE_WITH_TIMEOUT(changedC.size(), 1, 5000);
    QCOMPARE(changedC.at(0).at(0).value<QList<KvItem>>().at(0).value, QByteArray("sea"));
    QCOMPARE(s->watchedPrefix(), QString());
    // The others saw no change in it.
    QCOMPARE(changedAll.size(), 2);
    QCOMPARE(changedB.size(), 1);
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
