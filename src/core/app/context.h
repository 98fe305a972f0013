// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "config/config.h"
#include "metrics/metricpoint.h"
#include "metrics/metricsregistry.h"

#include <QObject>
#include <QVariantMap>

#include <memory>

class QNetworkAccessManager;

namespace jobslib {

class BackendRegistry;
class Clock;
class KvStore;
class LivenessBackend;
class LockBackend;
class MetricsBackend;

/*!
 * The shared resources of one runjob process: configuration, identity, clock, network access
 * and the three backends (created on first use from the backend registry). Applications
 * subclass it to add their own resources and override initialize(). No global singletons:
 * whoever needs something gets it from here.
 */
class JOBSLIB_EXPORT Context : public QObject
{
    Q_OBJECT
public:
    Context(const Config &config, const BackendRegistry &backends, QObject *parent = nullptr);
    ~Context() override;

    /*! Hook called once after construction, before any backend is used. */
    virtual void initialize();

    const Config &config() const { return m_config; }
    const BackendRegistry &backends() const { return m_backends; }

    QString fqdn() const { return m_fqdn; }
    QString datacenter() const;
    /*! "fqdn:pid": unique among the running instances. */
    QString instanceId() const;
    /*! The running task's name: the `task` tag of metrics and the default lock file name. */
    QString taskName() const { return m_taskName; }
    void setTaskName(const QString &name) { m_taskName = name; }

    Clock &clock() const { return *m_clock; }
    void setClock(std::unique_ptr<Clock> clock);

    /*! One QNetworkAccessManager for every backend of this process. */
    QNetworkAccessManager *network();

    LockBackend *lock();
    LivenessBackend *liveness();
    MetricsBackend *metrics();
    /*!
     * The key-value store behind the lock (Consul KV or etcd), for what sits beside the lock key:
     * handover requests and the action log. Made on first use from the lock's own options
     * (address, token, TLS), so it reaches exactly the server the lock does; nullptr when the
     * lock backend has no store (file, dummy, --disable-one-instance) or its options cannot make one.
     */
    KvStore *kvStore();
    /*! Replace the store (tests); nullptr disables what needs one. */
    void setKvStore(std::shared_ptr<KvStore> store);
    /*! Replace a backend (tests, applications with a backend of their own). Takes ownership. */
    void setLock(LockBackend *lock);
    void setLiveness(LivenessBackend *liveness);
    void setMetrics(MetricsBackend *metrics);

    /*!
     * Python's context.metrics.push(dict): {"name": {"value": 1.5, "tags": {"k": "v"}}}. Adds the
     * `task` tag (reserved: a metric that sets it is refused) and the time. Safe to call from a
     * task's worker thread. Returns false (and logs why) for a malformed dict.
     */
    bool pushMetrics(const QVariantMap &metrics);
    void pushPoints(QList<MetricPoint> points);
    /*! The current value of every series pushed so far and the runner's own: what /metrics shows. */
    MetricsRegistry &metricsRegistry() { return m_registry; }

private:
    Config m_config;
    const BackendRegistry &m_backends;
    QString m_fqdn;
    QString m_taskName;
    std::unique_ptr<Clock> m_clock;
    QNetworkAccessManager *m_network = nullptr;
    LockBackend *m_lock = nullptr;
    LivenessBackend *m_liveness = nullptr;
    MetricsBackend *m_metrics = nullptr;
    std::shared_ptr<KvStore> m_kvStore;
    bool m_kvStoreMade = false; ///< made (or failed to) once: a failure is logged once, not at every use
    MetricsRegistry m_registry;
};

/*! The host's fully qualified name the way Python's socket.getfqdn() finds it. */
JOBSLIB_EXPORT QString localFqdn();

} // namespace jobslib
