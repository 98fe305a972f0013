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
    /*!
     * A context for \a config whose backends come from \a backends (which must outlive it). The
     * host name is the `fqdn` option or, when it is empty, localFqdn(). Creates no backend yet.
     */
    Context(const Config &config, const BackendRegistry &backends, QObject *parent = nullptr);
    ~Context() override;

    /*! Hook called once after construction, before any backend is used. */
    virtual void initialize();

    /*! The effective settings of this process (file, environment and command line merged). */
    const Config &config() const { return m_config; }
    /*! The registry the backends are built from. */
    const BackendRegistry &backends() const { return m_backends; }

    /*! This host's name as written into the lock and liveness records (`fqdn` option, or localFqdn()). */
    QString fqdn() const { return m_fqdn; }
    /*! The `datacenter` option: written into the records and used as a metrics tag; may be empty. */
    QString datacenter() const;
    /*! "fqdn:pid": unique among the running instances. */
    QString instanceId() const;
    /*! The running task's name: the `task` tag of metrics and the default lock file name. */
    QString taskName() const { return m_taskName; }
    /*! Set by the launcher from the task's name() before the backends are made. */
    void setTaskName(const QString &name) { m_taskName = name; }

    /*! Wall and monotonic time for everything of this process; replaceable so tests can move time. */
    Clock &clock() const { return *m_clock; }
    /*! Replaces the clock (tests); call before any backend is made, they keep a reference. */
    void setClock(std::unique_ptr<Clock> clock);

    /*! One QNetworkAccessManager for every backend of this process. */
    QNetworkAccessManager *network();

    /*! The one-instance lock, made on first use by the backend registry from `one_instance.backend`. */
    LockBackend *lock();
    /*! The liveness backend, made on first use from `liveness.backend`. */
    LivenessBackend *liveness();
    /*! The metrics backend, made on first use from `metrics.backend`. */
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
    /*! Replace the liveness backend, as setLock(). Takes ownership. */
    void setLiveness(LivenessBackend *liveness);
    /*! Replace the metrics backend, as setLock(). Takes ownership. */
    void setMetrics(MetricsBackend *metrics);

    /*!
     * Python's context.metrics.push(dict): {"name": {"value": 1.5, "tags": {"k": "v"}}}. Adds the
     * `task` tag (reserved: a metric that sets it is refused) and the time. Safe to call from a
     * task's worker thread. Returns false (and logs why) for a malformed dict.
     */
    bool pushMetrics(const QVariantMap &metrics);
    /*!
     * Pushes ready-made points: adds the `task` tag and, to points without one, the push time in
     * whole seconds (as Python). Thread-safe: the backend gets them on the context's thread.
     */
    void pushPoints(QList<MetricPoint> points);
    /*!
     * As pushPoints(), but the points only go to the metrics backend, not into metricsRegistry():
     * for series that the caller keeps in the registry itself under other labels (runjob's
     * extended series carry a `host` tag in InfluxDB, where nothing else tells instances apart,
     * and none in Prometheus, which labels every target with its `instance`).
     */
    void sendPoints(QList<MetricPoint> points);
    /*! The current value of every series pushed so far and the runner's own: what /metrics shows. */
    MetricsRegistry &metricsRegistry() { return m_registry; }

private:
    void deliverPoints(QList<MetricPoint> points, bool toRegistry);

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
