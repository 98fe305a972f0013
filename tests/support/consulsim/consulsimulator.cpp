// SPDX-License-Identifier: BSD-3-Clause
#include "consulsimulator.h"

#include "agent.h"
#include "apicall.h"
#include "blockingqueries.h"
#include "controlendpoint.h"
#include "goduration.h"
#include "httpexchange.h"
#include "httpserver.h"
#include "router.h"
#include "sessiontimers.h"
#include "statestore.h"

#include <QHostInfo>
#include <QTimer>
#include <QUuid>

namespace jobslib::consulsim {

namespace {

QString defaultNodeName()
{
    const QString host = QHostInfo::localHostName();
    return host.isEmpty() ? QStringLiteral("consulsim") : host;
}

} // namespace

ConsulSimulator::ConsulSimulator(QObject *parent)
    : ConsulSimulator(Options(), parent)
{
}

ConsulSimulator::ConsulSimulator(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_ctx(std::make_unique<ServerContext>())
    , m_server(new HttpServer(this))
    , m_faults(new FaultInjector(this))
    , m_acl(std::make_unique<Acl>())
{
    if (m_options.nodeName.isEmpty())
        m_options.nodeName = defaultNodeName();
    const QString nodeId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString advertise = m_options.bindAddress.isLoopback() || m_options.bindAddress == QHostAddress(QHostAddress::Any)
        ? QStringLiteral("127.0.0.1")
        : m_options.bindAddress.toString();

    StateStore::Options storeOptions;
    storeOptions.nodeName = m_options.nodeName;
    storeOptions.nodeAddress = advertise;
    storeOptions.nodeId = nodeId;
    storeOptions.initialIndex = m_options.initialIndex;
    storeOptions.lockDelayCapNs = m_options.lockDelayCapMs * goduration::Millisecond;
    storeOptions.tombstoneTtlMs = m_options.tombstoneTtlMs;
    m_store = new StateStore(storeOptions, this);
    m_timers = new SessionTimers(m_store, m_options.ttlMultiplier, this);
    Agent::Options agentOptions;
    agentOptions.checkUpdateIntervalMs = m_options.checkUpdateIntervalMs;
    agentOptions.reapIntervalMs = m_options.checkReapIntervalMs;
    agentOptions.deregisterMinimumMs = m_options.deregisterCriticalMinimumMs;
    m_agent = new Agent(m_store, agentOptions, this);
    BlockingQueries::Options queryOptions;
    queryOptions.defaultWaitMs = m_options.defaultQueryWaitMs;
    queryOptions.maxWaitMs = m_options.maxQueryWaitMs;
    m_queries = new BlockingQueries(m_store, queryOptions, this);
    if (!m_options.aclMasterToken.isEmpty())
        m_acl->enable(m_options.aclMasterToken);

    m_ctx->datacenter = m_options.datacenter;
    m_ctx->nodeName = m_options.nodeName;
    m_ctx->nodeId = nodeId;
    m_ctx->advertiseAddress = advertise;
    m_ctx->version = QStringLiteral("1.17.0");
    m_ctx->sessionTtlMinNs = m_options.sessionTtlMinMs * goduration::Millisecond;
    m_ctx->rpcErrorPrefix = m_options.rpcErrorPrefix;
    m_ctx->store = m_store;
    m_ctx->timers = m_timers;
    m_ctx->agent = m_agent;
    m_ctx->acl = m_acl.get();
    m_ctx->queries = m_queries;
    m_router = std::make_unique<Router>(*m_ctx);
    m_control = std::make_unique<ControlEndpoint>(this);

    connect(m_server, &HttpServer::requestReceived, this, &ConsulSimulator::onRequest);
}

ConsulSimulator::~ConsulSimulator()
{
    m_server->close();
}

bool ConsulSimulator::start(QString *error)
{
    return m_server->listen(m_options.bindAddress, m_options.port, error);
}

void ConsulSimulator::stop()
{
    m_server->close();
}

bool ConsulSimulator::isRunning() const
{
    return m_server->port() != 0;
}

quint16 ConsulSimulator::port() const
{
    return m_server->port();
}

QString ConsulSimulator::address() const
{
    return m_ctx->advertiseAddress + QLatin1Char(':') + QString::number(port());
}

QUrl ConsulSimulator::baseUrl() const
{
    return QUrl(QStringLiteral("http://") + address());
}

QString ConsulSimulator::nodeName() const
{
    return m_options.nodeName;
}

void ConsulSimulator::onRequest(HttpExchange *exchange)
{
    if (exchange->request().path.startsWith(QLatin1String("/_sim/")) || exchange->request().path == QLatin1String("/_sim")) {
        m_control->handle(exchange);
        return;
    }
    const FaultInjector::Decision d = m_faults->decide(exchange->request());
    QString fault;
    if (d.blackhole)
        fault = QStringLiteral("blackhole");
    else if (d.drop)
        fault = QStringLiteral("drop");
    else if (d.failure)
        fault = QStringLiteral("fail");
    else if (d.delayBeforeMs > 0 || d.delayAfterMs > 0)
        fault = QStringLiteral("delay");
    m_faults->log(exchange, fault);
    if (d.blackhole)
        return; // read, never answered; the client's timeout is all that ends it
    if (d.delayAfterMs > 0)
        exchange->setResponseDelay(d.delayAfterMs);
    QPointer<HttpExchange> guard(exchange);
    const auto proceed = [this, guard, d] {
        if (!guard)
            return;
        if (d.drop) {
            guard->drop();
        } else if (d.failure) {
            HttpResponse r = *d.failure;
            ApiCall::addCommonHeaders(*m_ctx, r);
            guard->respond(r);
        } else {
            route(guard);
        }
    };
    if (d.delayBeforeMs > 0)
        QTimer::singleShot(d.delayBeforeMs, Qt::PreciseTimer, exchange, proceed);
    else
        proceed();
}

void ConsulSimulator::route(HttpExchange *exchange)
{
    m_router->handle(exchange);
}

void ConsulSimulator::failNext(int count, int status, const QByteArray &body, const QString &pathPrefix, const QByteArray &method)
{
    m_faults->failNext(count, status, body, pathPrefix, method);
}

void ConsulSimulator::dropNext(int count, const QString &pathPrefix, const QByteArray &method)
{
    m_faults->failNext(count, 0, {}, pathPrefix, method);
}

void ConsulSimulator::setResponseDelay(int ms, const QString &pathPrefix, FaultInjector::DelayPoint point)
{
    m_faults->setDelay(ms, pathPrefix, point);
}

void ConsulSimulator::setBlackhole(bool on, const QString &pathPrefix)
{
    m_faults->setBlackhole(on, pathPrefix);
}

void ConsulSimulator::clearFaults()
{
    m_faults->clear();
}

void ConsulSimulator::loseAllSessions()
{
    m_store->invalidateAllSessions();
}

void ConsulSimulator::rewindIndex(quint64 by)
{
    m_store->rewindIndex(by);
}

void ConsulSimulator::setTtlMultiplier(double multiplier)
{
    m_timers->setMultiplier(multiplier);
}

double ConsulSimulator::ttlMultiplier() const
{
    return m_timers->multiplier();
}

void ConsulSimulator::setLeader(bool leader)
{
    if (leader == m_ctx->leader)
        return;
    m_ctx->leader = leader;
    if (!leader)
        m_ctx->leaderLost.start();
    else
        m_ctx->leaderLost.invalidate();
    m_timers->setLeader(leader);
    m_agent->setLeader(leader);
}

bool ConsulSimulator::hasLeader() const
{
    return m_ctx->leader;
}

void ConsulSimulator::electLeader()
{
    setLeader(true);
    m_timers->rearmAll();
}

void ConsulSimulator::setNodeHealth(const QString &status)
{
    const HealthCheck *serf = m_store->check(serfCheckId());
    if (!serf)
        return;
    HealthCheck c = *serf;
    c.status = status;
    c.output = status == HealthStatus::critical() ? QStringLiteral("Agent not live or unreachable") : QStringLiteral("Agent alive and reachable");
    m_store->ensureCheck(c);
}

void ConsulSimulator::setRpcErrorPrefix(bool on)
{
    m_ctx->rpcErrorPrefix = on;
}

void ConsulSimulator::dropConnections()
{
    m_server->dropConnections();
}

void ConsulSimulator::setAclToken(const AclToken &token)
{
    m_acl->setToken(token);
}

bool ConsulSimulator::removeAclToken(const QString &secretId)
{
    return m_acl->removeToken(secretId);
}

QList<AclToken> ConsulSimulator::aclTokens() const
{
    return m_acl->tokens();
}

QList<LoggedRequest> ConsulSimulator::requestLog() const
{
    return m_faults->requestLog();
}

void ConsulSimulator::clearRequestLog()
{
    m_faults->clearLog();
}

void ConsulSimulator::reset()
{
    m_faults->clear();
    m_faults->clearLog();
    m_timers->clear();
    m_agent->reset();
    setLeader(true);
    m_timers->setMultiplier(m_options.ttlMultiplier);
    m_ctx->rpcErrorPrefix = m_options.rpcErrorPrefix;
    m_acl->resetTokens();
    m_store->reset();
}

StateStore *ConsulSimulator::store() const
{
    return m_store;
}

Agent *ConsulSimulator::agent() const
{
    return m_agent;
}

SessionTimers *ConsulSimulator::sessionTimers() const
{
    return m_timers;
}

BlockingQueries *ConsulSimulator::blockingQueries() const
{
    return m_queries;
}

int ConsulSimulator::connectionCount() const
{
    return m_server->connectionCount();
}

} // namespace jobslib::consulsim
