// SPDX-License-Identifier: BSD-3-Clause
// The keys and JSON records of the operator actions beside a lock (handover request, action log),
// and recordAction() against an in-memory store.
#include "kv/actionlog.h"
#include "memorykvstore.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSysInfo>
#include <QTest>

using namespace jobslib;
using namespace jobslib::test;

class TestActionLog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void keysBesideTheLockKey();
    void handoverRequestJson();
    void actionRecordJson();
    void missingAndMistypedFieldsAreTolerated();
    void nonObjectsFail_data();
    void nonObjectsFail();
    void currentActorIsUserAtHost();
    void recordActionStoresUnderTimeOrderedIds();
    void recordActionPrunesTheOldest();
    void recordActionReportsAStoreThatDoesNotAnswerNever();
};

void TestActionLog::keysBesideTheLockKey()
{
    QCOMPARE(handoverKey(QStringLiteral("jobs/x/lock")), QStringLiteral("jobs/x/lock/handover"));
    QCOMPARE(eventsPrefix(QStringLiteral("jobs/x/lock")), QStringLiteral("jobs/x/lock/events/"));
}

void TestActionLog::handoverRequestJson()
{
    HandoverRequest r;
    r.requestedBy = QStringLiteral("alice@ops1");
    r.timeMs = 1764295560123;
    r.reason = QStringLiteral("kernel update on db1 — ü");
    const QJsonObject o = QJsonDocument::fromJson(r.toJson()).object();
    QCOMPARE(o.keys(), (QStringList{QStringLiteral("reason"), QStringLiteral("requested_by"), QStringLiteral("time_ms")}));
    QCOMPARE(o.value(QLatin1String("time_ms")).toInteger(), 1764295560123);
    QVERIFY(!r.toJson().contains('\n')); // compact: one line in `consul kv get`

    const Expected<HandoverRequest> back = HandoverRequest::fromJson(r.toJson());
    QVERIFY2(back.ok(), qPrintable(back.error()));
    QCOMPARE(back->requestedBy, r.requestedBy);
    QCOMPARE(back->timeMs, r.timeMs);
    QCOMPARE(back->reason, r.reason);
}

void TestActionLog::actionRecordJson()
{
    ActionRecord r;
    r.action = QStringLiteral("handover");
    r.who = QStringLiteral("runjob@a.test:42");
    r.timeMs = 1764295560123;
    r.job = QStringLiteral("jobs/x/lock");
    r.target = QStringLiteral("a.test pid 42, token 7");
    r.outcome = QStringLiteral("done");
    r.detail = QStringLiteral("released after run 3");
    const QJsonObject o = QJsonDocument::fromJson(r.toJson()).object();
    QCOMPARE(o.keys(), (QStringList{QStringLiteral("action"), QStringLiteral("detail"), QStringLiteral("job"), QStringLiteral("outcome"),
                                    QStringLiteral("target"), QStringLiteral("time_ms"), QStringLiteral("who")}));

    const Expected<ActionRecord> back = ActionRecord::fromJson(r.toJson());
    QVERIFY2(back.ok(), qPrintable(back.error()));
    QCOMPARE(back->action, r.action);
    QCOMPARE(back->who, r.who);
    QCOMPARE(back->timeMs, r.timeMs);
    QCOMPARE(back->job, r.job);
    QCOMPARE(back->target, r.target);
    QCOMPARE(back->outcome, r.outcome);
    QCOMPARE(back->detail, r.detail);
}

void TestActionLog::missingAndMistypedFieldsAreTolerated()
{
    const Expected<HandoverRequest> empty = HandoverRequest::fromJson("{}");
    QVERIFY(empty.ok());
    QCOMPARE(empty->requestedBy, QString());
    QCOMPARE(empty->timeMs, 0);

    // A hand-made request: a string time, an unknown field, a numeric reason.
    const Expected<HandoverRequest> odd = HandoverRequest::fromJson(R"({"requested_by": "bob@x", "time_ms": "soon", "reason": 5, "extra": [1]})");
    QVERIFY(odd.ok());
    QCOMPARE(odd->requestedBy, QStringLiteral("bob@x"));
    QCOMPARE(odd->timeMs, 0);
    QCOMPARE(odd->reason, QString());

    const Expected<ActionRecord> partial = ActionRecord::fromJson(R"({"action": "release-lock", "time_ms": 12})");
    QVERIFY(partial.ok());
    QCOMPARE(partial->action, QStringLiteral("release-lock"));
    QCOMPARE(partial->timeMs, 12);
    QCOMPARE(partial->outcome, QString());
}

void TestActionLog::nonObjectsFail_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("garbage") << QByteArray("please hand over");
    QTest::newRow("array") << QByteArray("[{\"requested_by\": \"x\"}]");
    QTest::newRow("string") << QByteArray("\"x\"");
    QTest::newRow("number") << QByteArray("42");
    QTest::newRow("truncated") << QByteArray("{\"requested_by\": ");
}

void TestActionLog::nonObjectsFail()
{
    QFETCH(QByteArray, json);
    const Expected<HandoverRequest> request = HandoverRequest::fromJson(json);
    QVERIFY(!request.ok());
    QVERIFY(request.error().startsWith(QLatin1String("handover request is ")));
    const Expected<ActionRecord> record = ActionRecord::fromJson(json);
    QVERIFY(!record.ok());
    QVERIFY(record.error().startsWith(QLatin1String("action record is ")));
}

void TestActionLog::currentActorIsUserAtHost()
{
    const QByteArray saved = qgetenv("USER");
    qputenv("USER", "carol");
    QCOMPARE(currentActor(), QStringLiteral("carol@") + QSysInfo::machineHostName());
    // Without $USER (a service): the account's name, never an empty user.
    qunsetenv("USER");
    QVERIFY(!currentActor().startsWith(QLatin1Char('@')));
    qputenv("USER", saved);
}

void TestActionLog::recordActionStoresUnderTimeOrderedIds()
{
    MemoryKvStore store;
    const QString lock = QStringLiteral("jobs/x/lock");
    store.set(handoverKey(lock), "{}"); // beside the log, not part of it
    ActionRecord r;
    r.action = QStringLiteral("request-handover");
    r.timeMs = 1764295560123;
    std::optional<Expected<bool>> result;
    recordAction(store, lock, r, this, [&result](const Expected<bool> &stored) { result = stored; });
    QVERIFY(!result); // never inside the call
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 5000);
    QVERIFY(result->ok() && result->value());

    r.timeMs = 0; // filled in with the current time
    result.reset();
    recordAction(store, lock, r, this, [&result](const Expected<bool> &stored) { result = stored; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 5000);

    const QList<KvItem> events = store.under(eventsPrefix(lock));
    QCOMPARE(events.size(), 2);
    static const QRegularExpression id(QStringLiteral("^jobs/x/lock/events/\\d{13}-[0-9a-f]{8}$"));
    for (const KvItem &e : events)
        QVERIFY2(id.match(e.key).hasMatch(), qPrintable(e.key));
    QVERIFY(events.at(0).key.startsWith(QLatin1String("jobs/x/lock/events/1764295560123-")));
    const Expected<ActionRecord> first = ActionRecord::fromJson(events.at(0).value);
    QCOMPARE(first->action, QStringLiteral("request-handover"));
    const Expected<ActionRecord> second = ActionRecord::fromJson(events.at(1).value);
    QVERIFY(second->timeMs > 1764295560123);
    QVERIFY(events.at(1).key.startsWith(eventsPrefix(lock) + QString::number(second->timeMs) + QLatin1Char('-')));
}

void TestActionLog::recordActionPrunesTheOldest()
{
    MemoryKvStore store;
    const QString lock = QStringLiteral("jobs/y");
    int stored = 0;
    for (int i = 0; i < 6; ++i) {
        ActionRecord r;
        r.action = QStringLiteral("a%1").arg(i);
        r.timeMs = 1000000 + i;
        recordAction(store, lock, r, this, [&stored](const Expected<bool> &ok) { stored += ok.ok() ? 1 : 0; }, 3);
        // One at a time, as runjob and a dashboard write them.
        QTRY_COMPARE_WITH_TIMEOUT(stored, i + 1, 5000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(store.under(eventsPrefix(lock)).size(), 3, 5000);
    const QList<KvItem> left = store.under(eventsPrefix(lock));
    QCOMPARE(ActionRecord::fromJson(left.at(0).value)->action, QStringLiteral("a3"));
    QCOMPARE(ActionRecord::fromJson(left.at(2).value)->action, QStringLiteral("a5"));
}

void TestActionLog::recordActionReportsAStoreThatDoesNotAnswerNever()
{
    // recordAction() itself has no deadline (the store's requests have theirs); it calls back
    // only with an answer. The runner puts its own deadline around it (HandoverListener).
    MemoryKvStore store;
    store.silent = true;
    bool called = false;
    recordAction(store, QStringLiteral("jobs/z"), ActionRecord{}, this, [&called](const Expected<bool> &) { called = true; });
    for (int i = 0; i < 20; ++i)
        QCoreApplication::sendPostedEvents();
    QVERIFY(!called);
    QVERIFY(store.under(QStringLiteral("jobs/z")).isEmpty());
}

QTEST_GUILESS_MAIN(TestActionLog)
#include "tst_actionlog.moc"
