// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "util/expected.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace jobslib::dashboard {

/*! One datacenter: the Consul agent or etcd cluster the dashboard reads there. */
struct DatacenterSettings
{
    QString name;               ///< shown in the UI ("prague")
    QString backend = QStringLiteral("consul"); ///< "consul" or "etcd"
    QString address;            ///< Consul: "http://host:8500"; etcd: endpoints, comma separated
    QString consulDatacenter;   ///< Consul ?dc= (a lock's home datacenter), may be empty
    QString caFile;             ///< PEM bundle for https, may be empty
    bool verifyTls = true;
    QString username;           ///< etcd user, may be empty
    // The Consul token / etcd password is a secret: CredentialStore, never the settings file.

    /*! The key of this datacenter's secret in the keychain. */
    QString secretKey() const { return QStringLiteral("datacenter/") + name; }
    bool operator==(const DatacenterSettings &o) const;
};

/*! One job: where its lock, heartbeats and history are. */
struct JobSettings
{
    QString name;               ///< shown in the UI; the `task` tag of its metrics
    QString lockKey;            ///< the one_instance key, the same in every datacenter
    QString livenessKey;        ///< Python's liveness record key, may be empty
    QString heartbeatPrefix;    ///< per-instance heartbeats; default <livenessKey>/instances/
    QString influxUrl;          ///< "http://host:8086", empty: no history
    QString influxDatabase;
    QString influxUsername;
    // The InfluxDB password is a secret: CredentialStore.

    QString effectiveHeartbeatPrefix() const;
    QString secretKey() const { return QStringLiteral("job/") + name + QStringLiteral("/influxdb"); }
    bool operator==(const JobSettings &o) const;
};

/*!
 * The dashboard's settings file (INI, QSettings): [datacenters] and [jobs] arrays. Secrets are
 * never written here; they live in the system keychain (CredentialStore).
 */
struct DashboardSettings
{
    QList<DatacenterSettings> datacenters;
    QList<JobSettings> jobs;

    /*! Reads path; a missing file is an empty configuration, a malformed entry an error naming it. */
    static Expected<DashboardSettings> load(const QString &path);
    /*! Writes path (atomically); the error text when it could not. */
    QString save(const QString &path) const;
    /*! The first problem that would keep the dashboard from watching, "" when none. */
    QString validate() const;
    /*! Where the settings live unless --settings says otherwise. */
    static QString defaultPath();
};

} // namespace jobslib::dashboard
