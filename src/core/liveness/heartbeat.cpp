// SPDX-License-Identifier: BSD-3-Clause
#include "heartbeat.h"

#include "app/context.h"
#include "jobslib_version.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

namespace jobslib {

QByteArray heartbeatRecord(const Context &context, const InstanceState &state, qint64 intervalMs, const QDateTime &now)
{
    QJsonObject o{{QStringLiteral("state"), state.state},
                  {QStringLiteral("fqdn"), context.fqdn()},
                  {QStringLiteral("datacenter"), context.datacenter()},
                  {QStringLiteral("pid"), QCoreApplication::applicationPid()},
                  {QStringLiteral("version"), QStringLiteral(JOBSLIB_VERSION_STRING)},
                  {QStringLiteral("job"), context.taskName()},
                  {QStringLiteral("timestamp"), now.toSecsSinceEpoch()},
                  {QStringLiteral("last_success"), state.lastSuccess},
                  {QStringLiteral("last_error"), state.lastError},
                  {QStringLiteral("fencing_token"), qint64(state.fencingToken)},
                  {QStringLiteral("heartbeat_interval"), intervalMs / 1000.0}};
    if (state.nextRunInMs >= 0)
        o.insert(QStringLiteral("next_run"), now.toSecsSinceEpoch() + state.nextRunInMs / 1000);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QStringList staleHeartbeatKeys(const QList<StoredHeartbeat> &heartbeats, qint64 nowS, qint64 retentionS, const QString &ownKey)
{
    QStringList stale;
    for (const StoredHeartbeat &h : heartbeats) {
        if (h.key == ownKey)
            continue;
        const QJsonValue timestamp = QJsonDocument::fromJson(h.value).object().value(QLatin1String("timestamp"));
        if (!timestamp.isDouble())
            continue; // not ours to judge
        if (nowS - timestamp.toInteger() > retentionS)
            stale << h.key;
    }
    return stale;
}

} // namespace jobslib
