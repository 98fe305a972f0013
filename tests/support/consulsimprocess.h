// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

namespace jobslib::test {

/*!
 * The standalone Consul simulator (jobslib-consul-sim --port 0) as a child process of a test,
 * for tests whose runjob processes need a Consul to talk to. Requests to it run the caller's
 * event loop until they are answered or their deadline passes; nothing blocks.
 */
class ConsulSimProcess : public QObject
{
    Q_OBJECT
public:
    struct Reply
    {
        int status = 0;       ///< HTTP status; 0 when there was no answer (error says why)
        QByteArray body;
        QString error;
        bool ok() const { return status >= 200 && status < 300; }
    };

    explicit ConsulSimProcess(QObject *parent = nullptr);
    ~ConsulSimProcess() override;

    /*! Starts the simulator with --port 0 and extraArgs; waits for "listening on 127.0.0.1:PORT". */
    bool start(const QStringList &extraArgs = {}, QString *error = nullptr, int timeoutMs = 10000);
    /*! SIGTERM, then waits for it (SIGKILL after the deadline). */
    void stop(int timeoutMs = 5000);
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }

    quint16 port() const { return m_port; }
    /*! "127.0.0.1:PORT", as runjob's address option and CONSUL_HTTP_ADDR take it. */
    QString address() const;
    /*! What the simulator wrote on stderr (--verbose request lines among it). */
    QString errorOutput() const { return QString::fromLocal8Bit(m_err); }

    /*! PUT /_sim/<path>?<query> (a fault control): waits for the answer until the deadline. */
    Reply control(const QString &path, const QUrlQuery &query = {}, int timeoutMs = 5000);
    /*! Any request to the simulator, e.g. GET /v1/kv/...; pathAndQuery starts with '/'. */
    Reply request(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body = {}, const QByteArray &token = {},
                  int timeoutMs = 5000);
    /*! The request log (GET /_sim/requests?since=N): JSON objects with Sequence, AtMs, Method, Path, RawQuery, Status, Fault. */
    QJsonArray requests(qint64 since = 0);
    /*!
     * Offset to add to a logged request's AtMs (ms since the simulator started) to get the wall
     * clock (ms since the epoch), measured with a marker request; accurate to a few ms.
     */
    bool syncClock(qint64 *offsetMs);

private:
    QProcess m_process;
    QNetworkAccessManager m_network;
    QByteArray m_out;
    QByteArray m_err;
    quint16 m_port = 0;
};

} // namespace jobslib::test
