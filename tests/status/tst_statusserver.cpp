// SPDX-License-Identifier: BSD-3-Clause
// StatusServer on 127.0.0.1: the endpoints through QNetworkAccessManager, bad input through a raw
// QTcpSocket, and /metrics through the official Python client's parser
// (tests/support/prometheus_parse.py, Debian package python3-prometheus-client).
//
// What Qt HTTP Server 6.4.2 does, as these tests observed it:
//  - A request it cannot parse (binary garbage ending in a blank line, a request line without
//    HTTP version) gets no answer: the connection is closed. No 400.
//  - Its parser is lenient otherwise: a bad version ("HTTP/x.y"), a header line without colon,
//    bare LF line ends, or a Content-Length of "abc" are answered as if well-formed; an invalid
//    chunk size leaves the connection waiting for more (see malformed_data()).
//  - It has no header size limit: a 1 MB header is read and answered.
//  - Pipelined requests are answered in order; a request arriving byte by byte is answered.
//  - It keeps every connection open (no "Connection: close" of its own, HTTP/1.0 included);
//    StatusServer closes when the client sends "Connection: close".
//  - A WebSocket upgrade request gets one answer, then Qt closes the connection and logs
//    "WebSocket received but no slots connected..." (category qt.httpserver).
#include "metrics/metricsregistry.h"
#include "status/statusserver.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace jobslib;

namespace {

constexpr int Deadline = 10000;

/*! One answer as read off the wire; header names in lower case. */
struct RawResponse
{
    int status = 0;
    QHash<QByteArray, QByteArray> headers;
    QByteArray body;
};

/*!
 * The complete answers at the start of data, for requests of the given methods in that order
 * (an answer to HEAD has Content-Length but no body). Stops at the first incomplete one.
 */
QList<RawResponse> completeResponses(const QByteArray &data, const QList<QByteArray> &methods)
{
    QList<RawResponse> out;
    qsizetype pos = 0;
    for (const QByteArray &method : methods) {
        const qsizetype end = data.indexOf("\r\n\r\n", pos);
        if (end < 0)
            break;
        const QList<QByteArray> lines = data.mid(pos, end - pos).split('\n');
        RawResponse r;
        const QList<QByteArray> statusLine = lines.at(0).trimmed().split(' ');
        r.status = statusLine.value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0)
                r.headers.insert(lines.at(i).left(colon).trimmed().toLower(), lines.at(i).mid(colon + 1).trimmed());
        }
        const qsizetype length = method == "HEAD" ? 0 : r.headers.value("content-length").toLongLong();
        if (data.size() < end + 4 + length)
            break;
        r.body = data.mid(end + 4, length);
        pos = end + 4 + length;
        out.append(r);
    }
    return out;
}

/*! A client that writes exactly the bytes it is given and collects what comes back. */
class RawClient
{
public:
    explicit RawClient(quint16 port)
    {
        QObject::connect(&m_socket, &QIODevice::readyRead, &m_socket, [this] { m_received += m_socket.readAll(); });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }
    bool waitConnected() { return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, Deadline); }
    void send(const QByteArray &data)
    {
        m_socket.write(data);
        m_socket.flush();
    }
    /*! Each chunk is in the server's hands before the next one is written (same thread). */
    void sendInChunks(const QByteArray &data, int chunkSize)
    {
        for (qsizetype i = 0; i < data.size(); i += chunkSize) {
            send(data.mid(i, chunkSize));
            QCoreApplication::processEvents();
        }
    }
    bool waitForResponses(const QList<QByteArray> &methods)
    {
        return QTest::qWaitFor([&] { return completeResponses(m_received, methods).size() == methods.size() || closed(); }, Deadline);
    }
    bool waitForClose() { return QTest::qWaitFor([this] { return closed(); }, Deadline); }
    bool closed() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }
    void abort() { m_socket.abort(); }
    QByteArray received() const { return m_received; }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
};

struct Response
{
    int status = 0;
    QByteArray contentType;
    QByteArray cacheControl;
    QByteArray allow;
    QByteArray contentLength;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

const QByteArray JsonType = "application/json";

/*! What the server does with a malformed request. */
enum class Outcome { Closed, Answered, Pending };

} // namespace

Q_DECLARE_METATYPE(Outcome)

class TestStatusServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void listenOnFreePort();
    void secondServerOnSamePortFails();
    void listenErrors();

    void livez();
    void readyz();
    void status();
    void metrics();
    void queryStringIgnored();
    void head_data();
    void head();
    void headHasNoBodyOnTheWire();
    void methodNotAllowed_data();
    void methodNotAllowed();
    void unknownPath_data();
    void unknownPath();
    void endpointWithoutProvider();

    void malformed_data();
    void malformed();
    void hugeHeader();
    void tinyChunks();
    void clientGoneMidRequest();
    void clientGoneBeforeAnswer();
    void pipelined();
    void connectionClose();
    void webSocketUpgrade();
    void destroyedWithOpenConnections();

    void metricsThroughPythonParser();

private:
    StatusServer::Providers providers();
    Response request(const QByteArray &method, const QString &pathAndQuery);
    /*! A normal request still works: the server survived whatever came before. */
    void checkStillServing();

    HealthReport m_live;
    HealthReport m_ready;
    QJsonObject m_status;
    QByteArray m_metrics;
    int m_metricsCalls = 0;
    std::unique_ptr<StatusServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_nam;
};

StatusServer::Providers TestStatusServer::providers()
{
    StatusServer::Providers p;
    p.livez = [this] { return m_live; };
    p.readyz = [this] { return m_ready; };
    p.status = [this] { return m_status; };
    p.metrics = [this] {
        ++m_metricsCalls;
        return m_metrics;
    };
    return p;
}

void TestStatusServer::init()
{
    m_live = HealthReport{};
    m_ready = HealthReport{};
    m_status = QJsonObject{{QStringLiteral("state"), QStringLiteral("Sleeping")}};
    m_metrics = "up 1\n";
    m_metricsCalls = 0;
    m_server = std::make_unique<StatusServer>(providers());
    const auto port = m_server->listen(QHostAddress::LocalHost, 0);
    QVERIFY2(port.ok(), qPrintable(port.error()));
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_nam->setProxy(QNetworkProxy::NoProxy);
}

void TestStatusServer::cleanup()
{
    m_nam.reset();
    m_server.reset();
}

Response TestStatusServer::request(const QByteArray &method, const QString &pathAndQuery)
{
    QNetworkRequest req(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server->port()).arg(pathAndQuery)));
    req.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    QNetworkReply *reply = nullptr;
    if (method == "GET")
        reply = m_nam->get(req);
    else if (method == "HEAD")
        reply = m_nam->head(req);
    else
        reply = m_nam->sendCustomRequest(req, method);
    std::unique_ptr<QNetworkReply> owner(reply);
    Response r;
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, Deadline)) {
        qWarning() << "no answer to" << method << pathAndQuery;
        return r;
    }
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.contentType = reply->rawHeader("Content-Type");
    r.cacheControl = reply->rawHeader("Cache-Control");
    r.allow = reply->rawHeader("Allow");
    r.contentLength = reply->rawHeader("Content-Length");
    r.body = reply->readAll();
    return r;
}

void TestStatusServer::checkStillServing()
{
    const Response r = request("GET", QStringLiteral("/livez"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QLatin1String("status")).toString(), QStringLiteral("ok"));
}

void TestStatusServer::listenOnFreePort()
{
    QVERIFY(m_server->port() != 0);
    StatusServer other(providers());
    const auto port = other.listen(QHostAddress::LocalHost, 0);
    QVERIFY2(port.ok(), qPrintable(port.error()));
    QCOMPARE(*port, other.port());
    QVERIFY(other.port() != m_server->port());
}

void TestStatusServer::secondServerOnSamePortFails()
{
    StatusServer second(providers());
    const auto result = second.listen(QHostAddress::LocalHost, m_server->port());
    QVERIFY(!result.ok());
    QCOMPARE(result.error(), QStringLiteral("cannot listen on 127.0.0.1:%1: address in use").arg(m_server->port()));
    QCOMPARE(second.port(), quint16(0));
    // The first one is not disturbed.
    checkStillServing();
}

void TestStatusServer::listenErrors()
{
    // A second listen() on the same server.
    const auto again = m_server->listen(QHostAddress::LocalHost, 0);
    QVERIFY(!again.ok());
    QVERIFY2(again.error().startsWith(QLatin1String("cannot listen on 127.0.0.1:0: ")), qPrintable(again.error()));
    QVERIFY2(again.error().contains(QString::number(m_server->port())), qPrintable(again.error()));

    // TEST-NET-1 (RFC 5737) is on no interface of this host; binding sends nothing anywhere.
    StatusServer elsewhere(providers());
    const auto result = elsewhere.listen(QHostAddress(QStringLiteral("192.0.2.1")), 9410);
    QVERIFY(!result.ok());
    QCOMPARE(result.error(), QStringLiteral("cannot listen on 192.0.2.1:9410: address not available on this host"));
}

void TestStatusServer::livez()
{
    Response r = request("GET", QStringLiteral("/livez"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.contentType, JsonType);
    QCOMPARE(r.cacheControl, QByteArray("no-store"));
    QCOMPARE(r.json(), (QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}}));
    QCOMPARE(r.contentLength, QByteArray::number(r.body.size()));

    m_live = HealthReport{false, {{QStringLiteral("loop_lag_ms"), 5300}}};
    r = request("GET", QStringLiteral("/livez"));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.contentType, JsonType);
    QCOMPARE(r.cacheControl, QByteArray("no-store"));
    QCOMPARE(r.json(), (QJsonObject{{QStringLiteral("status"), QStringLiteral("failing")}, {QStringLiteral("loop_lag_ms"), 5300}}));
}

void TestStatusServer::readyz()
{
    m_ready = HealthReport{true, {{QStringLiteral("lock"), QStringLiteral("reachable")}}};
    Response r = request("GET", QStringLiteral("/readyz"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json(), (QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}, {QStringLiteral("lock"), QStringLiteral("reachable")}}));

    // The status key is the server's: a detail cannot contradict the status code.
    m_ready = HealthReport{false, {{QStringLiteral("lock"), QStringLiteral("consul: connection refused")}, {QStringLiteral("status"), QStringLiteral("ok")}}};
    r = request("GET", QStringLiteral("/readyz"));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.contentType, JsonType);
    QCOMPARE(r.json(), (QJsonObject{{QStringLiteral("status"), QStringLiteral("failing")}, {QStringLiteral("lock"), QStringLiteral("consul: connection refused")}}));

    m_ready.ok = true;
    QCOMPARE(request("GET", QStringLiteral("/readyz")).status, 200);
}

void TestStatusServer::status()
{
    m_status = QJsonObject{{QStringLiteral("state"), QStringLiteral("Running")},
                           {QStringLiteral("fencing_token"), 17},
                           {QStringLiteral("last_error"), QStringLiteral("quote \" backslash \\ newline \n unicode \u2603")},
                           {QStringLiteral("runs"), QJsonArray{1, 2}}};
    const Response r = request("GET", QStringLiteral("/status"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.contentType, JsonType);
    QCOMPARE(r.cacheControl, QByteArray("no-store"));
    QCOMPARE(r.json(), m_status);
}

void TestStatusServer::metrics()
{
    m_metrics = "# TYPE up gauge\nup 1\n";
    Response r = request("GET", QStringLiteral("/metrics"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.contentType, QByteArray(PrometheusContentType));
    QCOMPARE(r.contentType, QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    QCOMPARE(r.cacheControl, QByteArray("no-store"));
    QCOMPARE(r.body, m_metrics);

    // Asked anew on every request.
    m_metrics = "up 0\n";
    QCOMPARE(request("GET", QStringLiteral("/metrics")).body, m_metrics);
    m_metrics.clear();
    r = request("GET", QStringLiteral("/metrics"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray());
    QCOMPARE(m_metricsCalls, 3);
}

void TestStatusServer::queryStringIgnored()
{
    QCOMPARE(request("GET", QStringLiteral("/metrics?x=1")).body, m_metrics);
    QCOMPARE(request("GET", QStringLiteral("/metrics?name[]=up&debug")).body, m_metrics);
    QCOMPARE(request("GET", QStringLiteral("/livez?verbose")).status, 200);
    QCOMPARE(request("POST", QStringLiteral("/livez?x=1")).status, 405);
    QCOMPARE(request("GET", QStringLiteral("/nothing?x=/livez")).status, 404);
}

void TestStatusServer::head_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::newRow("livez") << QStringLiteral("/livez") << 200;
    QTest::newRow("readyz failing") << QStringLiteral("/readyz") << 503;
    QTest::newRow("status") << QStringLiteral("/status") << 200;
    QTest::newRow("metrics") << QStringLiteral("/metrics") << 200;
    QTest::newRow("unknown") << QStringLiteral("/nope") << 404;
}

void TestStatusServer::head()
{
    QFETCH(QString, path);
    QFETCH(int, status);
    m_ready.ok = false;
    const Response get = request("GET", path);
    const Response head = request("HEAD", path);
    QCOMPARE(head.status, status);
    QCOMPARE(get.status, status);
    // What GET would get, without the body.
    QCOMPARE(head.contentType, get.contentType);
    QCOMPARE(head.cacheControl, QByteArray("no-store"));
    QCOMPARE(head.contentLength, QByteArray::number(get.body.size()));
    QVERIFY(!get.body.isEmpty());
    QCOMPARE(head.body, QByteArray());
}

void TestStatusServer::headHasNoBodyOnTheWire()
{
    // A body after a HEAD answer would be read as the start of the next answer.
    RawClient c(m_server->port());
    QVERIFY(c.waitConnected());
    c.send("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(c.waitForResponses({"HEAD", "GET"}));
    const auto responses = completeResponses(c.received(), {"HEAD", "GET"});
    QCOMPARE(responses.size(), 2);
    QCOMPARE(responses.at(0).status, 200);
    QCOMPARE(responses.at(0).headers.value("content-length"), QByteArray::number(m_metrics.size()));
    QVERIFY(c.received().indexOf("\r\n\r\nHTTP/1.1 200") > 0);
    QCOMPARE(responses.at(1).body, QByteArray("{\"status\":\"ok\"}"));
}

void TestStatusServer::methodNotAllowed_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("POST /livez") << QByteArray("POST") << QStringLiteral("/livez");
    QTest::newRow("PUT /readyz") << QByteArray("PUT") << QStringLiteral("/readyz");
    QTest::newRow("DELETE /status") << QByteArray("DELETE") << QStringLiteral("/status");
    QTest::newRow("PATCH /metrics") << QByteArray("PATCH") << QStringLiteral("/metrics");
    QTest::newRow("OPTIONS /metrics") << QByteArray("OPTIONS") << QStringLiteral("/metrics");
    // Outside QHttpServerRequest::Method: Qt 6.4 calls it Unknown.
    QTest::newRow("PROPFIND /status") << QByteArray("PROPFIND") << QStringLiteral("/status");
    QTest::newRow("made-up method") << QByteArray("FROBNICATE") << QStringLiteral("/livez");
}

void TestStatusServer::methodNotAllowed()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const int metricsCalls = m_metricsCalls;
    const Response r = request(method, path);
    QCOMPARE(r.status, 405);
    QCOMPARE(r.allow, QByteArray("GET, HEAD"));
    QCOMPARE(r.cacheControl, QByteArray("no-store"));
    QCOMPARE(m_metricsCalls, metricsCalls); // no provider is asked for a refused request
}

void TestStatusServer::unknownPath_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("root") << QByteArray("GET") << QStringLiteral("/");
    QTest::newRow("trailing slash") << QByteArray("GET") << QStringLiteral("/livez/");
    QTest::newRow("case") << QByteArray("GET") << QStringLiteral("/Metrics");
    QTest::newRow("below") << QByteArray("GET") << QStringLiteral("/status/x");
    QTest::newRow("prefix") << QByteArray("GET") << QStringLiteral("/livezz");
    QTest::newRow("POST unknown") << QByteArray("POST") << QStringLiteral("/nope");
}

void TestStatusServer::unknownPath()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const Response r = request(method, path);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.cacheControl, QByteArray("no-store"));
    QVERIFY(r.allow.isEmpty());
}

void TestStatusServer::endpointWithoutProvider()
{
    StatusServer::Providers p;
    p.livez = [] { return HealthReport{}; };
    m_server = std::make_unique<StatusServer>(p);
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0).ok());
    QCOMPARE(request("GET", QStringLiteral("/livez")).status, 200);
    QCOMPARE(request("GET", QStringLiteral("/metrics")).status, 404);
    QCOMPARE(request("POST", QStringLiteral("/status")).status, 404);
}

void TestStatusServer::malformed_data()
{
    // What Qt HTTP Server 6.4.2 does with each (its parser is lenient). The outcome may change
    // with Qt; what must not change is that the server keeps serving.
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<int>("status");
    QTest::newRow("binary garbage") << QByteArray("\x00\x01\x02\xff\xfe garbage \r\n\r\n", 18) << Outcome::Closed << 0;
    QTest::newRow("no HTTP version") << QByteArray("GET /livez\r\n\r\n") << Outcome::Closed << 0;
    QTest::newRow("HTTP/0.9 request") << QByteArray("GET /livez\r\n") << Outcome::Closed << 0;
    QTest::newRow("bad version") << QByteArray("GET /livez HTTP/x.y\r\n\r\n") << Outcome::Answered << 200;
    QTest::newRow("header without colon") << QByteArray("GET /livez HTTP/1.1\r\nHost x\r\n\r\n") << Outcome::Answered << 200;
    QTest::newRow("space in header name") << QByteArray("GET /livez HTTP/1.1\r\nHo st: x\r\n\r\n") << Outcome::Answered << 200;
    QTest::newRow("bare LF line ends") << QByteArray("GET /livez HTTP/1.1\nHost: x\n\n") << Outcome::Answered << 200;
    QTest::newRow("NUL in path") << QByteArray("GET /li\0vez HTTP/1.1\r\n\r\n", 24) << Outcome::Answered << 404;
    QTest::newRow("bad content length") << QByteArray("POST /livez HTTP/1.1\r\nContent-Length: abc\r\n\r\n") << Outcome::Answered << 405;
    QTest::newRow("negative content length") << QByteArray("POST /livez HTTP/1.1\r\nContent-Length: -5\r\n\r\n") << Outcome::Answered << 405;
    QTest::newRow("two content lengths") << QByteArray("POST /livez HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
                                         << Outcome::Answered << 405;
    // Read as the start of a chunk: Qt waits for more.
    QTest::newRow("bad chunk size") << QByteArray("POST /livez HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") << Outcome::Pending << 0;
    QTest::newRow("garbage without line end") << QByteArray("\x00\x01\xff", 3) << Outcome::Pending << 0;
}

void TestStatusServer::malformed()
{
    QFETCH(QByteArray, data);
    QFETCH(Outcome, outcome);
    QFETCH(int, status);
    RawClient c(m_server->port());
    QVERIFY(c.waitConnected());
    c.send(data);
    switch (outcome) {
    case Outcome::Closed:
        // No 400: the connection is closed without an answer.
        QVERIFY2(c.waitForClose(), c.received().constData());
        QCOMPARE(c.received(), QByteArray());
        break;
    case Outcome::Answered: {
        QVERIFY(c.waitForResponses({"GET"}));
        const auto responses = completeResponses(c.received(), {"GET"});
        QCOMPARE(responses.size(), 1);
        QCOMPARE(responses.at(0).status, status);
        break;
    }
    case Outcome::Pending:
        break;
    }
    checkStillServing();
    if (outcome == Outcome::Pending) {
        // Served the other connection meanwhile: this one is still waiting for the rest.
        QVERIFY(!c.closed());
        QCOMPARE(c.received(), QByteArray());
    }
}

void TestStatusServer::hugeHeader()
{
    RawClient c(m_server->port());
    QVERIFY(c.waitConnected());
    c.send("GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(1024 * 1024, 'a') + "\r\n\r\n");
    // Qt 6.4.2 has no limit and answers; a 431 or closing would do as well.
    QVERIFY(c.waitForResponses({"GET"}));
    const auto responses = completeResponses(c.received(), {"GET"});
    if (!responses.isEmpty())
        QVERIFY2(responses.at(0).status == 200 || responses.at(0).status == 431, c.received().left(200).constData());
    checkStillServing();
}

void TestStatusServer::tinyChunks()
{
    RawClient c(m_server->port());
    QVERIFY(c.waitConnected());
    c.sendInChunks("GET /status?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n", 1);
    QVERIFY(c.waitForResponses({"GET"}));
    const auto responses = completeResponses(c.received(), {"GET"});
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.at(0).status, 200);
    QCOMPARE(QJsonDocument::fromJson(responses.at(0).body).object(), m_status);
}

void TestStatusServer::clientGoneMidRequest()
{
    for (const QByteArray &part : {QByteArray("GET /liv"), QByteArray("GET /livez HTTP/1.1\r\nHost: x\r\nX-A"),
                                   QByteArray("POST /livez HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc")}) {
        RawClient c(m_server->port());
        QVERIFY(c.waitConnected());
        c.sendInChunks(part, 4);
        c.abort();
    }
    checkStillServing();
}

void TestStatusServer::clientGoneBeforeAnswer()
{
    // The whole request is there, but the client has gone by the time it is answered.
    for (int i = 0; i < 3; ++i) {
        RawClient c(m_server->port());
        QVERIFY(c.waitConnected());
        c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        c.abort();
    }
    checkStillServing();
}

void TestStatusServer::pipelined()
{
    RawClient c(m_server->port());
    QVERIFY(c.waitConnected());
    const QList<QByteArray> methods{"GET", "GET", "HEAD", "POST", "GET"};
    c.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"
           "GET /status HTTP/1.1\r\nHost: x\r\n\r\n"
           "HEAD /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
           "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
           "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(c.waitForResponses(methods));
    const auto responses = completeResponses(c.received(), methods);
    QCOMPARE(responses.size(), methods.size());
    QCOMPARE(responses.at(0).status, 200);
    QCOMPARE(responses.at(0).body, QByteArray("{\"status\":\"ok\"}"));
    QCOMPARE(responses.at(1).status, 200);
    QCOMPARE(QJsonDocument::fromJson(responses.at(1).body).object(), m_status);
    QCOMPARE(responses.at(2).status, 200);
    QCOMPARE(responses.at(3).status, 405);
    QCOMPARE(responses.at(3).headers.value("allow"), QByteArray("GET, HEAD"));
    QCOMPARE(responses.at(4).status, 404);
    for (const RawResponse &r : responses)
        QCOMPARE(r.headers.value("cache-control"), QByteArray("no-store"));
    QVERIFY(!c.closed());
}

void TestStatusServer::connectionClose()
{
    RawClient c(m_server->port());
    QVERIFY(c.waitConnected());
    c.send("GET /livez HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n");
    QVERIFY(c.waitForClose());
    const auto responses = completeResponses(c.received(), {"GET"});
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.at(0).status, 200);
    QCOMPARE(responses.at(0).headers.value("connection"), QByteArray("close"));
    QCOMPARE(responses.at(0).body, QByteArray("{\"status\":\"ok\"}"));
}

void TestStatusServer::webSocketUpgrade()
{
    // Qt, not us, logs this (only when built with Qt WebSockets, as Debian's 6.4.2 is).
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^WebSocket received but no slots connected")));
    RawClient c(m_server->port());
    QVERIFY(c.waitConnected());
    c.send("GET /livez HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QVERIFY(c.waitForClose());
    // One answer (the plain GET answer; the upgrade is ignored), not two.
    const auto responses = completeResponses(c.received(), {"GET", "GET"});
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.at(0).status, 200);
    QCOMPARE(c.received().count("HTTP/1.1"), 1);
    checkStillServing();
}

void TestStatusServer::destroyedWithOpenConnections()
{
    RawClient idle(m_server->port());
    RawClient partial(m_server->port());
    RawClient served(m_server->port());
    QVERIFY(idle.waitConnected() && partial.waitConnected() && served.waitConnected());
    partial.send("GET /livez HTTP/1.1\r\nHo");
    served.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(served.waitForResponses({"GET"}));
    QCOMPARE(completeResponses(served.received(), {"GET"}).size(), 1);

    m_server.reset();
    QVERIFY(idle.waitForClose());
    QVERIFY(partial.waitForClose());
    QVERIFY(served.waitForClose());
}

void TestStatusServer::metricsThroughPythonParser()
{
    const QString python = QStringLiteral("/usr/bin/python3");
    const auto probe = test::run(python, {QStringLiteral("-c"), QStringLiteral("import prometheus_client")});
    if (probe.exitCode != 0)
        QSKIP("/usr/bin/python3 cannot import prometheus_client; install the Debian package python3-prometheus-client");

    MetricsRegistry registry;
    registry.declare(QStringLiteral("jobslib_runs_total"), MetricsRegistry::Type::Counter, QStringLiteral("Task runs by result."));
    registry.add(QStringLiteral("jobslib_runs_total"), {{QStringLiteral("task"), QStringLiteral("t")}, {QStringLiteral("result"), QStringLiteral("ok")}}, 41);
    registry.set(QStringLiteral("last_successful_run_timestamp"), {{QStringLiteral("task"), QStringLiteral("t")}}, 1795831560);
    registry.set(QStringLiteral("my.metric-name"), {{QStringLiteral("path"), QStringLiteral("C:\\dir \"x\"\n\u2603")}}, 0.5628845691680908);
    m_metrics.clear();
    StatusServer::Providers p = providers();
    p.metrics = [&registry] { return toPrometheusText(registry); };
    m_server = std::make_unique<StatusServer>(p);
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0).ok());

    registry.add(QStringLiteral("jobslib_runs_total"), {{QStringLiteral("task"), QStringLiteral("t")}, {QStringLiteral("result"), QStringLiteral("ok")}});
    const Response r = request("GET", QStringLiteral("/metrics"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.contentType, QByteArray(PrometheusContentType));

    const auto parsed = test::run(python, {QStringLiteral(JOBSLIB_SOURCE_DIR "/tests/support/prometheus_parse.py")},
                                  test::cleanEnvironment(), 30000, r.body);
    QVERIFY2(parsed.exitCode == 0, parsed.err.constData());
    QHash<QString, QJsonObject> families;
    const QJsonArray list = QJsonDocument::fromJson(parsed.out).object().value(QLatin1String("families")).toArray();
    for (const QJsonValue &f : list)
        families.insert(f.toObject().value(QLatin1String("name")).toString(), f.toObject());
    QCOMPARE(families.size(), 3);

    // The parser reports counter "x_total" as family "x".
    const QJsonObject runs = families.value(QStringLiteral("jobslib_runs"));
    QCOMPARE(runs.value(QLatin1String("type")).toString(), QStringLiteral("counter"));
    QCOMPARE(runs.value(QLatin1String("help")).toString(), QStringLiteral("Task runs by result."));
    const QJsonObject runSample = runs.value(QLatin1String("samples")).toArray().at(0).toObject();
    QCOMPARE(runSample.value(QLatin1String("value")).toString(), QStringLiteral("42.0"));
    QCOMPARE(runSample.value(QLatin1String("labels")).toObject(),
             (QJsonObject{{QStringLiteral("task"), QStringLiteral("t")}, {QStringLiteral("result"), QStringLiteral("ok")}}));

    const QJsonObject ts = families.value(QStringLiteral("last_successful_run_timestamp"));
    QCOMPARE(ts.value(QLatin1String("samples")).toArray().at(0).toObject().value(QLatin1String("value")).toString(), QStringLiteral("1795831560.0"));

    const QJsonObject influx = families.value(QStringLiteral("my_metric_name"));
    QCOMPARE(influx.value(QLatin1String("type")).toString(), QStringLiteral("gauge"));
    const QJsonObject influxSample = influx.value(QLatin1String("samples")).toArray().at(0).toObject();
    QCOMPARE(influxSample.value(QLatin1String("labels")).toObject().value(QLatin1String("path")).toString(),
             QStringLiteral("C:\\dir \"x\"\n\u2603"));
    QCOMPARE(influxSample.value(QLatin1String("value")).toString(), QStringLiteral("0.5628845691680908"));
}

QTEST_GUILESS_MAIN(TestStatusServer)
#include "tst_statusserver.moc"
