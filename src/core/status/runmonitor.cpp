// SPDX-License-Identifier: BSD-3-Clause
#include "runmonitor.h"

#include "app/context.h"
#include "jobslib_version.h"
#include "liveness/livenessbackend.h"
#include "lock/lockbackend.h"
#include "metrics/metricsbackend.h"
#include "util/clock.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QMetaEnum>

namespace jobslib {

namespace Series {
const QString Held = QStringLiteral("jobslib_lock_held");
const QString Acquisitions = QStringLiteral("jobslib_lock_acquisitions_total");
const QString Losses = QStringLiteral("jobslib_lock_losses_total");
const QString AcquireSeconds = QStringLiteral("jobslib_lock_acquire_seconds");
const QString RenewFailures = QStringLiteral("jobslib_lock_renew_failures_total");
const QString FencingToken = QStringLiteral("jobslib_lock_fencing_token");
const QString Runs = QStringLiteral("jobslib_task_runs_total");
const QString Buffered = QStringLiteral("jobslib_metrics_buffered_points");
const QString Delivered = QStringLiteral("jobslib_metrics_delivered_points_total");
const QString Dropped = QStringLiteral("jobslib_metrics_dropped_points_total");
const QString Rejected = QStringLiteral("jobslib_metrics_rejected_points_total");
const QString DeliveryFailures = QStringLiteral("jobslib_metrics_delivery_failures_total");
} // namespace Series

static QString isoUtc(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString();
}

static QJsonValue orNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue() : QJsonValue(s);
}

QJsonObject RunMonitor::Health::toJson() const
{
    QJsonObject o{{QStringLiteral("ok"), known && ok}};
    if (!known)
        o.insert(QStringLiteral("error"), QStringLiteral("no answer yet"));
    else if (!ok)
        o.insert(QStringLiteral("error"), error);
    return o;
}

RunMonitor::RunMonitor(Context &context, Runner &runner, bool pushExtendedMetrics, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_runner(runner)
    , m_pushExtended(pushExtendedMetrics)
{
    using T = MetricsRegistry::Type;
    MetricsRegistry &r = m_context.metricsRegistry();
    r.declare(QStringLiteral("job_duration_seconds"), T::Gauge,
              QStringLiteral("Seconds the last iteration with this status took, from before the lock to the end (Python jobslib's)."));
    r.declare(QStringLiteral("last_successful_run_timestamp"), T::Gauge, QStringLiteral("UTC epoch seconds of the last successful run (Python jobslib's)."));
    r.declare(Series::Held, T::Gauge, QStringLiteral("1 while this instance holds the lock."));
    r.declare(Series::Acquisitions, T::Counter, QStringLiteral("Times this instance acquired the lock (not counting keeping it)."));
    r.declare(Series::Losses, T::Counter, QStringLiteral("Times the lock was lost while held (renewal impossible, taken away)."));
    r.declare(Series::AcquireSeconds, T::Gauge, QStringLiteral("Seconds the last successful acquisition took."));
    r.declare(Series::RenewFailures, T::Counter, QStringLiteral("Failed renewals of the lock's lease (each is retried until the deadline)."));
    r.declare(Series::FencingToken, T::Gauge, QStringLiteral("Fencing token of the lock held now, 0 when not held."));
    r.declare(Series::Runs, T::Counter, QStringLiteral("Iterations by status."));
    r.declare(Series::Buffered, T::Gauge, QStringLiteral("Metrics points waiting for delivery."));
    r.declare(Series::Delivered, T::Counter, QStringLiteral("Metrics points the metrics server accepted."));
    r.declare(Series::Dropped, T::Counter, QStringLiteral("Metrics points dropped because the buffer was full."));
    r.declare(Series::Rejected, T::Counter, QStringLiteral("Metrics points the metrics server refused for good."));
    r.declare(Series::DeliveryFailures, T::Counter, QStringLiteral("Failed metrics delivery attempts."));

    LockBackend *lock = m_context.lock();
    connect(&runner, &Runner::stateChanged, this, &RunMonitor::onStateChanged);
    connect(&runner, &Runner::iterationFinished, this, &RunMonitor::onIterationFinished);
    connect(lock, &LockBackend::acquired, this, &RunMonitor::onAcquired);
    connect(lock, &LockBackend::notAcquired, this, [this](const LockOwner &owner) {
        setHealth(m_lock, true);
        m_otherHolder = owner;
    });
    connect(lock, &LockBackend::acquireFailed, this, [this](const QString &e) { setHealth(m_lock, false, e); });
    connect(lock, &LockBackend::released, this, [this] {
        setHealth(m_lock, true);
        m_heldToken = 0;
    });
    connect(lock, &LockBackend::releaseFailed, this, [this](const QString &e) { setHealth(m_lock, false, e); });
    connect(lock, &LockBackend::leaseDeadlineChanged, this, [this] { setHealth(m_lock, true); });
    connect(lock, &LockBackend::renewFailed, this, [this](const QString &e) {
        ++m_renewFailures;
        setHealth(m_lock, false, e);
    });
    connect(lock, &LockBackend::lost, this, [this](const QString &reason) {
        ++m_losses;
        m_heldToken = 0;
        setHealth(m_lock, false, reason);
    });
    connect(m_context.liveness(), &LivenessBackend::writeFinished, this, [this](bool ok, const QString &e) { setHealth(m_liveness, ok, e); });
}

void RunMonitor::setHealth(Health &health, bool ok, const QString &error)
{
    health.known = true;
    health.ok = ok;
    health.error = ok ? QString() : error;
}

void RunMonitor::onStateChanged(Runner::State state)
{
    if (state == Runner::State::Acquiring) {
        m_acquireStartedMs = m_context.clock().monotonicMs();
        m_iterationStartedMs = m_acquireStartedMs;
        m_lastRunStart = m_context.clock().utcNow();
    }
}

void RunMonitor::onAcquired(quint64 token)
{
    setHealth(m_lock, true);
    // Acquiring a lock this instance keeps answers at once with the same token: not a new acquisition.
    if (token != m_heldToken || !m_heldToken) {
        ++m_acquisitions;
        if (m_acquireStartedMs >= 0)
            m_lastAcquireSeconds = double(m_context.clock().monotonicMs() - m_acquireStartedMs) / 1000.0;
    }
    m_heldToken = token;
    m_otherHolder.reset();
}

void RunMonitor::onIterationFinished(JobStatus status)
{
    const QString s = toString(status);
    ++m_runs[s];
    m_lastStatus = s;
    m_lastRunEnd = m_context.clock().utcNow();
    if (m_iterationStartedMs >= 0)
        m_lastDurationSeconds = double(m_context.clock().monotonicMs() - m_iterationStartedMs) / 1000.0;
    if (status == JobStatus::Succeeded)
        m_lastSuccess = m_lastRunEnd;
    if (!m_context.lock()->isHeld())
        m_heldToken = 0;
    updateRegistry();
    if (m_pushExtended) {
        // Every instance of a job writes these series, in the same whole seconds: without a tag of
        // its own, a standby's point would overwrite the holder's in InfluxDB (one point per series
        // and timestamp), and the counters of all instances would mix. The registry keeps them
        // without it (updateRegistry()).
        QList<MetricPoint> points = extendedPoints();
        for (MetricPoint &p : points)
            p.tags.insert(QStringLiteral("host"), m_context.fqdn());
        m_context.sendPoints(points);
    }
}

MetricsRegistry::Labels RunMonitor::labels(const MetricsRegistry::Labels &extra) const
{
    // The same labels Context::pushPoints gives a point, so a pushed point and the live value are one series.
    MetricsRegistry::Labels l = extra;
    if (!m_context.taskName().isEmpty())
        l.insert(QStringLiteral("task"), m_context.taskName());
    return l;
}

QList<MetricPoint> RunMonitor::extendedPoints() const
{
    LockBackend *lock = m_context.lock();
    QList<MetricPoint> points;
    const auto add = [&points](const QString &name, double value, const QMap<QString, QString> &tags = {}) {
        MetricPoint p;
        p.measurement = name;
        p.value = value;
        p.tags = tags;
        points << p;
    };
    add(Series::Held, lock->isHeld() ? 1 : 0);
    add(Series::Acquisitions, double(m_acquisitions));
    add(Series::Losses, double(m_losses));
    add(Series::AcquireSeconds, m_lastAcquireSeconds);
    add(Series::RenewFailures, double(m_renewFailures));
    add(Series::FencingToken, double(lock->isHeld() ? lock->fencingToken() : 0));
    for (auto it = m_runs.cbegin(); it != m_runs.cend(); ++it)
        add(Series::Runs, double(it.value()), {{QStringLiteral("status"), it.key()}});
    return points;
}

void RunMonitor::updateRegistry()
{
    MetricsRegistry &r = m_context.metricsRegistry();
    for (const MetricPoint &p : extendedPoints())
        r.set(p.measurement, labels(p.tags), p.value);
    const MetricsDelivery d = m_context.metrics()->delivery();
    r.set(Series::Buffered, labels(), double(d.buffered));
    r.set(Series::Delivered, labels(), double(d.delivered));
    r.set(Series::Dropped, labels(), double(d.dropped));
    r.set(Series::Rejected, labels(), double(d.rejected));
    r.set(Series::DeliveryFailures, labels(), double(d.failures));
}

QByteArray RunMonitor::prometheusText()
{
    updateRegistry();
    return toPrometheusText(m_context.metricsRegistry());
}

QString RunMonitor::epochText(qint64 monotonicMs) const
{
    if (monotonicMs < 0)
        return {};
    const qint64 in = monotonicMs - m_context.clock().monotonicMs();
    return isoUtc(m_context.clock().utcNow().addMSecs(qMax<qint64>(0, in)));
}

QJsonObject RunMonitor::status() const
{
    LockBackend *lock = m_context.lock();
    const bool held = lock->isHeld();
    QJsonObject holder;
    if (held) {
        holder = {{QStringLiteral("self"), true}, {QStringLiteral("instance"), m_context.instanceId()}, {QStringLiteral("fqdn"), m_context.fqdn()}};
    } else if (m_otherHolder && m_otherHolder->held) {
        holder = {{QStringLiteral("self"), false}, {QStringLiteral("id"), orNull(m_otherHolder->holderId)}};
        if (m_otherHolder->record) {
            const OwnerRecord &rec = *m_otherHolder->record;
            holder.insert(QStringLiteral("fqdn"), rec.fqdn);
            holder.insert(QStringLiteral("locked_at_utc"), rec.timeUtc);
            if (rec.pid)
                holder.insert(QStringLiteral("pid"), rec.pid);
            if (!rec.datacenter.isEmpty())
                holder.insert(QStringLiteral("datacenter"), rec.datacenter);
        }
    }
    QJsonObject lockJson{
        {QStringLiteral("backend"), lock->backendName()},
        {QStringLiteral("key"), lock->lockKey()},
        {QStringLiteral("held"), held},
        {QStringLiteral("fencing_token"), held ? QJsonValue(double(lock->fencingToken())) : QJsonValue()},
        {QStringLiteral("holder"), holder.isEmpty() ? QJsonValue() : QJsonValue(holder)},
        {QStringLiteral("acquisitions"), double(m_acquisitions)},
        {QStringLiteral("losses"), double(m_losses)},
        {QStringLiteral("renew_failures"), double(m_renewFailures)},
    };
    QJsonObject runs;
    for (auto it = m_runs.cbegin(); it != m_runs.cend(); ++it)
        runs.insert(it.key(), double(it.value()));
    QJsonValue lastRun;
    if (!m_lastStatus.isEmpty()) {
        lastRun = QJsonObject{{QStringLiteral("status"), m_lastStatus},
                              {QStringLiteral("started_utc"), isoUtc(m_lastRunStart)},
                              {QStringLiteral("finished_utc"), isoUtc(m_lastRunEnd)},
                              {QStringLiteral("duration_seconds"), m_lastDurationSeconds}};
    }
    const MetricsDelivery d = m_context.metrics()->delivery();
    QJsonObject metrics{{QStringLiteral("backend"), m_context.metrics()->backendName()},
                        {QStringLiteral("ok"), d.healthy},
                        {QStringLiteral("buffered"), double(d.buffered)},
                        {QStringLiteral("delivered"), double(d.delivered)},
                        {QStringLiteral("dropped"), double(d.dropped)},
                        {QStringLiteral("rejected"), double(d.rejected)}};
    if (!d.lastError.isEmpty())
        metrics.insert(QStringLiteral("error"), d.lastError);
    const QString state = QString::fromLatin1(QMetaEnum::fromType<Runner::State>().valueToKey(int(m_runner.state()))).toLower();
    return QJsonObject{
        {QStringLiteral("task"), m_context.taskName()},
        {QStringLiteral("instance"), m_context.instanceId()},
        {QStringLiteral("fqdn"), m_context.fqdn()},
        {QStringLiteral("datacenter"), orNull(m_context.datacenter())},
        {QStringLiteral("version"), QStringLiteral(JOBSLIB_VERSION_STRING)},
        {QStringLiteral("state"), state},
        {QStringLiteral("iterations"), m_runner.iterations()},
        {QStringLiteral("lock"), lockJson},
        {QStringLiteral("last_run"), lastRun},
        {QStringLiteral("runs"), runs},
        {QStringLiteral("last_success_utc"), orNull(isoUtc(m_lastSuccess))},
        {QStringLiteral("next_run_utc"), orNull(epochText(m_runner.nextRunAtMs()))},
        {QStringLiteral("last_error"), orNull(m_runner.lastError())},
        {QStringLiteral("backends"),
         QJsonObject{{QStringLiteral("lock"), m_lock.toJson()}, {QStringLiteral("liveness"), m_liveness.toJson()}, {QStringLiteral("metrics"), metrics}}},
    };
}

HealthReport RunMonitor::livez() const
{
    const Runner::State s = m_runner.state();
    const QString state = QString::fromLatin1(QMetaEnum::fromType<Runner::State>().valueToKey(int(s))).toLower();
    HealthReport r;
    r.ok = s != Runner::State::Finishing && s != Runner::State::Finished;
    r.detail = {{QStringLiteral("state"), state}};
    if (!r.ok)
        r.detail.insert(QStringLiteral("error"), QStringLiteral("runjob is shutting down"));
    return r;
}

HealthReport RunMonitor::readyz() const
{
    const MetricsDelivery d = m_context.metrics()->delivery();
    QJsonObject metrics{{QStringLiteral("ok"), d.healthy}};
    if (!d.healthy)
        metrics.insert(QStringLiteral("error"), d.lastError);
    // Liveness is written only after a success: no answer yet is not a failure.
    const bool livenessOk = !m_liveness.known || m_liveness.ok;
    QJsonObject liveness = m_liveness.known ? m_liveness.toJson() : QJsonObject{{QStringLiteral("ok"), true}};
    HealthReport r;
    r.ok = m_lock.known && m_lock.ok && livenessOk && d.healthy;
    r.detail = {{QStringLiteral("lock"), m_lock.toJson()}, {QStringLiteral("liveness"), liveness}, {QStringLiteral("metrics"), metrics}};
    return r;
}

StatusServer::Providers RunMonitor::providers()
{
    StatusServer::Providers p;
    p.livez = [this] { return livez(); };
    p.readyz = [this] { return readyz(); };
    p.status = [this] { return status(); };
    p.metrics = [this] { return prometheusText(); };
    return p;
}

} // namespace jobslib
