// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <memory>
#include <vector>

namespace jobslib::test {

/*!
 * A TCP relay on 127.0.0.1 between the processes a test points at it and one server, running in
 * the thread that made it (its event loop must run: QTest::qWaitFor does that). Every accepted
 * connection gets its own connection to the server; bytes go both ways as they come.
 *
 * hold() keeps back what the server sends (in order, per connection, closes included) until
 * release(): the clients learn what the server did meanwhile only then. That is how a process
 * that was paused with its host (a VM) hears of the world: the server's TCP retransmissions back
 * off while nobody acknowledges them, so the news arrives well after the process's own overdue
 * timers have fired. (A process stopped by SIGSTOP on a running host finds it all waiting in its
 * socket buffers instead, and which comes first is then a race.)
 */
class TcpRelay : public QObject
{
    Q_OBJECT
public:
    TcpRelay(const QHostAddress &serverAddress, quint16 serverPort, QObject *parent = nullptr);
    ~TcpRelay() override;

    /*! Listens on 127.0.0.1 on a free port. */
    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    /*! "127.0.0.1:PORT". */
    QString address() const;

    /*! From now on, what the server sends waits in the relay. */
    void hold();
    /*! Delivers what waited, and what comes after at once. */
    void release();
    /*! release() after ms (on this thread's event loop). */
    void releaseAfter(int ms);
    bool isHeld() const { return m_held; }

private:
    struct Link
    {
        QPointer<QTcpSocket> client;
        QPointer<QTcpSocket> server;
        QByteArray toServer;     ///< from the client before the server connection was up
        QByteArray toClient;     ///< from the server while held
        bool serverClosed = false; ///< the server closed while held: close the client on release
    };

    void onNewConnection();
    void pump(Link &link);
    void closeLink(Link &link);

    QTcpServer m_server;
    QHostAddress m_serverAddress;
    quint16 m_serverPort;
    std::vector<std::unique_ptr<Link>> m_links;
    bool m_held = false;
};

} // namespace jobslib::test
