// SPDX-License-Identifier: BSD-3-Clause
#include "runner.h"

#include "app/context.h"
#include "runner/exitcode.h"
#include "config/config.h"
#include "kv/kvstore.h"
#include "liveness/livenessbackend.h"
#include "metrics/metricsbackend.h"
#include "util/clock.h"
#include "runner/handoverlistener.h"
#include "task/basetask.h"
#include "util/freezepoint.h"
#include "util/logcategories.h"

#include <QCoreApplication>
#include <QMetaEnum>

#include <cmath>
#include <cstring>
#include <utility>

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

/*! "sleeping", "writingliveness": for the SIGHUP line and the freeze points. */
static QString stateName(Runner::State state)
{
    return QString::fromLatin1(QMetaEnum::fromType<Runner::State>().valueToKey(int(state))).toLower();
}

static QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'g', 6);
}

/*! Who asked for a handover, for a log line: "alice@ops1 (maintenance of db1)". */
static QString requester(const HandoverRequest &request)
{
    const QString by = request.requestedBy.isEmpty() ? QStringLiteral("an unnamed operator") : request.requestedBy;
    return request.reason.isEmpty() ? by : QStringLiteral("%1 (%2)").arg(by, request.reason);
}

qint64 RunnerSettings::taskStopMs(const BaseTask &task) const
{
    return task.isKilledAtLockDeadline() ? 0 : killGraceMs;
}

Runner::Runner(Context &context, BaseTask &task, const RunnerSettings &settings, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_task(task)
    , m_lock(context.lock())
    , m_settings(settings)
{
    qRegisterMetaType<jobslib::TaskResult>();
    // Before the first acquire(): a lease lock finds itself lost early enough for this task to
    // stop before the server could give the lock to anybody else.
    m_lock->setTaskStopMs(m_settings.taskStopMs(task));
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
        if (m_state != State::Sleeping || m_yielding)
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

    m_yieldMs = HandoverListener::yieldMs(context.config());
    if (KvStore *store = context.kvStore()) {
        m_handover = new HandoverListener(*store, m_lock->lockKey(), context.clock(), QStringLiteral("runjob@") + context.instanceId(),
                                          QStringLiteral("%1 pid %2").arg(context.fqdn()).arg(QCoreApplication::applicationPid()), this);
        connect(m_handover, &HandoverListener::requested, this, &Runner::onHandoverRequested);
        connect(m_handover, &HandoverListener::withdrawn, this, &Runner::onHandoverWithdrawn);
    }
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
    if (freezePointsArmed()) {
        // On the next turn: the step this state begins has sent its request by then.
        m_context.clock().callAfter(0, this, [name = stateName(state)] { freezePoint(name); });
    }
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
    // Invariant (a) of docs/architecture.md: whatever acquired() said and however late it came (a
    // queued answer, a keep_lock shortcut, a timer overdue after a freeze), the task starts only if
    // the backend proves, now, that it holds the lock with this token and a lease deadline far
    // enough ahead; invariant (b): for a lease lock that deadline is finite.
    const QString unproven = token != m_lock->fencingToken()
        ? QStringLiteral("the acquisition reported fencing token %1, the lock now has %2").arg(token).arg(m_lock->fencingToken())
        : m_lock->whyNotProven(StartMarginMs);
    if (!unproven.isEmpty()) {
        refuseStart(unproven);
        return;
    }
    if (token < m_highestToken)
        qCCritical(lcRunner).noquote() << QStringLiteral("The fencing token went backwards (%1 after %2): the lock server lost or rolled back its "
                                                         "state, so tokens repeat; see docs/operations.md, Fencing tokens")
                                              .arg(token)
                                              .arg(m_highestToken);
    m_highestToken = qMax(m_highestToken, token);
    if (std::exchange(m_mayTakeBack, false)) {
        // Nobody to hand over to: taking the lock back is right, but the operator must see it.
        qCInfo(lcRunner).noquote() << "The lock was still free after the handover (nobody took it over): taking it back";
        if (m_handover)
            m_handover->record(QStringLiteral("take-back"), token, QStringLiteral("done"),
                               QStringLiteral("nobody took the lock over during the %1 s yield after the handover; took it back").arg(seconds(m_yieldMs)));
    }
    if (m_handover)
        m_handover->start(token);
    ++m_runs;
    qCInfo(lcRunner).noquote() << "Run task";
    m_task.setFencingToken(token);
    const qint64 remaining = m_lock->leaseRemainingMs();
    m_task.setLockDeadline(remaining < 0 ? BaseTask::NoLockDeadline : qMax<qint64>(0, remaining - DeadlineSafetyMs));
    setState(State::Running);
    report(QStringLiteral("running"));
    m_task.start();
}

void Runner::refuseStart(const QString &why)
{
    qCCritical(lcRunner).noquote() << QStringLiteral("Not starting the task: the lock cannot be proven held now (%1)").arg(why);
    m_lastError = QStringLiteral("not started: the lock cannot be proven held (%1)").arg(why);
    m_mayTakeBack = false;
    m_keepLockThisIteration = false;
    m_status = m_terminateSignal ? JobStatus::Killed : JobStatus::Interrupted;
    // Nothing ran: a lock that is still ours (a lease about to run out) is given back, and the
    // next iteration contends as any standby does.
    if (m_lock->isHeld())
        releaseLock();
    else
        endIteration();
}

void Runner::onNotAcquired(const LockOwner &owner)
{
    if (m_state != State::Acquiring)
        return;
    m_mayTakeBack = false; // somebody else holds it: the handover (if any) worked
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
    m_mayTakeBack = false;
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
    // A pending handover releases the lock even with keep_lock.
    const bool keep = m_keepLockThisIteration && !m_terminateSignal && !failedAndRelease && !m_lockLost && !m_handoverRequest;
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
    if (m_handover)
        m_handover->stop();
    if (m_handoverRequest && !m_lockLost && m_lock->isHeld()) {
        m_handoverToken = m_lock->fencingToken();
        qCInfo(lcRunner).noquote() << QStringLiteral("Releasing the lock for the handover requested by %1").arg(requester(*m_handoverRequest));
        // The request goes before the lock does: the next holder must not find it and hand over again.
        m_handover->clearRequest([this] {
            if (m_state == State::Releasing)
                m_lock->release();
        });
        return;
    }
    m_lock->release();
}

void Runner::onReleased()
{
    if (m_state != State::Releasing)
        return;
    afterRelease(QString());
}

void Runner::onReleaseFailed(const QString &error)
{
    if (m_state != State::Releasing)
        return;
    qCCritical(lcLock).noquote() << "Can't release lock:" << error;
    afterRelease(error);
}

void Runner::afterRelease(const QString &releaseError)
{
    if (!m_handoverRequest) {
        continueAfterRelease();
        return;
    }
    const HandoverRequest request = *std::exchange(m_handoverRequest, std::nullopt);
    const quint64 token = std::exchange(m_handoverToken, 0);
    const auto next = [this] {
        if (m_state == State::Releasing)
            continueAfterRelease();
    };
    if (m_lockLost) {
        // Lost during the run: somebody else may hold the lock now, and the request was not theirs.
        qCWarning(lcRunner).noquote() << QStringLiteral("The lock was lost before it could be handed over as %1 requested; dropping the request")
                                             .arg(requester(request));
        m_handover->clearRequest([this, next, request] {
            m_handover->record(QStringLiteral("handover"), 0, QStringLiteral("failed"),
                               QStringLiteral("the lock was lost during run %1, before the handover requested by %2").arg(m_runs).arg(requester(request)), next);
        });
        return;
    }
    m_handedOver = true;
    const QString when = m_handoverBetweenRuns ? QStringLiteral("between runs, after run %1").arg(m_runs) : QStringLiteral("after run %1").arg(m_runs);
    if (releaseError.isEmpty()) {
        qCInfo(lcRunner).noquote() << QStringLiteral("Lock released for the handover requested by %1").arg(requester(request));
        m_handover->record(QStringLiteral("handover"), token, QStringLiteral("done"), QStringLiteral("released ") + when, next);
    } else {
        // Consul destroys the session and etcd's lease runs out anyway: the lock becomes free.
        m_handover->record(QStringLiteral("handover"), token, QStringLiteral("failed"),
                           QStringLiteral("can't release %1: %2").arg(when, releaseError), next);
    }
}

void Runner::continueAfterRelease()
{
    if (!std::exchange(m_handoverBetweenRuns, false)) {
        writeLivenessIfSucceeded();
        return;
    }
    // No run to end: the iteration already ended before the release.
    m_handedOver = false;
    if (m_terminateSignal) {
        // Stopped meanwhile: end as terminate() does between runs.
        m_status = JobStatus::Killed;
        m_iterationStartMs = now();
        endIteration();
        return;
    }
    startYield(m_scheduledAfterYieldMs);
}

void Runner::onHandoverRequested(const HandoverRequest &request)
{
    if (!m_lock->isHeld() || m_handoverRequest || m_terminateSignal)
        return;
    switch (m_state) {
    case State::Running:
    case State::WritingLiveness:
        m_handoverRequest = request;
        qCInfo(lcRunner).noquote() << QStringLiteral("Handover requested by %1; releasing the lock after the current run").arg(requester(request));
        break;
    case State::Sleeping:
        m_handoverRequest = request;
        qCInfo(lcRunner).noquote() << QStringLiteral("Handover requested by %1; releasing the lock now (between runs)").arg(requester(request));
        handOverBetweenRuns(m_wakeAtMs);
        break;
    default:
        // Releasing: the lock goes anyway. Idle, Acquiring, Finishing: the lock is not ours to hand over.
        break;
    }
}

void Runner::onHandoverWithdrawn()
{
    if (!m_handoverRequest || m_state == State::Releasing)
        return;
    qCInfo(lcRunner).noquote() << QStringLiteral("The handover requested by %1 was withdrawn").arg(requester(*m_handoverRequest));
    m_handoverRequest.reset();
}

void Runner::handOverBetweenRuns(qint64 scheduledAtMs)
{
    if (m_sleepTimer) {
        m_context.clock().cancel(m_sleepTimer);
        m_sleepTimer = 0;
    }
    m_lock->stopWatching();
    m_scheduledAfterYieldMs = scheduledAtMs;
    m_handoverBetweenRuns = true;
    releaseLock();
}

void Runner::startYield(qint64 scheduledAtMs)
{
    m_scheduledAfterYieldMs = scheduledAtMs;
    m_yielding = true;
    qCInfo(lcRunner).noquote() << QStringLiteral("Lock handed over; not contending for it for %1 seconds so that a standby takes it").arg(seconds(m_yieldMs));
    sleepFor(m_yieldMs);
    report(QStringLiteral("handing-over"));
}

void Runner::onYieldOver()
{
    m_yielding = false;
    m_mayTakeBack = true;
    const qint64 rest = m_scheduledAfterYieldMs - now();
    // With keep_lock this instance is a hot standby from now on, and a standby takes a free lock at once.
    if (m_settings.keepLock || rest <= 0) {
        qCInfo(lcRunner).noquote() << "Handover yield over: contending for the lock again";
        wakeUp();
        return;
    }
    qCInfo(lcRunner).noquote() << QStringLiteral("Handover yield over; sleep for %1 more seconds").arg(seconds(rest));
    sleepFor(rest);
    report(QStringLiteral("sleeping"));
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
    if (m_status == JobStatus::Succeeded) {
        m_lastSuccessEpoch = m_context.clock().utcNow().toSecsSinceEpoch();
        m_lastError.clear();
    }
    const bool failedAndRelease = m_status == JobStatus::Failed && m_settings.releaseOnError;
    const qint64 ms = m_settings.schedule.sleepAfter(m_iterationStartMs, end, failedAndRelease);
    if (m_handoverRequest && m_lock->isHeld()) {
        // Requested while the kept lock's liveness was written: the run is over, hand over now.
        handOverBetweenRuns(end + ms);
        return;
    }
    if (std::exchange(m_handedOver, false)) {
        startYield(end + ms);
        return;
    }
    if (m_lock->isHeld())
        qCInfo(lcRunner).noquote() << QStringLiteral("Sleep for %1 seconds, lock is kept").arg(seconds(ms));
    else
        qCInfo(lcRunner).noquote() << QStringLiteral("Sleep for %1 seconds").arg(seconds(ms));
    sleepFor(ms);
    report(m_status == JobStatus::Pending ? QStringLiteral("standby")
               : (m_status == JobStatus::Failed || m_status == JobStatus::Interrupted) ? QStringLiteral("failing")
                                                                                       : QStringLiteral("sleeping"));
    // A standby of an instance that keeps its lock (or a holder that lost it): take over as soon
    // as the lock is free, not at the next iteration.
    if ((m_status == JobStatus::Pending || m_status == JobStatus::Interrupted || m_lockLost) && m_settings.keepLock)
        m_lock->watchForRelease();
}

void Runner::sleepFor(qint64 ms)
{
    setState(State::Sleeping);
    m_wakeAtMs = now() + ms;
    m_sleepTimer = m_context.clock().callAfter(ms, this, [this] {
        m_sleepTimer = 0;
        if (m_yielding)
            onYieldOver();
        else
            wakeUp();
    });
}

void Runner::wakeUp()
{
    if (m_sleepTimer) {
        m_context.clock().cancel(m_sleepTimer);
        m_sleepTimer = 0;
    }
    m_yielding = false;
    m_lock->stopWatching();
    beginIteration();
}

void Runner::onLockLost(const QString &reason)
{
    if (m_handover)
        m_handover->stop(); // requests are for whoever holds the lock
    const qint64 heldFor = (now() - m_iterationStartMs) / 1000;
    if (m_state == State::Running) {
        m_lockLost = true;
        m_lostReason = reason;
        qCCritical(lcRunner).noquote() << QStringLiteral("Lock has been lost after %1 seconds (%2): stopping the task").arg(heldFor).arg(reason);
        m_task.requestStop();
        // A task killed at its lock deadline (a command under jobslib-guard) gets no grace once
        // that deadline has passed: the lease margin counts on it being dead by then. The guard
        // has killed it already unless it is frozen; then this kills the run, within 1 s.
        const qint64 graceMs = m_task.isKilledAtLockDeadline() && m_task.isLockDeadlinePassed() ? 0 : m_settings.killGraceMs;
        if (!m_graceTimer)
            m_graceTimer = m_context.clock().callAfter(graceMs, this, [this] { onGraceExpired(); });
        return;
    }
    if (m_state == State::Finishing || m_state == State::Finished)
        return;
    // No task runs in any other state, so nothing is to be stopped; what is pending still answers:
    // acquire() (the backend acquires afresh when its kept lock turns out lost), the release, the
    // liveness write, or the sleep timer.
    qCWarning(lcRunner).noquote() << QStringLiteral("Lock has been lost (%1); the next iteration acquires it again").arg(reason);
    if (m_state == State::WritingLiveness) {
        // The run is over; the iteration ends as one that lost its lock (a hot standby with keep_lock).
        m_lockLost = true;
        m_lostReason = reason;
    }
    if (m_handoverRequest && m_state != State::Releasing) {
        qCWarning(lcRunner).noquote() << QStringLiteral("The lock was lost before it could be handed over as %1 requested; dropping the request")
                                             .arg(requester(*m_handoverRequest));
        m_handoverRequest.reset();
    }
    if (m_state == State::Sleeping && m_settings.keepLock)
        m_lock->watchForRelease(); // a hot standby from now on
}

void Runner::onGraceExpired()
{
    m_graceTimer = 0;
    if (m_state != State::Running)
        return;
    if (m_task.forceStop()) {
        qCWarning(lcRunner).noquote() << (m_task.isKilledAtLockDeadline() && m_task.isLockDeadlinePassed()
                                              ? QStringLiteral("Task outlived its lock deadline: killed")
                                              : QStringLiteral("Task did not stop within %1 seconds: killed").arg(seconds(m_settings.killGraceMs)));
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
        m_yielding = false;
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
    if (m_handover)
        m_handover->stop();
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
    QString line = QStringLiteral("State: %1, iteration %2, last status %3").arg(stateName(m_state)).arg(m_iterations).arg(toString(m_lastStatus));
    line += m_lock->isHeld() ? QStringLiteral(", lock held (fencing token %1)").arg(m_lock->fencingToken()) : QStringLiteral(", lock not held");
    if (m_handoverRequest)
        line += QStringLiteral(", handover requested by %1").arg(requester(*m_handoverRequest));
    if (m_yielding)
        line += QStringLiteral(", yielding the lock after a handover");
    if (m_state == State::Sleeping)
        line += QStringLiteral(", next iteration in %1 s").arg(seconds(qMax<qint64>(0, m_wakeAtMs - now())));
    qCInfo(lcRunner).noquote() << line;
}

} // namespace jobslib
