// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"
#include "util/expected.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <memory>

class QHttpServer;

namespace jobslib {

/*! One answer of /livez or /readyz: 200 when ok, else 503; detail is the JSON body's content. */
struct JOBSLIB_EXPORT HealthReport
{
    bool ok = true;
    QJsonObject detail;
};

/*!
 * runjob's opt-in HTTP status endpoint, on Qt HTTP Server, on the main thread (so /livez going
 * unanswered is itself the sign of a frozen event loop):
 *
 *   GET /livez    200/503 + JSON   process and loop healthy
 *   GET /readyz   200/503 + JSON   backends reachable
 *   GET /status   200 + JSON       state, lock holder, fencing token, last and next run, last error
 *   GET /metrics  200 + Prometheus text exposition format 0.0.4
 *
 * HEAD is answered like GET without a body (same Content-Length). Anything else gets a 4xx (404
 * unknown path, 405 with "Allow: GET, HEAD" for other methods on a known path) and never affects
 * the loop. Query strings are ignored. Every answer has "Cache-Control: no-store". An endpoint
 * whose provider is not set is not served (404). A client sending "Connection: close" gets it.
 *
 * Malformed requests, with Qt HTTP Server 6.4.2: what its parser rejects (binary garbage, a
 * request line without HTTP version) gets no 400; Qt closes the connection. Much is accepted
 * leniently and answered (a header line without colon, "HTTP/x.y"); an invalid chunk size leaves
 * that connection waiting. Qt 6.4 has no limit on header size, no idle timeout for kept-alive
 * connections and no connection limit: bind to an address only trusted clients reach.
 * tests/status/tst_statusserver.cpp records these observations.
 *
 * The server only serves what the providers return; it knows nothing of the runner.
 */
class JOBSLIB_EXPORT StatusServer : public QObject
{
    Q_OBJECT
public:
    struct Providers
    {
        std::function<HealthReport()> livez;
        std::function<HealthReport()> readyz;
        std::function<QJsonObject()> status;
        std::function<QByteArray()> metrics; ///< Prometheus text
    };

    explicit StatusServer(Providers providers, QObject *parent = nullptr);
    ~StatusServer() override;

    /*! Binds address:port (port 0: any free one); the bound port, or why it failed. */
    Expected<quint16> listen(const QHostAddress &address, quint16 port);
    quint16 port() const { return m_port; }

private:
    Providers m_providers;
    std::unique_ptr<QHttpServer> m_server;
    quint16 m_port = 0;
};

} // namespace jobslib
