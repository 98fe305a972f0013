// SPDX-License-Identifier: BSD-3-Clause
#include "lockinfo.h"

#include "app/context.h"
#include "lock/lockbackend.h"
#include "util/logcategories.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace jobslib {

QString LockInfo::description() const
{
    return QStringLiteral("Show who holds the one-instance lock: host, pid, since when, fencing token.");
}

QList<QCommandLineOption> LockInfo::arguments() const
{
    return {QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print one JSON object instead of text."))};
}

QString LockInfo::describeOwner(const LockOwner &owner)
{
    if (!owner.held)
        return QStringLiteral("free");
    QString text = QStringLiteral("held");
    if (owner.record) {
        const OwnerRecord &r = *owner.record;
        text += QStringLiteral(" by ") + (r.fqdn.isEmpty() ? QStringLiteral("(unknown host)") : r.fqdn);
        if (r.pid)
            text += QStringLiteral(" pid %1").arg(r.pid);
        if (!r.datacenter.isEmpty())
            text += QStringLiteral(" in datacenter ") + r.datacenter;
        if (!r.timeUtc.isEmpty())
            text += QStringLiteral(" since %1 UTC").arg(r.timeUtc);
        if (r.fencingToken)
            text += QStringLiteral(", fencing token %1").arg(r.fencingToken);
    }
    if (!owner.holderId.isEmpty())
        text += QStringLiteral(" (%1)").arg(owner.holderId);
    return text;
}

void LockInfo::start(Context &context, const QCommandLineParser &parser)
{
    const bool json = parser.isSet(QStringLiteral("json"));
    LockBackend *lock = context.lock();
    connect(lock, &LockBackend::ownerQueried, this, [this, lock, json](const std::optional<LockOwner> &owner, const QString &error) {
        if (!owner) {
            qCCritical(lcLock).noquote() << "Can't get lock owner info:" << error;
            Q_EMIT finished(1);
            return;
        }
        QByteArray out;
        if (json) {
            QJsonObject o{{QStringLiteral("backend"), lock->backendName()}, {QStringLiteral("key"), lock->lockKey()}, {QStringLiteral("held"), owner->held}};
            if (owner->record)
                o.insert(QStringLiteral("holder"), QJsonDocument::fromJson(owner->record->toJson()).object());
            if (!owner->holderId.isEmpty())
                o.insert(QStringLiteral("holder_id"), owner->holderId);
            if (!owner->detail.isEmpty())
                o.insert(QStringLiteral("detail"), owner->detail);
            out = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
        } else {
            out = QStringLiteral("lock: %1 %2\nstate: %3\n").arg(lock->backendName(), lock->lockKey(), describeOwner(*owner)).toUtf8();
            if (!owner->detail.isEmpty())
                out += QStringLiteral("detail: %1\n").arg(owner->detail).toUtf8();
        }
        std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
        std::fflush(stdout);
        Q_EMIT finished(0);
    });
    lock->queryOwner();
}

} // namespace jobslib
