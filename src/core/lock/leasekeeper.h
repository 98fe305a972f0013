// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QObject>

#include <functional>

namespace jobslib {

class Clock;

/*!
 * Keeps a server-side lease (Consul session, etcd lease) alive and knows, on the local
 * monotonic clock, until when it is proven. Shared by the network lock backends.
 *
 * A renewal proves the lease for `ttl - margin` from the moment the request was *sent* (the
 * server counts from when it received it, which is later), so the local deadline always falls at
 * least the margin before the server could expire the lease and hand the lock to anybody else.
 * The margin (marginMs()) is what the old task needs to be certainly gone by then: the time it is
 * given to stop after the deadline (setTaskStopMs(): a C++ task's kill grace; 0 for a command,
 * which jobslib-guard kills at the deadline itself), StopLatenessMs for that kill or exit to
 * happen, and LockBackend::FenceMarginS to spare. It renews three times within the rest (the
 * window), each an interval after the previous one was sent, answered or not, so two renewals
 * in a row may fail or hang. When the deadline passes without a confirmed
 * renewal, or the server says the lease is gone, lost() is emitted once. Failed renewals are
 * retried (every second, or window/10 if shorter) until the deadline.
 */
class JOBSLIB_EXPORT LeaseKeeper : public QObject
{
    Q_OBJECT
public:
    enum class RenewOutcome { Renewed, Gone, Failed };
    /*! Sends one renewal and calls back with its outcome and, for Failed, the error. */
    using RenewFn = std::function<void(std::function<void(RenewOutcome, const QString &)>)>;

    LeaseKeeper(Clock &clock, QObject *parent = nullptr);
    ~LeaseKeeper() override;

    /*!
     * How long after the lease deadline the task may still run: the kill grace of a task that
     * cannot be killed (a C++ task's thread), 0 for one jobslib-guard kills at the deadline. Set
     * before start(); it moves the deadline that much earlier.
     */
    void setTaskStopMs(qint64 ms) { m_taskStopMs = qMax<qint64>(0, ms); }
    /*! The lease was granted by a request sent at sentAtMs (monotonic); renew it from now on. */
    void start(qint64 ttlMs, qint64 sentAtMs, RenewFn renew);
    void stop();
    bool isActive() const { return m_active; }
    /*! Monotonic time until which the lease is proven; -1 when not active. */
    qint64 deadlineMs() const { return m_active ? m_deadlineMs : -1; }
    /*! Whether the deadline has passed (a frozen process finds this out first thing on waking). */
    bool expired() const;
    /*! Renew now (Python's refresh()/extend_lock()). */
    void renewNow();

    /*!
     * How late the kill of a command (jobslib-guard's timer, or runjob's fallback 1 s after it)
     * or the exit of a self-fencing runjob may come after it is due. Measured: at most 13 ms
     * (bench/kill_lateness.sh); this leaves room for a loaded machine.
     */
    static constexpr qint64 StopLatenessMs = 1000;
    /*! The shortest window between the margin and the TTL in which the lease can be renewed. */
    static constexpr qint64 MinWindowMs = 3000;
    /*! At most this many renewals wait for an answer at once (see renew()). */
    static constexpr int MaxInFlight = 3;
    /*! How much before the server-side TTL the local deadline falls (see the class comment). */
    static qint64 marginMs(qint64 taskStopMs);
    /*! What is left of the TTL for renewals: ttl - marginMs(); at least MinWindowMs to be usable. */
    static qint64 windowMs(qint64 ttlMs, qint64 taskStopMs) { return ttlMs - marginMs(taskStopMs); }
    /*! How often the lease is renewed: a third of the window. */
    static qint64 renewIntervalMs(qint64 ttlMs, qint64 taskStopMs) { return qMax<qint64>(1, windowMs(ttlMs, taskStopMs) / 3); }

Q_SIGNALS:
    /*! The lease is proven for this many more ms (after each renewal). */
    void deadlineChanged(qint64 remainingMs);
    void lost(const QString &reason);
    /*! One renewal failed (it is retried until the deadline). */
    void renewFailed(const QString &error);

private:
    void scheduleRenew(qint64 delayMs);
    void renew();
    void armDeadline();
    void loseLease(const QString &reason);

    Clock &m_clock;
    RenewFn m_renew;
    qint64 m_ttlMs = 0;
    qint64 m_taskStopMs = 0;
    qint64 m_deadlineMs = 0;
    int m_renewTimer = 0;
    int m_deadlineTimer = 0;
    bool m_active = false;
    int m_inFlight = 0;       ///< renewals sent and not answered yet
    qint64 m_renewAtMs = 0;   ///< when m_renewTimer fires
    quint64 m_generation = 0; ///< callbacks of an earlier start() are ignored
    QString m_lastError;
};

} // namespace jobslib
