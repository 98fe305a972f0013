// SPDX-License-Identifier: BSD-3-Clause
// InfluxDbWriter (the InfluxDB write transport) on the wire, against a recording HTTP server
// that this test runs on 127.0.0.1 (QTcpServer, or QSslServer for https): the exact request
// (request line, headers, body), the classification of the answers, a server that never
// answers, TLS verification, and that secrets stay out of URLs.
//
// The v1 expectations are those of Python's influxdb client (InfluxDBClient.write): POST
// /write?db=<database> and nothing else in the query, Basic auth (root:root by default),
// Content-Type application/octet-stream, the lines unchanged. One deliberate difference: Accept
// application/json instead of Python's application/x-msgpack, so that InfluxDB's error messages
// come as JSON (with msgpack a 401's explanation is MessagePack and would reach the log as garbage).
// Query values are checked as InfluxDB (a Go server: net/url.ParseQuery, '+' is a space, ';' a
// separator in the Go of influxd 1.6) decodes them.
//
// The real InfluxDB available here is 1.6.7, which has no /api/v2: the 2.x API can only be
// checked against its documented protocol, not against a server: POST
// /api/v2/write?org=<org>&bucket=<bucket>&precision=ns, "Authorization: Token <token>",
// Content-Type text/plain; charset=utf-8, Accept application/json, 204 on success, errors as
// JSON {"code": "...", "message": "..."}.
#include "metrics/influxdbwriter.h"
#include "testtls.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QRegularExpression>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <algorithm>
#include <memory>
#include <utility>

using namespace jobslib;
using Kind = InfluxDbWriter::Result::Kind;

Q_DECLARE_METATYPE(InfluxDbWriter::Result::Kind)

namespace jobslib {
// For QCOMPARE's failure messages (found by argument-dependent lookup).
char *toString(const InfluxDbWriter::Result::Kind &kind)
{
    switch (kind) {
    case Kind::Ok: return qstrdup("Ok");
    case Kind::Retry: return qstrdup("Retry");
    case Kind::Rejected: return qstrdup("Rejected");
    case Kind::Unauthorized: return qstrdup("Unauthorized");
    case Kind::NotFound: return qstrdup("NotFound");
    case Kind::TooLarge: return qstrdup("TooLarge");
    }
    return qstrdup("?");
}
} // namespace jobslib

namespace {

using QueryItems = QList<std::pair<QString, QString>>;

/*! One request as the server read it. */
struct HttpRequest
{
    QByteArray method;
    QByteArray target; ///< as on the request line: /path?query
    QByteArray version;
    QList<std::pair<QByteArray, QByteArray>> headers; ///< in the order received, names as sent
    QByteArray body;

    QByteArray path() const { return target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?')); }
    QByteArray rawQuery() const { return target.indexOf('?') < 0 ? QByteArray() : target.mid(target.indexOf('?') + 1); }
    /*! The values of a header (case-insensitive name). */
    QList<QByteArray> values(const QByteArray &name) const
    {
        QList<QByteArray> v;
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                v << h.second;
        }
        return v;
    }
    QByteArray header(const QByteArray &name) const
    {
        const QList<QByteArray> v = values(name);
        return v.isEmpty() ? QByteArray() : v.constFirst();
    }
};

/*!
 * The query as InfluxDB's Go server reads it (net/url.ParseQuery): pairs split at '&' (and at
 * ';', as the Go of influxd 1.6 did), key and value at the first '=', '+' is a space, then
 * percent-decoding.
 */
QueryItems goParseQuery(const QByteArray &raw)
{
    QueryItems items;
    QByteArray normalized = raw;
    normalized.replace(';', '&');
    const QList<QByteArray> pairs = normalized.split('&');
    for (const QByteArray &pair : pairs) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        QByteArray key = eq < 0 ? pair : pair.left(eq);
        QByteArray value = eq < 0 ? QByteArray() : pair.mid(eq + 1);
        key.replace('+', ' ');
        value.replace('+', ' ');
        items.append({QString::fromUtf8(QByteArray::fromPercentEncoding(key)), QString::fromUtf8(QByteArray::fromPercentEncoding(value))});
    }
    return items;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 413: return "Request Entity Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

/*!
 * A minimal HTTP/1.1 server that records every request (request line, headers, body by
 * Content-Length) and answers each with the status and body the test chose, or never answers.
 * Keep-alive: several requests on one connection are read in turn.
 */
class RecordingServer : public QObject
{
    Q_OBJECT
public:
    explicit RecordingServer(std::unique_ptr<QTcpServer> server = std::make_unique<QTcpServer>())
        : m_server(std::move(server))
    {
        connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, this, &RecordingServer::accept);
    }

    bool listen() { return m_server->listen(QHostAddress::LocalHost); }
    quint16 port() const { return m_server->serverPort(); }
    QUrl url(const QString &scheme = QStringLiteral("http")) const
    {
        return QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(scheme).arg(port()));
    }

    // The answer to every request.
    int status = 204;
    QByteArray body;
    QByteArray contentType = "application/json";
    bool silent = false; ///< read requests, never answer

    QList<HttpRequest> requests;
    QStringList protocolErrors; ///< requests this server could not read
    int accepted = 0;           ///< connections accepted
    int open = 0;               ///< connections not yet closed by the client

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            ++accepted;
            ++open;
            auto buffer = std::make_shared<QByteArray>();
            connect(socket, &QIODevice::readyRead, this, [this, socket, buffer] {
                buffer->append(socket->readAll());
                consume(socket, *buffer);
            });
            connect(socket, &QAbstractSocket::disconnected, this, [this, socket] {
                --open;
                socket->deleteLater();
            });
            if (socket->bytesAvailable() > 0) {
                buffer->append(socket->readAll());
                consume(socket, *buffer);
            }
        }
    }

    void consume(QTcpSocket *socket, QByteArray &buffer)
    {
        for (;;) {
            const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            HttpRequest r;
            const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
            const QList<QByteArray> requestLine = lines.constFirst().trimmed().split(' ');
            if (requestLine.size() != 3) {
                protocolErrors << QStringLiteral("bad request line: ") + QString::fromLatin1(lines.constFirst());
                buffer.clear();
                return;
            }
            r.method = requestLine[0];
            r.target = requestLine[1];
            r.version = requestLine[2];
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines[i].trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0) {
                    protocolErrors << QStringLiteral("bad header line: ") + QString::fromLatin1(line);
                    continue;
                }
                r.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
            }
            if (!r.header("Transfer-Encoding").isEmpty())
                protocolErrors << QStringLiteral("Transfer-Encoding: ") + QString::fromLatin1(r.header("Transfer-Encoding"));
            bool ok = true;
            const qsizetype length = r.values("Content-Length").isEmpty() ? 0 : r.header("Content-Length").toLongLong(&ok);
            if (!ok) {
                protocolErrors << QStringLiteral("bad Content-Length");
                buffer.clear();
                return;
            }
            if (buffer.size() < headEnd + 4 + length)
                return; // the rest of the body is still on its way
            r.body = buffer.mid(headEnd + 4, length);
            buffer.remove(0, headEnd + 4 + length);
            requests << r;
            if (!silent)
                answer(socket);
        }
    }

    void answer(QTcpSocket *socket)
    {
        QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
        response += "X-Influxdb-Version: 1.6.7\r\n";
        if (status == 204) {
            response += "\r\n";
        } else {
            if (!contentType.isEmpty())
                response += "Content-Type: " + contentType + "\r\n";
            response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        }
        socket->write(response);
    }

    std::unique_ptr<QTcpServer> m_server;
};

/*! What one write() produced. */
struct Outcome
{
    InfluxDbWriter::Result result;
    int calls = 0;        ///< how often done() was called
    bool answered = false; ///< done() was called before the deadline
    qint64 elapsedMs = 0;
};

QByteArray base64(const QByteArray &text)
{
    return text.toBase64();
}

const QByteArray Lines = "job_duration_seconds,task=hello\\ world,host=h1 value=1.5,status=\"ok \\\"quoted\\\"\" 1700000000000000000\n"
                         "job_runs_total,task=h\\,ä value=3i 1700000000000000001\n";

} // namespace

class TestInfluxDbWriter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void v1Request_data();
    void v1Request();
    void v1DatabaseAsInfluxDbReadsIt_data();
    void v1DatabaseAsInfluxDbReadsIt();
    void v2Request_data();
    void v2Request();
    void v2WithoutToken();
    void classification_data();
    void classification();
    void connectionRefused();
    void timeout();
    void https_data();
    void https();
    void secretsNeverInUrls_data();
    void secretsNeverInUrls();

private:
    /*! write() with the writer of the caller, waiting up to deadlineMs for done(). */
    Outcome write(InfluxDbWriter &writer, const QByteArray &lines = Lines, int deadlineMs = 5000);
    Outcome write(const InfluxDbEndpoint &endpoint, const QByteArray &lines = Lines, int deadlineMs = 5000);
    static InfluxDbEndpoint v1(const RecordingServer &server, const QString &database = QStringLiteral("jobs"));
    static InfluxDbEndpoint v2(const RecordingServer &server);

    std::unique_ptr<QNetworkAccessManager> m_network;
    QTemporaryDir m_dir;
    test::TestCertificate m_certificate;
};

void TestInfluxDbWriter::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend here");
    m_certificate = test::makeTestCertificate(m_dir.path());
    QVERIFY2(m_certificate.isValid(), qPrintable(m_certificate.error));
}

void TestInfluxDbWriter::init()
{
    // A fresh manager per test (and per data row): no connection or TLS session carried over.
    m_network = std::make_unique<QNetworkAccessManager>();
    // runjob logs Qt's warnings: a write, whatever its outcome, must not add any.
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestInfluxDbWriter::cleanup()
{
    m_network.reset();
}

Outcome TestInfluxDbWriter::write(InfluxDbWriter &writer, const QByteArray &lines, int deadlineMs)
{
    auto outcome = std::make_shared<Outcome>();
    QElapsedTimer timer;
    timer.start();
    writer.write(lines, [outcome](const InfluxDbWriter::Result &r) {
        ++outcome->calls;
        outcome->result = r;
    });
    outcome->answered = QTest::qWaitFor([&] { return outcome->calls > 0; }, deadlineMs);
    outcome->elapsedMs = timer.elapsed();
    return *outcome;
}

Outcome TestInfluxDbWriter::write(const InfluxDbEndpoint &endpoint, const QByteArray &lines, int deadlineMs)
{
    InfluxDbWriter writer(m_network.get(), endpoint);
    return write(writer, lines, deadlineMs);
}

InfluxDbEndpoint TestInfluxDbWriter::v1(const RecordingServer &server, const QString &database)
{
    InfluxDbEndpoint e;
    e.baseUrl = server.url();
    e.database = database;
    return e;
}

InfluxDbEndpoint TestInfluxDbWriter::v2(const RecordingServer &server)
{
    InfluxDbEndpoint e;
    e.api = InfluxDbEndpoint::Api::V2;
    e.baseUrl = server.url();
    e.org = QStringLiteral("my-org");
    e.bucket = QStringLiteral("jobs");
    e.token = QStringLiteral("tok-en");
    return e;
}

// ---------------------------------------------------------------------------------------------
// 1. v1: the request of Python's influxdb client

void TestInfluxDbWriter::v1Request_data()
{
    QTest::addColumn<QString>("database");
    QTest::addColumn<bool>("defaultCredentials");
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("authorization");

    // base64 values computed outside Qt (Python's base64.b64encode).
    QTest::newRow("default root:root") << QStringLiteral("jobs") << true << QString() << QString() << QByteArray("/write?db=jobs")
                                       << QByteArray("Basic cm9vdDpyb290");
    QTest::newRow("credentials") << QStringLiteral("jobs") << false << QStringLiteral("writer") << QStringLiteral("s3cr3t")
                                 << QByteArray("/write?db=jobs") << QByteArray("Basic d3JpdGVyOnMzY3IzdA==");
    // InfluxDB (Go) compares the bytes of the password: UTF-8, as CREATE USER stored it.
    QTest::newRow("utf-8 password with ':'") << QStringLiteral("jobs") << false << QStringLiteral("writer")
                                             << QStringLiteral("pa ss:w+rd/\u00a7") << QByteArray("/write?db=jobs")
                                             << QByteArray("Basic d3JpdGVyOnBhIHNzOncrcmQvwqc=");
    QTest::newRow("database 'my db&x'") << QStringLiteral("my db&x") << true << QString() << QString()
                                        << QByteArray("/write?db=my%20db%26x") << QByteArray("Basic cm9vdDpyb290");
}

void TestInfluxDbWriter::v1Request()
{
    QFETCH(QString, database);
    QFETCH(bool, defaultCredentials);
    QFETCH(QString, username);
    QFETCH(QString, password);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, authorization);

    RecordingServer server;
    QVERIFY(server.listen());
    InfluxDbEndpoint e = v1(server, database);
    if (!defaultCredentials) {
        e.username = username;
        e.password = password;
    }
    const Outcome o = write(e);
    QVERIFY(o.answered);
    QCOMPARE(o.calls, 1);
    QVERIFY2(o.result.ok(), qPrintable(o.result.describe()));
    QCOMPARE(o.result.httpStatus, 204);

    QCOMPARE(server.protocolErrors, QStringList());
    QCOMPARE(server.requests.size(), 1);
    const HttpRequest &r = server.requests.constFirst();
    QCOMPARE(r.method, QByteArray("POST"));
    QCOMPARE(r.version, QByteArray("HTTP/1.1"));
    QCOMPARE(r.target, target);
    QCOMPARE(r.path(), QByteArray("/write"));
    // db and nothing else (no precision, rp, u, p: Python sends none of them by default).
    const QueryItems expectedItems{{QStringLiteral("db"), database}};
    QCOMPARE(goParseQuery(r.rawQuery()), expectedItems);
    QCOMPARE(r.header("Host"), QByteArray("127.0.0.1:") + QByteArray::number(server.port()));
    QCOMPARE(r.values("Authorization"), QList<QByteArray>{authorization});
    QCOMPARE(r.values("Content-Type"), QList<QByteArray>{"application/octet-stream"});
    QCOMPARE(r.values("Accept"), QList<QByteArray>{"application/json"});
    QCOMPARE(r.header("Content-Length"), QByteArray::number(Lines.size()));
    QCOMPARE(r.body, Lines);
}

void TestInfluxDbWriter::v1DatabaseAsInfluxDbReadsIt_data()
{
    QTest::addColumn<QString>("database");
    QTest::newRow("space and &") << QStringLiteral("my db&x");
    QTest::newRow("plus") << QStringLiteral("c++");
    QTest::newRow("equals") << QStringLiteral("a=b");
    QTest::newRow("semicolon") << QStringLiteral("a;b");
    QTest::newRow("hash and question mark") << QStringLiteral("#1?");
    QTest::newRow("percent") << QStringLiteral("50%");
    QTest::newRow("percent, hex digits after it") << QStringLiteral("100%25");
    QTest::newRow("non-ascii") << QStringLiteral("t\u00e4st/\u00e9");
}

void TestInfluxDbWriter::v1DatabaseAsInfluxDbReadsIt()
{
    QFETCH(QString, database);
    RecordingServer server;
    QVERIFY(server.listen());
    const Outcome o = write(v1(server, database));
    QVERIFY(o.answered);
    QVERIFY2(o.result.ok(), qPrintable(o.result.describe()));
    QCOMPARE(server.requests.size(), 1);
    const HttpRequest &r = server.requests.constFirst();
    QCOMPARE(r.path(), QByteArray("/write"));
    // What influxd would look up: exactly the configured name.
    const QueryItems expected{{QStringLiteral("db"), database}};
    QVERIFY2(goParseQuery(r.rawQuery()) == expected,
             qPrintable(QStringLiteral("database '%1' sent as %2").arg(database, QString::fromLatin1(r.target))));
}

// ---------------------------------------------------------------------------------------------
// 2. v2: the documented /api/v2/write

void TestInfluxDbWriter::v2Request_data()
{
    QTest::addColumn<QString>("org");
    QTest::addColumn<QString>("bucket");
    QTest::addColumn<QString>("token");

    QTest::newRow("plain") << QStringLiteral("my-org") << QStringLiteral("jobs") << QStringLiteral("tok-en_123");
    QTest::newRow("special characters") << QStringLiteral("my org & co") << QStringLiteral("jobs/autogen") << QStringLiteral("a+b/c==");
    QTest::newRow("plus and semicolon") << QStringLiteral("c++;x") << QStringLiteral("b=1") << QStringLiteral("t");
}

void TestInfluxDbWriter::v2Request()
{
    QFETCH(QString, org);
    QFETCH(QString, bucket);
    QFETCH(QString, token);

    RecordingServer server;
    QVERIFY(server.listen());
    InfluxDbEndpoint e = v2(server);
    e.org = org;
    e.bucket = bucket;
    e.token = token;
    const Outcome o = write(e);
    QVERIFY(o.answered);
    QCOMPARE(o.calls, 1);
    QVERIFY2(o.result.ok(), qPrintable(o.result.describe()));

    QCOMPARE(server.protocolErrors, QStringList());
    QCOMPARE(server.requests.size(), 1);
    const HttpRequest &r = server.requests.constFirst();
    QCOMPARE(r.method, QByteArray("POST"));
    QCOMPARE(r.path(), QByteArray("/api/v2/write"));
    QueryItems items = goParseQuery(r.rawQuery());
    std::sort(items.begin(), items.end());
    QueryItems expected{{QStringLiteral("bucket"), bucket}, {QStringLiteral("org"), org}, {QStringLiteral("precision"), QStringLiteral("ns")}};
    QVERIFY2(items == expected, qPrintable(QStringLiteral("org '%1', bucket '%2' sent as %3").arg(org, bucket, QString::fromLatin1(r.target))));
    QCOMPARE(r.values("Authorization"), QList<QByteArray>{"Token " + token.toUtf8()});
    QCOMPARE(r.values("Content-Type"), QList<QByteArray>{"text/plain; charset=utf-8"});
    QCOMPARE(r.values("Accept"), QList<QByteArray>{"application/json"});
    QCOMPARE(r.header("Content-Length"), QByteArray::number(Lines.size()));
    QCOMPARE(r.body, Lines);
}

void TestInfluxDbWriter::v2WithoutToken()
{
    RecordingServer server;
    QVERIFY(server.listen());
    InfluxDbEndpoint e = v2(server);
    e.token.clear();
    const Outcome o = write(e);
    QVERIFY(o.answered);
    QVERIFY2(o.result.ok(), qPrintable(o.result.describe()));
    QCOMPARE(server.requests.size(), 1);
    // No "Token " with nothing after it, and never v1's Basic root:root.
    QCOMPARE(server.requests.constFirst().values("Authorization"), QList<QByteArray>());
}

// ---------------------------------------------------------------------------------------------
// 3. classification of the answers

void TestInfluxDbWriter::classification_data()
{
    QTest::addColumn<bool>("v2");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("describe");

    const QByteArray json = "application/json";
    const QByteArray partial = R"({"error":"partial write: field type conflict: input field \"value\" on measurement \"job_duration_seconds\" is type integer, already exists as type float dropped=1"})";
    const QString partialText = QStringLiteral(R"(partial write: field type conflict: input field "value" on measurement "job_duration_seconds" is type integer, already exists as type float dropped=1)");

    QTest::newRow("204") << false << 204 << QByteArray() << QByteArray() << Kind::Ok << QString() << QStringLiteral("HTTP 204");
    QTest::newRow("200") << false << 200 << json << QByteArray(R"({"results":[{}]})") << Kind::Ok << QString() << QStringLiteral("HTTP 200");
    QTest::newRow("400 partial write") << false << 400 << json << partial << Kind::Rejected << partialText
                                       << QStringLiteral("HTTP 400: ") + partialText;
    QTest::newRow("400 v2 invalid") << true << 400 << json << QByteArray(R"({"code":"invalid","message":"unable to parse 'x': missing fields"})")
                                    << Kind::Rejected << QStringLiteral("unable to parse 'x': missing fields")
                                    << QStringLiteral("HTTP 400: unable to parse 'x': missing fields");
    QTest::newRow("401") << false << 401 << json << QByteArray(R"({"error":"authorization failed"})") << Kind::Unauthorized
                         << QStringLiteral("authorization failed") << QStringLiteral("HTTP 401: authorization failed");
    QTest::newRow("401 v2") << true << 401 << json << QByteArray(R"({"code":"unauthorized","message":"unauthorized access"})")
                            << Kind::Unauthorized << QStringLiteral("unauthorized access") << QStringLiteral("HTTP 401: unauthorized access");
    QTest::newRow("403") << false << 403 << json << QByteArray(R"({"error":"\"writer\" user is not authorized to write to database \"jobs\""})")
                         << Kind::Unauthorized << QStringLiteral(R"("writer" user is not authorized to write to database "jobs")")
                         << QStringLiteral(R"(HTTP 403: "writer" user is not authorized to write to database "jobs")");
    QTest::newRow("404") << false << 404 << json << QByteArray(R"({"error":"database not found: \"x\""})") << Kind::NotFound
                         << QStringLiteral(R"(database not found: "x")") << QStringLiteral(R"(HTTP 404: database not found: "x")");
    QTest::newRow("404 v2") << true << 404 << json << QByteArray(R"({"code":"not found","message":"bucket \"jobs\" not found"})")
                            << Kind::NotFound << QStringLiteral(R"(bucket "jobs" not found)") << QStringLiteral(R"(HTTP 404: bucket "jobs" not found)");
    QTest::newRow("413") << false << 413 << json << QByteArray(R"({"error":"Request Entity Too Large"})") << Kind::TooLarge
                         << QStringLiteral("Request Entity Too Large") << QStringLiteral("HTTP 413: Request Entity Too Large");
    QTest::newRow("413 from a proxy, html") << false << 413 << QByteArray("text/html")
                                            << QByteArray("\r\n  <html><body>413 Request Entity Too Large</body></html>\n\n")
                                            << Kind::TooLarge << QStringLiteral("<html><body>413 Request Entity Too Large</body></html>")
                                            << QStringLiteral("HTTP 413: <html><body>413 Request Entity Too Large</body></html>");
    QTest::newRow("422 v2") << true << 422 << json
                            << QByteArray(R"({"code":"unprocessable entity","message":"failure writing points to database: partial write: points beyond retention policy dropped=1"})")
                            << Kind::Rejected
                            << QStringLiteral("failure writing points to database: partial write: points beyond retention policy dropped=1")
                            << QStringLiteral("HTTP 422: failure writing points to database: partial write: points beyond retention policy dropped=1");
    QTest::newRow("429 v2") << true << 429 << json << QByteArray(R"({"code":"too many requests","message":"org has exceeded limited_write plan limit"})")
                            << Kind::Retry << QStringLiteral("org has exceeded limited_write plan limit")
                            << QStringLiteral("HTTP 429: org has exceeded limited_write plan limit");
    QTest::newRow("500") << false << 500 << json << QByteArray(R"({"error":"timeout"})") << Kind::Retry << QStringLiteral("timeout")
                         << QStringLiteral("HTTP 500: timeout");
    QTest::newRow("503 v2") << true << 503 << json << QByteArray(R"({"code":"unavailable","message":"service unavailable"})") << Kind::Retry
                            << QStringLiteral("service unavailable") << QStringLiteral("HTTP 503: service unavailable");
    QTest::newRow("503 empty body") << false << 503 << QByteArray() << QByteArray() << Kind::Retry << QString() << QStringLiteral("HTTP 503");
    QTest::newRow("502 text") << false << 502 << QByteArray("text/plain") << QByteArray("  upstream connect error \n") << Kind::Retry
                              << QStringLiteral("upstream connect error") << QStringLiteral("HTTP 502: upstream connect error");
}

void TestInfluxDbWriter::classification()
{
    QFETCH(bool, v2);
    QFETCH(int, status);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(Kind, kind);
    QFETCH(QString, message);
    QFETCH(QString, describe);

    RecordingServer server;
    server.status = status;
    server.contentType = contentType;
    server.body = body;
    QVERIFY(server.listen());
    const Outcome o = write(v2 ? this->v2(server) : v1(server));
    QVERIFY(o.answered);
    QCOMPARE(o.calls, 1);
    QCOMPARE(server.requests.size(), 1);
    QCOMPARE(o.result.kind, kind);
    QCOMPARE(o.result.ok(), kind == Kind::Ok);
    QCOMPARE(o.result.httpStatus, status);
    QCOMPARE(o.result.message, message);
    QCOMPARE(o.result.describe(), describe);
}

void TestInfluxDbWriter::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        port = closed.serverPort();
    } // closed: nothing listens on the port any more
    InfluxDbEndpoint e;
    e.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    e.database = QStringLiteral("jobs");
    const Outcome o = write(e);
    QVERIFY(o.answered);
    QCOMPARE(o.calls, 1);
    QCOMPARE(o.result.kind, Kind::Retry);
    QCOMPARE(o.result.httpStatus, 0);
    QVERIFY2(o.result.message.contains(QLatin1String("refused"), Qt::CaseInsensitive), qPrintable(o.result.message));
    QCOMPARE(o.result.describe(), QStringLiteral("network: ") + o.result.message);
}

// ---------------------------------------------------------------------------------------------
// 4. a server that never answers

void TestInfluxDbWriter::timeout()
{
    RecordingServer server;
    server.silent = true;
    QVERIFY(server.listen());
    InfluxDbEndpoint e = v1(server);
    e.timeoutMs = 300;
    InfluxDbWriter writer(m_network.get(), e);
    const Outcome o = write(writer, Lines, 5000);
    QVERIFY2(o.answered, "no result within 5 s from a writer with a 300 ms timeout");
    QCOMPARE(server.requests.size(), 1); // it was heard, just never answered
    QCOMPARE(o.result.kind, Kind::Retry);
    QCOMPARE(o.result.httpStatus, 0);
    QCOMPARE(o.result.message, QStringLiteral("timeout"));
    QCOMPARE(o.result.describe(), QStringLiteral("network: timeout"));
    QVERIFY2(o.elapsedMs >= 250, qPrintable(QString::number(o.elapsedMs)));
    QVERIFY2(o.elapsedMs < 3000, qPrintable(QString::number(o.elapsedMs)));
    // The writer gave up the connection, and done() was not called again for it.
    // (qWaitFor, not QTRY_: those stop at once when a warning has already failed the test.)
    QVERIFY(QTest::qWaitFor([&] { return server.open == 0; }, 5000));
    QCOMPARE(o.calls, 1);
}

// ---------------------------------------------------------------------------------------------
// 5. https

void TestInfluxDbWriter::https_data()
{
    QTest::addColumn<bool>("withCa");
    QTest::addColumn<bool>("verify");
    QTest::addColumn<bool>("succeeds");
    QTest::newRow("ca file, verified") << true << true << true;
    QTest::newRow("no ca file, verified") << false << true << false;
    QTest::newRow("no ca file, verification off") << false << false << true;
}

void TestInfluxDbWriter::https()
{
    QFETCH(bool, withCa);
    QFETCH(bool, verify);
    QFETCH(bool, succeeds);

    auto tls = std::make_unique<QSslServer>();
    tls->setSslConfiguration(m_certificate.serverConfiguration());
    RecordingServer server(std::move(tls));
    QVERIFY(server.listen());
    InfluxDbEndpoint e = v1(server);
    e.baseUrl = server.url(QStringLiteral("https"));
    e.caFile = withCa ? m_certificate.certFile : QString();
    e.verifyTls = verify;
    const Outcome o = write(e);
    QVERIFY(o.answered);
    QCOMPARE(o.calls, 1);
    if (succeeds) {
        QVERIFY2(o.result.ok(), qPrintable(o.result.describe()));
        QCOMPARE(server.requests.size(), 1);
        QCOMPARE(server.requests.constFirst().target, QByteArray("/write?db=jobs"));
        QCOMPARE(server.requests.constFirst().body, Lines);
    } else {
        QCOMPARE(o.result.kind, Kind::Retry);
        QCOMPARE(o.result.httpStatus, 0);
        QVERIFY2(o.result.message.contains(QLatin1String("SSL"), Qt::CaseInsensitive)
                     || o.result.message.contains(QLatin1String("certificate"), Qt::CaseInsensitive),
                 qPrintable(o.result.message));
        QCOMPARE(server.requests.size(), 0); // nothing was sent to a server nobody vouches for
    }
}

// ---------------------------------------------------------------------------------------------
// 6. secrets stay out of URLs

void TestInfluxDbWriter::secretsNeverInUrls_data()
{
    QTest::addColumn<bool>("v2");
    QTest::addColumn<QString>("secret");
    QTest::newRow("v1 password") << false << QStringLiteral("Pa55w0rdSecret");
    QTest::newRow("v1 password, special") << false << QStringLiteral("p@ss w/rd+&=x");
    QTest::newRow("v2 token") << true << QStringLiteral("TokenSecret0123456789==");
}

void TestInfluxDbWriter::secretsNeverInUrls()
{
    QFETCH(bool, v2);
    QFETCH(QString, secret);

    RecordingServer server;
    QVERIFY(server.listen());
    InfluxDbEndpoint e = v2 ? this->v2(server) : v1(server);
    if (v2) {
        e.token = secret;
    } else {
        e.username = QStringLiteral("writer");
        e.password = secret;
    }
    const Outcome o = write(e);
    QVERIFY(o.answered);
    QVERIFY2(o.result.ok(), qPrintable(o.result.describe()));
    QCOMPARE(server.requests.size(), 1);
    const HttpRequest &r = server.requests.constFirst();

    const QList<QByteArray> forms{secret.toUtf8(), QUrl::toPercentEncoding(secret), secret.toUtf8().toBase64()};
    // Not on the request line, in any spelling; no u=, p= or token= (Python's client could send u= and p=).
    for (const QByteArray &form : forms)
        QVERIFY2(!r.target.contains(form), r.target.constData());
    for (const auto &item : goParseQuery(r.rawQuery())) {
        QVERIFY2(!item.second.contains(secret), r.target.constData());
        QVERIFY2(item.first != QLatin1String("u") && item.first != QLatin1String("p") && item.first != QLatin1String("token"),
                 r.target.constData());
    }
    // Only in Authorization.
    const QByteArray expected = v2 ? "Token " + secret.toUtf8() : "Basic " + base64("writer:" + secret.toUtf8());
    QCOMPARE(r.values("Authorization"), QList<QByteArray>{expected});
    for (const auto &h : r.headers) {
        if (h.first.compare("Authorization", Qt::CaseInsensitive) == 0)
            continue;
        for (const QByteArray &form : forms)
            QVERIFY2(!h.second.contains(form), h.first.constData());
    }
    QVERIFY(!r.body.contains(secret.toUtf8()));
    // The URL for logs has neither.
    const QUrl url = e.writeUrl();
    for (const QString &text : {url.toString(), url.toString(QUrl::FullyEncoded), url.toDisplayString()}) {
        QVERIFY2(!text.contains(secret), qPrintable(text));
        QVERIFY2(!text.contains(QString::fromLatin1(QUrl::toPercentEncoding(secret))), qPrintable(text));
    }
    QVERIFY(url.userInfo().isEmpty());
}

QTEST_GUILESS_MAIN(TestInfluxDbWriter)
#include "tst_influxdbwriter.moc"
