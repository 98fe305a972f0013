// SPDX-License-Identifier: BSD-3-Clause
#include "agentendpoint.h"

#include "agent.h"
#include "apicall.h"
#include "goduration.h"
#include "httpexchange.h"
#include "json.h"
#include "statestore.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace jobslib::consulsim {

namespace {

bool validStatus(const QString &s)
{
    return s == HealthStatus::passing() || s == HealthStatus::warning() || s == HealthStatus::critical();
}

/*! A field under its Consul name or one of the snake_case aliases the agent translates. */
QJsonValue field(const JsonBody &b, const QString &name, const QString &alias = {})
{
    const QJsonValue v = b.value(name);
    if (!v.isUndefined() || alias.isEmpty())
        return v;
    return b.value(alias);
}

/*! A duration given as a Go duration string or as nanoseconds. */
bool readDuration(const QJsonValue &v, qint64 *ns, QString *error)
{
    if (v.isUndefined() || v.isNull())
        return true;
    if (v.isString())
        return v.toString().isEmpty() || goduration::parse(v.toString(), ns, error);
    if (v.isDouble()) {
        *ns = qint64(v.toDouble());
        return true;
    }
    *error = QStringLiteral("json: cannot unmarshal %1 into Go value of type time.Duration").arg(goJsonKind(v));
    return false;
}

QString stringField(const JsonBody &b, const QString &name, const QString &alias = {})
{
    return field(b, name, alias).toString();
}

/*! structs.CheckType from a check definition (or a service's Check), validated as CheckType.Validate does. */
struct CheckType
{
    qint64 ttl = 0;
    qint64 interval = 0;
    qint64 timeout = 0;
    qint64 deregisterAfter = 0;
    int outputMaxSize = 4096;
    QString kind;
    bool intervalCheck = false;
    bool alias = false;
};

bool decodeCheckType(const JsonBody &b, CheckType *t, QString *decodeError, QString *invalid)
{
    if (!readDuration(b.value(QStringLiteral("TTL")), &t->ttl, decodeError)
        || !readDuration(b.value(QStringLiteral("Interval")), &t->interval, decodeError)
        || !readDuration(b.value(QStringLiteral("Timeout")), &t->timeout, decodeError)
        || !readDuration(field(b, QStringLiteral("DeregisterCriticalServiceAfter"), QStringLiteral("deregister_critical_service_after")),
                         &t->deregisterAfter, decodeError))
        return false;
    const QJsonValue maxSize = field(b, QStringLiteral("OutputMaxSize"), QStringLiteral("output_max_size"));
    if (maxSize.isDouble() && maxSize.toInt() > 0)
        t->outputMaxSize = maxSize.toInt();
    const bool script = !field(b, QStringLiteral("Args"), QStringLiteral("ScriptArgs")).toArray().isEmpty()
        || !stringField(b, QStringLiteral("ScriptArgs"), QStringLiteral("script_args")).isEmpty();
    const bool docker = !stringField(b, QStringLiteral("DockerContainerID"), QStringLiteral("docker_container_id")).isEmpty();
    const QString http = stringField(b, QStringLiteral("HTTP"));
    const QString tcp = stringField(b, QStringLiteral("TCP"));
    const QString udp = stringField(b, QStringLiteral("UDP"));
    const QString grpc = stringField(b, QStringLiteral("GRPC"));
    const QString h2ping = stringField(b, QStringLiteral("H2PING"), QStringLiteral("h2ping"));
    t->alias = !stringField(b, QStringLiteral("AliasService"), QStringLiteral("alias_service")).isEmpty()
        || !stringField(b, QStringLiteral("AliasNode"), QStringLiteral("alias_node")).isEmpty();
    t->intervalCheck = script || docker || !http.isEmpty() || !tcp.isEmpty() || !udp.isEmpty() || !grpc.isEmpty() || !h2ping.isEmpty();
    if (t->interval > 0 && t->ttl > 0) {
        *invalid = QStringLiteral("Interval and TTL cannot both be specified");
        return false;
    }
    if (t->intervalCheck && t->interval <= 0) {
        *invalid = QStringLiteral("Interval must be > 0 for Script, HTTP, H2PING, TCP or UDP checks");
        return false;
    }
    if (!t->intervalCheck && !t->alias && t->ttl <= 0) {
        *invalid = QStringLiteral("TTL must be > 0 for TTL checks");
        return false;
    }
    if (t->ttl > 0)
        t->kind = QStringLiteral("ttl");
    else if (docker)
        t->kind = QStringLiteral("docker");
    else if (script)
        t->kind = QStringLiteral("script");
    else if (!http.isEmpty())
        t->kind = QStringLiteral("http");
    else if (!tcp.isEmpty())
        t->kind = QStringLiteral("tcp");
    else if (!udp.isEmpty())
        t->kind = QStringLiteral("udp");
    else if (!grpc.isEmpty())
        t->kind = QStringLiteral("grpc");
    else if (!h2ping.isEmpty())
        t->kind = QStringLiteral("h2ping");
    else
        t->kind = QStringLiteral("alias");
    return true;
}

AgentCheck toAgentCheck(const CheckType &t)
{
    AgentCheck c;
    c.ttlNs = t.kind == QLatin1String("ttl") ? t.ttl : 0;
    c.outputMaxSize = t.outputMaxSize;
    c.deregisterCriticalAfterNs = t.deregisterAfter;
    c.check.type = t.kind;
    if (t.kind != QLatin1String("ttl")) {
        c.check.interval = t.interval > 0 ? goduration::format(t.interval) : QString();
        c.check.timeout = t.timeout > 0 ? goduration::format(t.timeout) : QString();
    }
    return c;
}

/*! Go's %q for ids in error texts. */
QString quoted(const QString &s)
{
    return QString::fromUtf8(goJsonString(s));
}

} // namespace

AgentEndpoint::AgentEndpoint(ServerContext &ctx)
    : m_ctx(ctx)
{
}

void AgentEndpoint::registerCheck(ApiCall &call)
{
    QString error;
    const auto body = JsonBody::parse(call.request().body, QStringLiteral("structs.CheckDefinition"), &error);
    if (!body) {
        call.fail(ApiError::http(400, QStringLiteral("Request decode failed: ") + error));
        return;
    }
    const JsonBody &b = *body;
    CheckType type;
    QString invalid;
    const bool typeOk = decodeCheckType(b, &type, &error, &invalid);
    if (!typeOk && invalid.isEmpty()) {
        call.fail(ApiError::http(400, QStringLiteral("Request decode failed: ") + error));
        return;
    }
    const QString name = stringField(b, QStringLiteral("Name"));
    if (name.isEmpty()) {
        call.fail(ApiError::http(400, QStringLiteral("Missing check name")));
        return;
    }
    const QString status = stringField(b, QStringLiteral("Status"));
    if (!status.isEmpty() && !validStatus(status)) {
        call.fail(ApiError::http(400, QStringLiteral("Bad check status")));
        return;
    }
    if (const auto e = call.resolveAgentToken()) {
        call.fail(*e);
        return;
    }
    if (!typeOk) {
        call.fail(ApiError::http(400, QStringLiteral("Invalid check: ") + invalid));
        return;
    }
    AgentCheck check = toAgentCheck(type);
    check.check.name = name;
    check.check.checkId = stringField(b, QStringLiteral("ID"), QStringLiteral("CheckID"));
    if (check.check.checkId.isEmpty())
        check.check.checkId = name;
    check.check.notes = stringField(b, QStringLiteral("Notes"));
    check.check.status = status.isEmpty() ? HealthStatus::critical() : status;
    check.check.serviceId = stringField(b, QStringLiteral("ServiceID"), QStringLiteral("service_id"));
    if (!check.check.serviceId.isEmpty()) {
        const CatalogService *service = m_ctx.agent->service(check.check.serviceId);
        if (!service) {
            call.fail(ApiError::http(404, QStringLiteral("ServiceID %1 does not exist").arg(quoted(check.check.serviceId))));
            return;
        }
        check.check.serviceName = service->name;
        check.check.serviceTags = service->tags;
        if (const auto e = call.authorize(AclResource::Service, service->name, AclAccess::Write, false)) {
            call.fail(*e);
            return;
        }
    } else if (const auto e = call.authorize(AclResource::Node, m_ctx.nodeName, AclAccess::Write, false)) {
        call.fail(*e);
        return;
    }
    m_ctx.agent->registerCheck(check);
    call.respondEmpty();
}

bool AgentEndpoint::unknownCheck(ApiCall &call, const QString &checkId)
{
    if (m_ctx.agent->check(checkId))
        return false;
    call.fail(ApiError::http(404, QStringLiteral("Unknown check ID %1. Ensure that the check ID is passed, not the check name.").arg(quoted(checkId))));
    return true;
}

void AgentEndpoint::applyTtlUpdate(ApiCall &call, const QString &checkId, const QString &status, const QString &output)
{
    if (const auto e = call.resolveAgentToken()) {
        call.fail(*e);
        return;
    }
    if (unknownCheck(call, checkId))
        return;
    const AgentCheck *c = m_ctx.agent->check(checkId);
    const auto denied = c->check.serviceId.isEmpty()
        ? call.authorize(AclResource::Node, m_ctx.nodeName, AclAccess::Write, false)
        : call.authorize(AclResource::Service, c->check.serviceName, AclAccess::Write, false);
    if (denied) {
        call.fail(*denied);
        return;
    }
    if (m_ctx.agent->updateTtlCheck(checkId, status, output) == Agent::UpdateResult::NotTtl) {
        call.fail(ApiError::agent(QStringLiteral("CheckID %1 does not have associated TTL").arg(quoted(checkId))));
        return;
    }
    call.respondEmpty();
}

void AgentEndpoint::ttlUpdate(ApiCall &call, const QString &status)
{
    applyTtlUpdate(call, call.suffix, status, call.request().queryValue(QStringLiteral("note")));
}

void AgentEndpoint::checkUpdate(ApiCall &call)
{
    QString error;
    const auto body = JsonBody::parse(call.request().body, QStringLiteral("agent.checkUpdate"), &error);
    if (!body) {
        call.fail(ApiError::http(400, QStringLiteral("Request decode failed: ") + error));
        return;
    }
    // This body is decoded with DisallowUnknownFields.
    const QStringList unknown = body->unknownFields({QStringLiteral("Status"), QStringLiteral("Output")});
    if (!unknown.isEmpty()) {
        call.fail(ApiError::http(400, QStringLiteral("Request decode failed: json: unknown field %1").arg(quoted(unknown.first()))));
        return;
    }
    QString status;
    QString output;
    if (!body->readString(QStringLiteral("Status"), &status, &error) || !body->readString(QStringLiteral("Output"), &output, &error)) {
        call.fail(ApiError::http(400, QStringLiteral("Request decode failed: ") + error));
        return;
    }
    if (!validStatus(status)) {
        call.fail(ApiError::http(400, QStringLiteral("Invalid check status: '%1'").arg(status)));
        return;
    }
    applyTtlUpdate(call, call.suffix, status, output);
}

void AgentEndpoint::deregisterCheck(ApiCall &call)
{
    if (const auto e = call.resolveAgentToken()) {
        call.fail(*e);
        return;
    }
    if (unknownCheck(call, call.suffix))
        return;
    const AgentCheck *c = m_ctx.agent->check(call.suffix);
    const auto denied = c->check.serviceId.isEmpty()
        ? call.authorize(AclResource::Node, m_ctx.nodeName, AclAccess::Write, false)
        : call.authorize(AclResource::Service, c->check.serviceName, AclAccess::Write, false);
    if (denied) {
        call.fail(*denied);
        return;
    }
    m_ctx.agent->deregisterCheck(call.suffix);
    call.respondEmpty();
}

void AgentEndpoint::checks(ApiCall &call)
{
    if (const auto e = call.resolveAgentToken()) {
        call.fail(*e);
        return;
    }
    Json result = Json::object();
    const QList<AgentCheck> all = m_ctx.agent->checks();
    for (const AgentCheck &c : all) {
        const bool visible = c.check.serviceId.isEmpty() ? call.can(AclResource::Node, m_ctx.nodeName, AclAccess::Read)
                                                         : call.can(AclResource::Service, c.check.serviceName, AclAccess::Read);
        if (!visible)
            continue;
        HealthCheck h = c.check;
        // Agent-local data has no Raft indexes.
        h.createIndex = 0;
        h.modifyIndex = 0;
        result.insert(h.checkId, h.toJson());
    }
    call.respondJson(result);
}

void AgentEndpoint::registerService(ApiCall &call)
{
    QString error;
    const auto body = JsonBody::parse(call.request().body, QStringLiteral("structs.ServiceDefinition"), &error);
    if (!body) {
        call.fail(ApiError::http(400, QStringLiteral("Request decode failed: ") + error));
        return;
    }
    CatalogService service;
    service.name = stringField(*body, QStringLiteral("Name"));
    service.id = stringField(*body, QStringLiteral("ID"));
    if (service.id.isEmpty())
        service.id = service.name;
    service.address = stringField(*body, QStringLiteral("Address"));
    service.port = body->value(QStringLiteral("Port")).toInt();
    const QJsonArray tags = body->value(QStringLiteral("Tags")).toArray();
    for (const QJsonValue &t : tags)
        service.tags.append(t.toString());
    const QJsonObject meta = body->value(QStringLiteral("Meta")).toObject();
    for (auto it = meta.constBegin(); it != meta.constEnd(); ++it)
        service.meta.insert(it.key(), it.value().toString());
    if (service.name.isEmpty()) {
        call.fail(ApiError::http(400, QStringLiteral("Missing service name")));
        return;
    }
    if (const auto e = call.resolveAgentToken()) {
        call.fail(*e);
        return;
    }
    QList<QJsonObject> checkBodies;
    const QJsonValue single = body->value(QStringLiteral("Check"));
    if (single.isObject())
        checkBodies.append(single.toObject());
    const QJsonArray many = body->value(QStringLiteral("Checks")).toArray();
    for (const QJsonValue &c : many)
        checkBodies.append(c.toObject());
    QList<AgentCheck> checks;
    for (int i = 0; i < checkBodies.size(); ++i) {
        const auto cb = JsonBody::parse(QJsonDocument(checkBodies.at(i)).toJson(QJsonDocument::Compact), QStringLiteral("structs.CheckType"), &error);
        CheckType type;
        QString invalid;
        if (!cb || !decodeCheckType(*cb, &type, &error, &invalid)) {
            call.fail(invalid.isEmpty() ? ApiError::http(400, QStringLiteral("Request decode failed: ") + error)
                                        : ApiError::http(400, QStringLiteral("Invalid check: ") + invalid));
            return;
        }
        const QString status = stringField(*cb, QStringLiteral("Status"));
        if (!status.isEmpty() && !validStatus(status)) {
            call.fail(ApiError::http(400, QStringLiteral("Status for checks must 'passing', 'warning', 'critical'")));
            return;
        }
        AgentCheck c = toAgentCheck(type);
        c.check.checkId = stringField(*cb, QStringLiteral("CheckID"), QStringLiteral("ID"));
        if (c.check.checkId.isEmpty()) {
            c.check.checkId = QStringLiteral("service:") + service.id;
            if (checkBodies.size() > 1)
                c.check.checkId += QLatin1Char(':') + QString::number(i + 1);
        }
        c.check.name = stringField(*cb, QStringLiteral("Name"));
        if (c.check.name.isEmpty())
            c.check.name = QStringLiteral("Service '%1' check").arg(service.name);
        c.check.notes = stringField(*cb, QStringLiteral("Notes"));
        c.check.status = status.isEmpty() ? HealthStatus::critical() : status;
        checks.append(c);
    }
    if (const auto e = call.authorize(AclResource::Service, service.name, AclAccess::Write, false)) {
        call.fail(*e);
        return;
    }
    m_ctx.agent->registerService(service, checks);
    call.respondEmpty();
}

void AgentEndpoint::deregisterService(ApiCall &call)
{
    if (const auto e = call.resolveAgentToken()) {
        call.fail(*e);
        return;
    }
    const CatalogService *service = m_ctx.agent->service(call.suffix);
    if (!service) {
        call.fail(ApiError::http(404,
                                 QStringLiteral("Unknown service ID %1. Ensure that the service ID is passed, not the service name.")
                                     .arg(quoted(call.suffix))));
        return;
    }
    if (const auto e = call.authorize(AclResource::Service, service->name, AclAccess::Write, false)) {
        call.fail(*e);
        return;
    }
    m_ctx.agent->deregisterService(call.suffix);
    call.respondEmpty();
}

void AgentEndpoint::services(ApiCall &call)
{
    if (const auto e = call.resolveAgentToken()) {
        call.fail(*e);
        return;
    }
    Json result = Json::object();
    const QList<CatalogService> all = m_ctx.agent->services();
    for (const CatalogService &s : all) {
        if (!call.can(AclResource::Service, s.name, AclAccess::Read))
            continue;
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
        o.insert(QStringLiteral("Meta"), meta);
        o.insert(QStringLiteral("Port"), s.port);
        o.insert(QStringLiteral("Address"), s.address);
        o.insert(QStringLiteral("Weights"), weights);
        o.insert(QStringLiteral("EnableTagOverride"), false);
        o.insert(QStringLiteral("Datacenter"), m_ctx.datacenter);
        result.insert(s.id, o);
    }
    call.respondJson(result);
}

void AgentEndpoint::self(ApiCall &call)
{
    if (const auto e = call.resolveAgentToken()) {
        call.fail(*e);
        return;
    }
    if (const auto e = call.authorize(AclResource::Agent, m_ctx.nodeName, AclAccess::Read, false)) {
        call.fail(*e);
        return;
    }
    Json config = Json::object();
    config.insert(QStringLiteral("Datacenter"), m_ctx.datacenter);
    config.insert(QStringLiteral("PrimaryDatacenter"), m_ctx.datacenter);
    config.insert(QStringLiteral("NodeName"), m_ctx.nodeName);
    config.insert(QStringLiteral("NodeID"), m_ctx.nodeId);
    config.insert(QStringLiteral("Revision"), QStringLiteral("consulsim"));
    config.insert(QStringLiteral("Server"), true);
    config.insert(QStringLiteral("Version"), m_ctx.version);
    config.insert(QStringLiteral("BuildDate"), QStringLiteral("2024-01-01T00:00:00Z"));
    Json tags = Json::object();
    tags.insert(QStringLiteral("dc"), m_ctx.datacenter);
    tags.insert(QStringLiteral("role"), QStringLiteral("consul"));
    tags.insert(QStringLiteral("id"), m_ctx.nodeId);
    Json member = Json::object();
    member.insert(QStringLiteral("Name"), m_ctx.nodeName);
    member.insert(QStringLiteral("Addr"), m_ctx.advertiseAddress);
    member.insert(QStringLiteral("Port"), 8301);
    member.insert(QStringLiteral("Tags"), tags);
    member.insert(QStringLiteral("Status"), 1);
    Json result = Json::object();
    result.insert(QStringLiteral("Config"), config);
    result.insert(QStringLiteral("DebugConfig"), Json::object());
    result.insert(QStringLiteral("Coord"), Json());
    result.insert(QStringLiteral("Member"), member);
    result.insert(QStringLiteral("Stats"), Json::object());
    result.insert(QStringLiteral("Meta"), Json::object());
    result.insert(QStringLiteral("xDS"), Json());
    call.respondJson(result);
}

} // namespace jobslib::consulsim
