// SPDX-License-Identifier: BSD-3-Clause
#include "lockactions.h"

#include "datacenterlink.h"
#include "fleet.h"

#include "app/context.h"
#include "kv/actionlog.h"
#include "lock/lockbackend.h"

#include <QDateTime>

namespace jobslib::dashboard {

LockActions::LockActions(Fleet &fleet, QObject *parent)
    : QObject(parent)
    , m_fleet(fleet)
{
}

LockActions::~LockActions() = default;

void LockActions::finish(bool ok, const QString &message)
{
    m_busy = false;
    // The context may be inside the signal that got us here: delete it later.
    if (m_context)
        m_context.release()->deleteLater();
    Q_EMIT finished(ok, message);
}

void LockActions::record(int job, int datacenter, const QString &action, const QString &target, const QString &outcome, const QString &detail)
{
    DatacenterLink *link = m_fleet.link(datacenter);
    if (!link || !link->store())
        return;
    ActionRecord r;
    r.action = action;
    r.who = currentActor();
    r.timeMs = QDateTime::currentMSecsSinceEpoch();
    r.job = m_fleet.settings().jobs.value(job).name;
    r.target = target;
    r.outcome = outcome;
    r.detail = detail;
    // Best effort: the action itself matters more than its log line; a failure shows in the outcome text.
    recordAction(*link->store(), m_fleet.settings().jobs.value(job).lockKey, r, this, [](const Expected<bool> &) {});
}

void LockActions::releaseLock(int job, int datacenter, quint64 expectedToken, const QString &target)
{
    if (m_busy)
        return Q_EMIT finished(false, tr("Another action is still running."));
    DatacenterLink *link = m_fleet.link(datacenter);
    if (!link || job < 0 || job >= m_fleet.jobCount())
        return Q_EMIT finished(false, tr("No such job or datacenter."));
    const QString key = m_fleet.settings().jobs.at(job).lockKey;
    auto context = link->lockContext(key);
    if (!context)
        return Q_EMIT finished(false, context.error());
    m_busy = true;
    m_context = std::move(context.value());
    LockBackend *lock = m_context->lock();
    record(job, datacenter, QStringLiteral("release-lock"), target, QStringLiteral("requested"), QString());
    connect(lock, &LockBackend::forceReleaseFinished, this, [this, job, datacenter, target](bool ok, const QString &message) {
        record(job, datacenter, QStringLiteral("release-lock"), target, ok ? QStringLiteral("done") : QStringLiteral("failed"), message);
        finish(ok, message);
    });
    connect(lock, &LockBackend::ownerQueried, this, [this, lock, job, datacenter, target, expectedToken](const std::optional<LockOwner> &owner, const QString &error) {
        if (!owner) {
            record(job, datacenter, QStringLiteral("release-lock"), target, QStringLiteral("failed"), error);
            return finish(false, tr("Can't read the lock: %1").arg(error));
        }
        if (!owner->held) {
            record(job, datacenter, QStringLiteral("release-lock"), target, QStringLiteral("done"), QStringLiteral("the lock was already free"));
            return finish(true, tr("The lock is already free."));
        }
        if (expectedToken && owner->fencingToken != expectedToken) {
            // Somebody else holds it now: releasing would stop an instance the operator never saw.
            record(job, datacenter, QStringLiteral("release-lock"), target, QStringLiteral("failed"), QStringLiteral("the holder changed"));
            return finish(false, tr("The lock has a new holder since you confirmed; nothing was released. Check the lock again before you retry."));
        }
        lock->forceRelease();
    });
    lock->queryOwner();
}

void LockActions::requestHandover(int job, int datacenter, const QString &target)
{
    if (m_busy)
        return Q_EMIT finished(false, tr("Another action is still running."));
    DatacenterLink *link = m_fleet.link(datacenter);
    if (!link || !link->store() || job < 0 || job >= m_fleet.jobCount())
        return Q_EMIT finished(false, tr("No such job or datacenter."));
    m_busy = true;
    const QString key = m_fleet.settings().jobs.at(job).lockKey;
    HandoverRequest request;
    request.requestedBy = currentActor();
    request.timeMs = QDateTime::currentMSecsSinceEpoch();
    request.reason = QStringLiteral("requested from jobslib-dashboard");
    link->store()->create(handoverKey(key), request.toJson(), this, [this, job, datacenter, target](const Expected<bool> &created) {
        if (!created) {
            record(job, datacenter, QStringLiteral("request-handover"), target, QStringLiteral("failed"), created.error());
            return finish(false, tr("Can't write the handover request: %1").arg(created.error()));
        }
        if (!*created)
            return finish(false, tr("A handover is already requested for this job."));
        record(job, datacenter, QStringLiteral("request-handover"), target, QStringLiteral("requested"), QString());
        finish(true, tr("Handover requested: the holder releases the lock after its current run."));
    });
}

} // namespace jobslib::dashboard
