// SPDX-License-Identifier: BSD-3-Clause
#include "etcdclient.h"

#include "etcdparse.h"
#include "util/deferred.h"
#include "util/logcategories.h"
#include "util/tls.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThread>
#include <QTimer>

#include <utility>

namespace jobslib {

// What is read from etcd's answers is etcdparse's (the fuzz targets call it too).
using etcdparse::errorFromBody;
using etcdparse::failure;
using etcdparse::isStreamError;
using etcdparse::malformed;
using etcdparse::parseObject;
using etcdparse::success;
using etcdparse::Take;
using etcdparse::takeObject;

namespace {

QString base64(const QByteArray &data)
{
    return QString::fromLatin1(data.toBase64());
}

/*! A PutRequest: key and value in base64, the lease only when there is one. */
QJsonObject putRequest(const QByteArray &key, const QByteArray &value, qint64 lease)
{
    QJsonObject put{{QStringLiteral("key"), base64(key)}, {QStringLiteral("value"), base64(value)}};
    if (lease != 0)
        put.insert(QStringLiteral("lease"), QString::number(lease));
    return put;
}

/*! A transaction guarded by "create_revision(key) == createRevision" (0: the key does not exist). */
QJsonObject txnIfCreatedAt(const QByteArray &key, qint64 createRevision, const QJsonObject &onSuccess, const QJsonObject &onFailure = {})
{
    QJsonObject txn{{QStringLiteral("compare"),
                     QJsonArray{QJsonObject{{QStringLiteral("key"), base64(key)},
                                            {QStringLiteral("target"), QStringLiteral("CREATE")},
                                            {QStringLiteral("result"), QStringLiteral("EQUAL")},
                                            {QStringLiteral("create_revision"), QString::number(createRevision)}}}},
                    {QStringLiteral("success"), QJsonArray{onSuccess}}};
    if (!onFailure.isEmpty())
        txn.insert(QStringLiteral("failure"), QJsonArray{onFailure});
    return txn;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

bool isUnavailable(const EtcdError &e)
{
    return e.httpStatus == 503 || e.grpcCode == 14;
}

bool isFailure(const EtcdError &e)
{
    return !e.message.isEmpty();
}

/*! range_end of a prefix: the prefix with its last byte below 0xff incremented (etcd's GetPrefixRangeEnd). */
QByteArray prefixEnd(const QByteArray &prefix)
{
    QByteArray end = prefix;
    for (qsizetype i = end.size() - 1; i >= 0; --i) {
        if (quint8(end.at(i)) < 0xff) {
            end[i] = char(quint8(end.at(i)) + 1);
            end.truncate(i + 1);
            return end;
        }
    }
    return QByteArray(1, '\0'); // no upper bound: every key from prefix on
}

QString networkMessage(QNetworkReply *reply, int timeoutMs, bool *timedOut)
{
    *timedOut = reply->error() == QNetworkReply::OperationCanceledError || reply->error() == QNetworkReply::TimeoutError;
    if (*timedOut)
        return QStringLiteral("no answer within %1 ms").arg(timeoutMs);
    const QString text = reply->errorString();
    return text.isEmpty() ? QStringLiteral("network error %1").arg(int(reply->error())) : text;
}

/*!
 * The steps every unary call shares: an error goes to done(), an answer that is not a JSON
 * object is reported as malformed ("<what> answer is not a JSON object"), the object is read by
 * one of etcdparse's answer functions.
 */
template<typename T>
std::function<void(int, const QByteArray &, const EtcdError &)> jsonAnswer(EtcdClient::Callback<T> done, const char *what,
                                                                         EtcdResult<T> (*read)(const QJsonObject &))
{
    return [done = std::move(done), what, read](int, const QByteArray &answer, const EtcdError &error) {
        if (isFailure(error))
            return done(failure<T>(error));
        const auto o = parseObject(answer);
        if (!o)
            return done(failure<T>(malformed(QStringLiteral("%1 answer is not a JSON object").arg(QLatin1String(what)))));
        done(read(*o));
    };
}

} // namespace

QString EtcdError::describe() const
{
    if (httpStatus == 0)
        return (timedOut ? QStringLiteral("timeout: ") : QStringLiteral("network: ")) + message;
    if (grpcCode != 0)
        return QStringLiteral("HTTP %1 (code %2): %3").arg(httpStatus).arg(grpcCode).arg(message.trimmed());
    return QStringLiteral("HTTP %1: %2").arg(httpStatus).arg(message.trimmed());
}

/*! One request through failover and re-authentication. */
struct EtcdClient::Request
{
    QByteArray path;
    QByteArray body;
    bool firstObjectOnly = false; ///< a stream (keepalive): its first object is the answer; sent with hasleader
    bool isAuthenticate = false;  ///< the token fetch itself: no token sent, no re-authentication
    bool authRetried = false;
    QByteArray usedToken;
    Round round;
    /*! Runs in the client's thread; isFailure(error) tells failure from success. */
    std::function<void(int status, const QByteArray &body, const EtcdError &error)> finished;
};

EtcdClient::EtcdClient(QNetworkAccessManager *network, const EtcdEndpoint &endpoint, QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_endpoint(endpoint)
{
    for (const QUrl &url : std::as_const(m_endpoint.endpoints)) {
        if (url.scheme() == QLatin1String("https")) {
            m_tls = clientTlsConfiguration(m_endpoint.caFile, m_endpoint.verifyTls);
            break;
        }
    }
}

EtcdClient::~EtcdClient()
{
    // No callback after the client is gone: disconnect first, abort() emits finished() at once.
    for (const QPointer<QNetworkReply> &reply : std::as_const(m_inFlight)) {
        if (!reply)
            continue;
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        reply->deleteLater();
    }
}

QUrl EtcdClient::currentEndpoint() const
{
    return m_endpoint.endpoints.value(m_current);
}

void EtcdClient::track(QNetworkReply *reply)
{
    m_inFlight.removeIf([](const QPointer<QNetworkReply> &r) { return r.isNull(); });
    m_inFlight.append(reply);
}

int EtcdClient::endpointIndex(const Round &round) const
{
    return (round.start + round.tried) % int(m_endpoint.endpoints.size());
}

QNetworkRequest EtcdClient::networkRequest(int index, const QByteArray &path, int transferTimeoutMs, bool withToken, bool requireLeader) const
{
    QUrl url = m_endpoint.endpoints.at(index);
    QString base = url.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + QString::fromLatin1(path));
    QNetworkRequest request(url);
    request.setTransferTimeout(transferTimeoutMs); // 0: none (watch streams)
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    // HTTP/1.1 on http and https alike: the gateway's streams are chunked responses there.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    if (withToken && !m_token.isEmpty())
        request.setRawHeader(QByteArrayLiteral("Authorization"), m_token);
    // What etcd's Go client sends on watch and keep-alive streams (WithRequireLeader): a member cut
    // off from the others says so at once instead of hanging, so we move on to the next one.
    if (requireLeader)
        request.setRawHeader(QByteArrayLiteral("Grpc-Metadata-hasleader"), QByteArrayLiteral("true"));
    if (url.scheme() == QLatin1String("https"))
        request.setSslConfiguration(m_tls);
    // The path only: bodies hold keys, values and the password.
    qCDebug(lcEtcd).noquote() << "POST" << url.toString(QUrl::RemoveUserInfo);
    return request;
}

bool EtcdClient::nextEndpoint(Round &round, int index, const EtcdError &error) const
{
    const QString url = m_endpoint.endpoints.at(index).toString(QUrl::RemoveUserInfo);
    if (error.httpStatus == 0) {
        if (!round.lastNetworkError.isEmpty() && round.lastNetworkError != error.message)
            round.sameNetworkError = false;
        round.lastNetworkError = error.message;
        round.timedOut = round.timedOut || error.timedOut;
        round.errors.append(url + QStringLiteral(": ") + error.message);
    } else {
        round.unavailable = error;
        round.errors.append(url + QStringLiteral(": ") + error.describe());
    }
    ++round.tried;
    if (round.tried < m_endpoint.endpoints.size()) {
        qCDebug(lcEtcd).noquote() << url << (error.httpStatus == 0 ? error.message : error.describe()) << "- trying the next endpoint";
        return true;
    }
    return false;
}

EtcdError EtcdClient::roundFailure(const Round &round) const
{
    const int n = int(m_endpoint.endpoints.size());
    const QString all = n > 1 ? QStringLiteral(" (all %1 endpoints)").arg(n) : QString();
    if (round.unavailable) { // an HTTP answer says more than a refused connection
        EtcdError e = *round.unavailable;
        e.timedOut = round.timedOut;
        if (n > 1)
            e.message = round.errors.join(QStringLiteral("; ")) + all;
        return e;
    }
    EtcdError e;
    e.timedOut = round.timedOut;
    if (n == 1)
        e.message = round.lastNetworkError + QStringLiteral(" (%1)").arg(m_endpoint.endpoints.constFirst().toString(QUrl::RemoveUserInfo));
    else if (round.sameNetworkError)
        e.message = round.lastNetworkError + all;
    else
        e.message = round.errors.join(QStringLiteral("; ")) + all;
    return e;
}

bool EtcdClient::isAuthError(const EtcdError &e) const
{
    // 16 UNAUTHENTICATED ("invalid auth token": expired, or issued before the member restarted);
    // "revision of auth store is old" and "user name is empty" are what etcd's Go client also
    // answers with a new token.
    return e.httpStatus == 401 || e.grpcCode == 16 || e.message.contains(QLatin1String("invalid auth token"))
        || e.message.contains(QLatin1String("auth store is old")) || e.message.contains(QLatin1String("user name is empty"));
}

void EtcdClient::send(const QByteArray &path, const QByteArray &body, QObject *context,
                      std::function<void(int status, const QByteArray &body, const EtcdError &)> done, bool firstObjectOnly)
{
    auto request = std::make_shared<Request>();
    request->path = path;
    request->body = body;
    request->firstObjectOnly = firstObjectOnly;
    const QPointer<QObject> guard(context);
    const bool hasContext = context != nullptr;
    request->finished = [guard, hasContext, done = std::move(done)](int status, const QByteArray &answer, const EtcdError &error) {
        if (!hasContext)
            return done(status, answer, error);
        QObject *target = guard.data();
        if (!target)
            return;
        if (target->thread() == QThread::currentThread())
            return done(status, answer, error);
        QMetaObject::invokeMethod(target, [done, status, answer, error] { done(status, answer, error); }, Qt::QueuedConnection);
    };
    dispatch(request);
}

void EtcdClient::dispatch(const std::shared_ptr<Request> &request)
{
    if (m_endpoint.endpoints.isEmpty()) {
        EtcdError e;
        e.message = QStringLiteral("no etcd endpoint configured");
        deferred(this, [request, e] { request->finished(0, {}, e); });
        return;
    }
    if (!request->isAuthenticate && needsToken() && m_token.isEmpty()) {
        authenticate([this, request](const std::optional<EtcdError> &error) {
            if (error)
                return request->finished(error->httpStatus, {}, *error);
            request->round = Round{};
            request->round.start = m_current;
            attempt(request);
        });
        return;
    }
    request->round = Round{};
    request->round.start = m_current;
    attempt(request);
}

void EtcdClient::attempt(const std::shared_ptr<Request> &request)
{
    const int index = endpointIndex(request->round);
    request->usedToken = m_token;
    QNetworkReply *reply = m_network->post(networkRequest(index, request->path, m_endpoint.timeoutMs, !request->isAuthenticate, request->firstObjectOnly), request->body);
    track(reply);
    auto buffer = std::make_shared<QByteArray>();
    if (request->firstObjectOnly) {
        // The keepalive stream may stay open: its first object is the answer, then it is closed.
        connect(reply, &QNetworkReply::readyRead, this, [this, request, reply, index, buffer] {
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
                return; // an error answer ends by itself and is read whole in finished()
            buffer->append(reply->readAll());
            QByteArray object;
            const Take taken = takeObject(*buffer, &object);
            if (taken == Take::Incomplete)
                return;
            disconnect(reply, nullptr, this, nullptr);
            reply->abort();
            reply->deleteLater();
            if (taken == Take::Garbage)
                return answered(request, index, 200, {}, malformed(QStringLiteral("the stream of %1 is not JSON objects").arg(QString::fromLatin1(request->path))));
            if (isStreamError(object))
                return answered(request, index, 200, {}, errorFromBody(200, object));
            answered(request, index, 200, object, {});
        });
    }
    connect(reply, &QNetworkReply::finished, this, [this, request, reply, index, buffer] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QByteArray body = *buffer;
        if (reply->isOpen())
            body += reply->readAll();
        EtcdError error;
        if (status == 0) {
            error.message = networkMessage(reply, m_endpoint.timeoutMs, &error.timedOut);
        } else if (status < 200 || status >= 300) {
            error = errorFromBody(status, body);
        } else if (request->firstObjectOnly) {
            QByteArray object;
            if (takeObject(body, &object) != Take::Object)
                error = malformed(QStringLiteral("%1 ended without an answer").arg(QString::fromLatin1(request->path)));
            else if (isStreamError(object))
                error = errorFromBody(status, object);
            body = object;
        }
        answered(request, index, status, body, error);
    });
}

void EtcdClient::answered(const std::shared_ptr<Request> &request, int index, int status, const QByteArray &body, const EtcdError &error)
{
    if (isFailure(error) && (error.httpStatus == 0 || isUnavailable(error))) {
        if (nextEndpoint(request->round, index, error))
            return attempt(request);
        const EtcdError e = roundFailure(request->round);
        return request->finished(e.httpStatus, {}, e);
    }
    if (index != m_current) {
        qCDebug(lcEtcd).noquote() << "current endpoint now" << m_endpoint.endpoints.at(index).toString(QUrl::RemoveUserInfo);
        m_current = index;
    }
    if (isFailure(error) && !request->isAuthenticate && needsToken() && isAuthError(error) && !request->authRetried) {
        request->authRetried = true;
        auto retry = [this, request] {
            request->round = Round{};
            request->round.start = m_current;
            attempt(request);
        };
        if (!m_token.isEmpty() && m_token != request->usedToken)
            return retry(); // another request fetched a new token meanwhile
        qCDebug(lcEtcd) << "the token was refused; authenticating again";
        m_token.clear();
        authenticate([request, retry](const std::optional<EtcdError> &authError) {
            if (authError)
                return request->finished(authError->httpStatus, {}, *authError);
            retry();
        });
        return;
    }
    request->finished(status, isFailure(error) ? QByteArray() : body, error);
}

void EtcdClient::authenticate(AuthDone done)
{
    m_authWaiters.append(std::move(done));
    if (m_authenticating)
        return;
    m_authenticating = true;
    auto request = std::make_shared<Request>();
    request->path = QByteArrayLiteral("/v3/auth/authenticate");
    request->isAuthenticate = true;
    request->body = compact({{QStringLiteral("name"), m_endpoint.username}, {QStringLiteral("password"), m_endpoint.password}});
    request->finished = [this](int, const QByteArray &body, const EtcdError &error) {
        std::optional<EtcdError> result;
        if (isFailure(error)) {
            result = error;
            if (error.httpStatus != 0)
                result->message = QStringLiteral("authentication as '%1' failed: %2").arg(m_endpoint.username, error.message);
        } else {
            const QString token = etcdparse::authToken(body);
            if (token.isEmpty())
                result = malformed(QStringLiteral("no token in the answer of /v3/auth/authenticate"));
            else
                m_token = token.toUtf8();
        }
        m_authenticating = false;
        const QList<AuthDone> waiters = std::exchange(m_authWaiters, {});
        const QPointer<EtcdClient> self(this);
        for (const AuthDone &waiter : waiters) {
            if (!self)
                return; // a callback deleted the client
            waiter(result);
        }
    };
    dispatch(request);
}

void EtcdClient::get(const QByteArray &key, QObject *context, Callback<EtcdRead> done)
{
    send(QByteArrayLiteral("/v3/kv/range"), compact({{QStringLiteral("key"), base64(key)}}), context,
         jsonAnswer<EtcdRead>(std::move(done), "range", etcdparse::rangeAnswer));
}

void EtcdClient::put(const QByteArray &key, const QByteArray &value, qint64 lease, QObject *context, Callback<qint64> done)
{
    send(QByteArrayLiteral("/v3/kv/put"), compact(putRequest(key, value, lease)), context, [done](int, const QByteArray &answer, const EtcdError &error) {
        if (isFailure(error))
            return done(failure<qint64>(error));
        done(etcdparse::putAnswer(answer));
    });
}

void EtcdClient::createIfAbsent(const QByteArray &key, const QByteArray &value, qint64 lease, QObject *context, Callback<EtcdCreate> done)
{
    const QJsonObject txn = txnIfCreatedAt(key, 0, {{QStringLiteral("request_put"), putRequest(key, value, lease)}},
                                           {{QStringLiteral("request_range"), QJsonObject{{QStringLiteral("key"), base64(key)}}}});
    send(QByteArrayLiteral("/v3/kv/txn"), compact(txn), context, jsonAnswer<EtcdCreate>(std::move(done), "txn", etcdparse::createTxnAnswer));
}

void EtcdClient::deleteIfCreatedAt(const QByteArray &key, qint64 createRevision, QObject *context, Callback<bool> done)
{
    const QJsonObject txn = txnIfCreatedAt(key, createRevision, {{QStringLiteral("request_delete_range"), QJsonObject{{QStringLiteral("key"), base64(key)}}}});
    send(QByteArrayLiteral("/v3/kv/txn"), compact(txn), context, jsonAnswer<bool>(std::move(done), "txn", etcdparse::deleteTxnAnswer));
}

void EtcdClient::replaceIfCreatedAt(const QByteArray &key, qint64 createRevision, const QByteArray &value, qint64 lease, QObject *context,
                                    Callback<bool> done)
{
    const QJsonObject txn = txnIfCreatedAt(key, createRevision, {{QStringLiteral("request_put"), putRequest(key, value, lease)}});
    send(QByteArrayLiteral("/v3/kv/txn"), compact(txn), context, jsonAnswer<bool>(std::move(done), "txn", etcdparse::replaceTxnAnswer));
}

void EtcdClient::remove(const QByteArray &key, QObject *context, Callback<qint64> done)
{
    send(QByteArrayLiteral("/v3/kv/deleterange"), compact({{QStringLiteral("key"), base64(key)}}), context,
         jsonAnswer<qint64>(std::move(done), "deleterange", etcdparse::deleteRangeAnswer));
}

void EtcdClient::list(const QByteArray &prefix, QObject *context, Callback<QList<EtcdKv>> done)
{
    listWithRevision(prefix, context, [done](const EtcdResult<EtcdList> &r) {
        if (!r.ok())
            return done(failure<QList<EtcdKv>>(r.error));
        done(success(r.value->kvs));
    });
}

void EtcdClient::listWithRevision(const QByteArray &prefix, QObject *context, Callback<EtcdList> done)
{
    // An empty key is refused ("key is not provided"); "\0" to "\0" is every key.
    const QByteArray from = prefix.isEmpty() ? QByteArray(1, '\0') : prefix;
    const QJsonObject body{{QStringLiteral("key"), base64(from)}, {QStringLiteral("range_end"), base64(prefixEnd(prefix))}};
    send(QByteArrayLiteral("/v3/kv/range"), compact(body), context, jsonAnswer<EtcdList>(std::move(done), "range", etcdparse::rangeListAnswer));
}

void EtcdClient::grantLease(qint64 ttlS, QObject *context, Callback<qint64> done)
{
    send(QByteArrayLiteral("/v3/lease/grant"), compact({{QStringLiteral("TTL"), QString::number(ttlS)}}), context,
         jsonAnswer<qint64>(std::move(done), "lease grant", etcdparse::leaseGrantAnswer));
}

void EtcdClient::keepAlive(qint64 lease, QObject *context, Callback<qint64> done)
{
    send(
        QByteArrayLiteral("/v3/lease/keepalive"), compact({{QStringLiteral("ID"), QString::number(lease)}}), context,
        [done](int, const QByteArray &answer, const EtcdError &error) {
            if (isFailure(error))
                return done(failure<qint64>(error));
            done(etcdparse::keepAliveAnswer(answer));
        },
        true);
}

void EtcdClient::revokeLease(qint64 lease, QObject *context, Callback<bool> done)
{
    send(QByteArrayLiteral("/v3/lease/revoke"), compact({{QStringLiteral("ID"), QString::number(lease)}}), context,
         [done](int, const QByteArray &, const EtcdError &error) {
             if (isFailure(error)) {
                 // HTTP 404, code 5 NOT_FOUND: "etcdserver: requested lease not found" - gone already.
                 if (error.grpcCode == 5 || error.message.contains(QLatin1String("requested lease not found")))
                     return done(success(true));
                 return done(failure<bool>(error));
             }
             done(success(true));
         });
}

void EtcdClient::leaseTimeToLive(qint64 lease, QObject *context, Callback<EtcdLeaseTtl> done)
{
    send(QByteArrayLiteral("/v3/lease/timetolive"), compact({{QStringLiteral("ID"), QString::number(lease)}}), context,
         jsonAnswer<EtcdLeaseTtl>(std::move(done), "lease timetolive", etcdparse::leaseTtlAnswer));
}

EtcdWatch *EtcdClient::watch(const QByteArray &key, qint64 startRevision, QObject *parent)
{
    return createWatch(key, {}, startRevision, parent);
}

EtcdWatch *EtcdClient::watchPrefix(const QByteArray &prefix, qint64 startRevision, QObject *parent)
{
    // As list(): an empty key is refused, "\0" to "\0" is every key.
    return createWatch(prefix.isEmpty() ? QByteArray(1, '\0') : prefix, prefixEnd(prefix), startRevision, parent);
}

EtcdWatch *EtcdClient::createWatch(const QByteArray &key, const QByteArray &rangeEnd, qint64 startRevision, QObject *parent)
{
    auto *watch = new EtcdWatch(parent);
    watch->m_client = this;
    watch->m_key = key;
    watch->m_rangeEnd = rangeEnd;
    watch->m_startRevision = startRevision;
    watch->m_lastRevision = startRevision > 0 ? startRevision - 1 : 0;
    deferred(watch, [watch] { watch->open(); });
    return watch;
}

// ---------------------------------------------------------------------------------------------

EtcdWatch::EtcdWatch(QObject *parent)
    : QObject(parent)
{
}

EtcdWatch::~EtcdWatch()
{
    dropReply();
}

void EtcdWatch::dropReply()
{
    if (m_openTimer)
        m_openTimer->stop();
    if (QNetworkReply *reply = m_reply) {
        m_reply = nullptr;
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        reply->deleteLater();
    }
    m_buffer.clear();
}

void EtcdWatch::open()
{
    EtcdClient *client = m_client;
    EtcdError e;
    if (!client)
        e.message = QStringLiteral("the etcd client is gone");
    else if (client->m_endpoint.endpoints.isEmpty())
        e.message = QStringLiteral("no etcd endpoint configured");
    if (isFailure(e))
        return fail(e);
    if (client->needsToken() && client->m_token.isEmpty()) {
        client->authenticate([self = QPointer<EtcdWatch>(this)](const std::optional<EtcdError> &error) {
            if (!self || self->m_done)
                return;
            if (error)
                return self->fail(*error);
            self->open();
        });
        return;
    }
    m_round = EtcdClient::Round{};
    m_round.start = client->m_current;
    attempt();
}

void EtcdWatch::attempt()
{
    EtcdClient *client = m_client;
    if (!client) {
        EtcdError e;
        e.message = QStringLiteral("the etcd client is gone");
        return fail(e);
    }
    m_index = client->endpointIndex(m_round);
    m_usedToken = client->m_token;
    m_created = false;
    m_buffer.clear();
    QJsonObject create{{QStringLiteral("key"), base64(m_key)},
                       // a progress answer every 10 minutes (etcd's default) keeps lastRevision() recent on quiet keys
                       {QStringLiteral("progress_notify"), true}};
    if (!m_rangeEnd.isEmpty())
        create.insert(QStringLiteral("range_end"), base64(m_rangeEnd));
    if (m_startRevision > 0)
        create.insert(QStringLiteral("start_revision"), QString::number(m_startRevision));
    // No transfer timeout: a quiet key sends nothing for long. Opening has its own deadline.
    QNetworkReply *reply = client->m_network->post(client->networkRequest(m_index, QByteArrayLiteral("/v3/watch"), 0, true, true),
                                                   compact({{QStringLiteral("create_request"), create}}));
    m_reply = reply;
    connect(reply, &QNetworkReply::readyRead, this, &EtcdWatch::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &EtcdWatch::onFinished);
    if (!m_openTimer) {
        m_openTimer = new QTimer(this);
        m_openTimer->setSingleShot(true);
        connect(m_openTimer, &QTimer::timeout, this, &EtcdWatch::openTimedOut);
    }
    m_openTimer->start(client->m_endpoint.timeoutMs);
}

void EtcdWatch::openTimedOut()
{
    if (m_created || !m_reply || !m_client)
        return;
    dropReply();
    EtcdError e;
    e.timedOut = true;
    e.message = QStringLiteral("no answer within %1 ms").arg(m_client->m_endpoint.timeoutMs);
    attemptFailed(m_index, e);
}

void EtcdWatch::attemptFailed(int index, const EtcdError &error)
{
    dropReply();
    EtcdClient *client = m_client;
    if (!client)
        return fail(error);
    // Not opened yet: the next endpoint, for an endpoint that did not answer or is unavailable.
    if (error.httpStatus == 0 || isUnavailable(error)) {
        if (client->nextEndpoint(m_round, index, error))
            return attempt();
        return fail(client->roundFailure(m_round));
    }
    client->m_current = index;
    if (client->needsToken() && client->isAuthError(error) && !m_authRetried) {
        m_authRetried = true;
        if (client->m_token.isEmpty() || client->m_token == m_usedToken)
            client->m_token.clear(); // open() fetches a new one
        open();
        return;
    }
    fail(error);
}

void EtcdWatch::onReadyRead()
{
    QNetworkReply *reply = m_reply;
    if (!reply || reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
        return; // an error answer ends by itself and is read whole in onFinished()
    m_buffer += reply->readAll();
    for (;;) {
        QByteArray object;
        const Take taken = takeObject(m_buffer, &object);
        if (taken == Take::Incomplete)
            return;
        if (taken == Take::Garbage)
            return fail(malformed(QStringLiteral("the watch stream is not JSON objects")));
        if (!handleObject(object))
            return;
    }
}

void EtcdWatch::onFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 200) {
        const QPointer<EtcdWatch> self(this);
        onReadyRead(); // what is left
        if (!self || m_reply != reply)
            return; // over, re-opened or deleted
    }
    m_reply = nullptr;
    reply->deleteLater();
    if (m_openTimer)
        m_openTimer->stop();
    EtcdError e;
    if (status == 0) {
        bool timedOut = false;
        e.message = networkMessage(reply, m_client ? m_client->m_endpoint.timeoutMs : 0, &timedOut);
        e.timedOut = timedOut;
    } else if (status != 200) {
        e = errorFromBody(status, m_buffer + (reply->isOpen() ? reply->readAll() : QByteArray()));
    } else if (reply->error() != QNetworkReply::NoError) {
        e.message = QStringLiteral("the watch stream broke off: ") + reply->errorString(); // e.g. the member was killed
    } else {
        e.message = QStringLiteral("the watch stream ended");
    }
    m_buffer.clear();
    if (!m_created)
        return attemptFailed(m_index, e);
    fail(e);
}

bool EtcdWatch::handleObject(const QByteArray &json)
{
    const etcdparse::WatchResponse response = etcdparse::watchResponse(json);
    switch (response.kind) {
    case etcdparse::WatchResponse::Kind::Malformed:
        fail(response.error);
        return false;
    case etcdparse::WatchResponse::Kind::Failed:
        // An error object, or canceled: also the answer to a refused create.
        if (!m_created)
            attemptFailed(m_index, response.error);
        else
            fail(response.error);
        return false;
    case etcdparse::WatchResponse::Kind::Result:
        break;
    }
    QPointer<EtcdWatch> self(this);
    const bool createdNow = response.created;
    if (createdNow && !m_created) {
        m_created = true;
        m_openTimer->stop();
        m_authRetried = false;
        if (m_client && m_client->m_current != m_index) {
            qCDebug(lcEtcd).noquote() << "current endpoint now" << m_client->m_endpoint.endpoints.at(m_index).toString(QUrl::RemoveUserInfo);
            m_client->m_current = m_index;
        }
        // From now: everything after the header's revision. From a start revision: events follow.
        if (m_startRevision <= 0)
            m_lastRevision = qMax(m_lastRevision, response.revision);
        Q_EMIT created();
        if (!self || m_done)
            return false;
    }
    if (!m_created) {
        fail(etcdparse::malformed(QStringLiteral("the watch stream did not begin with created")));
        return false;
    }
    if (response.eventsMalformed) {
        fail(response.error);
        return false;
    }
    if (!response.events.isEmpty()) {
        qint64 last = m_lastRevision;
        for (const EtcdWatchEvent &event : response.events)
            last = qMax(last, event.kv.modRevision);
        // The header's revision can be ahead of these events while a watch from an old revision
        // catches up in batches; the events' own revisions are what was seen.
        m_lastRevision = last;
        Q_EMIT events(response.events);
        if (!self || m_done)
            return false;
    } else if (!createdNow) {
        m_lastRevision = qMax(m_lastRevision, response.revision); // a progress notification
    }
    return true;
}

void EtcdWatch::fail(const EtcdError &error)
{
    if (m_done)
        return;
    m_done = true;
    dropReply();
    qCDebug(lcEtcd).noquote() << "watch failed:" << error.describe();
    Q_EMIT failed(error);
}

} // namespace jobslib
