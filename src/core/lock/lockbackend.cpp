// SPDX-License-Identifier: BSD-3-Clause
#include "lockbackend.h"

#include <cmath>

#include "app/context.h"
#include "jobslib_version.h"
#include "runner/clock.h"

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
    return qint64(std::ceil(grace)) + 1;
}

} // namespace jobslib
