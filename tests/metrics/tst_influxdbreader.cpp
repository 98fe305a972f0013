// SPDX-License-Identifier: BSD-3-Clause
// InfluxDbReader (reading job history back for the dashboard) against a real influxd 1.x with
// authentication (tests/support/influxdbprocess.h), fed by the project's own InfluxDbWriter with
// the points runjob writes for an iteration (Runner::reportIteration, Context::pushPoints):
// job_duration_seconds, field value (float), tags status, task, type=task, whole seconds.
//
// Checked: jobHistory() returns exactly the runs of one task in the window (durations, statuses,
// counts per bucket, window bounds), nothing of other tasks (prefix, case, quote injection), names
// with quotes and backslashes; one clear error for a wrong database, wrong credentials, a server
// that is down, one that never answers, an invalid request; no callback after its context died.
// The parser (parse/classify) without a server: InfluxDB's answers, malformed ones, and a
// deterministic mutation fuzz (it must never crash).
#include "influxdbprocess.h"
#include "metrics/influxdbreader.h"
#include "metrics/influxdbwriter.h"
#include "metrics/lineprotocol.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace jobslib;
using jobslib::test::InfluxDbProcess;
using Kind = InfluxDbReader::Error::Kind;
using Run = InfluxDbReader::Run;

Q_DECLARE_METATYPE(InfluxDbReader::Error::Kind)

namespace jobslib {
// For QCOMPARE's failure messages (found by argument-dependent lookup).
char *toString(const InfluxDbReader::Error::Kind &kind)
{
    switch (kind) {
    case Kind::None: return qstrdup("None");
    case Kind::InvalidArgument: return qstrdup("InvalidArgument");
    case Kind::Network: return qstrdup("Network");
    case Kind::Timeout: return qstrdup("Timeout");
    case Kind::Unauthorized: return qstrdup("Unauthorized");
    case Kind::NotFound: return qstrdup("NotFound");
    case Kind::Query: return qstrdup("Query");
    case Kind::Server: return qstrdup("Server");
    case Kind::Malformed: return qstrdup("Malformed");
    }
    return qstrdup("?");
}
char *toString(const InfluxDbReader::Run &run)
{
    const QByteArray text = QByteArray::number(run.time) + " / " + QByteArray::number(run.seconds);
    return qstrdup(text.constData());
}
} // namespace jobslib

namespace {

const QString Db = QStringLiteral("jobs");
const QString Admin = QStringLiteral("admin");
const QString Password = QStringLiteral("pa'ss\\word");

// The window of the history tests: (End - 3600, End], buckets of 600 s. End is not a multiple of
// 600, so the first bucket begins before the window and the last one holds End.
constexpr qint64 End = 1700003000;
constexpr qint64 Window = 3600;
constexpr qint64 From = End - Window; // 1699999400
constexpr qint64 Bucket = 600;
constexpr qint64 FirstBucket = 1699999200;

// Names that must each read back only their own points.
const QString Alpha = QStringLiteral("alpha");
const QString Beta = QStringLiteral("beta");
// A quote, a backslash, double quotes, an arg() marker and a semicolon.
const QString Quoted = QStringLiteral("o'brien\\x \"night\" %1; DROP DATABASE jobs");

struct Point
{
    QString task;
    QString status;
    qint64 time;
    double seconds;
};

/*! What the test writes: alpha's runs in and around the window, and its neighbours'. */
QList<Point> fixture()
{
    return {
        // alpha, in the window
        {Alpha, QStringLiteral("succeeded"), From + 1, 1.5},            // bucket 0
        {Alpha, QStringLiteral("failed"), 1699999800, 2.25},            // bucket 1 (its first second)
        {Alpha, QStringLiteral("succeeded"), 1700000000, 0.5},          // bucket 1
        {Alpha, QStringLiteral("interrupted"), 1700000100, 30.0},       // bucket 1
        {Alpha, QStringLiteral("killed"), 1700001000, 60.0},            // bucket 3
        {Alpha, QStringLiteral("succeeded"), End - 1, 1.0},             // bucket 6
        {Alpha, QStringLiteral("failed"), End, 3.0},                    // bucket 6 (the window's last second)
        // alpha, outside the window: (From, End] excludes From
        {Alpha, QStringLiteral("succeeded"), From, 9.0},
        {Alpha, QStringLiteral("failed"), From - 100, 9.5},
        {Alpha, QStringLiteral("succeeded"), End + 1, 7.0},
        // the neighbours, at the same seconds
        {Beta, QStringLiteral("succeeded"), 1700000000, 100.0},
        {Beta, QStringLiteral("failed"), 1700002000, 200.0},
        {QStringLiteral("alphabet"), QStringLiteral("succeeded"), 1700000000, 11.0},
        {QStringLiteral("Alpha"), QStringLiteral("failed"), 1700000000, 12.0},
        {Quoted, QStringLiteral("failed"), 1700000500, 4.5},
        {Quoted, QStringLiteral("succeeded"), 1700002500, 0.25},
    };
}

/*! The points runjob pushes for one iteration (Runner::reportIteration + Context::pushPoints). */
QList<MetricPoint> iterationPoints(const Point &p)
{
    MetricPoint duration;
    duration.measurement = QStringLiteral("job_duration_seconds");
    duration.value = p.seconds;
    duration.tags = {{QStringLiteral("status"), p.status}, {QStringLiteral("type"), QStringLiteral("task")}, {QStringLiteral("task"), p.task}};
    duration.timestampNs = p.time * 1000000000LL;
    QList<MetricPoint> points{duration};
    if (p.status == QLatin1String("succeeded")) {
        MetricPoint last;
        last.measurement = QStringLiteral("last_successful_run_timestamp");
        last.value = double(p.time);
        last.tags = {{QStringLiteral("task"), p.task}};
        last.timestampNs = duration.timestampNs;
        points << last;
    }
    return points;
}

/*! A server that accepts connections and never answers (a hung InfluxDB); counts closed connections. */
class SilentServer : public QObject
{
    Q_OBJECT
public:
    SilentServer()
    {
        connect(&m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++accepted;
                connect(socket, &QIODevice::readyRead, socket, [socket] { socket->readAll(); });
                connect(socket, &QAbstractSocket::disconnected, this, [this, socket] {
                    ++closed;
                    socket->deleteLater();
                });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }
    int accepted = 0;
    int closed = 0;

private:
    QTcpServer m_server;
};

template<typename T>
struct Answer
{
    int calls = 0;
    T value;
};

} // namespace

class TestInfluxDbReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    // Without a server
    void parseAnswers();
    void parseMalformed_data();
    void parseMalformed();
    void parseFuzz();
    void classify_data();
    void classify();
    void quoting();
    void historyQueryText();
    void invalidRequest_data();
    void invalidRequest();

    // Against influxd
    void genericQuery();
    void historyOfOneTask();
    void historyWithQuotes();
    void injectionFindsNothing_data();
    void injectionFindsNothing();
    void historyTruncated();
    void historyEmpty();
    void wrongDatabase();
    void wrongCredentials();
    void unreachable();
    void timeout();
    void destroyedContextGetsNoCallback();
    void destroyedReaderAbortsRequests();

    void cleanupTestCase();

private:
    InfluxDbEndpoint endpoint() const;
    /*! Runs jobHistory() on a reader and waits (event loop, deadline) for its one answer. */
    Answer<InfluxDbReader::JobHistory> history(const InfluxDbEndpoint &endpoint, const InfluxDbReader::HistoryRequest &request, int deadlineMs = 10000);
    Answer<InfluxDbReader::QueryResult> query(const InfluxDbEndpoint &endpoint, const QString &influxQl, int deadlineMs = 10000);
    static InfluxDbReader::HistoryRequest request(const QString &task);

    std::unique_ptr<InfluxDbProcess> m_influx;
    QString m_startError;
    QNetworkAccessManager m_network;
};

// The server tests skip (not fail) where influxd is not installed; the parser tests always run.
#define REQUIRE_INFLUXD()                                                                                                                  \
    do {                                                                                                                                   \
        if (!m_influx)                                                                                                                     \
            QSKIP("influxd is not installed (Debian package \"influxdb\": apt-get install influxdb)");                                  \
        QVERIFY2(m_startError.isEmpty(), qPrintable(m_startError));                                                                        \
    } while (false)

void TestInfluxDbReader::initTestCase()
{
    m_network.setProxy(QNetworkProxy::NoProxy);
    if (InfluxDbProcess::program().isEmpty())
        return;
    m_influx = std::make_unique<InfluxDbProcess>();
    QString error;
    if (!m_influx->start(true, &error) || !m_influx->createAdmin(Admin, Password, &error) || !m_influx->createDatabase(Db, &error)) {
        m_startError = QStringLiteral("influxd: ") + error;
        return;
    }

    // Written as runjob writes: the project's InfluxDbWriter, the project's line protocol.
    QList<MetricPoint> points;
    for (const Point &p : fixture())
        points << iterationPoints(p);
    InfluxDbWriter writer(&m_network, endpoint());
    auto written = std::make_shared<Answer<InfluxDbWriter::Result>>();
    writer.write(toLineProtocol(points), [written](const InfluxDbWriter::Result &r) {
        ++written->calls;
        written->value = r;
    });
    if (!QTest::qWaitFor([&] { return written->calls > 0; }, 10000))
        m_startError = QStringLiteral("writing the fixture: no answer");
    else if (!written->value.ok())
        m_startError = QStringLiteral("writing the fixture: ") + written->value.describe();
}

InfluxDbEndpoint TestInfluxDbReader::endpoint() const
{
    InfluxDbEndpoint e;
    e.baseUrl = QUrl(m_influx->url());
    e.database = Db;
    e.username = Admin;
    e.password = Password;
    e.timeoutMs = 10000;
    return e;
}

InfluxDbReader::HistoryRequest TestInfluxDbReader::request(const QString &task)
{
    InfluxDbReader::HistoryRequest r;
    r.task = task;
    r.windowSeconds = Window;
    r.bucketSeconds = Bucket;
    r.endSeconds = End;
    return r;
}

Answer<InfluxDbReader::JobHistory> TestInfluxDbReader::history(const InfluxDbEndpoint &e, const InfluxDbReader::HistoryRequest &r, int deadlineMs)
{
    InfluxDbReader reader(&m_network, e);
    auto answer = std::make_shared<Answer<InfluxDbReader::JobHistory>>();
    reader.jobHistory(r, this, [answer](const InfluxDbReader::JobHistory &h) {
        ++answer->calls;
        answer->value = h;
    });
    // Never from within the call.
    if (answer->calls != 0)
        return *answer;
    // The caller checks calls: 0 when the deadline passed.
    (void)QTest::qWaitFor([&] { return answer->calls > 0; }, deadlineMs);
    return *answer;
}

Answer<InfluxDbReader::QueryResult> TestInfluxDbReader::query(const InfluxDbEndpoint &e, const QString &influxQl, int deadlineMs)
{
    InfluxDbReader reader(&m_network, e);
    auto answer = std::make_shared<Answer<InfluxDbReader::QueryResult>>();
    reader.query(influxQl, this, [answer](const InfluxDbReader::QueryResult &r) {
        ++answer->calls;
        answer->value = r;
    });
    // The caller checks calls: 0 when the deadline passed.
    (void)QTest::qWaitFor([&] { return answer->calls > 0; }, deadlineMs);
    return *answer;
}

// ---------------------------------------------------------------------------------------------
// Without a server

void TestInfluxDbReader::parseAnswers()
{
    // Two statements, as InfluxDB 1.6 answers them with epoch=s.
    const QByteArray body = R"({"results":[
        {"statement_id":0,"series":[
            {"name":"job_duration_seconds","tags":{"status":"failed"},"columns":["time","value","note","ok"],
             "values":[[1700000000,2.5,"x",true],[1700000600,null,null,false]]},
            {"name":"job_duration_seconds","tags":{"status":"succeeded"},"columns":["time","value","note","ok"],"values":[[1700000001,1,"y",true]]}]},
        {"statement_id":1}]})";
    const InfluxDbReader::QueryResult r = InfluxDbReader::parse(body);
    QVERIFY2(r.ok(), qPrintable(r.error.describe()));
    QCOMPARE(r.series.size(), 2);
    QCOMPARE(r.seriesOf(0).size(), 2);
    QCOMPARE(r.seriesOf(1).size(), 0);
    const InfluxDbReader::Series &s = r.series.at(0);
    QCOMPARE(s.statement, 0);
    QCOMPARE(s.name, QStringLiteral("job_duration_seconds"));
    QCOMPARE(s.tags, (QMap<QString, QString>{{QStringLiteral("status"), QStringLiteral("failed")}}));
    QCOMPARE(s.columns, (QStringList{QStringLiteral("time"), QStringLiteral("value"), QStringLiteral("note"), QStringLiteral("ok")}));
    QCOMPARE(s.column(QStringLiteral("value")), 1);
    QCOMPARE(s.column(QStringLiteral("nope")), -1);
    QCOMPARE(s.rows.size(), 2);
    QCOMPARE(s.rows[0][0].typeId(), QMetaType::LongLong);
    QCOMPARE(s.rows[0][0].toLongLong(), 1700000000);
    QCOMPARE(s.rows[0][1].typeId(), QMetaType::Double);
    QCOMPARE(s.rows[0][1].toDouble(), 2.5);
    QCOMPARE(s.rows[0][2], QVariant(QStringLiteral("x")));
    QCOMPARE(s.rows[0][3], QVariant(true));
    QVERIFY(!s.rows[1][1].isValid());
    // A whole float (JSON 1) is a double all the same.
    QCOMPARE(r.series.at(1).rows[0][1].typeId(), QMetaType::Double);

    // Errors in the body: top-level, or a statement's (InfluxDB 1.x answers a missing database with 200).
    InfluxDbReader::QueryResult e = InfluxDbReader::parse(R"({"error":"error parsing query: found EOF"})");
    QCOMPARE(e.error.kind, Kind::Query);
    QCOMPARE(e.error.describe(), QStringLiteral("error parsing query: found EOF"));
    QVERIFY(e.series.isEmpty());
    e = InfluxDbReader::parse(R"({"results":[{"statement_id":0,"series":[]},{"statement_id":1,"error":"database not found: nope"}]})");
    QCOMPARE(e.error.kind, Kind::NotFound);
    QCOMPARE(e.error.describe(), QStringLiteral("database not found: nope"));
    QVERIFY(e.series.isEmpty());
    // "not executed" is only the knock-on effect of another statement's error: that one is reported.
    e = InfluxDbReader::parse(R"({"results":[{"statement_id":0,"error":"not executed"},{"statement_id":1,"error":"database not found: x"}]})");
    QCOMPARE(e.error.describe(), QStringLiteral("database not found: x"));
    // (influxd 1.6 answers several statements on a missing database with nothing else.)
    e = InfluxDbReader::parse(R"({"results":[{"statement_id":0,"error":"not executed"}]})");
    QCOMPARE(e.error.kind, Kind::Query);
    QCOMPARE(e.error.describe(), QStringLiteral("not executed"));
    // An error is never silent.
    e = InfluxDbReader::parse(R"({"results":[{"statement_id":0,"error":""}]})");
    QCOMPARE(e.error.describe(), QStringLiteral("(InfluxDB gave an error without text)"));
    e = InfluxDbReader::parse(R"({"error":7})");
    QCOMPARE(e.error.describe(), QStringLiteral("(InfluxDB gave an error without text)"));
    // Nothing matched: no series at all.
    e = InfluxDbReader::parse(R"({"results":[{"statement_id":0}]})");
    QVERIFY(e.ok());
    QVERIFY(e.series.isEmpty());
}

void TestInfluxDbReader::parseMalformed_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not JSON") << QByteArray("<html>502 Bad Gateway</html>");
    QTest::newRow("truncated") << QByteArray(R"({"results":[{"statement_id":0,"series":[{"name":"m","colu)");
    QTest::newRow("array") << QByteArray("[]");
    QTest::newRow("string") << QByteArray("\"results\"");
    QTest::newRow("no results") << QByteArray("{}");
    QTest::newRow("results not an array") << QByteArray(R"({"results":5})");
    QTest::newRow("result not an object") << QByteArray(R"({"results":[5]})");
    QTest::newRow("statement_id a string") << QByteArray(R"({"results":[{"statement_id":"0"}]})");
    QTest::newRow("statement_id fractional") << QByteArray(R"({"results":[{"statement_id":0.5}]})");
    QTest::newRow("statement_id huge") << QByteArray(R"({"results":[{"statement_id":1e300}]})");
    QTest::newRow("series an object") << QByteArray(R"({"results":[{"series":{}}]})");
    QTest::newRow("series element") << QByteArray(R"({"results":[{"series":[null]}]})");
    QTest::newRow("name a number") << QByteArray(R"({"results":[{"series":[{"name":1,"columns":[]}]}]})");
    QTest::newRow("no columns") << QByteArray(R"({"results":[{"series":[{"name":"m","values":[]}]}]})");
    QTest::newRow("column a number") << QByteArray(R"({"results":[{"series":[{"columns":["time",2]}]}]})");
    QTest::newRow("tags an array") << QByteArray(R"({"results":[{"series":[{"tags":[],"columns":["time"]}]}]})");
    QTest::newRow("tag a number") << QByteArray(R"({"results":[{"series":[{"tags":{"status":1},"columns":["time"]}]}]})");
    QTest::newRow("values an object") << QByteArray(R"({"results":[{"series":[{"columns":["time"],"values":{}}]}]})");
    QTest::newRow("row not an array") << QByteArray(R"({"results":[{"series":[{"columns":["time"],"values":[1]}]}]})");
    QTest::newRow("row too short") << QByteArray(R"({"results":[{"series":[{"columns":["time","value"],"values":[[1]]}]}]})");
    QTest::newRow("row too long") << QByteArray(R"({"results":[{"series":[{"columns":["time"],"values":[[1,2]]}]}]})");
    QTest::newRow("cell an object") << QByteArray(R"({"results":[{"series":[{"columns":["time","v"],"values":[[1,{}]]}]}]})");
    QTest::newRow("cell an array") << QByteArray(R"({"results":[{"series":[{"columns":["time","v"],"values":[[1,[2]]]}]}]})");
    QTest::newRow("time out of range") << QByteArray(R"({"results":[{"series":[{"columns":["time"],"values":[[1e300]]}]}]})");
    QTest::newRow("time negative out of range") << QByteArray(R"({"results":[{"series":[{"columns":["time"],"values":[[-1e19]]}]}]})");
    QTest::newRow("deep nesting") << QByteArray(100000, '[');
    QTest::newRow("NUL bytes") << QByteArray("{\"results\":[\0]}", 15);
}

void TestInfluxDbReader::parseMalformed()
{
    QFETCH(QByteArray, body);
    const InfluxDbReader::QueryResult r = InfluxDbReader::parse(body);
    QCOMPARE(r.error.kind, Kind::Malformed);
    QVERIFY(r.series.isEmpty());
    QVERIFY2(r.error.describe().startsWith(QLatin1String("malformed answer: ")), qPrintable(r.error.describe()));
    QVERIFY(r.error.message.size() > 5);
}

void TestInfluxDbReader::parseFuzz()
{
    // Deterministic mutations of a real answer: whatever comes out, it is a result or an error,
    // never a crash, and never both.
    const QByteArray seed = R"({"results":[{"statement_id":0,"series":[{"name":"job_duration_seconds","tags":{"status":"failed"},)"
                            R"("columns":["time","value"],"values":[[1700000000,2.5],[1700000600,null]]}]},{"statement_id":1,"error":"x"}]})";
    QRandomGenerator random(20240611);
    const QByteArray alphabet = "{}[]\":,0123456789.-eEtrufalsn \\x\x01\xff";
    int ok = 0;
    int errors = 0;
    for (int i = 0; i < 20000; ++i) {
        QByteArray body = seed;
        const int edits = 1 + int(random.bounded(4));
        for (int e = 0; e < edits && !body.isEmpty(); ++e) {
            const qsizetype at = random.bounded(int(body.size()));
            switch (random.bounded(3)) {
            case 0: body[at] = alphabet.at(random.bounded(int(alphabet.size()))); break;
            case 1: body.remove(at, 1 + random.bounded(8)); break;
            default: body.insert(at, alphabet.at(random.bounded(int(alphabet.size())))); break;
            }
        }
        const InfluxDbReader::QueryResult r = InfluxDbReader::parse(body);
        if (r.ok()) {
            ++ok;
        } else {
            ++errors;
            QVERIFY(r.series.isEmpty());
            QVERIFY(!r.error.describe().isEmpty());
        }
    }
    QVERIFY(errors > 0);
    qDebug("fuzz: %d parsed, %d refused", ok, errors);
}

void TestInfluxDbReader::classify_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("timedOut");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QString>("describe");
    QTest::newRow("200") << 200 << QByteArray(R"({"results":[{"statement_id":0}]})") << false << Kind::None << QString();
    QTest::newRow("200 not JSON") << 200 << QByteArray("hello") << false << Kind::Malformed
                                  << QStringLiteral("malformed answer: not JSON (illegal value at offset 1)");
    QTest::newRow("401") << 401 << QByteArray(R"({"error":"authorization failed"})") << false << Kind::Unauthorized
                         << QStringLiteral("HTTP 401: authorization failed");
    QTest::newRow("403") << 403 << QByteArray(R"({"error":"error authorizing query: create admin user first or disable authentication"})") << false
                         << Kind::Unauthorized << QStringLiteral("HTTP 403: error authorizing query: create admin user first or disable authentication");
    QTest::newRow("404 not InfluxDB") << 404 << QByteArray("404 page not found\n") << false << Kind::NotFound << QStringLiteral("HTTP 404: 404 page not found");
    QTest::newRow("400") << 400 << QByteArray(R"({"error":"error parsing query: found X, expected SELECT"})") << false << Kind::Query
                         << QStringLiteral("HTTP 400: error parsing query: found X, expected SELECT");
    QTest::newRow("500") << 500 << QByteArray(R"({"error":"timeout"})") << false << Kind::Server << QStringLiteral("HTTP 500: timeout");
    QTest::newRow("502 html") << 502 << QByteArray("<html>bad gateway</html>") << false << Kind::Server
                              << QStringLiteral("HTTP 502: <html>bad gateway</html>");
    QTest::newRow("v2 message") << 401 << QByteArray(R"({"code":"unauthorized","message":"unauthorized access"})") << false << Kind::Unauthorized
                                << QStringLiteral("HTTP 401: unauthorized access");
    QTest::newRow("no answer") << 0 << QByteArray() << false << Kind::Network << QStringLiteral("network: Connection refused");
    QTest::newRow("timeout") << 0 << QByteArray() << true << Kind::Timeout << QStringLiteral("timeout: Connection refused");
}

void TestInfluxDbReader::classify()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, timedOut);
    QFETCH(Kind, kind);
    QFETCH(QString, describe);
    const InfluxDbReader::QueryResult r = InfluxDbReader::classify(status, body, QStringLiteral("Connection refused"), timedOut);
    QCOMPARE(r.error.kind, kind);
    QCOMPARE(r.error.describe(), describe);
}

void TestInfluxDbReader::quoting()
{
    QCOMPARE(InfluxDbReader::quoteString(QStringLiteral("plain")), QStringLiteral("'plain'"));
    QCOMPARE(InfluxDbReader::quoteString(QStringLiteral("it's")), QStringLiteral("'it\\'s'"));
    QCOMPARE(InfluxDbReader::quoteString(QStringLiteral("a\\b")), QStringLiteral("'a\\\\b'"));
    QCOMPARE(InfluxDbReader::quoteString(QStringLiteral("end\\")), QStringLiteral("'end\\\\'"));
    QCOMPARE(InfluxDbReader::quoteString(QStringLiteral("\\'")), QStringLiteral("'\\\\\\''"));
    QCOMPARE(InfluxDbReader::quoteString(QStringLiteral("two\nlines")), QStringLiteral("'two\\nlines'"));
    QCOMPARE(InfluxDbReader::quoteString(QStringLiteral("say \"hi\"")), QStringLiteral("'say \"hi\"'"));
    QCOMPARE(InfluxDbReader::quoteIdentifier(QStringLiteral("value")), QStringLiteral("\"value\""));
    QCOMPARE(InfluxDbReader::quoteIdentifier(QStringLiteral("my \"f\"\\")), QStringLiteral("\"my \\\"f\\\"\\\\\""));
}

void TestInfluxDbReader::historyQueryText()
{
    InfluxDbReader::HistoryRequest r = request(QStringLiteral("it's %1"));
    r.maxRunsPerStatus = 50;
    QString error;
    const QStringList q = InfluxDbReader::historyQueries(r, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QString where = QStringLiteral(R"( WHERE "task" = 'it\'s %1' AND time > 1699999400000000000 AND time <= 1700003000000000000)");
    QCOMPARE(q.size(), 2);
    QCOMPARE(q.at(0), QStringLiteral(R"(SELECT "value" FROM "job_duration_seconds")") + where + QStringLiteral(R"( GROUP BY "status" ORDER BY time DESC LIMIT 50)"));
    QCOMPARE(q.at(1), QStringLiteral(R"(SELECT COUNT("value") FROM "job_duration_seconds")") + where + QStringLiteral(R"( GROUP BY time(600s), "status" fill(0))"));
}

void TestInfluxDbReader::invalidRequest_data()
{
    QTest::addColumn<QString>("task");
    QTest::addColumn<qint64>("window");
    QTest::addColumn<qint64>("bucket");
    QTest::addColumn<QString>("message");
    QTest::newRow("no task") << QString() << Window << Bucket << QStringLiteral("no task name");
    QTest::newRow("carriage return") << QStringLiteral("a\rb") << Window << Bucket
                                     << QStringLiteral("a task name with a carriage return or NUL cannot be queried");
    QTest::newRow("NUL") << QString(QStringLiteral("a") + QChar(0)) << Window << Bucket
                         << QStringLiteral("a task name with a carriage return or NUL cannot be queried");
    QTest::newRow("zero window") << Alpha << qint64(0) << Bucket << QStringLiteral("window and bucket must be at least one second");
    QTest::newRow("zero bucket") << Alpha << Window << qint64(0) << QStringLiteral("window and bucket must be at least one second");
    QTest::newRow("too many buckets") << Alpha << qint64(7 * 86400) << qint64(1) << QStringLiteral("more than 10000 buckets: choose longer buckets");
    QTest::newRow("before 1970") << Alpha << End + 1 << Bucket << QStringLiteral("the window must lie between 1970 and 2255");
}

void TestInfluxDbReader::invalidRequest()
{
    QFETCH(QString, task);
    QFETCH(qint64, window);
    QFETCH(qint64, bucket);
    QFETCH(QString, message);
    InfluxDbReader::HistoryRequest r = request(task);
    r.windowSeconds = window;
    r.bucketSeconds = bucket;
    // No request is sent: nobody listens there.
    InfluxDbEndpoint e;
    e.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
    const Answer<InfluxDbReader::JobHistory> a = history(e, r, 2000);
    QCOMPARE(a.calls, 1);
    QCOMPARE(a.value.error.kind, Kind::InvalidArgument);
    QCOMPARE(a.value.error.describe(), QStringLiteral("invalid request: ") + message);
    QVERIFY(a.value.runs.isEmpty());
}

// ---------------------------------------------------------------------------------------------
// Against influxd

void TestInfluxDbReader::genericQuery()
{
    REQUIRE_INFLUXD();
    const Answer<InfluxDbReader::QueryResult> a =
        query(endpoint(), QStringLiteral("SELECT \"value\" FROM \"job_duration_seconds\" WHERE \"task\" = 'beta'; "
                                         "SELECT \"value\" FROM \"last_successful_run_timestamp\" WHERE \"task\" = 'beta' GROUP BY \"task\""));
    QCOMPARE(a.calls, 1);
    QVERIFY2(a.value.ok(), qPrintable(a.value.error.describe()));
    QCOMPARE(a.value.series.size(), 2);
    const InfluxDbReader::Series runs = a.value.seriesOf(0).value(0);
    QCOMPARE(runs.name, QStringLiteral("job_duration_seconds"));
    QVERIFY(runs.tags.isEmpty());
    QCOMPARE(runs.columns, (QStringList{QStringLiteral("time"), QStringLiteral("value")}));
    QCOMPARE(runs.rows, (QList<QVariantList>{{qint64(1700000000), 100.0}, {qint64(1700002000), 200.0}}));
    const InfluxDbReader::Series last = a.value.seriesOf(1).value(0);
    QCOMPARE(last.name, QStringLiteral("last_successful_run_timestamp"));
    QCOMPARE(last.tags, (QMap<QString, QString>{{QStringLiteral("task"), Beta}}));
    QCOMPARE(last.rows, (QList<QVariantList>{{qint64(1700000000), 1700000000.0}}));
}

void TestInfluxDbReader::historyOfOneTask()
{
    REQUIRE_INFLUXD();
    const Answer<InfluxDbReader::JobHistory> a = history(endpoint(), request(Alpha));
    QCOMPARE(a.calls, 1);
    const InfluxDbReader::JobHistory &h = a.value;
    QVERIFY2(h.ok(), qPrintable(h.error.describe()));
    QCOMPARE(h.task, Alpha);
    QCOMPARE(h.from, From);
    QCOMPARE(h.to, End);
    QCOMPARE(h.bucketSeconds, Bucket);
    QVERIFY(!h.truncated);

    // Exactly alpha's runs in (From, End], oldest first: not From, not End + 1, nobody else's.
    QCOMPARE(h.runs.keys(), (QStringList{QStringLiteral("failed"), QStringLiteral("interrupted"), QStringLiteral("killed"), QStringLiteral("succeeded")}));
    QCOMPARE(h.runs.value(QStringLiteral("succeeded")), (QList<Run>{{From + 1, 1.5}, {1700000000, 0.5}, {End - 1, 1.0}}));
    QCOMPARE(h.runs.value(QStringLiteral("failed")), (QList<Run>{{1699999800, 2.25}, {End, 3.0}}));
    QCOMPARE(h.runs.value(QStringLiteral("interrupted")), (QList<Run>{{1700000100, 30.0}}));
    QCOMPARE(h.runs.value(QStringLiteral("killed")), (QList<Run>{{1700001000, 60.0}}));

    // Buckets of 600 s aligned to the epoch: the first begins before From, the last holds End.
    QList<qint64> buckets;
    for (qint64 b = FirstBucket; b <= End; b += Bucket)
        buckets << b;
    QCOMPARE(buckets.size(), 7);
    QCOMPARE(h.buckets, buckets);
    QCOMPARE(h.statuses(), h.runs.keys());
    QCOMPARE(h.counts.value(QStringLiteral("succeeded")), (QList<qint64>{1, 1, 0, 0, 0, 0, 1}));
    QCOMPARE(h.counts.value(QStringLiteral("failed")), (QList<qint64>{0, 1, 0, 0, 0, 0, 1}));
    QCOMPARE(h.counts.value(QStringLiteral("interrupted")), (QList<qint64>{0, 1, 0, 0, 0, 0, 0}));
    QCOMPARE(h.counts.value(QStringLiteral("killed")), (QList<qint64>{0, 0, 0, 1, 0, 0, 0}));
    QCOMPARE(h.total(QStringLiteral("succeeded")), qint64(3));
    QCOMPARE(h.total(QStringLiteral("pending")), qint64(0));

    // The other tasks see only theirs.
    const Answer<InfluxDbReader::JobHistory> b = history(endpoint(), request(Beta));
    QVERIFY2(b.value.ok(), qPrintable(b.value.error.describe()));
    QCOMPARE(b.value.runs.value(QStringLiteral("succeeded")), (QList<Run>{{1700000000, 100.0}}));
    QCOMPARE(b.value.runs.value(QStringLiteral("failed")), (QList<Run>{{1700002000, 200.0}}));
    QCOMPARE(b.value.runs.size(), 2);
    QCOMPARE(b.value.counts.value(QStringLiteral("succeeded")), (QList<qint64>{0, 1, 0, 0, 0, 0, 0}));
    QCOMPARE(b.value.counts.value(QStringLiteral("failed")), (QList<qint64>{0, 0, 0, 0, 1, 0, 0}));
    const Answer<InfluxDbReader::JobHistory> upper = history(endpoint(), request(QStringLiteral("Alpha")));
    QVERIFY2(upper.value.ok(), qPrintable(upper.value.error.describe()));
    QCOMPARE(upper.value.runs.value(QStringLiteral("failed")), (QList<Run>{{1700000000, 12.0}}));
    QCOMPARE(upper.value.runs.size(), 1);
}

void TestInfluxDbReader::historyWithQuotes()
{
    REQUIRE_INFLUXD();
    const Answer<InfluxDbReader::JobHistory> a = history(endpoint(), request(Quoted));
    QCOMPARE(a.calls, 1);
    QVERIFY2(a.value.ok(), qPrintable(a.value.error.describe()));
    QCOMPARE(a.value.task, Quoted);
    QCOMPARE(a.value.runs.value(QStringLiteral("failed")), (QList<Run>{{1700000500, 4.5}}));
    QCOMPARE(a.value.runs.value(QStringLiteral("succeeded")), (QList<Run>{{1700002500, 0.25}}));
    QCOMPARE(a.value.runs.size(), 2);
    QCOMPARE(a.value.counts.value(QStringLiteral("failed")), (QList<qint64>{0, 0, 1, 0, 0, 0, 0}));
    QCOMPARE(a.value.counts.value(QStringLiteral("succeeded")), (QList<qint64>{0, 0, 0, 0, 0, 1, 0}));
    // The database is still there.
    const Answer<InfluxDbReader::QueryResult> dbs = query(endpoint(), QStringLiteral("SHOW DATABASES"));
    QVERIFY2(dbs.value.ok(), qPrintable(dbs.value.error.describe()));
    QVERIFY(dbs.value.series.value(0).rows.contains(QVariantList{Db}));
}

void TestInfluxDbReader::injectionFindsNothing_data()
{
    QTest::addColumn<QString>("task");
    // Each would read alpha's or everybody's runs (or fail to parse) if it reached InfluxQL unquoted.
    QTest::newRow("or") << QStringLiteral("nobody' OR \"task\" = 'alpha");
    QTest::newRow("or true") << QStringLiteral("x' OR '1' = '1");
    QTest::newRow("regex") << QStringLiteral("x' OR \"task\" =~ /.*/ OR \"task\" = 'y");
    QTest::newRow("comment") << QStringLiteral("alpha' -- ");
    QTest::newRow("trailing backslash") << QStringLiteral("alpha\\");
    QTest::newRow("escaped quote") << QStringLiteral("alpha\\' OR \"task\" = 'beta");
    QTest::newRow("newline") << QStringLiteral("alpha\n");
    QTest::newRow("arg marker") << QStringLiteral("%1%2%3");
}

void TestInfluxDbReader::injectionFindsNothing()
{
    REQUIRE_INFLUXD();
    QFETCH(QString, task);
    const Answer<InfluxDbReader::JobHistory> a = history(endpoint(), request(task));
    QCOMPARE(a.calls, 1);
    QVERIFY2(a.value.ok(), qPrintable(a.value.error.describe()));
    QVERIFY(a.value.runs.isEmpty());
    QVERIFY(a.value.counts.isEmpty());
    QCOMPARE(a.value.buckets.size(), 7);
}

void TestInfluxDbReader::historyTruncated()
{
    REQUIRE_INFLUXD();
    // The newest run of each status only; the counts stay complete.
    InfluxDbReader::HistoryRequest r = request(Alpha);
    r.maxRunsPerStatus = 1;
    const Answer<InfluxDbReader::JobHistory> a = history(endpoint(), r);
    QVERIFY2(a.value.ok(), qPrintable(a.value.error.describe()));
    QVERIFY(a.value.truncated);
    QCOMPARE(a.value.runs.value(QStringLiteral("succeeded")), (QList<Run>{{End - 1, 1.0}}));
    QCOMPARE(a.value.runs.value(QStringLiteral("failed")), (QList<Run>{{End, 3.0}}));
    QCOMPARE(a.value.total(QStringLiteral("succeeded")), qint64(3));
    QCOMPARE(a.value.total(QStringLiteral("failed")), qint64(2));
}

void TestInfluxDbReader::historyEmpty()
{
    REQUIRE_INFLUXD();
    // A window without runs, and "now" (endSeconds 0): no error, no runs, the buckets all the same.
    InfluxDbReader reader(&m_network, endpoint());
    auto answer = std::make_shared<Answer<InfluxDbReader::JobHistory>>();
    const qint64 before = QDateTime::currentSecsSinceEpoch();
    reader.jobHistory(Alpha, 3600, 300, this, [answer](const InfluxDbReader::JobHistory &h) {
        ++answer->calls;
        answer->value = h;
    });
    QVERIFY(QTest::qWaitFor([&] { return answer->calls > 0; }, 10000));
    const InfluxDbReader::JobHistory &h = answer->value;
    QVERIFY2(h.ok(), qPrintable(h.error.describe()));
    QVERIFY(h.to >= before && h.to <= QDateTime::currentSecsSinceEpoch());
    QCOMPARE(h.from, h.to - 3600);
    QVERIFY(h.runs.isEmpty());
    QVERIFY(h.counts.isEmpty());
    QVERIFY(h.buckets.size() == 12 || h.buckets.size() == 13);
    QCOMPARE(h.buckets.first(), h.from / 300 * 300);
}

void TestInfluxDbReader::wrongDatabase()
{
    REQUIRE_INFLUXD();
    InfluxDbEndpoint e = endpoint();
    e.database = QStringLiteral("nope");
    const Answer<InfluxDbReader::JobHistory> a = history(e, request(Alpha));
    QCOMPARE(a.calls, 1);
    QCOMPARE(a.value.error.kind, Kind::NotFound);
    QCOMPARE(a.value.error.describe(), QStringLiteral("database not found: nope"));
    QVERIFY(a.value.runs.isEmpty());
}

void TestInfluxDbReader::wrongCredentials()
{
    REQUIRE_INFLUXD();
    InfluxDbEndpoint e = endpoint();
    e.password = QStringLiteral("wrong");
    const Answer<InfluxDbReader::JobHistory> a = history(e, request(Alpha));
    QCOMPARE(a.calls, 1);
    QCOMPARE(a.value.error.kind, Kind::Unauthorized);
    QCOMPARE(a.value.error.httpStatus, 401);
    QCOMPARE(a.value.error.describe(), QStringLiteral("HTTP 401: authorization failed"));
    QVERIFY(!a.value.error.describe().contains(Password));
    QVERIFY(a.value.runs.isEmpty());
}

void TestInfluxDbReader::unreachable()
{
    // A port nobody listens on (taken, then freed).
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    InfluxDbEndpoint e;
    e.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    e.database = Db;
    const Answer<InfluxDbReader::JobHistory> a = history(e, request(Alpha));
    QCOMPARE(a.calls, 1);
    QCOMPARE(a.value.error.kind, Kind::Network);
    QCOMPARE(a.value.error.httpStatus, 0);
    QVERIFY2(a.value.error.describe().startsWith(QLatin1String("network: Connection refused")), qPrintable(a.value.error.describe()));
}

void TestInfluxDbReader::timeout()
{
    SilentServer server;
    QVERIFY(server.listen());
    InfluxDbEndpoint e;
    e.baseUrl = server.url();
    e.database = Db;
    e.timeoutMs = 300;
    QElapsedTimer timer;
    timer.start();
    const Answer<InfluxDbReader::JobHistory> a = history(e, request(Alpha), 10000);
    const qint64 elapsed = timer.elapsed();
    QCOMPARE(a.calls, 1);
    QCOMPARE(a.value.error.kind, Kind::Timeout);
    QCOMPARE(a.value.error.describe(), QStringLiteral("timeout: no complete answer within 300 ms"));
    QVERIFY2(elapsed >= 250 && elapsed < 5000, qPrintable(QString::number(elapsed)));
    QCOMPARE(server.accepted, 1);
}

void TestInfluxDbReader::destroyedContextGetsNoCallback()
{
    SilentServer server;
    QVERIFY(server.listen());
    InfluxDbEndpoint e;
    e.baseUrl = server.url();
    e.database = Db;
    InfluxDbReader reader(&m_network, e);
    int calls = 0;
    auto context = std::make_unique<QObject>();
    reader.query(QStringLiteral("SHOW DATABASES"), context.get(), [&calls](const InfluxDbReader::QueryResult &) { ++calls; });
    QVERIFY(QTest::qWaitFor([&] { return server.accepted == 1; }, 5000));
    context.reset();
    // The request is aborted: the server sees its connection close; the callback never comes.
    QVERIFY(QTest::qWaitFor([&] { return server.closed == 1; }, 5000));
    QCoreApplication::processEvents();
    QCOMPARE(calls, 0);

    // The same for an invalid request, answered from the event loop.
    auto context2 = std::make_unique<QObject>();
    reader.jobHistory(QString(), 60, 60, context2.get(), [&calls](const InfluxDbReader::JobHistory &) { ++calls; });
    context2.reset();
    QCoreApplication::processEvents();
    QCOMPARE(calls, 0);
}

void TestInfluxDbReader::destroyedReaderAbortsRequests()
{
    SilentServer server;
    QVERIFY(server.listen());
    InfluxDbEndpoint e;
    e.baseUrl = server.url();
    e.database = Db;
    int calls = 0;
    {
        InfluxDbReader reader(&m_network, e);
        reader.query(QStringLiteral("SHOW DATABASES"), this, [&calls](const InfluxDbReader::QueryResult &) { ++calls; });
        QVERIFY(QTest::qWaitFor([&] { return server.accepted == 1; }, 5000));
    }
    QVERIFY(QTest::qWaitFor([&] { return server.closed == 1; }, 5000));
    QCoreApplication::processEvents();
    QCOMPARE(calls, 0);
}

void TestInfluxDbReader::cleanupTestCase()
{
    if (m_influx && QTest::currentTestFailed())
        qDebug().noquote() << "influxd output:\n" << m_influx->output();
    m_influx.reset();
}

QTEST_GUILESS_MAIN(TestInfluxDbReader)
#include "tst_influxdbreader.moc"
