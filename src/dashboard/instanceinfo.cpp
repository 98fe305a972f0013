// SPDX-License-Identifier: BSD-3-Clause
#include "instanceinfo.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace jobslib::dashboard {

Expected<InstanceInfo> InstanceInfo::fromHeartbeat(const QString &key, const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (!doc.isObject())
        return Expected<InstanceInfo>::failure(QStringLiteral("heartbeat %1 is not a JSON object").arg(key));
    const QJsonObject o = doc.object();
    InstanceInfo i;
    i.key = key;
    i.state = o.value(QStringLiteral("state")).toString();
    i.fqdn = o.value(QStringLiteral("fqdn")).toString();
    i.datacenter = o.value(QStringLiteral("datacenter")).toString();
    i.pid = o.value(QStringLiteral("pid")).toInteger();
    i.version = o.value(QStringLiteral("version")).toString();
    i.heartbeatAt = o.value(QStringLiteral("timestamp")).toInteger();
    i.intervalS = o.value(QStringLiteral("heartbeat_interval")).toDouble();
    i.lastSuccess = o.value(QStringLiteral("last_success")).toInteger();
    i.lastError = o.value(QStringLiteral("last_error")).toString();
    i.fencingToken = quint64(o.value(QStringLiteral("fencing_token")).toInteger());
    i.nextRun = o.value(QStringLiteral("next_run")).toInteger();
    if (i.fqdn.isEmpty())
        return Expected<InstanceInfo>::failure(QStringLiteral("heartbeat %1 has no fqdn").arg(key));
    return i;
}

} // namespace jobslib::dashboard
