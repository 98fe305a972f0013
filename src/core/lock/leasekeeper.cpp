// SPDX-License-Identifier: BSD-3-Clause
#include "leasekeeper.h"

#include "runner/clock.h"
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

qint64 LeaseKeeper::marginMs(qint64 ttlMs)
{
    return qMin<qint64>(1000, ttlMs / 10);
}

void LeaseKeeper::start(qint64 ttlMs, qint64 sentAtMs, RenewFn renew)
{
    stop();
    ++m_generation;
    m_active = true;
    m_ttlMs = ttlMs;
    m_renew = std::move(renew);
    m_deadlineMs = sentAtMs + ttlMs - marginMs(ttlMs);
    m_lastError.clear();
    armDeadline();
    scheduleRenew(ttlMs / 3);
    Q_EMIT deadlineChanged(m_deadlineMs - m_clock.monotonicMs());
}

void LeaseKeeper::stop()
{
    m_active = false;
    m_inFlight = false;
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
    if (m_active && !m_inFlight)
        renew();
}

void LeaseKeeper::scheduleRenew(qint64 delayMs)
{
    if (m_renewTimer)
        m_clock.cancel(m_renewTimer);
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
    if (!m_active || m_inFlight)
        return;
    // After a freeze (SIGSTOP) timers fire late: check the deadline before trusting anything.
    if (expired()) {
        loseLease(QStringLiteral("the lease deadline passed (was the process frozen?)"));
        return;
    }
    m_inFlight = true;
    const qint64 sentAt = m_clock.monotonicMs();
    const quint64 generation = m_generation;
    m_renew([this, sentAt, generation](RenewOutcome outcome, const QString &error) {
        if (generation != m_generation || !m_active)
            return;
        m_inFlight = false;
        if (expired()) {
            loseLease(QStringLiteral("the lease deadline passed before the renewal was confirmed"));
            return;
        }
        switch (outcome) {
        case RenewOutcome::Renewed:
            if (!m_lastError.isEmpty())
                qCInfo(lcLock).noquote() << "Lock renewal works again";
            m_lastError.clear();
            m_deadlineMs = sentAt + m_ttlMs - marginMs(m_ttlMs);
            armDeadline();
            scheduleRenew(m_ttlMs / 3);
            Q_EMIT deadlineChanged(m_deadlineMs - m_clock.monotonicMs());
            break;
        case RenewOutcome::Gone:
            loseLease(QStringLiteral("the server no longer knows the lease (Consul session invalidated, etcd lease revoked or expired)"));
            break;
        case RenewOutcome::Failed:
            // Logged once per distinct error; retried until the deadline decides.
            if (error != m_lastError)
                qCWarning(lcLock).noquote() << "Can't extend lock:" << error;
            m_lastError = error;
            Q_EMIT renewFailed(error);
            scheduleRenew(qMin<qint64>(1000, qMax<qint64>(100, m_ttlMs / 10)));
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
