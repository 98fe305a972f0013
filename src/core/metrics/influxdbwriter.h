// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QByteArray>
#include <QNetworkRequest>
#include <QObject>
#include <QSslConfiguration>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;

namespace jobslib {

/*!
 * Where InfluxDB is and how to talk to it: InfluxDB 1.x (/write, /query) or 2.x (/api/v2/write,
 * and its 1.x compatibility /query). The writer and the reader build their requests here, so that
 * both send the same credentials and TLS settings to the same server.
 */
struct JOBSLIB_EXPORT InfluxDbEndpoint
{
    enum class Api { V1, V2 };
    Api api = Api::V1;
    QUrl baseUrl = QUrl(QStringLiteral("http://localhost:8086"));
    QString database;                         ///< v1
    QString username = QStringLiteral("root"); ///< v1, Basic auth as Python's client sends it
    QString password = QStringLiteral("root"); ///< v1
    QString org;                              ///< v2
    QString bucket;                           ///< v2
    QString token;                            ///< v2: "Authorization: Token ..."
    int timeoutMs = 5000;
    bool verifyTls = true;
    QString caFile;

    /*! "http://host:8086/write?db=jobs" or ".../api/v2/write?org=..&bucket=..": for logs (no secrets in it). */
    QUrl writeUrl() const;
    /*!
     * GET "http://host:8086/query?db=jobs&epoch=s&q=...": times as epoch seconds (runjob writes
     * whole seconds). With api v2 the database is the bucket: InfluxDB 2.x answers /query through
     * its DBRP mapping of that name. No secret in it (the credentials travel in a header).
     */
    QUrl queryUrl(const QString &influxQl) const;
    /*!
     * The Authorization header: Basic username:password for v1 (always, as Python's client sends
     * it), "Token ..." for v2; empty for v2 without a token.
     */
    QByteArray authorization() const;
    /*! For https: the system CAs or those of caFile, verification as verifyTls says; null for http. Reads caFile: build it once. */
    QSslConfiguration tlsConfiguration() const;
    /*!
     * A request to url with what every request to InfluxDB carries: Accept JSON (InfluxDB's error
     * messages must be readable), the authorization and TLS built once by the caller (from
     * authorization() and tlsConfiguration()), and timeoutMs as the transfer timeout.
     */
    QNetworkRequest request(const QUrl &url, const QByteArray &authorization, const QSslConfiguration &tls) const;
};

/*!
 * The InfluxDB write transport: one POST of line protocol, answered by a classified result.
 * Thin on purpose: what to do with a result (retry, drop, log) is the caller's business.
 */
class JOBSLIB_EXPORT InfluxDbWriter : public QObject
{
    Q_OBJECT
public:
    struct Result
    {
        enum class Kind {
            Ok,          ///< 2xx: every point is stored
            Retry,       ///< no answer, timeout, 5xx, 429: the same points may succeed later
            Rejected,    ///< 400/422: the points themselves are refused (parse error, field type conflict)
            Unauthorized,///< 401/403: credentials
            NotFound,    ///< 404: database or bucket does not exist (yet)
            TooLarge,    ///< 413: send fewer points per request
        };
        Kind kind = Kind::Ok;
        int httpStatus = 0;
        QString message; ///< the server's error text, or the network error
        bool ok() const { return kind == Kind::Ok; }
        /*! "HTTP 401: authorization failed" or "network: Connection refused", for logs. */
        QString describe() const;
    };

    InfluxDbWriter(QNetworkAccessManager *network, const InfluxDbEndpoint &endpoint, QObject *parent = nullptr);

    const InfluxDbEndpoint &endpoint() const { return m_endpoint; }
    /*! POSTs the lines (each ending in '\n'); done() is called once, on this object's thread. */
    void write(const QByteArray &lines, std::function<void(const Result &)> done);

    /*! errorHeader: InfluxDB 1.x's X-Influxdb-Error, preferred to the body when present. */
    static Result classify(int httpStatus, const QByteArray &body, const QString &networkError, const QByteArray &errorHeader = {});

private:
    QNetworkAccessManager *m_network;
    InfluxDbEndpoint m_endpoint;
    QSslConfiguration m_tls;
    QByteArray m_authorization;
};

} // namespace jobslib
