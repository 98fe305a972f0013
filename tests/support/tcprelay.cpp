// SPDX-License-Identifier: BSD-3-Clause
#include "tcprelay.h"

#include <QTimer>

namespace jobslib::test {

TcpRelay::TcpRelay(const QHostAddress &serverAddress, quint16 serverPort, QObject *parent)
    : QObject(parent)
    , m_serverAddress(serverAddress)
    , m_serverPort(serverPort)
{
    connect(&m_server, &QTcpServer::newConnection, this, &TcpRelay::onNewConnection);
}

TcpRelay::~TcpRelay()
{
    // Deaf first: a socket that is aborted while it is destroyed would call back into links that
    // are gone by then.
    m_server.close();
    for (const auto &link : m_links) {
        for (QTcpSocket *socket : {link->client.data(), link->server.data()}) {
            if (socket) {
                socket->disconnect(this);
                socket->abort();
            }
        }
    }
}

bool TcpRelay::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QString TcpRelay::address() const
{
    return QStringLiteral("127.0.0.1:%1").arg(port());
}

void TcpRelay::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        auto owned = std::make_unique<Link>();
        Link *link = owned.get();
        m_links.push_back(std::move(owned));
        link->client = client;
        auto *server = new QTcpSocket(this);
        link->server = server;
        connect(client, &QTcpSocket::readyRead, this, [this, link] { pump(*link); });
        connect(server, &QTcpSocket::connected, this, [this, link] { pump(*link); });
        connect(server, &QTcpSocket::readyRead, this, [this, link] { pump(*link); });
        // The client hangs up: the server is told once what the client sent has gone out.
        connect(client, &QTcpSocket::disconnected, this, [link] {
            if (link->server)
                link->server->disconnectFromHost();
        });
        // The server hangs up: so does the client, but only after it got everything before that.
        connect(server, &QTcpSocket::disconnected, this, [this, link] {
            link->serverClosed = true;
            pump(*link);
        });
        connect(server, &QTcpSocket::errorOccurred, this, [this, link](QAbstractSocket::SocketError error) {
            if (error == QAbstractSocket::RemoteHostClosedError)
                return; // disconnected() follows
            link->serverClosed = true;
            pump(*link);
        });
        server->connectToHost(m_serverAddress, m_serverPort);
    }
}

void TcpRelay::pump(Link &link)
{
    if (link.client)
        link.toServer += link.client->readAll();
    if (link.server) {
        if (link.server->state() == QAbstractSocket::ConnectedState && !link.toServer.isEmpty()) {
            link.server->write(link.toServer);
            link.toServer.clear();
        }
        link.toClient += link.server->readAll();
    }
    if (m_held || !link.client)
        return;
    if (!link.toClient.isEmpty()) {
        link.client->write(link.toClient);
        link.toClient.clear();
    }
    if (link.serverClosed) {
        link.serverClosed = false;
        link.client->disconnectFromHost();
    }
}

void TcpRelay::hold()
{
    m_held = true;
}

void TcpRelay::release()
{
    m_held = false;
    for (const auto &link : m_links)
        pump(*link);
}

void TcpRelay::releaseAfter(int ms)
{
    QTimer::singleShot(ms, this, [this] { release(); });
}

} // namespace jobslib::test
