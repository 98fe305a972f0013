// SPDX-License-Identifier: BSD-3-Clause
#include "sessionendpoint.h"

#include "apicall.h"
#include "blockingqueries.h"
#include "goduration.h"
#include "httpexchange.h"
#include "json.h"
#include "sessiontimers.h"
#include "statestore.h"

#include <QJsonArray>

#include <cmath>
#include <limits>

namespace jobslib::consulsim {

namespace {

constexpr qint64 DefaultLockDelay = 15 * goduration::Second;
constexpr qint64 SessionTtlMax = 24 * goduration::Hour;
// Session.UnmarshalJSON: LockDelay values below this many nanoseconds are taken as seconds.
constexpr qint64 LockDelayMinThreshold = 1000;

/*! The body of PUT /v1/session/create decoded onto the handler's defaults; false with the decode error. */
bool decodeSession(const QByteArray &body, Session *s, QString *error)
{
    const auto decoded = JsonBody::parse(body, QStringLiteral("structs.Session"), error);
    if (!decoded)
        return false;
    const JsonBody &b = *decoded;
    // encoding/json decodes every field before Session.UnmarshalJSON looks at LockDelay.
    if (!b.readString(QStringLiteral("Name"), &s->name, error) || !b.readString(QStringLiteral("Node"), &s->node, error)
        || !b.readString(QStringLiteral("Behavior"), &s->behavior, error) || !b.readString(QStringLiteral("TTL"), &s->ttl, error)
        || !b.readStringList(QStringLiteral("NodeChecks"), &s->nodeChecks, error)
        || !b.readStringList(QStringLiteral("Checks"), &s->checks, error))
        return false;
    const QJsonValue serviceChecks = b.value(QStringLiteral("ServiceChecks"));
    if (serviceChecks.isNull()) {
        s->serviceChecks.reset();
    } else if (serviceChecks.isArray()) {
        QList<ServiceCheckRef> refs;
        const QJsonArray arr = serviceChecks.toArray();
        for (const QJsonValue &item : arr) {
            if (!item.isObject()) {
                *error = b.typeError(QStringLiteral("ServiceChecks"), item, QStringLiteral("structs.ServiceCheck"));
                return false;
            }
            const QJsonObject o = item.toObject();
            ServiceCheckRef ref;
            for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
                if (it.key().compare(QLatin1String("ID"), Qt::CaseInsensitive) == 0)
                    ref.id = it.value().toString();
                else if (it.key().compare(QLatin1String("Namespace"), Qt::CaseInsensitive) == 0)
                    ref.ns = it.value().toString();
            }
            refs.append(ref);
        }
        s->serviceChecks = refs;
    } else if (!serviceChecks.isUndefined()) {
        *error = b.typeError(QStringLiteral("ServiceChecks"), serviceChecks, QStringLiteral("[]structs.ServiceCheck"));
        return false;
    }

    const QJsonValue lockDelay = b.value(QStringLiteral("LockDelay"));
    if (!lockDelay.isUndefined() && !lockDelay.isNull()) {
        qint64 dur = 0;
        if (lockDelay.isString()) {
            if (!goduration::parse(lockDelay.toString(), &dur, error))
                return false;
        } else if (lockDelay.isDouble()) {
            const double v = lockDelay.toDouble();
            dur = std::isfinite(v) && std::fabs(v) < 9.2e18 ? qint64(v) : std::numeric_limits<qint64>::min();
        }
        // Other JSON types fall through Go's type switch and leave 0.
        if (dur < LockDelayMinThreshold) {
            constexpr qint64 Lowest = std::numeric_limits<qint64>::min() / goduration::Second;
            dur = dur < Lowest ? std::numeric_limits<qint64>::min() : dur * goduration::Second;
        }
        s->lockDelay = dur;
    }
    return true;
}

/*! fixupEmptySessionChecks (agent/session_endpoint.go), for clients from before NodeChecks. */
void fixupEmptySessionChecks(Session *s)
{
    if (!s->checks || s->checks->isEmpty()) {
        s->nodeChecks = QStringList();
        return;
    }
    if (s->checks->size() == 1 && s->checks->first() == serfCheckId()) {
        s->checks.reset();
        return;
    }
    if (!s->nodeChecks || s->nodeChecks->isEmpty())
        s->checks.reset();
}

} // namespace

SessionEndpoint::SessionEndpoint(ServerContext &ctx)
    : m_ctx(ctx)
{
}

void SessionEndpoint::create(ApiCall &call)
{
    Session s;
    s.node = m_ctx.nodeName;
    s.nodeChecks = QStringList{serfCheckId()};
    s.checks = QStringList{serfCheckId()};
    s.lockDelay = DefaultLockDelay;
    s.behavior = QStringLiteral("release");
    // Only a body with a known length counts (req.ContentLength > 0); a chunked one is ignored.
    if (call.request().contentLength > 0) {
        QString error;
        if (!decodeSession(call.request().body, &s, &error)) {
            call.fail(ApiError::http(400, QStringLiteral("Request decode failed: ") + error));
            return;
        }
    }
    fixupEmptySessionChecks(&s);

    if (const auto e = call.route()) {
        call.fail(*e);
        return;
    }
    if (s.node.isEmpty()) {
        call.fail(ApiError::server(QStringLiteral("Must provide Node")));
        return;
    }
    if (const auto e = call.resolveToken()) {
        call.fail(*e);
        return;
    }
    if (const auto e = call.authorize(AclResource::Session, s.node, AclAccess::Write)) {
        call.fail(*e);
        return;
    }
    if (s.behavior.isEmpty())
        s.behavior = QStringLiteral("release");
    if (s.behavior != QLatin1String("release") && s.behavior != QLatin1String("delete")) {
        call.fail(ApiError::server(QStringLiteral("Invalid Behavior setting '%1'").arg(s.behavior)));
        return;
    }
    if (!s.ttl.isEmpty()) {
        qint64 ttl = 0;
        QString error;
        if (!goduration::parse(s.ttl, &ttl, &error)) {
            call.fail(ApiError::server(QStringLiteral("Session TTL '%1' invalid: %2").arg(s.ttl, error)));
            return;
        }
        if (ttl != 0 && (ttl < m_ctx.sessionTtlMinNs || ttl > SessionTtlMax)) {
            call.fail(ApiError::server(QStringLiteral("Invalid Session TTL '%1', must be between [%2=%3]")
                                           .arg(ttl)
                                           .arg(goduration::format(m_ctx.sessionTtlMinNs), goduration::format(SessionTtlMax))));
            return;
        }
    }
    const StoreResult result = m_ctx.store->sessionCreate(s);
    if (!result.ok) {
        call.fail(ApiError::server(result.error));
        return;
    }
    call.respondJson(Json::object().insert(QStringLiteral("ID"), s.id));
}

void SessionEndpoint::destroy(ApiCall &call)
{
    if (call.suffix.isEmpty()) {
        call.fail(ApiError::http(400, QStringLiteral("Missing session")));
        return;
    }
    if (const auto e = call.forward()) {
        call.fail(*e);
        return;
    }
    const Session *s = m_ctx.store->session(call.suffix);
    if (s) {
        if (const auto e = call.authorize(AclResource::Session, s->node, AclAccess::Write)) {
            call.fail(*e);
            return;
        }
        m_ctx.store->sessionDestroy(call.suffix);
    } else if (!m_ctx.acl->isEnabled()) {
        // Without ACLs the RPC still goes through Raft, and the FSM finds nothing to delete.
        m_ctx.store->sessionDestroy(call.suffix);
    }
    call.respondJson(Json(true));
}

void SessionEndpoint::renew(ApiCall &call)
{
    if (call.suffix.isEmpty()) {
        call.fail(ApiError::http(400, QStringLiteral("Missing session")));
        return;
    }
    // Renewals go to the leader, where the timers are.
    if (const auto e = call.forward()) {
        call.fail(*e);
        return;
    }
    const Session *s = m_ctx.store->session(call.suffix);
    if (!s) {
        call.fail(ApiError::http(404, QStringLiteral("Session id '%1' not found").arg(call.suffix)));
        return;
    }
    if (const auto e = call.authorize(AclResource::Session, s->node, AclAccess::Write)) {
        call.fail(*e);
        return;
    }
    m_ctx.timers->renew(s->id);
    call.respondJson(Json::array().append(s->toJson()));
}

void SessionEndpoint::info(ApiCall &call)
{
    read(call, ReadKind::Info);
}

void SessionEndpoint::list(ApiCall &call)
{
    read(call, ReadKind::List);
}

void SessionEndpoint::node(ApiCall &call)
{
    read(call, ReadKind::Node);
}

void SessionEndpoint::read(ApiCall &call, ReadKind kind)
{
    if (!call.parseQueryOptions())
        return;
    if (kind == ReadKind::Info && call.suffix.isEmpty()) {
        call.fail(ApiError::http(400, QStringLiteral("Missing session")));
        return;
    }
    if (kind == ReadKind::Node && call.suffix.isEmpty()) {
        call.fail(ApiError::http(400, QStringLiteral("Missing node name")));
        return;
    }
    if (const auto e = call.forward(true)) {
        call.fail(*e);
        return;
    }
    ServerContext *ctx = &m_ctx;
    const QString name = call.suffix;
    const bool stale = call.stale();
    const bool pretty = call.pretty();
    const QString token = call.token();
    BlockingQueries::Query query = [ctx, kind, name, stale, pretty, token]() -> QueryResult {
        QueryResult r;
        if (!ctx->leader && !stale) {
            r.error = true;
            r.response = ApiCall::errorResponse(*ctx, ApiError::server(QStringLiteral("No cluster leader")));
            return r;
        }
        QList<Session> sessions;
        switch (kind) {
        case ReadKind::Info:
            if (const Session *s = ctx->store->session(name))
                sessions.append(*s);
            break;
        case ReadKind::List:
            sessions = ctx->store->sessions();
            break;
        case ReadKind::Node:
            sessions = ctx->store->nodeSessions(name);
            break;
        }
        QString ignored;
        const AclToken *t = ctx->acl->resolve(token, &ignored);
        Json arr = Json::array();
        bool filtered = false;
        for (const Session &s : std::as_const(sessions)) {
            if (!ctx->acl->allowed(t, AclResource::Session, s.node, AclAccess::Read)) {
                filtered = true;
                continue;
            }
            arr.append(s.toJson());
        }
        r.index = ctx->store->sessionsIndex();
        r.response = HttpResponse::json(arr, pretty);
        if (filtered && !token.isEmpty())
            r.response.setHeader("X-Consul-Results-Filtered-By-Acls", "true");
        ApiCall::setMeta(*ctx, stale, r.response, r.index);
        ApiCall::addCommonHeaders(*ctx, r.response);
        return r;
    };
    Watch watch;
    watch.kind = kind == ReadKind::Info ? Watch::Kind::Session : Watch::Kind::Sessions;
    watch.name = name;
    m_ctx.queries->run(call.exchange, watch, call.minIndex(), call.waitNs(), query);
}

} // namespace jobslib::consulsim
