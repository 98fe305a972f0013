// SPDX-License-Identifier: BSD-3-Clause
#include "healthendpoint.h"

#include "apicall.h"
#include "blockingqueries.h"
#include "httpexchange.h"
#include "json.h"
#include "statestore.h"

namespace jobslib::consulsim {

namespace {

bool visible(const ServerContext &ctx, const AclToken *t, const HealthCheck &c)
{
    if (!ctx.acl->allowed(t, AclResource::Node, c.node, AclAccess::Read))
        return false;
    return c.serviceName.isEmpty() || ctx.acl->allowed(t, AclResource::Service, c.serviceName, AclAccess::Read);
}

Json nodeJson(const ServerContext &ctx)
{
    Json tagged = Json::object();
    tagged.insert(QStringLiteral("lan"), ctx.advertiseAddress);
    tagged.insert(QStringLiteral("wan"), ctx.advertiseAddress);
    Json meta = Json::object();
    meta.insert(QStringLiteral("consul-network-segment"), QString());
    Json n = Json::object();
    n.insert(QStringLiteral("ID"), ctx.nodeId);
    n.insert(QStringLiteral("Node"), ctx.nodeName);
    n.insert(QStringLiteral("Address"), ctx.advertiseAddress);
    n.insert(QStringLiteral("Datacenter"), ctx.datacenter);
    n.insert(QStringLiteral("TaggedAddresses"), tagged);
    n.insert(QStringLiteral("Meta"), meta);
    n.insert(QStringLiteral("CreateIndex"), ctx.store->nodesIndex());
    n.insert(QStringLiteral("ModifyIndex"), ctx.store->nodesIndex());
    return n;
}

Json serviceJson(const CatalogService &s)
{
    Json meta = Json::object();
    for (auto it = s.meta.cbegin(); it != s.meta.cend(); ++it)
        meta.insert(it.key(), it.value());
    Json weights = Json::object();
    weights.insert(QStringLiteral("Passing"), 1);
    weights.insert(QStringLiteral("Warning"), 1);
    Json o = Json::object();
    o.insert(QStringLiteral("ID"), s.id);
    o.insert(QStringLiteral("Service"), s.name);
    o.insert(QStringLiteral("Tags"), Json::strings(s.tags));
    o.insert(QStringLiteral("Address"), s.address);
    o.insert(QStringLiteral("Meta"), meta);
    o.insert(QStringLiteral("Port"), s.port);
    o.insert(QStringLiteral("Weights"), weights);
    o.insert(QStringLiteral("EnableTagOverride"), false);
    o.insert(QStringLiteral("CreateIndex"), s.createIndex);
    o.insert(QStringLiteral("ModifyIndex"), s.modifyIndex);
    return o;
}

} // namespace

HealthEndpoint::HealthEndpoint(ServerContext &ctx)
    : m_ctx(ctx)
{
}

void HealthEndpoint::serviceChecks(ApiCall &call)
{
    read(call, Kind::ServiceChecks);
}

void HealthEndpoint::state(ApiCall &call)
{
    read(call, Kind::State);
}

void HealthEndpoint::node(ApiCall &call)
{
    read(call, Kind::Node);
}

void HealthEndpoint::service(ApiCall &call)
{
    read(call, Kind::Service);
}

void HealthEndpoint::read(ApiCall &call, Kind kind)
{
    if (!call.parseQueryOptions())
        return;
    if (call.suffix.isEmpty()) {
        const QString what = kind == Kind::State ? QStringLiteral("Missing check state")
            : kind == Kind::Node                 ? QStringLiteral("Missing node name")
                                                 : QStringLiteral("Missing service name");
        call.fail(ApiError::http(400, what));
        return;
    }
    if (const auto e = call.forward(true)) {
        call.fail(*e);
        return;
    }
    ServerContext *ctx = &m_ctx;
    const QString name = call.suffix;
    const bool stale = call.stale();
    const bool consistent = call.consistent();
    const bool pretty = call.pretty();
    const QString token = call.token();
    // ?passing is presence-only unless it carries a false value (strconv.ParseBool).
    const QString passingText = call.request().queryValue(QStringLiteral("passing"));
    const bool passingOnly = call.request().hasQuery(QStringLiteral("passing")) && passingText != QLatin1String("false")
        && passingText != QLatin1String("0") && passingText != QLatin1String("f") && passingText != QLatin1String("F")
        && passingText != QLatin1String("FALSE") && passingText != QLatin1String("False");
    BlockingQueries::Query query = [ctx, kind, name, stale, consistent, pretty, token, passingOnly]() -> QueryResult {
        QueryResult r;
        if (!ctx->leader && !stale) {
            r.error = true;
            r.response = ApiCall::errorResponse(*ctx, ApiError::server(QStringLiteral("No cluster leader")));
            return r;
        }
        QString ignored;
        const AclToken *t = ctx->acl->resolve(token, &ignored);
        bool filtered = false;
        Json arr = Json::array();
        const QList<HealthCheck> all = ctx->store->checks();
        switch (kind) {
        case Kind::ServiceChecks:
        case Kind::State:
        case Kind::Node:
            for (const HealthCheck &c : all) {
                const bool match = kind == Kind::ServiceChecks ? c.serviceName == name
                    : kind == Kind::Node                       ? c.node.compare(name, Qt::CaseInsensitive) == 0
                                                               : (name == QLatin1String("any") || c.status == name);
                if (!match)
                    continue;
                if (!visible(*ctx, t, c)) {
                    filtered = true;
                    continue;
                }
                arr.append(c.toJson());
            }
            r.index = kind == Kind::ServiceChecks ? ctx->store->serviceIndex(name) : ctx->store->checksIndex();
            break;
        case Kind::Service: {
            const QList<CatalogService> services = ctx->store->services();
            for (const CatalogService &s : services) {
                if (s.name != name)
                    continue;
                if (!ctx->acl->allowed(t, AclResource::Service, s.name, AclAccess::Read)
                    || !ctx->acl->allowed(t, AclResource::Node, ctx->nodeName, AclAccess::Read)) {
                    filtered = true;
                    continue;
                }
                Json checks = Json::array();
                bool allPassing = true;
                for (const HealthCheck &c : all) {
                    if (!c.serviceId.isEmpty() && c.serviceId != s.id)
                        continue;
                    allPassing = allPassing && c.status == HealthStatus::passing();
                    checks.append(c.toJson());
                }
                if (passingOnly && !allPassing)
                    continue;
                Json entry = Json::object();
                entry.insert(QStringLiteral("Node"), nodeJson(*ctx));
                entry.insert(QStringLiteral("Service"), serviceJson(s));
                entry.insert(QStringLiteral("Checks"), checks);
                arr.append(entry);
            }
            r.index = ctx->store->serviceIndex(name);
            break;
        }
        }
        r.response = HttpResponse::json(arr, pretty);
        if (filtered && !token.isEmpty())
            r.response.setHeader("X-Consul-Results-Filtered-By-Acls", "true");
        ApiCall::setMeta(*ctx, stale, r.response, r.index);
        r.response.setHeader("X-Consul-Effective-Consistency", stale ? "stale" : consistent ? "consistent" : "leader");
        ApiCall::addCommonHeaders(*ctx, r.response);
        return r;
    };
    Watch watch;
    watch.kind = Watch::Kind::Health;
    m_ctx.queries->run(call.exchange, watch, call.minIndex(), call.waitNs(), query);
}

void HealthEndpoint::leader(ApiCall &call)
{
    const QString dc = call.request().queryValue(QStringLiteral("dc"));
    if (!dc.isEmpty() && dc != m_ctx.datacenter) {
        call.fail(ApiError::agent(QStringLiteral("No path to datacenter")));
        return;
    }
    call.respondJson(Json(m_ctx.leader ? QString(m_ctx.advertiseAddress + QStringLiteral(":8300")) : QString()));
}

void HealthEndpoint::peers(ApiCall &call)
{
    const QString dc = call.request().queryValue(QStringLiteral("dc"));
    if (!dc.isEmpty() && dc != m_ctx.datacenter) {
        call.fail(ApiError::agent(QStringLiteral("No path to datacenter")));
        return;
    }
    call.respondJson(Json::array().append(QString(m_ctx.advertiseAddress + QStringLiteral(":8300"))));
}

} // namespace jobslib::consulsim
