// SPDX-License-Identifier: BSD-3-Clause
#include "influxdbwriter.h"

#include "util/tls.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace jobslib {

/*!
 * "key=value" with the value fully percent-encoded: QUrlQuery leaves '+' and ';' as they are, and
 * InfluxDB (Go) reads '+' as a space and ';' as a separator ("c++" would become "c  ").
 */
static QByteArray queryItem(const char *key, const QString &value)
{
    return QByteArray(key) + '=' + QUrl::toPercentEncoding(value);
}

QUrl InfluxDbEndpoint::writeUrl() const
{
    QUrl url = baseUrl;
    QByteArray query;
    if (api == Api::V1) {
        url.setPath(url.path() + QStringLiteral("/write"));
        query = queryItem("db", database);
    } else {
        url.setPath(url.path() + QStringLiteral("/api/v2/write"));
        // 1.x defaults to nanoseconds; 2.x wants it said.
        query = queryItem("org", org) + '&' + queryItem("bucket", bucket) + "&precision=ns";
    }
    url.setQuery(QString::fromLatin1(query), QUrl::StrictMode);
    return url;
}

QUrl InfluxDbEndpoint::queryUrl(const QString &influxQl) const
{
    QUrl url = baseUrl;
    url.setPath(url.path() + QStringLiteral("/query"));
    const QByteArray query = queryItem("db", api == Api::V1 ? database : bucket) + "&epoch=s&" + queryItem("q", influxQl);
    url.setQuery(QString::fromLatin1(query), QUrl::StrictMode);
    return url;
}

QByteArray InfluxDbEndpoint::authorization() const
{
    // Python's client always sends Basic auth (root:root by default); so do we.
    if (api == Api::V1)
        return "Basic " + (username + QLatin1Char(':') + password).toUtf8().toBase64();
    if (!token.isEmpty())
        return "Token " + token.toUtf8();
    return {};
}

QSslConfiguration InfluxDbEndpoint::tlsConfiguration() const
{
    if (baseUrl.scheme() == QLatin1String("https"))
        return clientTlsConfiguration(caFile, verifyTls);
    return {};
}

QNetworkRequest InfluxDbEndpoint::request(const QUrl &url, const QByteArray &authorization, const QSslConfiguration &tls) const
{
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    // Python's client asks /write for application/x-msgpack; we ask for JSON: with msgpack
    // InfluxDB encodes its error messages (a 401's only explanation) in MessagePack, which would
    // reach the log as garbage.
    request.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json"));
    if (!authorization.isEmpty())
        request.setRawHeader(QByteArrayLiteral("Authorization"), authorization);
    if (!tls.isNull())
        request.setSslConfiguration(tls);
    return request;
}

QString InfluxDbWriter::Result::describe() const
{
    if (httpStatus == 0)
        return QStringLiteral("network: ") + message;
    return message.isEmpty() ? QStringLiteral("HTTP %1").arg(httpStatus) : QStringLiteral("HTTP %1: %2").arg(httpStatus).arg(message);
}

InfluxDbWriter::InfluxDbWriter(QNetworkAccessManager *network, const InfluxDbEndpoint &endpoint, QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_endpoint(endpoint)
    , m_tls(endpoint.tlsConfiguration())
    , m_authorization(endpoint.authorization())
{
}

InfluxDbWriter::Result InfluxDbWriter::classify(int httpStatus, const QByteArray &body, const QString &networkError, const QByteArray &errorHeader)
{
    using Kind = Result::Kind;
    Result r;
    r.httpStatus = httpStatus;
    if (httpStatus == 0) {
        r.kind = Kind::Retry;
        r.message = networkError;
        return r;
    }
    if (httpStatus >= 200 && httpStatus < 300)
        return r;
    // 1.x says it in X-Influxdb-Error (not on 401) and as {"error": "..."}, 2.x as {"code": "...", "message": "..."}.
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    r.message = QString::fromUtf8(errorHeader).trimmed();
    if (r.message.isEmpty())
        r.message = o.value(QStringLiteral("error")).toString();
    if (r.message.isEmpty())
        r.message = o.value(QStringLiteral("message")).toString();
    if (r.message.isEmpty())
        r.message = QString::fromUtf8(body.left(300)).trimmed();
    switch (httpStatus) {
    case 400:
    case 422:
        r.kind = Kind::Rejected;
        break;
    case 401:
    case 403:
        r.kind = Kind::Unauthorized;
        break;
    case 404:
        r.kind = Kind::NotFound;
        break;
    case 413:
        r.kind = Kind::TooLarge;
        break;
    default:
        r.kind = Kind::Retry;
        break;
    }
    return r;
}

void InfluxDbWriter::write(const QByteArray &lines, std::function<void(const Result &)> done)
{
    QNetworkRequest request = m_endpoint.request(m_endpoint.writeUrl(), m_authorization, m_tls);
    // Python's client sends Content-Type application/octet-stream to /write; so do we (and ask for
    // JSON, not its msgpack: see InfluxDbEndpoint::request()).
    request.setHeader(QNetworkRequest::ContentTypeHeader, m_endpoint.api == InfluxDbEndpoint::Api::V1 ? QByteArrayLiteral("application/octet-stream")
                                                                                                    : QByteArrayLiteral("text/plain; charset=utf-8"));
    QNetworkReply *reply = m_network->post(request, lines);
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QString error = reply->error() == QNetworkReply::OperationCanceledError ? QStringLiteral("timeout") : reply->errorString();
        // A reply that timed out is closed already; reading it would only warn.
        const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
        done(classify(status, body, error, reply->rawHeader(QByteArrayLiteral("X-Influxdb-Error"))));
    });
}

} // namespace jobslib
