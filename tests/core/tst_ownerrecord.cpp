// SPDX-License-Identifier: BSD-3-Clause
#include "util/ownerrecord.h"

#include <QTest>
#include <QTimeZone>

#include <ctime>

using namespace jobslib;

class TestOwnerRecord : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void pythonBytes();
    void truncatesToWholeSeconds();
    void localTimeFollowsTimeZone();
    void extraFieldsAppended_data();
    void extraFieldsAppended();
    void jsonString_data();
    void jsonString();
    void nonAsciiFqdn();
    void fromPythonRecord();
    void roundTrip();
    void killGrace_data();
    void killGrace();
    void fromJsonFails_data();
    void fromJsonFails();
};

static const QByteArray kPythonRecord =
    "{\"fqdn\": \"host.example.com\", \"timestamp\": 1795831560, \"time_utc\": \"2026-11-28 02:06:00\", \"time_local\": \"2026-11-28 02:06:00\"}";

static QDateTime referenceTime(int msec = 0)
{
    return QDateTime(QDate(2026, 11, 28), QTime(2, 6, 0, msec), QTimeZone::utc());
}

static void setTimeZone(const char *tz)
{
    qputenv("TZ", tz);
    tzset();
}

void TestOwnerRecord::initTestCase()
{
    setTimeZone("UTC");
    QCOMPARE(referenceTime().toSecsSinceEpoch(), 1795831560);
}

void TestOwnerRecord::cleanup()
{
    setTimeZone("UTC");
}

void TestOwnerRecord::pythonBytes()
{
    const OwnerRecord r = OwnerRecord::now(QStringLiteral("host.example.com"), referenceTime());
    QCOMPARE(r.timestamp, 1795831560);
    QCOMPARE(r.timeUtc, QStringLiteral("2026-11-28 02:06:00"));
    QCOMPARE(r.timeLocal, QStringLiteral("2026-11-28 02:06:00"));
    QCOMPARE(r.toJson(), kPythonRecord);
}

void TestOwnerRecord::truncatesToWholeSeconds()
{
    // Python: int(time.time()); the text fields describe the same whole second.
    const OwnerRecord r = OwnerRecord::now(QStringLiteral("host.example.com"), referenceTime(999));
    QCOMPARE(r.toJson(), kPythonRecord);
}

void TestOwnerRecord::localTimeFollowsTimeZone()
{
    setTimeZone("CET-1"); // POSIX rule: UTC+1 all year, no tz database needed
    const OwnerRecord r = OwnerRecord::now(QStringLiteral("h"), referenceTime());
    QCOMPARE(r.timeUtc, QStringLiteral("2026-11-28 02:06:00"));
    QCOMPARE(r.timeLocal, QStringLiteral("2026-11-28 03:06:00"));
    QCOMPARE(r.timestamp, 1795831560);
}

void TestOwnerRecord::extraFieldsAppended_data()
{
    QTest::addColumn<qint64>("pid");
    QTest::addColumn<QString>("datacenter");
    QTest::addColumn<QString>("version");
    QTest::addColumn<quint64>("token");
    QTest::addColumn<QByteArray>("tail"); // after the Python fields, before '}'

    QTest::newRow("none") << qint64(0) << QString() << QString() << quint64(0) << QByteArray();
    QTest::newRow("pid") << qint64(4242) << QString() << QString() << quint64(0) << QByteArray(", \"pid\": 4242");
    QTest::newRow("all") << qint64(4242) << QStringLiteral("dc1") << QStringLiteral("1.2.3") << quint64(17)
                         << QByteArray(", \"pid\": 4242, \"datacenter\": \"dc1\", \"version\": \"1.2.3\", \"fencing_token\": 17");
    QTest::newRow("big token") << qint64(0) << QString() << QString() << quint64(18446744073709551615ULL)
                               << QByteArray(", \"fencing_token\": 18446744073709551615");
    QTest::newRow("non-ASCII datacenter") << qint64(0) << QStringLiteral("Br\u00fcnn") << QString() << quint64(0)
                                          << QByteArray(", \"datacenter\": \"Br\\u00fcnn\"");
}

void TestOwnerRecord::extraFieldsAppended()
{
    QFETCH(qint64, pid);
    QFETCH(QString, datacenter);
    QFETCH(QString, version);
    QFETCH(quint64, token);
    QFETCH(QByteArray, tail);

    OwnerRecord r = OwnerRecord::now(QStringLiteral("host.example.com"), referenceTime());
    r.pid = pid;
    r.datacenter = datacenter;
    r.version = version;
    r.fencingToken = token;
    QCOMPARE(r.toJson(), kPythonRecord.left(kPythonRecord.size() - 1) + tail + '}');
}

void TestOwnerRecord::jsonString_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected");

    // Each expectation is Python's json.dumps(text).
    QTest::newRow("plain") << QStringLiteral("host.example.com") << QByteArray("\"host.example.com\"");
    QTest::newRow("empty") << QString() << QByteArray("\"\"");
    QTest::newRow("latin-1") << QStringLiteral("h\u00f3st") << QByteArray("\"h\\u00f3st\"");
    QTest::newRow("cjk") << QStringLiteral("\u4e2d") << QByteArray("\"\\u4e2d\"");
    QTest::newRow("astral as surrogates") << QStringLiteral("a\U0001F600") << QByteArray("\"a\\ud83d\\ude00\"");
    QTest::newRow("quote and backslash") << QStringLiteral("a\"b\\c") << QByteArray("\"a\\\"b\\\\c\"");
    QTest::newRow("short escapes") << QStringLiteral("\n\r\t\b\f") << QByteArray("\"\\n\\r\\t\\b\\f\"");
    QTest::newRow("control") << QStringLiteral("\x01\x1f") << QByteArray("\"\\u0001\\u001f\"");
    QTest::newRow("DEL") << QStringLiteral("\x7f") << QByteArray("\"\\u007f\"");
    QTest::newRow("printable ASCII kept") << QStringLiteral(" ~/'") << QByteArray("\" ~/'\"");
}

void TestOwnerRecord::jsonString()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);
    QCOMPARE(pythonJsonString(text), expected);
}

void TestOwnerRecord::nonAsciiFqdn()
{
    const OwnerRecord r = OwnerRecord::now(QStringLiteral("h\u00f3st.p\u0159\u00edklad.cz"), referenceTime());
    const QByteArray json = r.toJson();
    QVERIFY2(json.startsWith("{\"fqdn\": \"h\\u00f3st.p\\u0159\\u00edklad.cz\", \"timestamp\": 1795831560,"), json.constData());
    for (const char c : json)
        QVERIFY(uchar(c) < 0x80);
    const auto back = OwnerRecord::fromJson(json);
    QVERIFY2(back.ok(), qPrintable(back.error()));
    QCOMPARE(back->fqdn, r.fqdn);
}

void TestOwnerRecord::fromPythonRecord()
{
    const auto r = OwnerRecord::fromJson(kPythonRecord);
    QVERIFY2(r.ok(), qPrintable(r.error()));
    QCOMPARE(r->fqdn, QStringLiteral("host.example.com"));
    QCOMPARE(r->timestamp, 1795831560);
    QCOMPARE(r->timeUtc, QStringLiteral("2026-11-28 02:06:00"));
    QCOMPARE(r->timeLocal, QStringLiteral("2026-11-28 02:06:00"));
    QCOMPARE(r->pid, 0);
    QVERIFY(r->datacenter.isEmpty());
    QVERIFY(r->version.isEmpty());
    QCOMPARE(r->fencingToken, 0u);
    // Written back it is the same bytes.
    QCOMPARE(r->toJson(), kPythonRecord);
}

void TestOwnerRecord::roundTrip()
{
    OwnerRecord r = OwnerRecord::now(QStringLiteral("a.example"), referenceTime());
    r.pid = 99;
    r.datacenter = QStringLiteral("dc\"2");
    r.version = QStringLiteral("0.1");
    r.fencingToken = 5;
    const auto back = OwnerRecord::fromJson(r.toJson());
    QVERIFY2(back.ok(), qPrintable(back.error()));
    QCOMPARE(back->toJson(), r.toJson());
    QCOMPARE(back->datacenter, QStringLiteral("dc\"2"));
    QCOMPARE(back->fencingToken, 5u);
}

void TestOwnerRecord::killGrace_data()
{
    QTest::addColumn<QByteArray>("written"); // the kill_grace member as a record carries it
    QTest::addColumn<double>("read");

    QTest::newRow("whole") << QByteArray("10") << 10.0;
    QTest::newRow("fraction") << QByteArray("12.5") << 12.5;
    QTest::newRow("above the option's maximum") << QByteArray("1e9") << 3600.0;
    QTest::newRow("negative") << QByteArray("-5") << 0.0;
    QTest::newRow("not a number") << QByteArray("\"10\"") << 0.0;
}

void TestOwnerRecord::killGrace()
{
    QFETCH(QByteArray, written);
    QFETCH(double, read);
    const QByteArray json = kPythonRecord.left(kPythonRecord.size() - 1) + ", \"kill_grace\": " + written + '}';
    const auto r = OwnerRecord::fromJson(json);
    QVERIFY2(r.ok(), qPrintable(r.error()));
    QCOMPARE(r->killGrace, read);
    // Written last, and only when known; Python readers ignore it like the other additions.
    if (read > 0 && read < 3600)
        QCOMPARE(r->toJson(), json);
}

void TestOwnerRecord::fromJsonFails_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("array") << QByteArray("[1]") << QStringLiteral("owner record is not a JSON object");
    QTest::newRow("string") << QByteArray("\"x\"") << QStringLiteral("owner record is not");
    QTest::newRow("garbage") << QByteArray("garbage") << QStringLiteral("owner record is not JSON: ");
    QTest::newRow("truncated") << kPythonRecord.left(30) << QStringLiteral("owner record is not JSON: ");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("owner record is not");
}

void TestOwnerRecord::fromJsonFails()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, fragment);
    const auto r = OwnerRecord::fromJson(json);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().startsWith(fragment), qPrintable(r.error()));
}

QTEST_GUILESS_MAIN(TestOwnerRecord)
#include "tst_ownerrecord.moc"
