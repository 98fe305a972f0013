// SPDX-License-Identifier: BSD-3-Clause
#include "model.h"

namespace jobslib::consulsim {

Json KvEntry::toJson() const
{
    Json o = Json::object();
    o.insert(QStringLiteral("LockIndex"), lockIndex);
    o.insert(QStringLiteral("Key"), key);
    o.insert(QStringLiteral("Flags"), flags);
    o.insert(QStringLiteral("Value"), Json::bytes(value));
    if (!session.isEmpty())
        o.insert(QStringLiteral("Session"), session);
    o.insert(QStringLiteral("CreateIndex"), createIndex);
    o.insert(QStringLiteral("ModifyIndex"), modifyIndex);
    return o;
}

QStringList Session::checkIds() const
{
    QStringList ids = checks.value_or(QStringList());
    for (const QString &c : nodeChecks.value_or(QStringList())) {
        if (!ids.contains(c))
            ids.append(c);
    }
    for (const ServiceCheckRef &s : serviceChecks.value_or(QList<ServiceCheckRef>()))
        ids.append(s.id);
    return ids;
}

Json Session::toJson() const
{
    Json o = Json::object();
    o.insert(QStringLiteral("ID"), id);
    o.insert(QStringLiteral("Name"), name);
    o.insert(QStringLiteral("Node"), node);
    o.insert(QStringLiteral("LockDelay"), lockDelay);
    o.insert(QStringLiteral("Behavior"), behavior);
    o.insert(QStringLiteral("TTL"), ttl);
    o.insert(QStringLiteral("NodeChecks"), Json::strings(nodeChecks));
    if (serviceChecks) {
        Json arr = Json::array();
        for (const ServiceCheckRef &s : *serviceChecks) {
            Json sc = Json::object();
            sc.insert(QStringLiteral("ID"), s.id);
            sc.insert(QStringLiteral("Namespace"), s.ns);
            arr.append(sc);
        }
        o.insert(QStringLiteral("ServiceChecks"), arr);
    } else {
        o.insert(QStringLiteral("ServiceChecks"), Json());
    }
    if (checks && !checks->isEmpty())
        o.insert(QStringLiteral("Checks"), Json::strings(*checks));
    o.insert(QStringLiteral("CreateIndex"), createIndex);
    o.insert(QStringLiteral("ModifyIndex"), modifyIndex);
    return o;
}

Json HealthCheck::toJson() const
{
    Json o = Json::object();
    o.insert(QStringLiteral("Node"), node);
    o.insert(QStringLiteral("CheckID"), checkId);
    o.insert(QStringLiteral("Name"), name);
    o.insert(QStringLiteral("Status"), status);
    o.insert(QStringLiteral("Notes"), notes);
    o.insert(QStringLiteral("Output"), output);
    o.insert(QStringLiteral("ServiceID"), serviceId);
    o.insert(QStringLiteral("ServiceName"), serviceName);
    o.insert(QStringLiteral("ServiceTags"), Json::strings(serviceTags));
    o.insert(QStringLiteral("Type"), type);
    o.insert(QStringLiteral("Interval"), interval);
    o.insert(QStringLiteral("Timeout"), timeout);
    o.insert(QStringLiteral("ExposedPort"), 0);
    o.insert(QStringLiteral("Definition"), Json::object());
    o.insert(QStringLiteral("CreateIndex"), createIndex);
    o.insert(QStringLiteral("ModifyIndex"), modifyIndex);
    return o;
}

} // namespace jobslib::consulsim
