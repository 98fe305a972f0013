// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobstatus.h"
#include "lock/lockbackend.h"
#include "schedule.h"
#include "task/taskresult.h"

#include <QObject>

namespace jobslib {

class BaseTask;
class Context;

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
 */
class JOBSLIB_EXPORT Runner : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Acquiring, Running, Releasing, WritingLiveness, Sleeping, Finishing, Finished };
    Q_ENUM(State)

    /*! Taken off the lease deadline handed to the task: the guard reads it a little late. */
    static constexpr qint64 DeadlineSafetyMs = 100;

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

Q_SIGNALS:
    void stateChanged(jobslib::Runner::State state);
    void iterationFinished(jobslib::JobStatus status);
    /*! The loop is over (run-once, or terminated); the process should exit with this code. */
    void finished(int exitCode);

private:
    void setState(State state);
    void beginIteration();
    void onAcquired(quint64 token);
    void onNotAcquired(const LockOwner &owner);
    void onAcquireFailed(const QString &error);
    void onTaskFinished(const TaskResult &result);
    void onLockLost(const QString &reason);
    void onGraceExpired();
    void afterRun();
    void releaseLock();
    void onReleased();
    void onReleaseFailed(const QString &error);
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
};

} // namespace jobslib
