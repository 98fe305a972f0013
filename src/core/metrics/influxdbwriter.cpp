// SPDX-License-Identifier: BSD-3-Clause
#include "influxdbwriter.h"

#include "util/tls.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace jobslib {

QUrl InfluxDbEndpoint::writeUrl() const
{
    QUrl url = baseUrl;
    // Every value fully percent-encoded: QUrlQuery leaves '+' and ';' as they are, and InfluxDB
    // (Go) reads '+' as a space and ';' as a separator ("c++" would become "c  ").
    const auto item = [](const char *key, const QString &value) -> QByteArray { return QByteArray(key) + '=' + QUrl::toPercentEncoding(value); };
    QByteArray query;
    if (api == Api::V1) {
        url.setPath(url.path() + QStringLiteral("/write"));
        query = item("db", database);
    } else {
        url.setPath(url.path() + QStringLiteral("/api/v2/write"));
        // 1.x defaults to nanoseconds; 2.x wants it said.
        query = item("org", org) + '&' + item("bucket", bucket) + "&precision=ns";
    }
    url.setQuery(QString::fromLatin1(query), QUrl::StrictMode);
    return url;
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
{
    if (endpoint.baseUrl.scheme() == QLatin1String("https"))
        m_tls = clientTlsConfiguration(endpoint.caFile, endpoint.verifyTls);
    if (endpoint.api == InfluxDbEndpoint::Api::V1) {
        // Python's client always sends Basic auth (root:root by default); so do we.
        m_authorization = "Basic " + (endpoint.username + QLatin1Char(':') + endpoint.password).toUtf8().toBase64();
    } else if (!endpoint.token.isEmpty()) {
        m_authorization = "Token " + endpoint.token.toUtf8();
    }
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
    QNetworkRequest request(m_endpoint.writeUrl());
    request.setTransferTimeout(m_endpoint.timeoutMs);
    // Python's client sends Content-Type application/octet-stream and Accept application/x-msgpack
    // to /write. We keep its Content-Type but ask for JSON: with msgpack InfluxDB encodes its error
    // messages (a 401's only explanation) in MessagePack, which would reach the log as garbage.
    request.setHeader(QNetworkRequest::ContentTypeHeader, m_endpoint.api == InfluxDbEndpoint::Api::V1 ? QByteArrayLiteral("application/octet-stream")
                                                                                                    : QByteArrayLiteral("text/plain; charset=utf-8"));
    request.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json"));
    if (!m_authorization.isEmpty())
        request.setRawHeader(QByteArrayLiteral("Authorization"), m_authorization);
    if (!m_tls.isNull())
        request.setSslConfiguration(m_tls);
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
