// SPDX-License-Identifier: BSD-3-Clause
#include "etcdparse.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace jobslib::etcdparse {

qint64 toInt64(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().toLongLong();
    if (value.isDouble())
        return value.toInteger();
    return 0;
}

qint64 headerRevision(const QJsonObject &response)
{
    return toInt64(response.value(QLatin1String("header")).toObject().value(QLatin1String("revision")));
}

std::optional<QJsonObject> parseObject(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

std::optional<QByteArray> fromBase64(const QJsonValue &value)
{
    if (value.isUndefined() || value.isNull())
        return QByteArray(); // omitted: empty
    if (!value.isString())
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(value.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

bool parseKv(const QJsonObject &object, EtcdKv &kv)
{
    const auto key = fromBase64(object.value(QLatin1String("key")));
    const auto value = fromBase64(object.value(QLatin1String("value")));
    if (!key || !value)
        return false;
    kv.key = *key;
    kv.value = *value;
    kv.createRevision = toInt64(object.value(QLatin1String("create_revision")));
    kv.modRevision = toInt64(object.value(QLatin1String("mod_revision")));
    kv.version = toInt64(object.value(QLatin1String("version")));
    kv.lease = toInt64(object.value(QLatin1String("lease")));
    return true;
}

Take takeObject(QByteArray &buffer, QByteArray *object)
{
    qsizetype begin = 0;
    while (begin < buffer.size() && (buffer.at(begin) == ' ' || buffer.at(begin) == '\n' || buffer.at(begin) == '\r' || buffer.at(begin) == '\t'))
        ++begin;
    if (begin == buffer.size()) {
        buffer.clear();
        return Take::Incomplete;
    }
    if (buffer.at(begin) != '{')
        return Take::Garbage;
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (qsizetype i = begin; i < buffer.size(); ++i) {
        const char c = buffer.at(i);
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                *object = buffer.mid(begin, i - begin + 1);
                buffer.remove(0, i + 1);
                return Take::Object;
            }
        }
    }
    return Take::Incomplete;
}

EtcdError malformed(const QString &what)
{
    EtcdError e;
    e.httpStatus = 200;
    e.message = QStringLiteral("malformed answer: ") + what;
    return e;
}

EtcdError errorFromBody(int status, const QByteArray &body)
{
    EtcdError e;
    e.httpStatus = status;
    const QJsonObject o = parseObject(body).value_or(QJsonObject());
    const QJsonValue error = o.value(QLatin1String("error"));
    if (error.isObject()) {
        const QJsonObject inner = error.toObject();
        e.grpcCode = inner.value(QLatin1String("grpc_code")).toInt();
        e.message = inner.value(QLatin1String("message")).toString();
        const int http = inner.value(QLatin1String("http_code")).toInt();
        if (http != 0 && (status == 0 || (status >= 200 && status < 300)))
            e.httpStatus = http;
    } else {
        e.grpcCode = o.value(QLatin1String("code")).toInt();
        e.message = o.value(QLatin1String("message")).toString();
        if (e.message.isEmpty())
            e.message = error.toString();
    }
    if (e.message.isEmpty())
        e.message = QString::fromUtf8(body.left(300)).trimmed();
    if (e.message.isEmpty())
        e.message = QStringLiteral("no error text");
    return e;
}

bool isStreamError(const QByteArray &object)
{
    const auto o = parseObject(object);
    return o && o->contains(QLatin1String("error"));
}

EtcdResult<EtcdRead> rangeAnswer(const QJsonObject &answer)
{
    EtcdRead read;
    read.revision = headerRevision(answer);
    const QJsonArray kvs = answer.value(QLatin1String("kvs")).toArray(); // absent: no such key
    if (!kvs.isEmpty()) {
        EtcdKv kv;
        if (!parseKv(kvs.at(0).toObject(), kv))
            return failure<EtcdRead>(malformed(QStringLiteral("key or value is not base64")));
        read.kv = kv;
    }
    return success(read);
}

EtcdResult<EtcdList> rangeListAnswer(const QJsonObject &answer)
{
    EtcdList list;
    list.revision = headerRevision(answer);
    const QJsonArray array = answer.value(QLatin1String("kvs")).toArray();
    for (const QJsonValue &v : array) {
        EtcdKv kv;
        if (!parseKv(v.toObject(), kv))
            return failure<EtcdList>(malformed(QStringLiteral("key or value is not base64")));
        list.kvs.append(kv);
    }
    return success(list);
}

EtcdResult<qint64> putAnswer(const QByteArray &body)
{
    const auto o = parseObject(body);
    if (!o || headerRevision(*o) == 0)
        return failure<qint64>(malformed(QStringLiteral("put answer has no revision")));
    return success(headerRevision(*o));
}

EtcdResult<EtcdCreate> createTxnAnswer(const QJsonObject &answer)
{
    EtcdCreate create;
    create.revision = headerRevision(answer);
    create.created = answer.value(QLatin1String("succeeded")).toBool(); // absent: false
    if (create.created)
        return success(create);
    const QJsonArray kvs = answer.value(QLatin1String("responses"))
                               .toArray()
                               .at(0)
                               .toObject()
                               .value(QLatin1String("response_range"))
                               .toObject()
                               .value(QLatin1String("kvs"))
                               .toArray();
    EtcdKv kv;
    if (kvs.isEmpty() || !parseKv(kvs.at(0).toObject(), kv))
        return failure<EtcdCreate>(malformed(QStringLiteral("txn failed but returned no key")));
    create.existing = kv;
    return success(create);
}

EtcdResult<bool> deleteTxnAnswer(const QJsonObject &answer)
{
    if (!answer.value(QLatin1String("succeeded")).toBool())
        return success(false);
    const qint64 deleted = toInt64(answer.value(QLatin1String("responses"))
                                       .toArray()
                                       .at(0)
                                       .toObject()
                                       .value(QLatin1String("response_delete_range"))
                                       .toObject()
                                       .value(QLatin1String("deleted")));
    return success(deleted > 0);
}

EtcdResult<bool> replaceTxnAnswer(const QJsonObject &answer)
{
    return success(answer.value(QLatin1String("succeeded")).toBool());
}

EtcdResult<qint64> deleteRangeAnswer(const QJsonObject &answer)
{
    return success(toInt64(answer.value(QLatin1String("deleted"))));
}

EtcdResult<qint64> leaseGrantAnswer(const QJsonObject &answer)
{
    const QString refused = answer.value(QLatin1String("error")).toString();
    if (!refused.isEmpty()) {
        EtcdError e;
        e.httpStatus = 200;
        e.message = refused;
        return failure<qint64>(e);
    }
    const qint64 id = toInt64(answer.value(QLatin1String("ID")));
    if (id == 0)
        return failure<qint64>(malformed(QStringLiteral("lease grant answer has no ID")));
    return success(id);
}

EtcdResult<qint64> keepAliveAnswer(const QByteArray &object)
{
    const auto o = parseObject(object);
    if (!o || !o->value(QLatin1String("result")).isObject())
        return failure<qint64>(malformed(QStringLiteral("keepalive answer has no result")));
    // TTL absent (0) or negative: the lease is gone.
    const qint64 ttl = toInt64(o->value(QLatin1String("result")).toObject().value(QLatin1String("TTL")));
    return success(qMax<qint64>(ttl, 0));
}

EtcdResult<EtcdLeaseTtl> leaseTtlAnswer(const QJsonObject &answer)
{
    // An unknown lease is no error: TTL -1 (and no grantedTTL). Zero values are left out.
    EtcdLeaseTtl ttl;
    ttl.ttlS = toInt64(answer.value(QLatin1String("TTL")));
    ttl.grantedTtlS = toInt64(answer.value(QLatin1String("grantedTTL")));
    if (ttl.ttlS < 0)
        ttl.ttlS = -1;
    return success(ttl);
}

QString authToken(const QByteArray &body)
{
    return parseObject(body).value_or(QJsonObject()).value(QLatin1String("token")).toString();
}

WatchResponse watchResponse(const QByteArray &json)
{
    WatchResponse r;
    const auto doc = parseObject(json);
    if (!doc) {
        r.error = malformed(QStringLiteral("the watch stream is not JSON objects"));
        return r;
    }
    if (doc->contains(QLatin1String("error"))) {
        r.kind = WatchResponse::Kind::Failed;
        r.error = errorFromBody(200, json);
        return r;
    }
    const QJsonObject result = doc->value(QLatin1String("result")).toObject();
    if (result.isEmpty()) {
        r.error = malformed(QStringLiteral("watch answer without result"));
        return r;
    }
    r.revision = headerRevision(result);
    if (result.value(QLatin1String("canceled")).toBool()) {
        // Also the answer to a refused create: {"created":true,"canceled":true,"cancel_reason":...}.
        r.kind = WatchResponse::Kind::Failed;
        EtcdError &e = r.error;
        e.httpStatus = 200;
        e.compactRevision = toInt64(result.value(QLatin1String("compact_revision")));
        if (e.compactRevision > 0) {
            e.grpcCode = 11; // OUT_OF_RANGE, as etcd's ErrCompacted
            e.message = QStringLiteral("etcdserver: mvcc: required revision has been compacted (oldest revision left: %1)").arg(e.compactRevision);
        } else {
            e.message = result.value(QLatin1String("cancel_reason")).toString();
            if (e.message.isEmpty())
                e.message = QStringLiteral("the watch was canceled");
            if (e.message.contains(QLatin1String("Unauthenticated")) || e.message.contains(QLatin1String("invalid auth token")))
                e.grpcCode = 16;
        }
        return r;
    }
    r.kind = WatchResponse::Kind::Result;
    r.created = result.value(QLatin1String("created")).toBool();
    const QJsonArray array = result.value(QLatin1String("events")).toArray();
    r.events.reserve(array.size());
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        EtcdWatchEvent event;
        event.type = o.value(QLatin1String("type")).toString() == QLatin1String("DELETE") ? EtcdWatchEvent::Type::Delete : EtcdWatchEvent::Type::Put;
        if (!parseKv(o.value(QLatin1String("kv")).toObject(), event.kv)) {
            r.eventsMalformed = true;
            r.error = malformed(QStringLiteral("watch event key or value is not base64"));
            return r;
        }
        r.events.append(event);
    }
    return r;
}

} // namespace jobslib::etcdparse
