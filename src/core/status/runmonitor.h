// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "metrics/metricpoint.h"
#include "metrics/metricsregistry.h"
#include "runner/jobstatus.h"
#include "runner/runner.h"
#include "statusserver.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>

#include <optional>

namespace jobslib {

class Context;

/*!
 * What an operator can know about this instance, kept up to date from the runner's and the
 * backends' signals: the lock (held, holder, fencing token, acquisitions, losses, acquire latency,
 * renew failures), the runs (by status, last, next, last error) and the health of each backend.
 *
 * It feeds the status endpoint (/status, /livez, /readyz, /metrics) and, with extended metrics on,
 * pushes its lock and run series with every iteration, next to Python's two measurements. It only
 * observes: the runner does not know it exists.
 */
class JOBSLIB_EXPORT RunMonitor : public QObject
{
    Q_OBJECT
public:
    RunMonitor(Context &context, Runner &runner, bool pushExtendedMetrics, QObject *parent = nullptr);

    /*! GET /status */
    QJsonObject status() const;
    /*! GET /livez: the loop runs (the answer itself proves the event loop is not frozen). */
    HealthReport livez() const;
    /*! GET /readyz: lock, liveness and metrics backends answered their last request. */
    HealthReport readyz() const;
    /*! GET /metrics: the registry, brought up to date first. */
    QByteArray prometheusText();
    /*! The providers of a StatusServer that shows this monitor. */
    StatusServer::Providers providers();

    /*! The jobslib_* series as points, as pushed after each iteration. */
    QList<MetricPoint> extendedPoints() const;

private:
    struct Health
    {
        bool known = false; ///< the backend answered at least once
        bool ok = true;
        QString error;
        QJsonObject toJson() const;
    };

    void onStateChanged(Runner::State state);
    void onAcquired(quint64 token);
    void onIterationFinished(JobStatus status);
    void setHealth(Health &health, bool ok, const QString &error = {});
    /*! Writes the current values into the context's registry (same series as extendedPoints()). */
    void updateRegistry();
    MetricsRegistry::Labels labels(const MetricsRegistry::Labels &extra = {}) const;
    QString epochText(qint64 monotonicMs) const;

    Context &m_context;
    Runner &m_runner;
    bool m_pushExtended;

    qint64 m_acquireStartedMs = -1;
    qint64 m_iterationStartedMs = -1;
    quint64 m_heldToken = 0;
    qint64 m_acquisitions = 0;
    qint64 m_losses = 0;
    qint64 m_renewFailures = 0;
    double m_lastAcquireSeconds = 0;
    std::optional<LockOwner> m_otherHolder; ///< who held the lock when this instance last could not get it
    QMap<QString, qint64> m_runs;           ///< by status
    QString m_lastStatus;
    QDateTime m_lastRunStart;
    QDateTime m_lastRunEnd;
    double m_lastDurationSeconds = 0;
    QDateTime m_lastSuccess;
    QString m_lastError;
    Health m_lock;
    Health m_liveness;
};

} // namespace jobslib
