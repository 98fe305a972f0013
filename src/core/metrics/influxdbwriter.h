// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QByteArray>
#include <QObject>
#include <QSslConfiguration>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;

namespace jobslib {

/*! Where and how to write points: InfluxDB 1.x (/write) or 2.x (/api/v2/write). */
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
