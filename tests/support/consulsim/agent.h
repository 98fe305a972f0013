// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "model.h"

#include <QElapsedTimer>
#include <QMap>
#include <QObject>
#include <QSet>

class QTimer;

namespace jobslib::consulsim {

class StateStore;

/*! A check registered with the local agent (/v1/agent/check/register). */
struct AgentCheck
{
    HealthCheck check;
    /*! TTL in nanoseconds; 0 for the check types the simulator does not run. */
    qint64 ttlNs = 0;
    int outputMaxSize = 4096;
    qint64 deregisterCriticalAfterNs = 0;
};

/*!
 * The local agent's view of its checks and services and its sync to the catalog
 * (agent/local/state.go, agent/checks/check.go): a TTL check turns critical when no update
 * arrives within its TTL (multiplier 1, unlike sessions); a status change reaches the catalog
 * (and so sessions bound to the check) at once, an output-only change only after
 * check_update_interval; DeregisterCriticalServiceAfter reaps services whose check stayed
 * critical too long.
 */
class Agent : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        /*! check_update_interval: how long an output-only change waits before it reaches the catalog. */
        qint64 checkUpdateIntervalMs = 5 * 60 * 1000;
        /*! How often critical service checks are looked at for DeregisterCriticalServiceAfter. */
        qint64 reapIntervalMs = 30 * 1000;
        /*! The smallest DeregisterCriticalServiceAfter the agent honours. */
        qint64 deregisterMinimumMs = 60 * 1000;
    };

    enum class UpdateResult { Ok, UnknownCheck, NotTtl };

    Agent(StateStore *store, const Options &options, QObject *parent = nullptr);
    ~Agent() override;

    /*! Registers (or replaces) a check; a TTL check's timer starts now. */
    void registerCheck(const AgentCheck &check);
    /*! pass/warn/fail/update: status and output (truncated to OutputMaxSize), TTL timer restarted. */
    UpdateResult updateTtlCheck(const QString &checkId, const QString &status, const QString &output);
    bool deregisterCheck(const QString &checkId);
    const AgentCheck *check(const QString &checkId) const;
    QList<AgentCheck> checks() const;

    void registerService(const CatalogService &service, const QList<AgentCheck> &checks);
    bool deregisterService(const QString &serviceId);
    const CatalogService *service(const QString &serviceId) const;
    QList<CatalogService> services() const;

    /*! Without a leader the catalog cannot be written; changes wait and go out when one returns. */
    void setLeader(bool leader);
    /*! Forgets every check and service (the catalog is reset separately). */
    void reset();

private:
    struct CheckState
    {
        AgentCheck def;
        QString lastOutput;
        QTimer *ttlTimer = nullptr;
        QTimer *deferTimer = nullptr;
        qint64 criticalSinceMs = -1;
    };

    void sync(const QString &checkId);
    void syncService(const QString &serviceId);
    void onTtlExpired(const QString &checkId);
    void setStatus(CheckState &state, const QString &status, const QString &output);
    void reapCritical();
    void destroyState(CheckState &state);

    StateStore *m_store;
    Options m_options;
    QMap<QString, CheckState> m_checks;
    QMap<QString, CatalogService> m_services;
    bool m_leader = true;
    QSet<QString> m_dirtyChecks;
    QSet<QString> m_dirtyServices;
    QTimer *m_reapTimer;
    QElapsedTimer m_clock;
};

} // namespace jobslib::consulsim
