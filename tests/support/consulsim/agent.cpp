// SPDX-License-Identifier: BSD-3-Clause
#include "agent.h"

#include "statestore.h"

#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <utility>

namespace jobslib::consulsim {

namespace {

int clampMs(qint64 ms)
{
    return int(std::clamp<qint64>(ms, 0, std::numeric_limits<int>::max()));
}

} // namespace

Agent::Agent(StateStore *store, const Options &options, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_options(options)
    , m_reapTimer(new QTimer(this))
{
    m_clock.start();
    connect(m_reapTimer, &QTimer::timeout, this, &Agent::reapCritical);
    m_reapTimer->start(clampMs(m_options.reapIntervalMs));
}

Agent::~Agent()
{
    reset();
}

void Agent::destroyState(CheckState &state)
{
    delete state.ttlTimer;
    delete state.deferTimer;
    state.ttlTimer = nullptr;
    state.deferTimer = nullptr;
}

void Agent::reset()
{
    for (CheckState &s : m_checks)
        destroyState(s);
    m_checks.clear();
    m_services.clear();
    m_dirtyChecks.clear();
    m_dirtyServices.clear();
}

void Agent::registerCheck(const AgentCheck &check)
{
    const QString id = check.check.checkId;
    if (m_checks.contains(id))
        destroyState(m_checks[id]);
    CheckState state;
    state.def = check;
    state.def.check.node = m_store->nodeName();
    if (state.def.check.status == HealthStatus::critical())
        state.criticalSinceMs = m_clock.elapsed();
    if (check.ttlNs > 0) {
        state.ttlTimer = new QTimer(this);
        state.ttlTimer->setSingleShot(true);
        state.ttlTimer->setTimerType(Qt::PreciseTimer);
        connect(state.ttlTimer, &QTimer::timeout, this, [this, id] { onTtlExpired(id); });
        state.ttlTimer->start(clampMs(check.ttlNs / 1000000));
    }
    m_checks.insert(id, state);
    sync(id);
}

Agent::UpdateResult Agent::updateTtlCheck(const QString &checkId, const QString &status, const QString &output)
{
    const auto it = m_checks.find(checkId);
    if (it == m_checks.end())
        return UpdateResult::UnknownCheck;
    if (!it->ttlTimer)
        return UpdateResult::NotTtl;
    QString out = output;
    const QByteArray bytes = output.toUtf8();
    const int max = it->def.outputMaxSize;
    if (bytes.size() > max)
        out = QString::fromUtf8(bytes.left(max)) + QStringLiteral(" ... (captured %1 of %2 bytes)").arg(max).arg(bytes.size());
    it->lastOutput = out;
    it->ttlTimer->start(clampMs(it->def.ttlNs / 1000000));
    setStatus(*it, status, out);
    return UpdateResult::Ok;
}

void Agent::onTtlExpired(const QString &checkId)
{
    const auto it = m_checks.find(checkId);
    if (it == m_checks.end())
        return;
    const QString output = it->lastOutput.isEmpty()
        ? QStringLiteral("TTL expired")
        : QStringLiteral("TTL expired (last output before timeout follows): ") + it->lastOutput;
    // The timer is not re-armed until the next update.
    setStatus(*it, HealthStatus::critical(), output);
}

void Agent::setStatus(CheckState &state, const QString &status, const QString &output)
{
    if (status == HealthStatus::critical()) {
        if (state.criticalSinceMs < 0)
            state.criticalSinceMs = m_clock.elapsed();
    } else {
        state.criticalSinceMs = -1;
    }
    HealthCheck &c = state.def.check;
    if (c.status == status && c.output == output)
        return;
    const QString id = c.checkId;
    if (c.status == status && m_options.checkUpdateIntervalMs > 0) {
        // Output-only changes reach the servers later (interval/2 + up to interval of stagger).
        c.output = output;
        if (!state.deferTimer) {
            state.deferTimer = new QTimer(this);
            state.deferTimer->setSingleShot(true);
            connect(state.deferTimer, &QTimer::timeout, this, [this, id] { sync(id); });
        }
        if (!state.deferTimer->isActive()) {
            const qint64 d = m_options.checkUpdateIntervalMs;
            state.deferTimer->start(clampMs(d / 2 + qint64(QRandomGenerator::global()->bounded(double(d)))));
        }
        return;
    }
    c.status = status;
    c.output = output;
    if (state.deferTimer)
        state.deferTimer->stop();
    sync(id);
}

bool Agent::deregisterCheck(const QString &checkId)
{
    const auto it = m_checks.find(checkId);
    if (it == m_checks.end())
        return false;
    destroyState(*it);
    m_checks.erase(it);
    m_dirtyChecks.remove(checkId);
    if (m_leader)
        m_store->deleteCheck(checkId);
    else
        m_dirtyChecks.insert(checkId); // a deletion pending
    return true;
}

const AgentCheck *Agent::check(const QString &checkId) const
{
    const auto it = m_checks.constFind(checkId);
    return it == m_checks.constEnd() ? nullptr : &it->def;
}

QList<AgentCheck> Agent::checks() const
{
    QList<AgentCheck> result;
    for (const CheckState &s : m_checks)
        result.append(s.def);
    return result;
}

void Agent::registerService(const CatalogService &service, const QList<AgentCheck> &checks)
{
    m_services.insert(service.id, service);
    syncService(service.id);
    for (AgentCheck c : checks) {
        c.check.serviceId = service.id;
        c.check.serviceName = service.name;
        c.check.serviceTags = service.tags;
        registerCheck(c);
    }
}

bool Agent::deregisterService(const QString &serviceId)
{
    if (!m_services.contains(serviceId))
        return false;
    m_services.remove(serviceId);
    QStringList doomed;
    for (const CheckState &s : std::as_const(m_checks)) {
        if (s.def.check.serviceId == serviceId)
            doomed.append(s.def.check.checkId);
    }
    for (const QString &id : std::as_const(doomed)) {
        destroyState(m_checks[id]);
        m_checks.remove(id);
        m_dirtyChecks.remove(id);
    }
    m_dirtyServices.remove(serviceId);
    if (m_leader)
        m_store->deleteService(serviceId);
    else
        m_dirtyServices.insert(serviceId);
    return true;
}

const CatalogService *Agent::service(const QString &serviceId) const
{
    const auto it = m_services.constFind(serviceId);
    return it == m_services.constEnd() ? nullptr : &it.value();
}

QList<CatalogService> Agent::services() const
{
    return m_services.values();
}

void Agent::sync(const QString &checkId)
{
    if (!m_leader) {
        m_dirtyChecks.insert(checkId);
        return;
    }
    const auto it = m_checks.constFind(checkId);
    if (it == m_checks.constEnd()) {
        m_store->deleteCheck(checkId);
        return;
    }
    m_store->ensureCheck(it->def.check);
}

void Agent::syncService(const QString &serviceId)
{
    if (!m_leader) {
        m_dirtyServices.insert(serviceId);
        return;
    }
    const auto it = m_services.constFind(serviceId);
    if (it == m_services.constEnd())
        m_store->deleteService(serviceId);
    else
        m_store->ensureService(it.value());
}

void Agent::setLeader(bool leader)
{
    m_leader = leader;
    if (!leader)
        return;
    const QSet<QString> services = std::exchange(m_dirtyServices, {});
    for (const QString &id : services)
        syncService(id);
    const QSet<QString> checks = std::exchange(m_dirtyChecks, {});
    for (const QString &id : checks)
        sync(id);
}

void Agent::reapCritical()
{
    const qint64 now = m_clock.elapsed();
    QSet<QString> doomed;
    for (const CheckState &s : std::as_const(m_checks)) {
        const AgentCheck &c = s.def;
        if (c.check.serviceId.isEmpty() || c.deregisterCriticalAfterNs <= 0 || s.criticalSinceMs < 0)
            continue;
        const qint64 timeoutMs = std::max(c.deregisterCriticalAfterNs / 1000000, m_options.deregisterMinimumMs);
        if (now - s.criticalSinceMs > timeoutMs)
            doomed.insert(c.check.serviceId);
    }
    for (const QString &id : std::as_const(doomed))
        deregisterService(id);
}

} // namespace jobslib::consulsim
