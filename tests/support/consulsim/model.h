// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "json.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace jobslib::consulsim {

/*! structs.DirEntry. */
struct KvEntry
{
    QString key;
    QByteArray value;
    quint64 flags = 0;
    QString session;
    quint64 lockIndex = 0;
    quint64 createIndex = 0;
    quint64 modifyIndex = 0;

    /*! DirEntry.Equal: what decides whether a write changes anything (indexes excluded). */
    bool sameContent(const KvEntry &other) const
    {
        return lockIndex == other.lockIndex && key == other.key && flags == other.flags && value == other.value && session == other.session;
    }
    /*! Field order as Consul emits it: LockIndex, Key, Flags, Value, Session (omitempty), CreateIndex, ModifyIndex. */
    Json toJson() const;
};

/*! structs.ServiceCheck. */
struct ServiceCheckRef
{
    QString id;
    QString ns;
};

/*! structs.Session. */
struct Session
{
    QString id;
    QString name;
    QString node;
    qint64 lockDelay = 0; // nanoseconds
    QString behavior;
    QString ttl;
    std::optional<QStringList> nodeChecks;
    std::optional<QList<ServiceCheckRef>> serviceChecks;
    /*! Deprecated Checks; emitted only when not empty (omitempty). */
    std::optional<QStringList> checks;
    quint64 createIndex = 0;
    quint64 modifyIndex = 0;

    /*! Session.CheckIDs(): Checks, then NodeChecks not already listed, then ServiceChecks. */
    QStringList checkIds() const;
    Json toJson() const;
};

/*! structs.HealthCheck (catalog view) and the agent's local copy. */
struct HealthCheck
{
    QString node;
    QString checkId;
    QString name;
    QString status;
    QString notes;
    QString output;
    QString serviceId;
    QString serviceName;
    QStringList serviceTags;
    QString type;
    QString interval;
    QString timeout;
    quint64 createIndex = 0;
    quint64 modifyIndex = 0;

    Json toJson() const;
};

/*! A service instance on the node (catalog and agent). */
struct CatalogService
{
    QString id;
    QString name;
    QStringList tags;
    QString address;
    int port = 0;
    QMap<QString, QString> meta;
    quint64 createIndex = 0;
    quint64 modifyIndex = 0;
};

namespace HealthStatus {
inline QString passing() { return QStringLiteral("passing"); }
inline QString warning() { return QStringLiteral("warning"); }
inline QString critical() { return QStringLiteral("critical"); }
} // namespace HealthStatus

/*! The CheckID of the node's gossip health check every session depends on by default. */
inline QString serfCheckId()
{
    return QStringLiteral("serfHealth");
}

} // namespace jobslib::consulsim
