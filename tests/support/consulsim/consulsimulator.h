// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "acl.h"
#include "faultinjector.h"

#include <QHostAddress>
#include <QObject>
#include <QUrl>

#include <memory>

namespace jobslib::consulsim {

class Agent;
class BlockingQueries;
class ControlEndpoint;
class HttpExchange;
class HttpServer;
class Router;
class SessionTimers;
class StateStore;
struct ServerContext;

/*!
 * A Consul agent and single-server cluster in one object, speaking Consul's HTTP API on a
 * loopback port as described in ../shared/reference/consul-http-api.md: sessions, KV with
 * locks, blocking queries, agent TTL checks, health and status endpoints, ACL tokens. Tests
 * drive faults through this class or through the HTTP control API under /_sim/ (README.md).
 *
 * Everything runs on the thread's event loop; nothing blocks.
 */
class ConsulSimulator : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QHostAddress bindAddress = QHostAddress(QHostAddress::LocalHost);
        /*! 0 picks a free port. */
        quint16 port = 0;
        QString datacenter = QStringLiteral("dc1");
        /*! The agent's node name; empty means the host name, as Consul defaults it. */
        QString nodeName;
        /*! Sessions expire after TTL x this (Consul: 2). */
        double ttlMultiplier = 2.0;
        /*! Non-empty: ACLs on with default policy deny, and this is the management token. */
        QString aclMasterToken;
        /*! MaxLockDelay (Consul: 60 s). */
        qint64 lockDelayCapMs = 60 * 1000;
        /*! session_ttl_min (Consul: 10 s). */
        qint64 sessionTtlMinMs = 10 * 1000;
        /*! default_query_time and max_query_time of blocking queries. */
        qint64 defaultQueryWaitMs = 5 * 60 * 1000;
        qint64 maxQueryWaitMs = 10 * 60 * 1000;
        /*! check_update_interval: delay before output-only check changes reach /v1/health. */
        qint64 checkUpdateIntervalMs = 5 * 60 * 1000;
        /*! How often critical service checks are checked for DeregisterCriticalServiceAfter (Consul: 30 s). */
        qint64 checkReapIntervalMs = 30 * 1000;
        /*! The smallest DeregisterCriticalServiceAfter honoured (Consul: 1 min). */
        qint64 deregisterCriticalMinimumMs = 60 * 1000;
        /*! tombstone_ttl. */
        qint64 tombstoneTtlMs = 15 * 60 * 1000;
        /*! The Raft index of the cluster's bootstrap writes; user writes come after it. */
        quint64 initialIndex = 10;
        /*! Server errors prefixed "rpc error making call: ", as seen through a client agent. */
        bool rpcErrorPrefix = false;
    };

    explicit ConsulSimulator(QObject *parent = nullptr);
    explicit ConsulSimulator(const Options &options, QObject *parent = nullptr);
    ~ConsulSimulator() override;

    /*! Starts listening; false with the reason in *error. */
    bool start(QString *error = nullptr);
    /*! Answers no more: drops every connection and stops listening. */
    void stop();
    bool isRunning() const;
    quint16 port() const;
    /*! "127.0.0.1:PORT", the form of CONSUL_HTTP_ADDR. */
    QString address() const;
    QUrl baseUrl() const;
    const Options &options() const { return m_options; }
    QString nodeName() const;
    QString datacenter() const { return m_options.datacenter; }

    // ---- Fault controls
    /*! The next count requests (matching pathPrefix and method, when given) get status and body. */
    void failNext(int count, int status = 500, const QByteArray &body = {}, const QString &pathPrefix = {}, const QByteArray &method = {});
    /*! The next count matching requests have their connection closed without an answer. */
    void dropNext(int count, const QString &pathPrefix = {}, const QByteArray &method = {});
    /*! Delays answers to matching requests by ms (0 turns it off). */
    void setResponseDelay(int ms, const QString &pathPrefix = {}, FaultInjector::DelayPoint point = FaultInjector::DelayPoint::BeforeHandling);
    /*! Accepts connections and reads requests but answers none (matching pathPrefix, when given). */
    void setBlackhole(bool on, const QString &pathPrefix = {});
    /*! Removes failures, delay and blackhole. */
    void clearFaults();
    /*! Every session invalidated at once: locks released (or deleted), lock-delay started. */
    void loseAllSessions();
    /*! Every Raft index moves back by `by`, as after restoring an older, renumbered snapshot. */
    void rewindIndex(quint64 by);
    void setTtlMultiplier(double multiplier);
    double ttlMultiplier() const;
    /*! No leader: server requests fail with "No cluster leader", session timers stop. */
    void setLeader(bool leader);
    bool hasLeader() const;
    /*! A leader election: every session's TTL timer starts again. */
    void electLeader();
    /*! The node's serfHealth check (critical invalidates the sessions bound to it). */
    void setNodeHealth(const QString &status);
    void setRpcErrorPrefix(bool on);
    /*! Closes every client connection (parked blocking queries included). */
    void dropConnections();

    // ---- ACL tokens (ACLs must be on)
    void setAclToken(const AclToken &token);
    bool removeAclToken(const QString &secretId);
    QList<AclToken> aclTokens() const;

    // ---- Request log
    QList<LoggedRequest> requestLog() const;
    void clearRequestLog();

    /*! Back to a freshly started simulator: state, faults, log, tokens, leader, multiplier. */
    void reset();

    // ---- Direct access for tests
    StateStore *store() const;
    Agent *agent() const;
    SessionTimers *sessionTimers() const;
    BlockingQueries *blockingQueries() const;
    FaultInjector *faults() const { return m_faults; }
    int connectionCount() const;

private:
    void onRequest(HttpExchange *exchange);
    void route(HttpExchange *exchange);

    Options m_options;
    std::unique_ptr<ServerContext> m_ctx;
    HttpServer *m_server;
    StateStore *m_store;
    SessionTimers *m_timers;
    Agent *m_agent;
    BlockingQueries *m_queries;
    FaultInjector *m_faults;
    std::unique_ptr<Acl> m_acl;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<ControlEndpoint> m_control;
};

} // namespace jobslib::consulsim
