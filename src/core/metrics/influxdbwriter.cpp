// SPDX-License-Identifier: BSD-3-Clause
#include "influxdbwriter.h"

#include "util/tls.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

namespace jobslib {

QUrl InfluxDbEndpoint::writeUrl() const
{
    QUrl url = baseUrl;
    QUrlQuery query;
    if (api == Api::V1) {
        url.setPath(url.path() + QStringLiteral("/write"));
        query.addQueryItem(QStringLiteral("db"), database);
    } else {
        url.setPath(url.path() + QStringLiteral("/api/v2/write"));
        query.addQueryItem(QStringLiteral("org"), org);
        query.addQueryItem(QStringLiteral("bucket"), bucket);
        // 1.x defaults to nanoseconds; 2.x wants it said.
        query.addQueryItem(QStringLiteral("precision"), QStringLiteral("ns"));
    }
    url.setQuery(query);
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

InfluxDbWriter::Result InfluxDbWriter::classify(int httpStatus, const QByteArray &body, const QString &networkError)
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
    // 1.x answers {"error": "..."}, 2.x {"code": "...", "message": "..."}.
    const QJsonObject o = QJsonDocument::fromJson(body).object();
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
    if (m_endpoint.api == InfluxDbEndpoint::Api::V1) {
        // The headers of Python's influxdb client, so that proxies and server logs see the same.
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/octet-stream"));
        request.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/x-msgpack"));
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("text/plain; charset=utf-8"));
        request.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json"));
    }
    if (!m_authorization.isEmpty())
        request.setRawHeader(QByteArrayLiteral("Authorization"), m_authorization);
    if (!m_tls.isNull())
        request.setSslConfiguration(m_tls);
    QNetworkReply *reply = m_network->post(request, lines);
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QString error = reply->error() == QNetworkReply::OperationCanceledError ? QStringLiteral("timeout") : reply->errorString();
        done(classify(status, reply->readAll(), error));
    });
}

} // namespace jobslib
