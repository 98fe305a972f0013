// SPDX-License-Identifier: BSD-3-Clause
#include "consulclient.h"

#include "util/logcategories.h"
#include "util/tls.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace jobslib {

QString ConsulError::describe() const
{
    if (httpStatus == 0)
        return (timedOut ? QStringLiteral("timeout: ") : QStringLiteral("network: ")) + message;
    return QStringLiteral("HTTP %1: %2").arg(httpStatus).arg(message.trimmed());
}

QString consulKeyPath(const QString &key)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(key, "/"));
}

ConsulClient::ConsulClient(QNetworkAccessManager *network, const ConsulEndpoint &endpoint, QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_endpoint(endpoint)
{
}

QNetworkReply *ConsulClient::send(const QByteArray &verb, const QString &path, QUrlQuery query, const QByteArray &body, int timeoutMs,
                                  QObject *context, std::function<void(const Response &)> done)
{
    QUrl url = m_endpoint.baseUrl;
    // The path is already percent-encoded (keys); keep QUrl from decoding or re-encoding it.
    url.setPath(url.path(QUrl::FullyEncoded) + path, QUrl::StrictMode);
    if (!m_endpoint.datacenter.isEmpty())
        query.addQueryItem(QStringLiteral("dc"), m_endpoint.datacenter);
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    // Python's client sends no Content-Type for KV bodies; Consul does not care either way.
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/octet-stream"));
    if (!m_endpoint.token.isEmpty())
        request.setRawHeader(QByteArrayLiteral("X-Consul-Token"), m_endpoint.token);
    if (url.scheme() == QLatin1String("https"))
        request.setSslConfiguration(clientTlsConfiguration(m_endpoint.caFile, m_endpoint.verifyTls));
    qCDebug(lcConsul).noquote() << verb << url.path(QUrl::FullyEncoded) + (url.hasQuery() ? QStringLiteral("?") + url.query() : QString());
    QNetworkReply *reply = m_network->sendCustomRequest(request, verb, body);
    connect(reply, &QNetworkReply::finished, context, [reply, done = std::move(done)] {
        reply->deleteLater();
        Response r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->isOpen()) // an aborted long poll is closed already
            r.body = reply->readAll();
        r.index = reply->rawHeader(QByteArrayLiteral("X-Consul-Index")).toULongLong();
        if (r.status == 0) {
            r.error.timedOut = reply->error() == QNetworkReply::OperationCanceledError || reply->error() == QNetworkReply::TimeoutError;
            r.error.message = reply->errorString();
        } else if (r.status < 200 || r.status >= 300) {
            r.error.httpStatus = r.status;
            r.error.message = QString::fromUtf8(r.body.left(500));
        }
        done(r);
    });
    return reply;
}

template<typename T>
static ConsulResult<T> failure(const ConsulError &error)
{
    ConsulResult<T> r;
    r.error = error;
    return r;
}

template<typename T>
static ConsulResult<T> success(T value)
{
    ConsulResult<T> r;
    r.value = std::move(value);
    return r;
}

static ConsulError malformed(const QString &what)
{
    ConsulError e;
    e.httpStatus = 200;
    e.message = QStringLiteral("malformed answer: ") + what;
    return e;
}

/*! Consul's true/false answers. */
static ConsulResult<bool> boolAnswer(const QByteArray &body)
{
    const QByteArray t = body.trimmed();
    if (t == "true")
        return success(true);
    if (t == "false")
        return success(false);
    return failure<bool>(malformed(QStringLiteral("expected true or false, got '%1'").arg(QString::fromUtf8(t.left(80)))));
}

QNetworkReply *ConsulClient::createSession(const QJsonObject &body, QObject *context, Callback<QString> done)
{
    return send("PUT", QStringLiteral("/v1/session/create"), {}, QJsonDocument(body).toJson(QJsonDocument::Compact), m_endpoint.timeoutMs, context,
                [done](const Response &r) {
                    if (r.status != 200)
                        return done(failure<QString>(r.error));
                    const QString id = QJsonDocument::fromJson(r.body).object().value(QLatin1String("ID")).toString();
                    if (id.isEmpty())
                        return done(failure<QString>(malformed(QStringLiteral("no session ID"))));
                    done(success(id));
                });
}

QNetworkReply *ConsulClient::renewSession(const QString &id, QObject *context, Callback<bool> done)
{
    return send("PUT", QStringLiteral("/v1/session/renew/") + id, {}, {}, m_endpoint.timeoutMs, context, [done](const Response &r) {
        if (r.status == 404)
            return done(success(false));
        if (r.status != 200)
            return done(failure<bool>(r.error));
        done(success(true));
    });
}

QNetworkReply *ConsulClient::destroySession(const QString &id, QObject *context, Callback<bool> done)
{
    return send("PUT", QStringLiteral("/v1/session/destroy/") + id, {}, {}, m_endpoint.timeoutMs, context, [done](const Response &r) {
        if (r.status != 200)
            return done(failure<bool>(r.error));
        done(boolAnswer(r.body));
    });
}

QNetworkReply *ConsulClient::sessionInfo(const QString &id, QObject *context, Callback<std::optional<SessionInfo>> done)
{
    return send("GET", QStringLiteral("/v1/session/info/") + id, {}, {}, m_endpoint.timeoutMs, context, [done](const Response &r) {
        if (r.status != 200)
            return done(failure<std::optional<SessionInfo>>(r.error));
        const QJsonDocument doc = QJsonDocument::fromJson(r.body);
        if (!doc.isArray())
            return done(failure<std::optional<SessionInfo>>(malformed(QStringLiteral("session info is not an array"))));
        if (doc.array().isEmpty())
            return done(success(std::optional<SessionInfo>()));
        const QJsonObject o = doc.array().at(0).toObject();
        SessionInfo s;
        s.id = o.value(QLatin1String("ID")).toString();
        s.name = o.value(QLatin1String("Name")).toString();
        s.node = o.value(QLatin1String("Node")).toString();
        s.ttl = o.value(QLatin1String("TTL")).toString();
        s.behavior = o.value(QLatin1String("Behavior")).toString();
        s.lockDelayNs = o.value(QLatin1String("LockDelay")).toInteger();
        done(success(std::optional<SessionInfo>(s)));
    });
}

/*! One entry object of a KV answer. */
static ConsulResult<KvEntry> parseKvObject(const QJsonObject &o)
{
    KvEntry e;
    e.key = o.value(QLatin1String("Key")).toString();
    const QJsonValue v = o.value(QLatin1String("Value"));
    e.valueIsNull = !v.isString();
    if (v.isString()) {
        const auto decoded = QByteArray::fromBase64Encoding(v.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return failure<KvEntry>(malformed(QStringLiteral("KV value is not base64")));
        e.value = *decoded;
    }
    e.session = o.value(QLatin1String("Session")).toString();
    // Indexes are uint64 in Consul; toInteger() keeps them exact up to 2^63.
    e.lockIndex = quint64(o.value(QLatin1String("LockIndex")).toInteger());
    e.createIndex = quint64(o.value(QLatin1String("CreateIndex")).toInteger());
    e.modifyIndex = quint64(o.value(QLatin1String("ModifyIndex")).toInteger());
    e.flags = quint64(o.value(QLatin1String("Flags")).toInteger());
    return success(e);
}

ConsulResult<KvEntry> ConsulClient::parseKvEntry(const QByteArray &json)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isArray() || doc.array().isEmpty() || !doc.array().at(0).isObject())
        return failure<KvEntry>(malformed(QStringLiteral("KV answer is not an array of entries")));
    return parseKvObject(doc.array().at(0).toObject());
}

ConsulResult<QList<KvEntry>> ConsulClient::parseKvEntries(const QByteArray &json)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isArray())
        return failure<QList<KvEntry>>(malformed(QStringLiteral("KV answer is not an array of entries")));
    const QJsonArray array = doc.array();
    QList<KvEntry> entries;
    entries.reserve(array.size());
    for (const QJsonValue &v : array) {
        if (!v.isObject())
            return failure<QList<KvEntry>>(malformed(QStringLiteral("KV answer is not an array of entries")));
        const auto entry = parseKvObject(v.toObject());
        if (!entry.ok())
            return failure<QList<KvEntry>>(entry.error);
        entries.append(*entry.value);
    }
    return success(entries);
}

/*!
 * A blocking query's parameters (only with an index: without one Consul answers at once anyway);
 * the request's timeout, which must outlast Consul's wait plus its jitter of up to wait/16.
 */
static int blockingQuery(QUrlQuery &query, quint64 index, int waitMs, int timeoutMs)
{
    if (index == 0)
        return timeoutMs;
    query.addQueryItem(QStringLiteral("index"), QString::number(index));
    query.addQueryItem(QStringLiteral("wait"), QStringLiteral("%1ms").arg(waitMs));
    return timeoutMs + waitMs + waitMs / 16;
}

QNetworkReply *ConsulClient::kvGet(const QString &key, quint64 index, int waitMs, QObject *context, Callback<KvRead> done)
{
    QUrlQuery query;
    const int timeout = blockingQuery(query, index, waitMs, m_endpoint.timeoutMs);
    return send("GET", QStringLiteral("/v1/kv/") + consulKeyPath(key), query, {}, timeout, context, [done](const Response &r) {
        KvRead read;
        read.index = r.index;
        if (r.status == 404)
            return done(success(read));
        if (r.status != 200)
            return done(failure<KvRead>(r.error));
        const auto entry = parseKvEntry(r.body);
        if (!entry.ok())
            return done(failure<KvRead>(entry.error));
        read.entry = entry.value;
        done(success(read));
    });
}

QNetworkReply *ConsulClient::kvList(const QString &prefix, quint64 index, int waitMs, QObject *context, Callback<KvList> done)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("recurse"), QString()); // presence-only: "?recurse"
    const int timeout = blockingQuery(query, index, waitMs, m_endpoint.timeoutMs);
    return send("GET", QStringLiteral("/v1/kv/") + consulKeyPath(prefix), query, {}, timeout, context, [done](const Response &r) {
        KvList list;
        list.index = r.index;
        if (r.status == 404) // nothing under the prefix
            return done(success(list));
        if (r.status != 200)
            return done(failure<KvList>(r.error));
        const auto entries = parseKvEntries(r.body);
        if (!entries.ok())
            return done(failure<KvList>(entries.error));
        list.entries = *entries.value;
        done(success(list));
    });
}

QNetworkReply *ConsulClient::kvPut(const QString &key, const QByteArray &value, const QUrlQuery &query, QObject *context, Callback<bool> done)
{
    return send("PUT", QStringLiteral("/v1/kv/") + consulKeyPath(key), query, value, m_endpoint.timeoutMs, context, [done](const Response &r) {
        if (r.status != 200)
            return done(failure<bool>(r.error));
        done(boolAnswer(r.body));
    });
}

QNetworkReply *ConsulClient::kvDelete(const QString &key, QObject *context, Callback<bool> done)
{
    return send("DELETE", QStringLiteral("/v1/kv/") + consulKeyPath(key), {}, {}, m_endpoint.timeoutMs, context, [done](const Response &r) {
        if (r.status != 200)
            return done(failure<bool>(r.error));
        done(boolAnswer(r.body));
    });
}

ConsulResult<TxnAnswer> ConsulClient::parseTxnAnswer(int status, const QByteArray &json)
{
    TxnAnswer answer;
    answer.committed = status >= 200 && status < 300;
    if (answer.committed)
        return success(answer);
    // 409: {"Results": null, "Errors": [{"OpIndex": i, "What": "..."}]}
    const QJsonValue errors = QJsonDocument::fromJson(json).object().value(QLatin1String("Errors"));
    if (!errors.isArray() || errors.toArray().isEmpty())
        return failure<TxnAnswer>(malformed(QStringLiteral("a rolled-back transaction without Errors")));
    for (const QJsonValue &e : errors.toArray())
        answer.errors.append(QStringLiteral("operation %1: %2").arg(e[QLatin1String("OpIndex")].toInt()).arg(e[QLatin1String("What")].toString()));
    return success(answer);
}

QNetworkReply *ConsulClient::txn(const QJsonArray &operations, QObject *context, Callback<TxnAnswer> done)
{
    return send("PUT", QStringLiteral("/v1/txn"), {}, QJsonDocument(operations).toJson(QJsonDocument::Compact), m_endpoint.timeoutMs, context,
                [done](const Response &r) {
                    const bool answered = r.status == 409 || (r.status >= 200 && r.status < 300);
                    if (!answered)
                        return done(failure<TxnAnswer>(r.error));
                    done(parseTxnAnswer(r.status, r.body));
                });
}

QNetworkReply *ConsulClient::agentSelf(QObject *context, Callback<QJsonObject> done)
{
    return send("GET", QStringLiteral("/v1/agent/self"), {}, {}, m_endpoint.timeoutMs, context, [done](const Response &r) {
        if (r.status != 200)
            return done(failure<QJsonObject>(r.error));
        const QJsonObject config = QJsonDocument::fromJson(r.body).object().value(QLatin1String("Config")).toObject();
        if (config.isEmpty())
            return done(failure<QJsonObject>(malformed(QStringLiteral("agent/self has no Config"))));
        done(success(config));
    });
}

QNetworkReply *ConsulClient::registerCheck(const QJsonObject &definition, QObject *context, Callback<bool> done)
{
    return send("PUT", QStringLiteral("/v1/agent/check/register"), {}, QJsonDocument(definition).toJson(QJsonDocument::Compact),
                m_endpoint.timeoutMs, context, [done](const Response &r) {
                    if (r.status != 200)
                        return done(failure<bool>(r.error));
                    done(success(true));
                });
}

QNetworkReply *ConsulClient::updateCheck(const QString &id, const QString &status, const QString &output, QObject *context, Callback<bool> done)
{
    const QJsonObject body{{QStringLiteral("Status"), status}, {QStringLiteral("Output"), output}};
    return send("PUT", QStringLiteral("/v1/agent/check/update/") + consulKeyPath(id), {}, QJsonDocument(body).toJson(QJsonDocument::Compact),
                m_endpoint.timeoutMs, context, [done](const Response &r) {
                    if (r.status != 200)
                        return done(failure<bool>(r.error));
                    done(success(true));
                });
}

} // namespace jobslib
