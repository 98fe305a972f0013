// SPDX-License-Identifier: BSD-3-Clause
#include "httpserver.h"

#include "httpconnection.h"

#include <QTcpServer>
#include <QTcpSocket>

namespace jobslib::consulsim {

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &HttpServer::onNewConnection);
}

HttpServer::~HttpServer()
{
    close();
}

bool HttpServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    if (m_server->listen(address, port))
        return true;
    if (error)
        *error = m_server->errorString();
    return false;
}

quint16 HttpServer::port() const
{
    return m_server->serverPort();
}

QHostAddress HttpServer::address() const
{
    return m_server->serverAddress();
}

void HttpServer::close()
{
    m_server->close();
    dropConnections();
}

void HttpServer::dropConnections()
{
    const auto connections = m_connections;
    m_connections.clear();
    for (const auto &c : connections) {
        if (c)
            c->abort();
    }
}

int HttpServer::connectionCount() const
{
    int n = 0;
    for (const auto &c : m_connections)
        n += c ? 1 : 0;
    return n;
}

void HttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *connection = new HttpConnection(socket, this);
        m_connections.append(connection);
        connect(connection, &HttpConnection::requestReady, this, &HttpServer::requestReceived);
        connect(connection, &HttpConnection::closed, this, [this, connection] { m_connections.removeAll(connection); });
    }
}

} // namespace jobslib::consulsim
