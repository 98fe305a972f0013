// SPDX-License-Identifier: BSD-3-Clause
#include "leasekeeper.h"

#include "lock/lockbackend.h"
#include "util/clock.h"
#include "util/logcategories.h"

namespace jobslib {

LeaseKeeper::LeaseKeeper(Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{
}

LeaseKeeper::~LeaseKeeper()
{
    stop();
}

qint64 LeaseKeeper::marginMs(qint64 taskStopMs)
{
    return LockBackend::FenceMarginS * 1000 + StopLatenessMs + qMax<qint64>(0, taskStopMs);
}

void LeaseKeeper::start(qint64 ttlMs, qint64 sentAtMs, RenewFn renew)
{
    stop();
    ++m_generation;
    m_active = true;
    m_ttlMs = ttlMs;
    m_renew = std::move(renew);
    m_deadlineMs = sentAtMs + ttlMs - marginMs(m_taskStopMs);
    m_lastError.clear();
    armDeadline();
    scheduleRenew(qMax<qint64>(0, sentAtMs + renewIntervalMs(ttlMs, m_taskStopMs) - m_clock.monotonicMs()));
    Q_EMIT deadlineChanged(m_deadlineMs - m_clock.monotonicMs());
}

void LeaseKeeper::stop()
{
    m_active = false;
    m_inFlight = 0;
    ++m_generation;
    if (m_renewTimer)
        m_clock.cancel(m_renewTimer);
    if (m_deadlineTimer)
        m_clock.cancel(m_deadlineTimer);
    m_renewTimer = m_deadlineTimer = 0;
}

bool LeaseKeeper::expired() const
{
    return m_active && m_clock.monotonicMs() >= m_deadlineMs;
}

void LeaseKeeper::renewNow()
{
    if (m_active && m_inFlight == 0)
        renew();
}

void LeaseKeeper::scheduleRenew(qint64 delayMs)
{
    if (m_renewTimer) {
        // A retry never postpones a renewal that is due sooner.
        if (m_renewAtMs <= m_clock.monotonicMs() + delayMs)
            return;
        m_clock.cancel(m_renewTimer);
    }
    m_renewAtMs = m_clock.monotonicMs() + delayMs;
    m_renewTimer = m_clock.callAfter(delayMs, this, [this] {
        m_renewTimer = 0;
        renew();
    });
}

void LeaseKeeper::armDeadline()
{
    if (m_deadlineTimer)
        m_clock.cancel(m_deadlineTimer);
    m_deadlineTimer = m_clock.callAfter(qMax<qint64>(0, m_deadlineMs - m_clock.monotonicMs()), this, [this] {
        m_deadlineTimer = 0;
        loseLease(m_lastError.isEmpty() ? QStringLiteral("no renewal was confirmed within the TTL")
                                        : QStringLiteral("no renewal was confirmed within the TTL (last error: %1)").arg(m_lastError));
    });
}

void LeaseKeeper::renew()
{
    if (!m_active)
        return;
    // After a freeze (SIGSTOP) timers fire late: check the deadline before trusting anything.
    if (expired()) {
        loseLease(QStringLiteral("the lease deadline passed (was the process frozen?)"));
        return;
    }
    // The next renewal is due an interval after this one is *sent*, whether or not this one has
    // been answered by then: a slow answer does not delay it, and a request stuck on a dead
    // connection until its timeout (longer than the window at a short TTL) does not hold up the
    // ones that could still get through. MaxInFlight bounds what a stalled store gets.
    scheduleRenew(renewIntervalMs(m_ttlMs, m_taskStopMs));
    if (m_inFlight >= MaxInFlight)
        return;
    ++m_inFlight;
    const qint64 sentAt = m_clock.monotonicMs();
    const quint64 generation = m_generation;
    m_renew([this, sentAt, generation](RenewOutcome outcome, const QString &error) {
        if (generation != m_generation || !m_active)
            return;
        --m_inFlight;
        if (expired()) {
            loseLease(QStringLiteral("the lease deadline passed before the renewal was confirmed"));
            return;
        }
        switch (outcome) {
        case RenewOutcome::Renewed: {
            if (!m_lastError.isEmpty())
                qCInfo(lcLock).noquote() << "Lock renewal works again";
            m_lastError.clear();
            // An answer to an older request that comes after a newer one's proves less.
            const qint64 deadline = sentAt + m_ttlMs - marginMs(m_taskStopMs);
            if (deadline > m_deadlineMs) {
                m_deadlineMs = deadline;
                armDeadline();
            }
            Q_EMIT deadlineChanged(m_deadlineMs - m_clock.monotonicMs());
            break;
        }
        case RenewOutcome::Gone:
            loseLease(QStringLiteral("the server no longer knows the lease (Consul session invalidated, etcd lease revoked or expired)"));
            break;
        case RenewOutcome::Failed:
            // Logged once per distinct error; retried until the deadline decides.
            if (error != m_lastError)
                qCWarning(lcLock).noquote() << "Can't extend lock:" << error;
            m_lastError = error;
            Q_EMIT renewFailed(error);
            scheduleRenew(qMin<qint64>(1000, qMax<qint64>(100, windowMs(m_ttlMs, m_taskStopMs) / 10)));
            break;
        }
    });
}

void LeaseKeeper::loseLease(const QString &reason)
{
    if (!m_active)
        return;
    stop();
    Q_EMIT lost(reason);
}

} // namespace jobslib
