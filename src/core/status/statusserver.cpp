// SPDX-License-Identifier: BSD-3-Clause
#include "statusserver.h"

#include "metrics/metricsregistry.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>

namespace jobslib {

namespace {

using Method = QHttpServerRequest::Method;
using StatusCode = QHttpServerResponder::StatusCode;

struct Reply
{
    StatusCode status = StatusCode::Ok;
    QByteArray contentType;
    QByteArray body;
};

Reply jsonReply(const QJsonObject &object, StatusCode status = StatusCode::Ok)
{
    return {status, QByteArrayLiteral("application/json"), QJsonDocument(object).toJson(QJsonDocument::Compact)};
}

Reply healthReply(const HealthReport &report)
{
    QJsonObject body = report.detail;
    // Set last: the detail cannot contradict the status code.
    body.insert(QLatin1String("status"), report.ok ? QLatin1String("ok") : QLatin1String("failing"));
    return jsonReply(body, report.ok ? StatusCode::Ok : StatusCode::ServiceUnavailable);
}

Reply errorReply(StatusCode status, const char *text)
{
    return {status, QByteArrayLiteral("text/plain; charset=utf-8"), QByteArray(text) + '\n'};
}

bool wantsClose(const QHttpServerRequest &request)
{
    const QList<QByteArray> tokens = request.value(QByteArrayLiteral("Connection")).split(',');
    for (const QByteArray &token : tokens) {
        if (token.trimmed().compare("close", Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

/*
 * Every answer goes through here, written header by header: QHttpServerResponder::write() takes
 * its headers as an initializer_list (no computed set), Qt 6.4's afterRequest() only reaches
 * handlers that return a QHttpServerResponse, and nothing in Qt strips the body of a HEAD answer.
 */
void send(QHttpServerResponder &responder, const QHttpServerRequest &request, const Reply &reply, bool allowHeader = false)
{
    QTcpSocket *socket = responder.socket();
    // Qt 6.4 only asserts (debug builds) that the client is still there.
    if (!socket || !socket->isOpen())
        return;
    responder.writeStatusLine(reply.status);
    responder.writeHeader(QByteArrayLiteral("Content-Type"), reply.contentType);
    // For HEAD too: the length GET would have (RFC 9110, 9.3.2).
    responder.writeHeader(QByteArrayLiteral("Content-Length"), QByteArray::number(reply.body.size()));
    // Health and metrics must be fresh on every request, also behind a proxy.
    responder.writeHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
    if (allowHeader)
        responder.writeHeader(QByteArrayLiteral("Allow"), QByteArrayLiteral("GET, HEAD"));
    // Qt 6.4 keeps every connection open whatever the client asked; RFC 9112 9.6 wants it closed.
    const bool close = wantsClose(request);
    if (close)
        responder.writeHeader(QByteArrayLiteral("Connection"), QByteArrayLiteral("close"));
    // An empty body still ends the header block.
    responder.writeBody(request.method() == Method::Head ? QByteArray() : reply.body);
    if (close)
        socket->disconnectFromHost(); // after what was written is sent
}

QString endpoint(const QHostAddress &address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' % address.toString() % u']' : address.toString();
    return host % u':' % QString::number(port);
}

QString listenError(const QTcpServer &server)
{
    switch (server.serverError()) {
    case QAbstractSocket::AddressInUseError:
        return QStringLiteral("address in use");
    case QAbstractSocket::SocketAccessError:
        return QStringLiteral("permission denied");
    case QAbstractSocket::SocketAddressNotAvailableError:
        return QStringLiteral("address not available on this host");
    default:
        return server.errorString();
    }
}

} // namespace

StatusServer::StatusServer(Providers providers, QObject *parent)
    : QObject(parent)
    , m_providers(std::move(providers))
    , m_server(std::make_unique<QHttpServer>())
{
    // Path -> the answer to GET. An endpoint without provider is not served (404).
    QHash<QString, std::function<Reply()>> endpoints;
    if (m_providers.livez)
        endpoints.insert(QStringLiteral("/livez"), [this] { return healthReply(m_providers.livez()); });
    if (m_providers.readyz)
        endpoints.insert(QStringLiteral("/readyz"), [this] { return healthReply(m_providers.readyz()); });
    if (m_providers.status)
        endpoints.insert(QStringLiteral("/status"), [this] { return jsonReply(m_providers.status()); });
    if (m_providers.metrics)
        endpoints.insert(QStringLiteral("/metrics"), [this] { return Reply{StatusCode::Ok, PrometheusContentType, m_providers.metrics()}; });

    /*
     * Every request goes to this one handler, installed as the missing handler, and no route is
     * added: the path table is needed anyway (405 on a known path, also for methods outside
     * QHttpServerRequest::Method such as PROPFIND, which match no rule), and with a route Qt 6.4
     * answers a WebSocket upgrade request twice (the route, then the missing handler because no
     * one takes WebSockets). The path has no query ("/metrics?x=1" is /metrics).
     */
    m_server->setMissingHandler([endpoints](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        const auto endpoint = endpoints.constFind(request.url().path());
        if (endpoint == endpoints.cend())
            send(responder, request, errorReply(StatusCode::NotFound, "not found"));
        else if (request.method() == Method::Get || request.method() == Method::Head)
            send(responder, request, (*endpoint)());
        else
            send(responder, request, errorReply(StatusCode::MethodNotAllowed, "method not allowed"), true);
    });
}

StatusServer::~StatusServer() = default;

Expected<quint16> StatusServer::listen(const QHostAddress &address, quint16 port)
{
    if (m_port != 0)
        return Expected<quint16>::failure(QStringLiteral("cannot listen on %1: the status server already listens on port %2")
                                              .arg(endpoint(address, port))
                                              .arg(m_port));
    // Our own QTcpServer, handed to the HTTP server after it listens: QAbstractHttpServer::listen()
    // only returns 0 on failure and logs the reason, which the operator then never sees.
    auto tcpServer = std::make_unique<QTcpServer>();
    if (!tcpServer->listen(address, port))
        return Expected<quint16>::failure(QStringLiteral("cannot listen on %1: %2").arg(endpoint(address, port), listenError(*tcpServer)));
    m_port = tcpServer->serverPort();
    m_server->bind(tcpServer.release()); // parented to the HTTP server
    return m_port;
}

} // namespace jobslib
