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
 * It renews every ttl/3. A renewal proves the lease for `ttl - margin` from the moment the
 * request was *sent* (the server counts from when it received it, which is later), so the local
 * deadline always falls before the server could expire the lease and hand the lock to anybody
 * else. When the deadline passes without a confirmed renewal, or the server says the lease is
 * gone, lost() is emitted once. Failed renewals are retried (every second, or ttl/10 if
 * shorter) until the deadline.
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

    /*! How much before the server-side TTL the local deadline falls. */
    static qint64 marginMs(qint64 ttlMs);

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
    qint64 m_deadlineMs = 0;
    int m_renewTimer = 0;
    int m_deadlineTimer = 0;
    bool m_active = false;
    bool m_inFlight = false;
    quint64 m_generation = 0; ///< callbacks of an earlier start() are ignored
    QString m_lastError;
};

} // namespace jobslib
