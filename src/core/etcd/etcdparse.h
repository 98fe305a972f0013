// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "etcdclient.h"
#include "jobslib_export.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

/*!
 * What EtcdClient and EtcdWatch read from etcd's v3 JSON gateway, as functions of the bytes
 * alone: no network, no state. They live apart from the transport so that the fuzz targets
 * (tests/fuzz/fuzz_etcd.cpp) can feed them any bytes; the client calls exactly these.
 */
namespace jobslib::etcdparse {

/*! A failed EtcdResult carrying \a error. */
template<typename T>
EtcdResult<T> failure(const EtcdError &error)
{
    EtcdResult<T> r;
    r.error = error;
    return r;
}

/*! A successful EtcdResult carrying \a value. */
template<typename T>
EtcdResult<T> success(T value)
{
    EtcdResult<T> r;
    r.value = std::move(value);
    return r;
}

/*! The gateway writes int64s as strings; numbers are accepted too. Absent (zero) or anything else is 0. */
JOBSLIB_EXPORT qint64 toInt64(const QJsonValue &value);
/*! header.revision of an answer; 0 when absent. */
JOBSLIB_EXPORT qint64 headerRevision(const QJsonObject &response);
/*! \a json as a JSON object; nullopt when it is not valid JSON or not an object. */
JOBSLIB_EXPORT std::optional<QJsonObject> parseObject(const QByteArray &json);
/*! A base64 field (key, value): omitted or null is empty; nullopt when it is not base64 text. */
JOBSLIB_EXPORT std::optional<QByteArray> fromBase64(const QJsonValue &value);
/*! A mvccpb.KeyValue object into \a kv; false (kv partly set) when key or value is not base64. */
JOBSLIB_EXPORT bool parseKv(const QJsonObject &object, EtcdKv &kv);

/*! What takeObject() found at the front of a stream buffer. */
enum class Take {
    Incomplete, ///< no complete object yet: wait for more bytes (the buffer is kept, or cleared when only blanks)
    Object,     ///< one object was taken off the front
    Garbage,    ///< the stream does not continue with an object: it is not etcd's
};
/*!
 * Takes the first complete top-level JSON object off the front of a stream of objects (the
 * gateway writes one per line, but network chunks split and join them freely). Only braces,
 * brackets and strings are tracked: whether the object is valid JSON is parseObject()'s business.
 */
JOBSLIB_EXPORT Take takeObject(QByteArray &buffer, QByteArray *object);

/*! An EtcdError for an answer that is not what etcd sends: HTTP 200, "malformed answer: <what>". */
JOBSLIB_EXPORT EtcdError malformed(const QString &what);
/*!
 * etcd's error answer. Unary calls: {"error":"etcdserver: ...","code":N,"message":"..."};
 * streams (keepalive, watch): {"error":{"grpc_code":N,"http_code":H,"message":"...","http_status":"..."}}.
 * The message is never empty (the body's text, else "no error text").
 */
JOBSLIB_EXPORT EtcdError errorFromBody(int status, const QByteArray &body);
/*! A stream's object that is an error instead of a {"result":...}. */
JOBSLIB_EXPORT bool isStreamError(const QByteArray &object);

// The answers of the unary calls, each from the JSON object of a 2xx answer (EtcdClient reports
// an answer that is no JSON object as malformed before these run).

/*! /v3/kv/range of one key (EtcdClient::get()). */
JOBSLIB_EXPORT EtcdResult<EtcdRead> rangeAnswer(const QJsonObject &answer);
/*! /v3/kv/range of a prefix (EtcdClient::listWithRevision()). */
JOBSLIB_EXPORT EtcdResult<EtcdList> rangeListAnswer(const QJsonObject &answer);
/*! /v3/kv/put: the revision of the put, from the whole body (no revision is malformed). */
JOBSLIB_EXPORT EtcdResult<qint64> putAnswer(const QByteArray &body);
/*! /v3/kv/txn of EtcdClient::createIfAbsent(): created, or the key as it is. */
JOBSLIB_EXPORT EtcdResult<EtcdCreate> createTxnAnswer(const QJsonObject &answer);
/*! /v3/kv/txn of EtcdClient::deleteIfCreatedAt(): true when the key was deleted. */
JOBSLIB_EXPORT EtcdResult<bool> deleteTxnAnswer(const QJsonObject &answer);
/*! /v3/kv/txn of EtcdClient::replaceIfCreatedAt(): true when the key was replaced. */
JOBSLIB_EXPORT EtcdResult<bool> replaceTxnAnswer(const QJsonObject &answer);
/*! /v3/kv/deleterange: how many keys were deleted. */
JOBSLIB_EXPORT EtcdResult<qint64> deleteRangeAnswer(const QJsonObject &answer);
/*! /v3/lease/grant: the lease ID (an "error" member or no ID is a failure). */
JOBSLIB_EXPORT EtcdResult<qint64> leaseGrantAnswer(const QJsonObject &answer);
/*! The first object of the /v3/lease/keepalive stream: the TTL left, 0 when the lease is gone. */
JOBSLIB_EXPORT EtcdResult<qint64> keepAliveAnswer(const QByteArray &object);
/*! /v3/lease/timetolive: TTL -1 when the lease does not exist. */
JOBSLIB_EXPORT EtcdResult<EtcdLeaseTtl> leaseTtlAnswer(const QJsonObject &answer);
/*! The token of a /v3/auth/authenticate answer; empty when there is none. */
JOBSLIB_EXPORT QString authToken(const QByteArray &body);

/*! One object of the /v3/watch stream, read (what the watch does with it is EtcdWatch's business). */
struct JOBSLIB_EXPORT WatchResponse
{
    /*! What the object says. */
    enum class Kind {
        Malformed, ///< not a JSON object, or no "result": error says so
        Failed,    ///< an error object, or the watch was canceled (compacted revision, auth): error says why
        Result,    ///< created, events or a progress notification
    };
    Kind kind = Kind::Malformed;
    EtcdError error;           ///< for Malformed and Failed, and for Result with eventsMalformed
    qint64 revision = 0;       ///< the result's header.revision
    bool created = false;      ///< the answer to the create request
    QList<EtcdWatchEvent> events; ///< in the order of the stream
    /*!
     * An event's key or value is not base64 (then events is incomplete and error says so). Kept
     * apart from Malformed because the watch still reports created() first, as it always has.
     */
    bool eventsMalformed = false;
};
/*! Reads one object that takeObject() took off the watch stream. */
JOBSLIB_EXPORT WatchResponse watchResponse(const QByteArray &json);

} // namespace jobslib::etcdparse
