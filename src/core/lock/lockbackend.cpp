// SPDX-License-Identifier: BSD-3-Clause
#include "lockbackend.h"

#include <cmath>

#include "app/context.h"
#include "jobslib_version.h"
#include "util/clock.h"
#include "util/deferred.h"

#include <QCoreApplication>

namespace jobslib {

LockBackend::LockBackend(Context &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{
    qRegisterMetaType<jobslib::LockOwner>();
    qRegisterMetaType<std::optional<jobslib::LockOwner>>();
}

LockBackend::~LockBackend() = default;

void LockBackend::refresh()
{
}

void LockBackend::watchForRelease()
{
}

void LockBackend::stopWatching()
{
}

OwnerRecord LockBackend::ownRecord(quint64 fencingToken) const
{
    OwnerRecord r = OwnerRecord::now(m_context.fqdn(), m_context.clock().utcNow());
    r.pid = QCoreApplication::applicationPid();
    r.datacenter = m_context.datacenter();
    r.version = QStringLiteral(JOBSLIB_VERSION_STRING);
    r.fencingToken = fencingToken;
    r.killGrace = m_context.config().number(QStringLiteral("task.kill_grace"));
    return r;
}

QString LockBackend::fenceOutcomeUnknown(const QString &error, const QString &fenceLength)
{
    return QStringLiteral("%1; if the release went through, the lock is fenced for %2 (run lock-info to see)").arg(error, fenceLength);
}

qint64 LockBackend::stopFenceSeconds(const Config &config, double holderKillGrace)
{
    const double grace = qMax(config.number(QStringLiteral("task.kill_grace")), holderKillGrace);
    return qint64(std::ceil(grace)) + 1 + FenceMarginS;
}

void LockBackend::reacquireHeld(const std::function<void(const QString &)> &lose, const std::function<void()> &acquireAgain)
{
    // Decided when the answer is delivered, not now: an overdue deadline timer that fires first
    // has reported the loss by then, and the answer never comes from inside acquire().
    deferred(this, [this, lose, acquireAgain] {
        const QString why = whyNotProven(0);
        if (why.isEmpty()) {
            Q_EMIT acquired(fencingToken());
            return;
        }
        if (isHeld())
            lose(why);
        acquireAgain();
    });
}

void LockBackend::setTaskStopMs(qint64 ms)
{
    Q_UNUSED(ms); // a lock without a lease is not lost by time running out
}

QString LockBackend::whyNotProven(qint64 marginMs) const
{
    if (!isHeld())
        return QStringLiteral("the lock is not held");
    if (!hasLease())
        return QString();
    const qint64 remaining = leaseRemainingMs();
    if (remaining < 0)
        return QStringLiteral("the lock has no lease deadline, which a %1 lock must have").arg(backendName());
    if (remaining <= 0)
        return QStringLiteral("the lease deadline passed (was the process frozen?)");
    if (remaining <= marginMs)
        return QStringLiteral("the lease is proven for only %1 ms more (at least %2 ms are needed to start a run)").arg(remaining).arg(marginMs);
    return QString();
}

} // namespace jobslib
