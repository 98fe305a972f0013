// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "config/optiontable.h"

#include <QList>

#include <functional>

class QObject;

namespace jobslib {

class Config;
class Context;
class LivenessBackend;
class LockBackend;
class MetricsBackend;

/*! The three groups of backends, each with its own `backend` option. */
enum class BackendKind {
    Lock,     ///< [one_instance]: LockBackend
    Liveness, ///< [liveness]: LivenessBackend
    Metrics,  ///< [metrics]: MetricsBackend
};

/*!
 * A backend as the registry knows it: its name, the Python class names that mean it, its options
 * (declared relative to its section, e.g. "path" for [one_instance.file]) and a factory.
 */
struct JOBSLIB_EXPORT BackendDescriptor
{
    BackendKind kind = BackendKind::Lock; ///< which group it belongs to
    QString name;                         ///< the value of `<group>.backend` that selects it ("consul")
    QStringList aliases;                  ///< other values that mean it, such as Python class names
    QString doc;                          ///< one paragraph for the configuration reference
    QList<OptionSpec> options;            ///< its options, named relative to `<group>.<name>.`
    /*! Builds the backend for \a context; must return a LockBackend, LivenessBackend or MetricsBackend as #kind says. */
    std::function<QObject *(Context &)> create;
    /*! Checks that go beyond one option's rule (addresses, files, combinations); "" when fine. */
    std::function<QString(const Config &)> validate;
    /*!
     * For lock backends: plain-words failover behaviour for `runjob --explain`, for a task that
     * may run for taskStopMs after the lock is found lost (RunnerSettings::taskStopMs()).
     */
    std::function<QString(const Config &, qint64 taskStopMs)> explain;
    /*!
     * For lock backends on a server-side lease: the option holding its TTL in seconds
     * ("one_instance.consul.ttl"); validate() checks that the lease leaves time to renew it.
     */
    QString leaseTtlOption;

    /*! A descriptor with the identifying fields set; options, create and the hooks are added after. */
    static BackendDescriptor make(BackendKind kind, const QString &name, const QString &doc, const QStringList &aliases = {});
};

/*!
 * Which lock, liveness and metrics backends exist. It declares the `backend` choice of each group
 * and every backend's options into the option table, and builds the selected backends.
 */
class JOBSLIB_EXPORT BackendRegistry
{
public:
    /*! Every backend built into libjobslib: dummy and file for all three groups, consul and etcd locks and liveness, influxdb metrics. */
    static BackendRegistry builtins();

    /*! Registers a backend; one of the same kind and name is replaced (an application may override a built-in). */
    void add(const BackendDescriptor &descriptor);
    /*! The backend of \a kind called \a name (not an alias), or nullptr. The pointer is valid until the next add(). */
    const BackendDescriptor *find(BackendKind kind, const QString &name) const;
    /*! The backends of \a kind in the order they were added. */
    QList<BackendDescriptor> backends(BackendKind kind) const;

    /*!
     * Declares each group's `backend` choice (with the aliases and Python class names) and every
     * backend's options, active only while that backend is selected.
     */
    void declareOptions(OptionTable &table) const;
    /*!
     * Runs the selected backends' validate(); the first error, or "". \a taskStopMs is how long
     * the task may run after its lock is lost (LockBackend::setTaskStopMs()): a lease lock's TTL
     * must leave LeaseKeeper::MinWindowMs for renewals after LeaseKeeper::marginMs() of it.
     */
    QString validate(const Config &config, qint64 taskStopMs = 0) const;

    /*! Builds the lock backend that `one_instance.backend` selects; the caller owns it. */
    LockBackend *createLock(Context &context) const;
    /*! Builds the liveness backend that `liveness.backend` selects; the caller owns it. */
    LivenessBackend *createLiveness(Context &context) const;
    /*! Builds the metrics backend that `metrics.backend` selects; the caller owns it. */
    MetricsBackend *createMetrics(Context &context) const;

    /*! "one_instance", "liveness", "metrics" */
    static QString groupName(BackendKind kind);

private:
    QObject *create(BackendKind kind, Context &context) const;
    QList<BackendDescriptor> m_backends;
};

} // namespace jobslib
