// SPDX-License-Identifier: BSD-3-Clause
#include "runner.h"

#include "app/context.h"
#include "app/launcher.h"
#include "config/config.h"
#include "liveness/livenessbackend.h"
#include "metrics/metricsbackend.h"
#include "runner/clock.h"
#include "task/basetask.h"
#include "util/logcategories.h"

#include <QCoreApplication>
#include <QMetaEnum>

#include <cmath>
#include <cstring>

namespace jobslib {

RunnerSettings RunnerSettings::fromConfig(const Config &config)
{
    RunnerSettings s;
    s.runOnce = config.runOnce();
    // Python: keep_lock is ignored with run_once (the lock is always released).
    s.keepLock = config.keepLock() && !s.runOnce;
    s.releaseOnError = config.releaseOnError();
    s.schedule = Schedule::fromConfig(config);
    s.killGraceMs = qint64(std::llround(config.number(QStringLiteral("task.kill_grace")) * 1000.0));
    return s;
}

static QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'g', 6);
}

Runner::Runner(Context &context, BaseTask &task, const RunnerSettings &settings, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_task(task)
    , m_lock(context.lock())
    , m_settings(settings)
{
    qRegisterMetaType<jobslib::TaskResult>();
    connect(m_lock, &LockBackend::acquired, this, &Runner::onAcquired);
    connect(m_lock, &LockBackend::notAcquired, this, &Runner::onNotAcquired);
    connect(m_lock, &LockBackend::acquireFailed, this, &Runner::onAcquireFailed);
    connect(m_lock, &LockBackend::released, this, &Runner::onReleased);
    connect(m_lock, &LockBackend::releaseFailed, this, &Runner::onReleaseFailed);
    connect(m_lock, &LockBackend::lost, this, &Runner::onLockLost);
    // The task (and jobslib-guard, for a command) stops by itself at the lease deadline, even if
    // this event loop is frozen; every renewal moves the deadline on.
    connect(m_lock, &LockBackend::leaseDeadlineChanged, this, [this](qint64 remainingMs) {
        if (m_state == State::Running)
            m_task.setLockDeadline(remainingMs < 0 ? -1 : qMax<qint64>(0, remainingMs - DeadlineSafetyMs));
    });
    connect(m_lock, &LockBackend::freed, this, [this] {
        if (m_state != State::Sleeping)
            return;
        qCInfo(lcRunner).noquote() << "Lock is free, contending now";
        wakeUp();
    });
    connect(&m_task, &BaseTask::finished, this, &Runner::onTaskFinished);
    connect(m_context.liveness(), &LivenessBackend::writeFinished, this, [this](bool ok, const QString &error) {
        if (m_state != State::WritingLiveness)
            return;
        if (!ok)
            qCCritical(lcLiveness).noquote() << "Can't write liveness state:" << error;
        endIteration();
    });
}

Runner::~Runner() = default;

qint64 Runner::now() const
{
    return m_context.clock().monotonicMs();
}

void Runner::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void Runner::start()
{
    if (!m_settings.runOnce && m_settings.schedule.sleepIntervalMs == 0 && m_settings.schedule.runIntervalMs == 0)
        qCInfo(lcRunner).noquote() << "sleep_interval and run_interval are both 0: iterations start at most once per second";
    m_context.clock().callAfter(0, this, [this] {
        if (m_state == State::Idle)
            beginIteration();
    });
}

void Runner::beginIteration()
{
    m_iterationStartMs = now();
    m_status = JobStatus::Unknown;
    m_keepLockThisIteration = m_settings.keepLock;
    m_lockLost = false;
    m_lostReason.clear();
    ++m_iterations;
    setState(State::Acquiring);
    m_lock->acquire();
}

void Runner::onAcquired(quint64 token)
{
    if (m_state != State::Acquiring)
        return;
    if (m_terminateSignal) {
        // Told to stop while acquiring: do not start the task, give the lock back.
        m_status = JobStatus::Killed;
        releaseLock();
        return;
    }
    qCInfo(lcRunner).noquote() << "Run task";
    m_task.setFencingToken(token);
    const qint64 remaining = m_lock->leaseRemainingMs();
    m_task.setLockDeadline(remaining < 0 ? -1 : qMax<qint64>(0, remaining - DeadlineSafetyMs));
    setState(State::Running);
    report(QStringLiteral("running"));
    m_task.start();
}

void Runner::onNotAcquired(const LockOwner &owner)
{
    if (m_state != State::Acquiring)
        return;
    if (owner.record && !owner.record->fqdn.isEmpty())
        qCInfo(lcRunner).noquote() << QStringLiteral("Can't acquire lock (lock owner is %1, locked at %2 UTC)").arg(owner.record->fqdn, owner.record->timeUtc);
    else
        qCInfo(lcRunner).noquote() << "Can't acquire lock";
    m_status = m_terminateSignal ? JobStatus::Killed : JobStatus::Pending;
    m_keepLockThisIteration = false;
    endIteration();
}

void Runner::onAcquireFailed(const QString &error)
{
    if (m_state != State::Acquiring)
        return;
    qCCritical(lcRunner).noquote() << "Can't acquire lock:" << error;
    m_lastError = QStringLiteral("can't acquire lock: ") + error;
    m_status = m_terminateSignal ? JobStatus::Killed : JobStatus::Failed;
    m_keepLockThisIteration = false;
    endIteration();
}

void Runner::onTaskFinished(const TaskResult &result)
{
    if (m_state != State::Running)
        return;
    if (m_graceTimer) {
        m_context.clock().cancel(m_graceTimer);
        m_graceTimer = 0;
    }
    if (!m_lockLost && m_task.isLockDeadlinePassed()) {
        // jobslib-guard (or the task itself) acted on the lease deadline a moment before the
        // lock backend's own deadline timer: the lock is as good as lost.
        m_lockLost = true;
        m_lostReason = QStringLiteral("the lease deadline passed before a renewal was confirmed");
        qCCritical(lcRunner).noquote() << QStringLiteral("Lock has been lost after %1 seconds (%2): the task was stopped at the deadline")
                                              .arg((now() - m_iterationStartMs) / 1000)
                                              .arg(m_lostReason);
    }
    if (m_terminateSignal) {
        m_status = JobStatus::Killed;
        qCWarning(lcRunner).noquote() << "Task has been terminated";
    } else if (m_lockLost) {
        m_status = JobStatus::Interrupted;
        qCCritical(lcRunner).noquote() << QStringLiteral("Task interrupted: the lock was lost (%1)").arg(m_lostReason);
    } else if (result.succeeded) {
        m_status = JobStatus::Succeeded;
        qCInfo(lcRunner).noquote() << "Task done";
    } else {
        m_status = JobStatus::Failed;
        m_lastError = result.error;
        qCCritical(lcRunner).noquote() << QStringLiteral("%1 task failed: %2").arg(m_task.name(), result.error);
    }
    afterRun();
}

void Runner::afterRun()
{
    const bool failedAndRelease = m_status == JobStatus::Failed && m_settings.releaseOnError;
    const bool keep = m_keepLockThisIteration && !m_terminateSignal && !failedAndRelease && !m_lockLost;
    if (keep) {
        m_lock->refresh();
        writeLivenessIfSucceeded();
    } else {
        releaseLock();
    }
}

void Runner::releaseLock()
{
    setState(State::Releasing);
    m_lock->release();
}

void Runner::onReleased()
{
    if (m_state != State::Releasing)
        return;
    writeLivenessIfSucceeded();
}

void Runner::onReleaseFailed(const QString &error)
{
    if (m_state != State::Releasing)
        return;
    qCCritical(lcLock).noquote() << "Can't release lock:" << error;
    writeLivenessIfSucceeded();
}

void Runner::writeLivenessIfSucceeded()
{
    if (m_status != JobStatus::Succeeded) {
        endIteration();
        return;
    }
    setState(State::WritingLiveness);
    OwnerRecord state = OwnerRecord::now(m_context.fqdn(), m_context.clock().utcNow());
    state.pid = QCoreApplication::applicationPid();
    state.datacenter = m_context.datacenter();
    m_context.liveness()->write(state);
}

void Runner::reportIteration(qint64 endMs)
{
    m_lastStatus = m_status;
    // The loop never waits on metrics: push() only queues.
    MetricPoint duration;
    duration.measurement = QStringLiteral("job_duration_seconds");
    duration.value = double(endMs - m_iterationStartMs) / 1000.0;
    duration.tags = {{QStringLiteral("status"), toString(m_status)}, {QStringLiteral("type"), QStringLiteral("task")}};
    QList<MetricPoint> points{duration};
    if (m_status == JobStatus::Succeeded) {
        MetricPoint last;
        last.measurement = QStringLiteral("last_successful_run_timestamp");
        last.value = double(m_context.clock().utcNow().toSecsSinceEpoch());
        points << last;
    }
    m_context.pushPoints(points);
    Q_EMIT iterationFinished(m_status);
}

void Runner::endIteration()
{
    const qint64 end = now();
    reportIteration(end);

    if (m_terminateSignal) {
        finishLoop(ExitCode::SignalBase + m_terminateSignal);
        return;
    }
    if (m_settings.runOnce) {
        finishLoop(exitCodeFor(m_status));
        return;
    }
    const bool failedAndRelease = m_status == JobStatus::Failed && m_settings.releaseOnError;
    const qint64 ms = m_settings.schedule.sleepAfter(m_iterationStartMs, end, failedAndRelease);
    if (m_lock->isHeld())
        qCInfo(lcRunner).noquote() << QStringLiteral("Sleep for %1 seconds, lock is kept").arg(seconds(ms));
    else
        qCInfo(lcRunner).noquote() << QStringLiteral("Sleep for %1 seconds").arg(seconds(ms));
    sleepFor(ms);
    if (m_status == JobStatus::Succeeded) {
        m_lastSuccessEpoch = m_context.clock().utcNow().toSecsSinceEpoch();
        m_lastError.clear();
    }
    report(m_status == JobStatus::Pending ? QStringLiteral("standby")
               : (m_status == JobStatus::Failed || m_status == JobStatus::Interrupted) ? QStringLiteral("failing")
                                                                                       : QStringLiteral("sleeping"));
    // A standby of an instance that keeps its lock (or a holder that lost it): take over as soon
    // as the lock is free, not at the next iteration.
    if ((m_status == JobStatus::Pending || m_status == JobStatus::Interrupted) && m_settings.keepLock)
        m_lock->watchForRelease();
}

void Runner::sleepFor(qint64 ms)
{
    setState(State::Sleeping);
    m_wakeAtMs = now() + ms;
    m_sleepTimer = m_context.clock().callAfter(ms, this, [this] {
        m_sleepTimer = 0;
        wakeUp();
    });
}

void Runner::wakeUp()
{
    if (m_sleepTimer) {
        m_context.clock().cancel(m_sleepTimer);
        m_sleepTimer = 0;
    }
    m_lock->stopWatching();
    beginIteration();
}

void Runner::onLockLost(const QString &reason)
{
    const qint64 heldFor = (now() - m_iterationStartMs) / 1000;
    if (m_state == State::Running) {
        m_lockLost = true;
        m_lostReason = reason;
        qCCritical(lcRunner).noquote() << QStringLiteral("Lock has been lost after %1 seconds (%2): stopping the task").arg(heldFor).arg(reason);
        m_task.requestStop();
        if (!m_graceTimer)
            m_graceTimer = m_context.clock().callAfter(m_settings.killGraceMs, this, [this] { onGraceExpired(); });
        return;
    }
    if (m_state == State::Finishing || m_state == State::Finished)
        return;
    qCWarning(lcRunner).noquote() << QStringLiteral("Lock has been lost (%1); the next iteration acquires it again").arg(reason);
    if (m_state == State::Sleeping && m_settings.keepLock)
        m_lock->watchForRelease(); // a hot standby from now on
}

void Runner::onGraceExpired()
{
    m_graceTimer = 0;
    if (m_state != State::Running)
        return;
    if (m_task.forceStop()) {
        qCWarning(lcRunner).noquote() << QStringLiteral("Task did not stop within %1 seconds: killed").arg(seconds(m_settings.killGraceMs));
        return; // finished() follows
    }
    // A C++ task's thread cannot be killed. Never let it run on without the lock: leave now,
    // without releasing (the thread would outlive a release), and let the supervisor restart us.
    m_status = m_terminateSignal ? JobStatus::Killed : JobStatus::Interrupted;
    const int code = m_terminateSignal ? ExitCode::SignalBase + m_terminateSignal : ExitCode::SelfFenced;
    qCCritical(lcRunner).noquote() << QStringLiteral("Task did not stop within %1 seconds: exiting with code %2 without waiting for it (self-fencing)")
                                          .arg(seconds(m_settings.killGraceMs))
                                          .arg(code);
    reportIteration(now());
    finishLoop(code);
}

void Runner::terminate(int signalNumber)
{
    if (m_terminateSignal) {
        qCWarning(lcRunner).noquote() << "Second stop signal: not waiting any longer";
        if (m_state == State::Running) {
            if (m_graceTimer) {
                m_context.clock().cancel(m_graceTimer);
                m_graceTimer = 0;
            }
            onGraceExpired();
        } else if (m_state == State::Finishing) {
            setState(State::Finished);
            Q_EMIT finished(ExitCode::SignalBase + m_terminateSignal);
        }
        return;
    }
    m_terminateSignal = signalNumber;
    report(QStringLiteral("stopping"));
    qCWarning(lcRunner).noquote() << QStringLiteral("Received signal %1 (%2): stopping").arg(signalNumber).arg(QString::fromLocal8Bit(strsignal(signalNumber)));
    switch (m_state) {
    case State::Idle:
        finishLoop(ExitCode::SignalBase + signalNumber);
        break;
    case State::Acquiring:
        // The answer to acquire() decides: a lock we get is released at once.
        m_status = JobStatus::Killed;
        break;
    case State::Running:
        m_task.requestStop();
        m_graceTimer = m_context.clock().callAfter(m_settings.killGraceMs, this, [this] { onGraceExpired(); });
        break;
    case State::Releasing:
    case State::WritingLiveness:
        // The task is over; let the step finish, endIteration() then exits.
        break;
    case State::Sleeping:
        if (m_sleepTimer) {
            m_context.clock().cancel(m_sleepTimer);
            m_sleepTimer = 0;
        }
        m_lock->stopWatching();
        m_status = JobStatus::Killed;
        m_iterationStartMs = now();
        if (m_lock->isHeld())
            releaseLock();
        else
            endIteration();
        break;
    case State::Finishing:
    case State::Finished:
        break;
    }
}

void Runner::finishLoop(int exitCode)
{
    if (m_state == State::Finishing || m_state == State::Finished)
        return;
    setState(State::Finishing);
    m_lock->stopWatching();
    const auto done = [this, exitCode] {
        if (m_state != State::Finishing)
            return;
        setState(State::Finished);
        Q_EMIT finished(exitCode);
    };
    MetricsBackend *metrics = m_context.metrics();
    connect(metrics, &MetricsBackend::flushed, this, done, Qt::SingleShotConnection);
    m_context.clock().callAfter(m_settings.flushTimeoutMs, this, done);
    metrics->flush();
}

int Runner::exitCodeFor(JobStatus status) const
{
    switch (status) {
    case JobStatus::Succeeded:
    case JobStatus::Pending:
        return ExitCode::Success;
    case JobStatus::Killed:
        return ExitCode::SignalBase + m_terminateSignal;
    default:
        return ExitCode::Failure;
    }
}

void Runner::report(const QString &state)
{
    InstanceState s;
    s.state = state;
    s.lastSuccess = m_lastSuccessEpoch;
    s.lastError = m_lastError;
    s.fencingToken = m_lock->fencingToken();
    s.nextRunInMs = m_state == State::Sleeping ? qMax<qint64>(0, m_wakeAtMs - now()) : -1;
    m_context.liveness()->reportState(s);
}

void Runner::logState() const
{
    const QString state = QString::fromLatin1(QMetaEnum::fromType<State>().valueToKey(int(m_state))).toLower();
    QString line = QStringLiteral("State: %1, iteration %2, last status %3").arg(state).arg(m_iterations).arg(toString(m_lastStatus));
    line += m_lock->isHeld() ? QStringLiteral(", lock held (fencing token %1)").arg(m_lock->fencingToken()) : QStringLiteral(", lock not held");
    if (m_state == State::Sleeping)
        line += QStringLiteral(", next iteration in %1 s").arg(seconds(qMax<qint64>(0, m_wakeAtMs - now())));
    qCInfo(lcRunner).noquote() << line;
}

} // namespace jobslib
