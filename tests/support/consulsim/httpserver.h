// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "httpexchange.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>

class QTcpServer;

namespace jobslib::consulsim {

class HttpConnection;

/*! A small HTTP/1.1 server on QTcpServer: accepts connections and hands out exchanges. */
class HttpServer : public QObject
{
    Q_OBJECT
public:
    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    /*! Listens on address:port (0 = a free port); false with the reason in *error. */
    bool listen(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const;
    QHostAddress address() const;
    /*! Stops listening and drops every connection. */
    void close();
    /*! Drops every open connection but keeps listening (what a restarting agent does to clients). */
    void dropConnections();
    int connectionCount() const;

Q_SIGNALS:
    void requestReceived(jobslib::consulsim::HttpExchange *exchange);

private:
    void onNewConnection();

    QTcpServer *m_server;
    QList<QPointer<HttpConnection>> m_connections;
};

} // namespace jobslib::consulsim
