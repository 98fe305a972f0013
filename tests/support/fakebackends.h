// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "liveness/livenessbackend.h"
#include "lock/lockbackend.h"
#include "metrics/metricsbackend.h"
#include "task/basetask.h"

#include <QList>

namespace jobslib::test {

/*! A lock whose answers the test chooses; it records every call. Answers are deferred like a real backend's. */
class FakeLock : public LockBackend
{
    Q_OBJECT
public:
    enum class Answer { Grant, Busy, Fail, Silent };
    using LockBackend::LockBackend;

    QString backendName() const override { return QStringLiteral("fake"); }
    QString lockKey() const override { return QStringLiteral("fake/key"); }
    void acquire() override;
    void release() override;
    void refresh() override { ++refreshes; }
    bool isHeld() const override { return held; }
    quint64 fencingToken() const override { return held ? token : 0; }
    bool hasLease() const override { return leased; }
    qint64 leaseRemainingMs() const override { return held ? leaseRemaining : -1; }
    void watchForRelease() override { watching = true; }
    void stopWatching() override { watching = false; }
    void queryOwner() override;
    void forceRelease() override;

    /*! The lock is lost (session invalidated): emits lost(). */
    void loseLock(const QString &reason);
    /*! Answers a Silent acquire now. */
    void answerPendingAcquire(Answer answer);

    Answer answer = Answer::Grant;
    /*!
     * A lease lock (Consul, etcd) with leaseRemaining ms left. Whatever the lease says, acquire()
     * of a held lock answers acquired() at once, as the keep_lock shortcut did before issue 15:
     * the runner must not believe it.
     */
    bool leased = false;
    qint64 leaseRemaining = -1;
    OwnerRecord owner;
    bool held = false;
    bool watching = false;
    quint64 token = 0;
    int acquires = 0;
    int releases = 0;
    int refreshes = 0;
};

class FakeLiveness : public LivenessBackend
{
    Q_OBJECT
public:
    using LivenessBackend::LivenessBackend;
    QString backendName() const override { return QStringLiteral("fake"); }
    void write(const OwnerRecord &state) override;
    void read() override;
    /*! With hold, write() answers only when answerHeld() is called. */
    void answerHeld();
    QList<OwnerRecord> writes;
    bool fail = false;
    bool hold = false;
    bool writePending = false;
};

class FakeMetrics : public MetricsBackend
{
    Q_OBJECT
public:
    using MetricsBackend::MetricsBackend;
    QString backendName() const override { return QStringLiteral("fake"); }
    void push(const QList<MetricPoint> &points) override { pushed << points; }
    MetricsDelivery delivery() const override { return deliveryState; }
    /*! The status tags of job_duration_seconds, in push order. */
    QStringList statuses() const;
    QList<MetricPoint> pushed;
    MetricsDelivery deliveryState; ///< what delivery() reports
};

/*!
 * A task the test finishes by hand (no thread). forceStop() answers as told: true plays a
 * command (SIGKILL works), false a C++ task that cannot be killed.
 */
class ManualTask : public BaseTask
{
    Q_OBJECT
public:
    QString name() const override { return QStringLiteral("manual"); }
    void task() override {}
    void start() override;
    void requestStop() override;
    bool forceStop() override;
    void complete(bool ok, const QString &error = {});

    bool forceStopWorks = true;
    int starts = 0;
    int stopRequests = 0;
    int forceStops = 0;
    quint64 tokenAtStart = 0;
};

} // namespace jobslib::test
