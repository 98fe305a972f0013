// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobstatus.h"
#include "kv/actionlog.h"
#include "lock/lockbackend.h"
#include "schedule.h"
#include "task/taskresult.h"

#include <QObject>

#include <optional>

namespace jobslib {

class BaseTask;
class Context;
class HandoverListener;

/*! What the runner is told by the configuration. */
struct JOBSLIB_EXPORT RunnerSettings
{
    bool runOnce = false;
    bool keepLock = false;
    bool releaseOnError = false;
    Schedule schedule;
    qint64 killGraceMs = 10000;
    /*! How long finishing waits for buffered metrics before it exits anyway. */
    qint64 flushTimeoutMs = 5000;

    static RunnerSettings fromConfig(const Config &config);
    /*!
     * How long \a task may still run after its lock is found lost: 0 when it is killed at the
     * lease deadline by itself (a command under jobslib-guard), else the kill grace (a C++ task
     * self-fences after it). The lease lock declares the loss that much earlier.
     */
    qint64 taskStopMs(const BaseTask &task) const;
};

/*!
 * The loop of Python jobslib as an event-driven state machine:
 *
 *   Acquiring -> Running -> Releasing (or keeping) -> WritingLiveness -> (metrics) -> Sleeping -> Acquiring ...
 *
 * Nothing blocks: every step is a backend call answered by a signal, every wait a timer of the
 * context's clock. Metrics are pushed (never awaited) at the end of every iteration with the
 * iteration's status. terminate() is honoured in every state: the task is stopped, the lock
 * released, the `killed` metric pushed, and finished() reports 128 + signal.
 *
 * Handover (an operator's request, see HandoverListener): a request seen while the lock is held is
 * honoured at the next point where the lock could be released: after the current run, or at once
 * between runs (keep_lock). The sleep after that release starts with a yield (state "handing-over"
 * for the heartbeat) during which this instance does not contend, so that a standby takes the
 * lock; then the loop goes on as usual, and if the lock is still free it is taken back.
 */
class JOBSLIB_EXPORT Runner : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Acquiring, Running, Releasing, WritingLiveness, Sleeping, Finishing, Finished };
    Q_ENUM(State)

    /*! Taken off the lease deadline handed to the task: the guard reads it a little late. */
    static constexpr qint64 DeadlineSafetyMs = 100;
    /*!
     * A run starts only with at least this much of the lease left (invariant (a)): a lease about to
     * run out would only start a task for jobslib-guard to kill. A fresh lease has at least
     * LeaseKeeper::MinWindowMs left.
     */
    static constexpr qint64 StartMarginMs = 500;

    Runner(Context &context, BaseTask &task, const RunnerSettings &settings, QObject *parent = nullptr);
    ~Runner() override;

    /*! Starts the first iteration on the next event loop turn. */
    void start();
    /*! Graceful stop for a signal (SIGTERM/SIGINT); a second call skips the grace. */
    void terminate(int signalNumber);
    /*! One log line with the current state (SIGHUP). */
    void logState() const;

    State state() const { return m_state; }
    int iterations() const { return m_iterations; }
    JobStatus lastStatus() const { return m_lastStatus; }
    /*! Why the last failed iteration failed; "" after a success. */
    QString lastError() const { return m_lastError; }
    /*! Monotonic time the next iteration is due while sleeping, else -1. */
    qint64 nextRunAtMs() const { return m_state == State::Sleeping ? m_wakeAtMs : -1; }
    /*! A handover was requested and is not yet done (the lock is released at the next chance). */
    bool isHandoverPending() const { return m_handoverRequest.has_value(); }
    /*! In the yield after a handover: not contending for the lock. */
    bool isYielding() const { return m_yielding; }
    /*! How long the yield after a handover lasts (HandoverListener::yieldMs()). */
    qint64 yieldMs() const { return m_yieldMs; }

Q_SIGNALS:
    void stateChanged(jobslib::Runner::State state);
    void iterationFinished(jobslib::JobStatus status);
    /*! The loop is over (run-once, or terminated); the process should exit with this code. */
    void finished(int exitCode);

private:
    void setState(State state);
    void beginIteration();
    void onAcquired(quint64 token);
    /*! acquired() came, but the backend cannot prove the lock now: no run; the loop goes on. */
    void refuseStart(const QString &why);
    void onNotAcquired(const LockOwner &owner);
    void onAcquireFailed(const QString &error);
    void onTaskFinished(const TaskResult &result);
    void onLockLost(const QString &reason);
    void onGraceExpired();
    void afterRun();
    void releaseLock();
    void onReleased();
    void onReleaseFailed(const QString &error);
    /*! After a release (or a failed one): a pending handover is completed, then the iteration goes on. */
    void afterRelease(const QString &releaseError);
    /*! What follows the release: liveness and the end of the iteration, or, between runs, the yield. */
    void continueAfterRelease();
    void onHandoverRequested(const HandoverRequest &request);
    void onHandoverWithdrawn();
    /*! Between runs, holding the lock (keep_lock): release it now for the pending handover; scheduledAtMs: when the next iteration was due. */
    void handOverBetweenRuns(qint64 scheduledAtMs);
    /*! The sleep after a handover: not contending for m_yieldMs; scheduledAtMs is when the next iteration was due anyway. */
    void startYield(qint64 scheduledAtMs);
    void onYieldOver();
    void writeLivenessIfSucceeded();
    /*! Python's per-iteration metrics for m_status, and iterationFinished(). */
    void reportIteration(qint64 endMs);
    void endIteration();
    void sleepFor(qint64 ms);
    void wakeUp();
    void finishLoop(int exitCode);
    qint64 now() const;
    /*! Tells the liveness backend (heartbeat) what this instance is doing. */
    void report(const QString &state);
    int exitCodeFor(JobStatus status) const;

    Context &m_context;
    BaseTask &m_task;
    LockBackend *m_lock;
    RunnerSettings m_settings;
    State m_state = State::Idle;
    JobStatus m_status = JobStatus::Unknown;
    JobStatus m_lastStatus = JobStatus::Unknown;
    qint64 m_iterationStartMs = 0;
    qint64 m_wakeAtMs = -1;
    int m_sleepTimer = 0;
    int m_graceTimer = 0;
    int m_iterations = 0;
    int m_terminateSignal = 0;
    bool m_keepLockThisIteration = false;
    bool m_lockLost = false;
    bool m_stopRequested = false;
    QString m_lostReason;
    QString m_lastError;
    qint64 m_lastSuccessEpoch = 0;
    quint64 m_highestToken = 0;            ///< the largest fencing token this instance ran with

    // Handover (see the class comment).
    HandoverListener *m_handover = nullptr; ///< nullptr when the lock has no key-value store
    std::optional<HandoverRequest> m_handoverRequest; ///< accepted, not yet honoured
    qint64 m_yieldMs = 0;
    int m_runs = 0;                        ///< task runs of this instance ("released after run N")
    quint64 m_handoverToken = 0;           ///< the token of the lock being handed over
    bool m_handoverBetweenRuns = false;    ///< releasing for a handover while sleeping: no iteration to end
    bool m_handedOver = false;             ///< this iteration released the lock for a handover: its sleep is a yield
    bool m_yielding = false;
    qint64 m_scheduledAfterYieldMs = 0;    ///< when the next iteration was due without the handover
    bool m_mayTakeBack = false;            ///< yielded, and nobody was seen holding the lock since
};

} // namespace jobslib
