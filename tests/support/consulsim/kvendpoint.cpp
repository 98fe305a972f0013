// SPDX-License-Identifier: BSD-3-Clause
#include "kvendpoint.h"

#include "apicall.h"
#include "blockingqueries.h"
#include "httpexchange.h"
#include "json.h"
#include "statestore.h"

namespace jobslib::consulsim {

namespace {

/*! conflictingFlags(): two of the given presence flags answer 400 with the whole encoded query. */
bool conflicting(ApiCall &call, const QStringList &flags)
{
    int found = 0;
    for (const QString &f : flags)
        found += call.request().hasQuery(f) ? 1 : 0;
    if (found < 2)
        return false;
    call.fail(ApiError::http(400, QStringLiteral("Conflicting flags: ") + call.request().encodedQuery() + QLatin1Char('\n')));
    return true;
}

bool missingKey(ApiCall &call)
{
    if (!call.suffix.isEmpty())
        return false;
    call.fail(ApiError::http(400, QStringLiteral("Missing key name")));
    return true;
}

/*! The query's preamble on each run: a blocked query whose leader went away gets the error. */
std::optional<ApiError> stillServed(const ServerContext &ctx, bool stale)
{
    if (!ctx.leader && !stale)
        return ApiError::server(QStringLiteral("No cluster leader"));
    return std::nullopt;
}

} // namespace

KvEndpoint::KvEndpoint(ServerContext &ctx)
    : m_ctx(ctx)
{
}

void KvEndpoint::handle(ApiCall &call)
{
    if (!call.parseQueryOptions())
        return;
    const QByteArray &method = call.request().method;
    if (method == "GET") {
        if (call.request().hasQuery(QStringLiteral("keys")))
            keys(call);
        else
            get(call);
    } else if (method == "PUT") {
        put(call);
    } else {
        remove(call);
    }
}

void KvEndpoint::get(ApiCall &call)
{
    const bool recurse = call.request().hasQuery(QStringLiteral("recurse"));
    if (!recurse && missingKey(call))
        return;
    if (const auto e = call.forward(true)) {
        call.fail(*e);
        return;
    }
    const QString key = call.suffix;
    if (!recurse) {
        if (const auto e = call.authorize(AclResource::Key, key, AclAccess::Read)) {
            call.fail(*e);
            return;
        }
    }
    ServerContext *ctx = &m_ctx;
    const bool stale = call.stale();
    const bool raw = call.request().hasQuery(QStringLiteral("raw"));
    const bool pretty = call.pretty();
    const QString token = call.token();
    BlockingQueries::Query query = [ctx, key, recurse, raw, pretty, stale, token]() -> QueryResult {
        QueryResult r;
        if (const auto e = stillServed(*ctx, stale)) {
            r.error = true;
            r.response = ApiCall::errorResponse(*ctx, *e);
            return r;
        }
        if (!recurse) {
            const KvEntry *entry = ctx->store->kvGet(key);
            r.index = entry ? entry->modifyIndex : ctx->store->kvTableIndex();
            if (!entry) {
                r.response = HttpResponse::empty(404);
            } else if (raw) {
                r.response.body = entry->value;
                r.response.setHeader("Content-Type", "text/plain");
                r.response.setHeader("X-Content-Type-Options", "nosniff");
                r.response.setHeader("Content-Security-Policy", "sandbox");
            } else {
                r.response = HttpResponse::json(Json::array().append(entry->toJson()), pretty);
            }
        } else {
            quint64 index = 0;
            const QList<KvEntry> entries = ctx->store->kvList(key, &index);
            r.index = index;
            QString ignored;
            const AclToken *t = ctx->acl->resolve(token, &ignored);
            Json arr = Json::array();
            bool filtered = false;
            for (const KvEntry &e : entries) {
                if (!ctx->acl->allowed(t, AclResource::Key, e.key, AclAccess::Read)) {
                    filtered = true;
                    continue;
                }
                arr.append(e.toJson());
            }
            r.response = arr.size() == 0 ? HttpResponse::empty(404) : HttpResponse::json(arr, pretty);
            if (filtered && !token.isEmpty())
                r.response.setHeader("X-Consul-Results-Filtered-By-Acls", "true");
        }
        ApiCall::setMeta(*ctx, stale, r.response, r.index);
        ApiCall::addCommonHeaders(*ctx, r.response);
        return r;
    };
    Watch watch;
    watch.kind = recurse ? Watch::Kind::KvPrefix : Watch::Kind::KvKey;
    watch.name = key;
    m_ctx.queries->run(call.exchange, watch, call.minIndex(), call.waitNs(), query);
}

void KvEndpoint::keys(ApiCall &call)
{
    QString separator;
    if (call.request().hasQuery(QStringLiteral("seperator")))
        separator = call.request().queryValue(QStringLiteral("seperator"));
    if (call.request().hasQuery(QStringLiteral("separator")))
        separator = call.request().queryValue(QStringLiteral("separator"));
    if (const auto e = call.forward(true)) {
        call.fail(*e);
        return;
    }
    ServerContext *ctx = &m_ctx;
    const QString prefix = call.suffix;
    const bool stale = call.stale();
    const bool pretty = call.pretty();
    const QString token = call.token();
    BlockingQueries::Query query = [ctx, prefix, separator, pretty, stale, token]() -> QueryResult {
        QueryResult r;
        if (const auto e = stillServed(*ctx, stale)) {
            r.error = true;
            r.response = ApiCall::errorResponse(*ctx, *e);
            return r;
        }
        quint64 index = 0;
        const QStringList keys = ctx->store->kvKeys(prefix, separator, &index);
        r.index = index;
        QString ignored;
        const AclToken *t = ctx->acl->resolve(token, &ignored);
        QStringList visible;
        bool filtered = false;
        for (const QString &k : keys) {
            if (ctx->acl->allowed(t, AclResource::Key, k, AclAccess::Read))
                visible.append(k);
            else
                filtered = true;
        }
        // Not found only for a prefix; the root lists [] when empty.
        r.response = (visible.isEmpty() && !prefix.isEmpty()) ? HttpResponse::empty(404) : HttpResponse::json(Json::strings(visible), pretty);
        if (filtered && !token.isEmpty())
            r.response.setHeader("X-Consul-Results-Filtered-By-Acls", "true");
        ApiCall::setMeta(*ctx, stale, r.response, r.index);
        ApiCall::addCommonHeaders(*ctx, r.response);
        return r;
    };
    Watch watch;
    watch.kind = Watch::Kind::KvPrefix;
    watch.name = prefix;
    m_ctx.queries->run(call.exchange, watch, call.minIndex(), call.waitNs(), query);
}

void KvEndpoint::put(ApiCall &call)
{
    if (missingKey(call))
        return;
    if (conflicting(call, {QStringLiteral("cas"), QStringLiteral("acquire"), QStringLiteral("release")}))
        return;
    const HttpRequest &r = call.request();
    enum class Op { Set, Cas, Lock, Unlock } op = Op::Set;
    quint64 flags = 0;
    quint64 cas = 0;
    QString session;
    QString error;
    if (r.hasQuery(QStringLiteral("flags")) && !parseUint64(r.queryValue(QStringLiteral("flags")), &flags, &error)) {
        call.fail(ApiError::agent(error));
        return;
    }
    if (r.hasQuery(QStringLiteral("cas"))) {
        if (!parseUint64(r.queryValue(QStringLiteral("cas")), &cas, &error)) {
            call.fail(ApiError::agent(error));
            return;
        }
        op = Op::Cas;
    }
    if (r.hasQuery(QStringLiteral("acquire"))) {
        session = r.queryValue(QStringLiteral("acquire"));
        op = Op::Lock;
    }
    if (r.hasQuery(QStringLiteral("release"))) {
        session = r.queryValue(QStringLiteral("release"));
        op = Op::Unlock;
    }
    if (r.contentLength > m_ctx.kvMaxValueSize) {
        call.fail(ApiError::http(413,
                                 QStringLiteral("Request body(%1 bytes) too large, max size: %2 bytes. See %3.")
                                     .arg(r.contentLength)
                                     .arg(m_ctx.kvMaxValueSize)
                                     .arg(QStringLiteral("https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size"))));
        return;
    }
    if (const auto e = call.forward()) {
        call.fail(*e);
        return;
    }
    const QString key = call.suffix;
    if (const auto e = call.authorize(AclResource::Key, key, AclAccess::Write)) {
        call.fail(*e);
        return;
    }
    bool result = true;
    switch (op) {
    case Op::Set:
        m_ctx.store->kvSet(key, r.body, flags);
        break;
    case Op::Cas:
        result = m_ctx.store->kvCas(key, r.body, flags, cas);
        break;
    case Op::Lock: {
        // The leader's pre-apply check: during lock-delay nothing is written, whoever asks.
        if (m_ctx.store->lockDelayRemainingMs(key) > 0) {
            result = false;
            break;
        }
        const StoreResult s = m_ctx.store->kvLock(key, r.body, flags, session);
        if (!s.error.isEmpty()) {
            call.fail(ApiError::server(s.error));
            return;
        }
        result = s.ok;
        break;
    }
    case Op::Unlock: {
        const StoreResult s = m_ctx.store->kvUnlock(key, r.body, flags, session);
        if (!s.error.isEmpty()) {
            call.fail(ApiError::server(s.error));
            return;
        }
        result = s.ok;
        break;
    }
    }
    call.respondJson(Json(result));
}

void KvEndpoint::remove(ApiCall &call)
{
    if (conflicting(call, {QStringLiteral("recurse"), QStringLiteral("cas")}))
        return;
    const HttpRequest &r = call.request();
    const bool recurse = r.hasQuery(QStringLiteral("recurse"));
    if (!recurse && missingKey(call))
        return;
    bool useCas = false;
    quint64 cas = 0;
    if (r.hasQuery(QStringLiteral("cas"))) {
        QString error;
        if (!parseUint64(r.queryValue(QStringLiteral("cas")), &cas, &error)) {
            call.fail(ApiError::agent(error));
            return;
        }
        useCas = true;
    }
    if (const auto e = call.forward()) {
        call.fail(*e);
        return;
    }
    const QString key = call.suffix;
    if (recurse) {
        if (!m_ctx.acl->allowedWritePrefix(call.aclToken(), key)) {
            call.fail(ApiError{403, m_ctx.acl->deniedText(call.aclToken(), AclResource::Key, key, AclAccess::Write), true});
            return;
        }
        m_ctx.store->kvDeleteTree(key);
        call.respondJson(Json(true));
        return;
    }
    if (const auto e = call.authorize(AclResource::Key, key, AclAccess::Write)) {
        call.fail(*e);
        return;
    }
    if (useCas) {
        call.respondJson(Json(m_ctx.store->kvDeleteCas(key, cas)));
        return;
    }
    m_ctx.store->kvDelete(key);
    call.respondJson(Json(true));
}

} // namespace jobslib::consulsim
