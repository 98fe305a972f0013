// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "consultypes.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrlQuery>

#include <functional>

class QNetworkAccessManager;
class QJsonArray;
class QNetworkReply;

namespace jobslib {

/*! A value or a ConsulError. */
template<typename T>
struct ConsulResult
{
    std::optional<T> value;
    ConsulError error;
    bool ok() const { return value.has_value(); }
};

/*! A KV listing (?recurse): the entries under a prefix, sorted by key, and X-Consul-Index. */
struct JOBSLIB_EXPORT KvList
{
    QList<KvEntry> entries;
    quint64 index = 0;
};

/*!
 * Thin asynchronous transport for the parts of Consul's HTTP API jobslib uses: requests in,
 * typed results out, one error type. No lock semantics here (those are ConsulLock's). Every
 * request has a timeout; a blocking query's timeout is its wait plus Consul's jitter (wait/16)
 * plus the normal timeout. Each call's callback runs exactly once, in `context`'s thread,
 * unless `context` is destroyed first; calls return the reply so long polls can be aborted.
 */
class JOBSLIB_EXPORT ConsulClient : public QObject
{
    Q_OBJECT
public:
    template<typename T>
    using Callback = std::function<void(const ConsulResult<T> &)>;

    ConsulClient(QNetworkAccessManager *network, const ConsulEndpoint &endpoint, QObject *parent = nullptr);

    const ConsulEndpoint &endpoint() const { return m_endpoint; }

    /*! PUT /v1/session/create with this body; the new session's ID. */
    QNetworkReply *createSession(const QJsonObject &body, QObject *context, Callback<QString> done);
    /*! PUT /v1/session/renew/<id>: true when renewed, false for 404 (the session is gone). */
    QNetworkReply *renewSession(const QString &id, QObject *context, Callback<bool> done);
    /*! PUT /v1/session/destroy/<id>. */
    QNetworkReply *destroySession(const QString &id, QObject *context, Callback<bool> done);
    /*! GET /v1/session/info/<id>: nullopt inside the result when Consul does not know it. */
    QNetworkReply *sessionInfo(const QString &id, QObject *context, Callback<std::optional<SessionInfo>> done);

    /*! GET /v1/kv/<key>; blocking when index > 0 (waitMs: Consul's ?wait). */
    QNetworkReply *kvGet(const QString &key, quint64 index, int waitMs, QObject *context, Callback<KvRead> done);
    /*! GET /v1/kv/<prefix>?recurse: every key under prefix (none: a 404); blocking when index > 0, as kvGet(). */
    QNetworkReply *kvList(const QString &prefix, quint64 index, int waitMs, QObject *context, Callback<KvList> done);
    /*! PUT /v1/kv/<key> with extra query (acquire=, release=, cas=...): Consul's true/false. */
    QNetworkReply *kvPut(const QString &key, const QByteArray &value, const QUrlQuery &query, QObject *context, Callback<bool> done);
    /*! DELETE /v1/kv/<key>: Consul's true/false (true also when the key did not exist). */
    QNetworkReply *kvDelete(const QString &key, QObject *context, Callback<bool> done);

    /*!
     * PUT /v1/txn with these operations ({"KV": {"Verb": ...}} each; Values base64). A rolled-back
     * transaction (409: a check failed, a lock was refused) is an answer, not an error.
     */
    QNetworkReply *txn(const QJsonArray &operations, QObject *context, Callback<TxnAnswer> done);
    /*! Parses a /v1/txn answer body with its HTTP status (2xx or 409); exposed for fuzzing and tests. */
    static ConsulResult<TxnAnswer> parseTxnAnswer(int status, const QByteArray &json);

    /*! GET /v1/agent/self: the Config object (Datacenter, NodeName...). */
    QNetworkReply *agentSelf(QObject *context, Callback<QJsonObject> done);
    /*! PUT /v1/agent/check/register. */
    QNetworkReply *registerCheck(const QJsonObject &definition, QObject *context, Callback<bool> done);
    /*! PUT /v1/agent/check/update/<id> with {"Status", "Output"}. */
    QNetworkReply *updateCheck(const QString &id, const QString &status, const QString &output, QObject *context, Callback<bool> done);

    /*! Parses the JSON array of a KV GET; exposed for fuzzing and tests. */
    static ConsulResult<KvEntry> parseKvEntry(const QByteArray &json);
    /*! Parses the JSON array of a KV GET ?recurse (every entry); exposed for fuzzing and tests. */
    static ConsulResult<QList<KvEntry>> parseKvEntries(const QByteArray &json);

private:
    struct Response
    {
        int status = 0;
        QByteArray body;
        quint64 index = 0;
        ConsulError error; ///< set when status is 0 or not 2xx
    };
    QNetworkReply *send(const QByteArray &verb, const QString &path, QUrlQuery query, const QByteArray &body, int timeoutMs,
                        QObject *context, std::function<void(const Response &)> done);

    QNetworkAccessManager *m_network;
    ConsulEndpoint m_endpoint;
};

/*! Consul's key path: percent-encoded except '/' (python-consul's rule). */
JOBSLIB_EXPORT QString consulKeyPath(const QString &key);

} // namespace jobslib
