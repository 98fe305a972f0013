// SPDX-License-Identifier: BSD-3-Clause
#include "kvstorecontract.h"

#include "kvtesting.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <optional>
#include <vector>

// A QVERIFY in a called function (the probe's, a lambda) returns from that function only: stop here too.
#define KV_CONTRACT_STEP(call)                                                                                                             \
    do {                                                                                                                                   \
        call;                                                                                                                              \
        if (QTest::currentTestFailed())                                                                                                    \
            return;                                                                                                                        \
    } while (false)

namespace jobslib::test::KvStoreContract {

namespace {

// Expected<>, not KvAwait::get()'s optional: "absent" must not pass for a failed read.
Expected<std::optional<KvItem>> get(KvStore &s, KvAwait &kv, const QString &key)
{
    return kv.await<std::optional<KvItem>>([&](QObject *ctx, auto done) { s.get(key, ctx, done); });
}

Expected<bool> remove(KvStore &s, KvAwait &kv, const QString &key)
{
    return kv.await<bool>([&](QObject *ctx, auto done) { s.remove(key, ctx, done); });
}

Expected<QList<KvItem>> list(KvStore &s, KvAwait &kv, const QString &prefix)
{
    return kv.await<QList<KvItem>>([&](QObject *ctx, auto done) { s.list(prefix, ctx, done); });
}

QList<KvItem> reported(const QSignalSpy &spy, int i)
{
    return spy.at(i).at(0).value<QList<KvItem>>();
}

} // namespace

void readsAndWrites(KvStore &s, KvAwait &kv, const KvServerProbe &server)
{
    const auto missing = get(s, kv, QStringLiteral("rw/none"));
    QVERIFY2(missing.ok(), qPrintable(missing.error()));
    QVERIFY(!missing->has_value());

    const QByteArray binary("a\0b\xff\n", 5);
    QVERIFY(kv.put(s, QStringLiteral("rw/b"), binary));
    QVERIFY(kv.put(s, QStringLiteral("rw/a"), "first"));
    QVERIFY(kv.put(s, QStringLiteral("rw/a/handover"), "{}"));
    QVERIFY(kv.put(s, QStringLiteral("rx/other"), "x"));

    const auto b = get(s, kv, QStringLiteral("rw/b"));
    QVERIFY2(b.ok(), qPrintable(b.error()));
    QVERIFY(b->has_value());
    QCOMPARE((*b)->key, QStringLiteral("rw/b"));
    QCOMPARE((*b)->value, binary);
    QVERIFY((*b)->holder.isEmpty());
    QVERIFY((*b)->modifyIndex > 0);
    if (server.lockIndexIsCreateRevision()) {
        QVERIFY((*b)->lockIndex > 0);
        QCOMPARE((*b)->lockIndex, (*b)->modifyIndex); // created by this put
    } else {
        QCOMPARE((*b)->lockIndex, quint64(0)); // no lock ever held it
    }

    // Written again: the lock index (the fencing token) stays, the modify index moves.
    QVERIFY(kv.put(s, QStringLiteral("rw/b"), "second"));
    const auto b2 = get(s, kv, QStringLiteral("rw/b"));
    QVERIFY2(b2.ok(), qPrintable(b2.error()));
    QVERIFY(b2->has_value());
    QCOMPARE((*b2)->value, QByteArray("second"));
    QCOMPARE((*b2)->lockIndex, (*b)->lockIndex);
    QVERIFY((*b2)->modifyIndex > (*b)->modifyIndex);

    const auto listed = list(s, kv, QStringLiteral("rw/"));
    QVERIFY2(listed.ok(), qPrintable(listed.error()));
    QCOMPARE(listed->size(), 3);
    QCOMPARE(listed->at(0).key, QStringLiteral("rw/a"));
    QCOMPARE(listed->at(1).key, QStringLiteral("rw/a/handover"));
    QCOMPARE(listed->at(2).key, QStringLiteral("rw/b"));
    QCOMPARE(listed->at(0).value, QByteArray("first"));

    const auto none = list(s, kv, QStringLiteral("nothing/"));
    QVERIFY2(none.ok(), qPrintable(none.error()));
    QVERIFY(none->isEmpty());

    const auto removed = remove(s, kv, QStringLiteral("rw/a"));
    QVERIFY(removed.ok() && *removed);
    const auto again = remove(s, kv, QStringLiteral("rw/a"));
    QVERIFY(again.ok() && *again); // absent: true too
    const auto gone = get(s, kv, QStringLiteral("rw/a"));
    QVERIFY(gone.ok() && !gone->has_value());
    // The key under it is not touched: remove() is not recursive.
    const auto kept = get(s, kv, QStringLiteral("rw/a/handover"));
    QVERIFY(kept.ok() && kept->has_value());
}

void readFailsWhenUnreachable(KvStore &s, KvAwait &kv)
{
    const auto failed = get(s, kv, QStringLiteral("rw/b"));
    QVERIFY(!failed.ok());
    QVERIFY2(failed.error().contains(QLatin1String("network")), qPrintable(failed.error()));
}

void createOnlyWhenAbsent(KvStore &s, KvAwait &kv)
{
    const auto first = kv.await<bool>([&](QObject *ctx, auto done) { s.create(QStringLiteral("create/h"), "one", ctx, done); });
    QVERIFY2(first.ok(), qPrintable(first.error()));
    QVERIFY(*first);
    const auto second = kv.await<bool>([&](QObject *ctx, auto done) { s.create(QStringLiteral("create/h"), "two", ctx, done); });
    QVERIFY2(second.ok(), qPrintable(second.error()));
    QVERIFY(!*second);
    const auto got = get(s, kv, QStringLiteral("create/h"));
    QVERIFY(got.ok() && got->has_value());
    QCOMPARE((*got)->value, QByteArray("one"));
    QVERIFY((*got)->holder.isEmpty());
}

void holderInfoOfNobody(KvStore &s, KvAwait &kv)
{
    const auto nobody = kv.await<HolderInfo>([&](QObject *ctx, auto done) { s.holderInfo(QString(), ctx, done); });
    QVERIFY(nobody.ok() && !nobody->exists);
}

void watchSeesAChangeWithinOneSecond(KvStore &s, KvAwait &kv, KvServerProbe &server)
{
    const QString key = QStringLiteral("watch/w");
    QVERIFY(server.write(key, "before"));
    std::unique_ptr<KvWatch> w(s.watch(key, false));
    QSignalSpy changed(w.get(), &KvWatch::changed);
    QVERIFY(changed.isEmpty()); // never inside watch()
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 5000);
    const QList<KvItem> first = reported(changed, 0);
    QCOMPARE(first.size(), 1);
    QCOMPARE(first.at(0).value, QByteArray("before"));
    QCOMPARE(w->items(), first);
    KV_CONTRACT_STEP(server.waitUntilWatching());

    QElapsedTimer t;
    t.start();
    QVERIFY(server.write(key, "after"));
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 1000);
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    const QList<KvItem> after = reported(changed, 1);
    QCOMPARE(after.size(), 1);
    QCOMPARE(after.at(0).value, QByteArray("after"));
    QCOMPARE(after.at(0).lockIndex, first.at(0).lockIndex);

    // The same value again: a change only where the store gives the write a new modify index.
    QVERIFY(server.write(key, "after"));
    int changes = 2;
    if (server.sameValueIsAChange()) {
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 3, 1000);
        const QList<KvItem> same = reported(changed, 2);
        QCOMPARE(same.size(), 1);
        QCOMPARE(same.at(0).value, QByteArray("after"));
        QVERIFY(same.at(0).modifyIndex > after.at(0).modifyIndex);
        changes = 3;
    }
    // Deleting the key is one (an empty list); where the same value was none, this is the next report.
    QVERIFY(remove(s, kv, key).ok());
    QTRY_COMPARE_WITH_TIMEOUT(changed.size(), changes + 1, 1000);
    QVERIFY(reported(changed, changes).isEmpty());
    QVERIFY(s.isReachable());
}

void watchesShareOneServerWatch(KvStore &s, KvServerProbe &server)
{
    server.mark();
    std::unique_ptr<KvWatch> a(s.watch(QStringLiteral("share/alpha"), false));
    std::unique_ptr<KvWatch> b(s.watch(QStringLiteral("share/beta/"), true));
    QSignalSpy changedA(a.get(), &KvWatch::changed);
    QSignalSpy changedB(b.get(), &KvWatch::changed);
    QTRY_COMPARE_WITH_TIMEOUT(changedA.size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 1, 5000);
    QVERIFY(a->items().isEmpty());
    QCOMPARE(s.watchedPrefix(), QStringLiteral("share/"));
    KV_CONTRACT_STEP(server.expectOneWatchStarted(QStringLiteral("share/")));

    // A change of one watch's key reaches that watch only.
    QVERIFY(server.write(QStringLiteral("share/beta/one"), "1"));
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 2, 1000);
    QCOMPARE(reported(changedB, 1).size(), 1);
    QVERIFY(server.write(QStringLiteral("share/alpha"), "a"));
    QTRY_COMPARE_WITH_TIMEOUT(changedA.size(), 2, 1000);
    QCOMPARE(changedB.size(), 2);
    // A key under the prefix that neither watches: the server-side watch wakes up, no watch reports.
    QVERIFY(server.write(QStringLiteral("share/gamma"), "g"));
    QVERIFY(server.write(QStringLiteral("share/alphabet"), "not alpha")); // the key watch is exact
    QVERIFY(server.write(QStringLiteral("share/beta/two"), "2"));         // a marker that all were seen
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 3, 1000);
    QCOMPARE(changedA.size(), 2);
    QCOMPARE(b->items().size(), 2);
    KV_CONTRACT_STEP(server.expectStillTheOneWatch(QStringLiteral("share/")));
}

void manyWatchesStartOneServerWatch(KvStore &s, KvServerProbe &server)
{
    QVERIFY(server.write(QStringLiteral("many/k7"), "seven"));
    server.mark();
    std::vector<std::unique_ptr<KvWatch>> watches;
    std::vector<std::unique_ptr<QSignalSpy>> spies;
    for (int i = 0; i < 300; ++i) {
        watches.emplace_back(s.watch(QStringLiteral("many/k%1").arg(i), false));
        spies.push_back(std::make_unique<QSignalSpy>(watches.back().get(), &KvWatch::changed));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(spies.begin(), spies.end(), [](const auto &spy) { return spy->size() == 1; }), 5000);
    QCOMPARE(s.watchedPrefix(), QStringLiteral("many/k"));
    // Not one per watch, not even started and aborted: the 300 watches made one.
    KV_CONTRACT_STEP(server.expectOneWatchStarted(QStringLiteral("many/k")));
    QCOMPARE(watches.at(7)->items().size(), 1);
    QCOMPARE(watches.at(7)->items().at(0).value, QByteArray("seven"));
    QVERIFY(watches.at(70)->items().isEmpty());
    // A change reaches its one watch only.
    QVERIFY(server.write(QStringLiteral("many/k70"), "seventy"));
    QTRY_COMPARE_WITH_TIMEOUT(spies.at(70)->size(), 2, 1000);
    QVERIFY(std::count_if(spies.begin(), spies.end(), [](const auto &spy) { return spy->size() == 2; }) == 1);
}

void lastWatchGoneStopsTheServerWatch(std::unique_ptr<KvStore> s, KvServerProbe &server)
{
    auto owner = std::make_unique<QObject>();
    KvWatch *w1 = s->watch(QStringLiteral("stop/a"), false, owner.get());
    KvWatch *w2 = s->watch(QStringLiteral("stop/b"), false, owner.get());
    QSignalSpy changed1(w1, &KvWatch::changed);
    QSignalSpy changed2(w2, &KvWatch::changed);
    QTRY_VERIFY_WITH_TIMEOUT(changed1.size() == 1 && changed2.size() == 1, 5000);
    QCOMPARE(s->watchedPrefix(), QStringLiteral("stop/"));
    server.mark();
    delete w2;
    // One watch left: its key alone.
    QTRY_COMPARE_WITH_TIMEOUT(s->watchedPrefix(), QStringLiteral("stop/a"), 5000);
    KV_CONTRACT_STEP(server.expectOneWatchStarted(QStringLiteral("stop/a")));
    // The narrower watch still works.
    QVERIFY(server.write(QStringLiteral("stop/a"), "A"));
    QTRY_COMPARE_WITH_TIMEOUT(changed1.size(), 2, 1000);
    owner.reset(); // deletes w1
    QTRY_VERIFY_WITH_TIMEOUT(s->watchedPrefix().isEmpty(), 5000);
    KV_CONTRACT_STEP(server.expectNoWatch());
    // A watch that outlives its store is harmless.
    KvWatch *orphan = s->watch(QStringLiteral("stop/c"), false);
    s.reset();
    delete orphan;
}

void laterWatchGetsTheCurrentContent(KvStore &s, KvServerProbe &server)
{
    std::unique_ptr<KvWatch> all(s.watch(QStringLiteral("late/"), true));
    QSignalSpy changedAll(all.get(), &KvWatch::changed);
    QTRY_COMPARE_WITH_TIMEOUT(changedAll.size(), 1, 5000);
    QVERIFY(server.write(QStringLiteral("late/b"), "bee"));
    QTRY_COMPARE_WITH_TIMEOUT(changedAll.size(), 2, 1000);
    server.mark();

    // Covered by what the store knows: reported from it, after watch() returned.
    std::unique_ptr<KvWatch> b(s.watch(QStringLiteral("late/b"), false));
    QSignalSpy changedB(b.get(), &KvWatch::changed);
    QCOMPARE(changedB.size(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(changedB.size(), 1, 1000);
    QCOMPARE(reported(changedB, 0).size(), 1);
    QCOMPARE(reported(changedB, 0).at(0).value, QByteArray("bee"));
    QCOMPARE(s.watchedPrefix(), QStringLiteral("late/"));
    KV_CONTRACT_STEP(server.expectNoNewWatch()); // no restart for it
    QCOMPARE(changedAll.size(), 2);

    // Not covered: the watch widens (to the common prefix) and the new watch reports after its first answer.
    QVERIFY(server.write(QStringLiteral("lateother/c"), "sea"));
    std::unique_ptr<KvWatch> c(s.watch(QStringLiteral("lateother/c"), false));
    QSignalSpy changedC(c.get(), &KvWatch::changed);
    QTRY_COMPARE_WITH_TIMEOUT(changedC.size(), 1, 5000);
    QCOMPARE(reported(changedC, 0).at(0).value, QByteArray("sea"));
    QCOMPARE(s.watchedPrefix(), QStringLiteral("late"));
    // The others saw no change in it.
    QCOMPARE(changedAll.size(), 2);
    QCOMPARE(changedB.size(), 1);
}

} // namespace jobslib::test::KvStoreContract
