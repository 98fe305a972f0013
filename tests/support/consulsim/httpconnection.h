// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "httpexchange.h"
#include "httpmessage.h"

#include <QObject>
#include <QPointer>

class QTcpSocket;

namespace jobslib::consulsim {

/*!
 * One client connection speaking HTTP/1.1 as Go's net/http server does: persistent unless the
 * client says otherwise, requests answered strictly in order (a pipelined request waits until
 * the one before it is answered), Content-Length and chunked bodies, "100 Continue" for
 * clients that ask for it.
 */
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    HttpConnection(QTcpSocket *socket, QObject *parent);
    ~HttpConnection() override;

    /*! Closes at once; a pending exchange is abandoned. */
    void abort();

Q_SIGNALS:
    void requestReady(jobslib::consulsim::HttpExchange *exchange);
    void closed();

private:
    enum class State { Head, Body, ChunkSize, ChunkData, ChunkTrailer, Waiting, Closing };

    void onReadyRead();
    void onDisconnected();
    /*! Consumes as much of the input buffer as the current state allows. */
    void process();
    bool parseHead(const QByteArray &head);
    void startBody();
    void dispatch();
    /*! Answers a malformed request the way Go does (plain text, Connection: close) and closes. */
    void failAndClose(int status, const QByteArray &body);
    void writeResponse(const HttpResponse &response);
    void onExchangeDropped();

    QTcpSocket *m_socket;
    QByteArray m_buffer;
    State m_state = State::Head;
    HttpRequest m_request;
    qint64 m_remaining = 0;
    bool m_keepAlive = true;
    bool m_closed = false;
    QPointer<HttpExchange> m_exchange;
};

} // namespace jobslib::consulsim
