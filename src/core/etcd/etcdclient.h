// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;
class QTimer;

namespace jobslib {

/*! The one error type of the etcd transport: an HTTP/gRPC error with etcd's text, or a network failure. */
struct JOBSLIB_EXPORT EtcdError
{
    int httpStatus = 0;  ///< 0: no HTTP answer from any endpoint (refused, timeout, TLS...)
    int grpcCode = 0;    ///< the gateway's "code" (e.g. 5 NOT_FOUND, 14 UNAVAILABLE), 0 if none
    QString message;     ///< etcd's "error"/"message", or the network error
    bool timedOut = false; ///< an endpoint gave no answer in time: the request may have been applied there
    qint64 compactRevision = 0; ///< watch only: the start revision was compacted; the oldest one left
    bool isNetwork() const { return httpStatus == 0; }
    /*! "HTTP 503 (code 14): etcdserver: no leader" or "network: Connection refused (all 3 endpoints)". */
    QString describe() const;
};

template<typename T>
struct EtcdResult
{
    std::optional<T> value;
    EtcdError error;
    bool ok() const { return value.has_value(); }
};

/*! A key-value as etcd returns it (key and value decoded from base64, int64s from strings). */
struct JOBSLIB_EXPORT EtcdKv
{
    QByteArray key;
    QByteArray value;
    qint64 createRevision = 0;
    qint64 modRevision = 0;
    qint64 version = 0;
    qint64 lease = 0;
};

/*! A read of one key: the entry (none when absent) and the store revision of the answer. */
struct JOBSLIB_EXPORT EtcdRead
{
    std::optional<EtcdKv> kv;
    qint64 revision = 0; ///< header.revision: watch from revision + 1 to see every later change
};

/*! A read of every key under a prefix and the store revision of the answer. */
struct JOBSLIB_EXPORT EtcdList
{
    QList<EtcdKv> kvs;
    qint64 revision = 0; ///< header.revision: watch from revision + 1 to see every later change
};

/*! What etcd says of a lease (/v3/lease/timetolive). */
struct JOBSLIB_EXPORT EtcdLeaseTtl
{
    qint64 ttlS = -1;       ///< seconds left; -1: the lease does not exist (expired or revoked)
    qint64 grantedTtlS = 0; ///< the TTL it was granted (or last kept alive) with
    bool exists() const { return ttlS >= 0; }
};

/*! The answer to createIfAbsent(). */
struct JOBSLIB_EXPORT EtcdCreate
{
    bool created = false;
    qint64 revision = 0;          ///< header.revision; when created, the key's create_revision
    std::optional<EtcdKv> existing; ///< when not created: the key as it is (its holder)
};

struct JOBSLIB_EXPORT EtcdWatchEvent
{
    enum class Type { Put, Delete };
    Type type = Type::Put;
    EtcdKv kv; ///< for Delete only key and modRevision are set
};

/*! Where and how to reach etcd. */
struct JOBSLIB_EXPORT EtcdEndpoint
{
    QList<QUrl> endpoints{QUrl(QStringLiteral("http://127.0.0.1:2379"))}; ///< members, tried in turn
    int timeoutMs = 5000;
    bool verifyTls = true;
    QString caFile;
    QString username; ///< with a password: /v3/auth/authenticate, token in "Authorization"
    QString password;
};

class EtcdWatch;

/*!
 * Thin asynchronous transport for the parts of etcd's v3 JSON gateway (etcd 3.4, /v3/...) jobslib
 * uses: requests in, typed results out, one error type. No lock semantics here (those are
 * EtcdLock's). Keys and values are base64 on the wire, int64s are JSON strings.
 *
 * Endpoints: requests go to the current endpoint; when it gives no HTTP answer (refused, timeout)
 * or answers 503/UNAVAILABLE, the same request is sent to the next one, each endpoint at most once
 * per request; the endpoint that answered becomes the current one. Auth: with a username, a token
 * is fetched first (and again when etcd says it is invalid) and sent as "Authorization".
 * Each callback runs exactly once, in `context`'s thread, unless `context` (or the client) is destroyed first.
 * Whether a request that timed out was applied is unknown (EtcdError::timedOut): it may have been, on
 * the endpoint that did not answer, and then again on the next one.
 */
class JOBSLIB_EXPORT EtcdClient : public QObject
{
    Q_OBJECT
public:
    template<typename T>
    using Callback = std::function<void(const EtcdResult<T> &)>;

    EtcdClient(QNetworkAccessManager *network, const EtcdEndpoint &endpoint, QObject *parent = nullptr);
    ~EtcdClient() override;

    const EtcdEndpoint &endpoint() const { return m_endpoint; }
    /*! The endpoint requests go to now (for logs and tests). */
    QUrl currentEndpoint() const;

    /*! POST /v3/kv/range for one key. */
    void get(const QByteArray &key, QObject *context, Callback<EtcdRead> done);
    /*! POST /v3/kv/put; lease 0 for none. The revision of the put. */
    void put(const QByteArray &key, const QByteArray &value, qint64 lease, QObject *context, Callback<qint64> done);
    /*! POST /v3/kv/txn: put key=value with lease if create_revision(key) == 0, else read it. */
    void createIfAbsent(const QByteArray &key, const QByteArray &value, qint64 lease, QObject *context, Callback<EtcdCreate> done);
    /*! POST /v3/kv/txn: delete key if its create_revision is still createRevision; true when deleted. */
    void deleteIfCreatedAt(const QByteArray &key, qint64 createRevision, QObject *context, Callback<bool> done);
    /*!
     * POST /v3/kv/txn: if create_revision(key) is still createRevision, put value with lease (the key
     * keeps its create revision; its old lease no longer holds it). True when replaced.
     */
    void replaceIfCreatedAt(const QByteArray &key, qint64 createRevision, const QByteArray &value, qint64 lease, QObject *context,
                            Callback<bool> done);
    /*! POST /v3/kv/deleterange for one key; how many were deleted (0 or 1). */
    void remove(const QByteArray &key, QObject *context, Callback<qint64> done);
    /*! POST /v3/kv/range with range_end = prefix + 1: every key under prefix. */
    void list(const QByteArray &prefix, QObject *context, Callback<QList<EtcdKv>> done);
    /*! list() with the revision of the answer, to watch from it without missing a change. */
    void listWithRevision(const QByteArray &prefix, QObject *context, Callback<EtcdList> done);

    /*! POST /v3/lease/grant: a lease of ttlS seconds; its ID. */
    void grantLease(qint64 ttlS, QObject *context, Callback<qint64> done);
    /*! POST /v3/lease/keepalive, one round: the remaining TTL in seconds, 0 when the lease is gone. */
    void keepAlive(qint64 lease, QObject *context, Callback<qint64> done);
    /*! POST /v3/lease/revoke; a lease that no longer exists counts as revoked. */
    void revokeLease(qint64 lease, QObject *context, Callback<bool> done);
    /*! POST /v3/lease/timetolive: the seconds left and the granted TTL (ttlS -1 when the lease is gone). */
    void leaseTimeToLive(qint64 lease, QObject *context, Callback<EtcdLeaseTtl> done);

    /*!
     * POST /v3/watch (streaming) on one key from startRevision (0: from now). The watch reports
     * events until cancelled or it fails (then failed() once; the caller re-creates it from the
     * last revision seen + 1). Owned by the caller; deleting it cancels.
     */
    EtcdWatch *watch(const QByteArray &key, qint64 startRevision, QObject *parent = nullptr);
    /*! As watch(), on every key under prefix (every key when it is empty). */
    EtcdWatch *watchPrefix(const QByteArray &prefix, qint64 startRevision, QObject *parent = nullptr);

private:
    friend class EtcdWatch;
    struct Request;
    /*! One pass over the endpoints for one request: where it started, what each endpoint said. */
    struct Round
    {
        int start = 0;
        int tried = 0;
        QStringList errors; ///< "url: error" of each endpoint without an answer
        QString lastNetworkError;
        bool sameNetworkError = true;
        bool timedOut = false;
        std::optional<EtcdError> unavailable; ///< the last 503/UNAVAILABLE answer
    };
    using AuthDone = std::function<void(const std::optional<EtcdError> &)>;

    /*! done(status, body of a 2xx answer or the first object of a stream, error) runs in context's thread. */
    void send(const QByteArray &path, const QByteArray &body, QObject *context,
              std::function<void(int status, const QByteArray &body, const EtcdError &)> done, bool firstObjectOnly = false);
    void dispatch(const std::shared_ptr<Request> &request);
    void attempt(const std::shared_ptr<Request> &request);
    void answered(const std::shared_ptr<Request> &request, int index, int status, const QByteArray &body, const EtcdError &error);
    /*! Fetches a new token (one fetch at a time; callers wait for it). */
    void authenticate(AuthDone done);
    bool needsToken() const { return !m_endpoint.username.isEmpty(); }
    bool isAuthError(const EtcdError &error) const;
    /*! requireLeader: a member without a leader answers 503/UNAVAILABLE at once and ends the stream when it loses it. */
    QNetworkRequest networkRequest(int index, const QByteArray &path, int transferTimeoutMs, bool withToken, bool requireLeader = false) const;
    /*! Records a failed endpoint; false when every endpoint has been tried. */
    bool nextEndpoint(Round &round, int index, const EtcdError &error) const;
    EtcdError roundFailure(const Round &round) const;
    int endpointIndex(const Round &round) const;
    void track(QNetworkReply *reply);
    /*! The watch of [key, rangeEnd) (rangeEnd empty: key alone). */
    EtcdWatch *createWatch(const QByteArray &key, const QByteArray &rangeEnd, qint64 startRevision, QObject *parent);

    QNetworkAccessManager *m_network;
    EtcdEndpoint m_endpoint;
    QSslConfiguration m_tls;
    int m_current = 0;
    QByteArray m_token;
    bool m_authenticating = false;
    QList<AuthDone> m_authWaiters;
    QList<QPointer<QNetworkReply>> m_inFlight;
};

/*! A running watch (see EtcdClient::watch()). */
class JOBSLIB_EXPORT EtcdWatch : public QObject
{
    Q_OBJECT
public:
    ~EtcdWatch() override;
    /*! The last revision seen (of an event or a progress header): re-watch from lastRevision() + 1. */
    qint64 lastRevision() const { return m_lastRevision; }

Q_SIGNALS:
    /*! The watch is registered at etcd: from now on no change is missed. */
    void created();
    void events(const QList<jobslib::EtcdWatchEvent> &events);
    /*! The stream ended or could not be opened (also: compacted revision, then startRevision is too old). */
    void failed(const jobslib::EtcdError &error);

private:
    friend class EtcdClient;
    explicit EtcdWatch(QObject *parent);
    void open();
    void attempt();
    void onReadyRead();
    void onFinished();
    void openTimedOut();
    /*! An endpoint did not open the watch: the next one, or failed() when none is left. */
    void attemptFailed(int index, const EtcdError &error);
    /*! Handles one object of the stream; false when the watch is over (failed, or deleted by a slot). */
    bool handleObject(const QByteArray &json);
    void fail(const EtcdError &error);
    void dropReply();

    QPointer<EtcdClient> m_client;
    QByteArray m_key;
    QByteArray m_rangeEnd; ///< empty: m_key alone
    qint64 m_startRevision = 0;
    QPointer<QNetworkReply> m_reply;
    QTimer *m_openTimer = nullptr;
    QByteArray m_buffer;
    QByteArray m_usedToken;
    qint64 m_lastRevision = 0;
    int m_index = 0;
    EtcdClient::Round m_round;
    bool m_created = false;
    bool m_done = false;
    bool m_authRetried = false;
};

} // namespace jobslib
