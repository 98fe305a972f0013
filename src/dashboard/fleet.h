// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "dashboardsettings.h"
#include "jobstate.h"

#include <QList>
#include <QObject>

class QNetworkAccessManager;

namespace jobslib::dashboard {

class CredentialStore;
class DatacenterLink;
class JobMonitor;

/*!
 * Every job in every datacenter: the links (one store and one long poll per datacenter) and a
 * JobMonitor per job and datacenter. Secrets are read from the CredentialStore first, then
 * everything starts; nothing here blocks the UI.
 */
class Fleet : public QObject
{
    Q_OBJECT
public:
    Fleet(CredentialStore &credentials, QObject *parent = nullptr);
    ~Fleet() override;

    /*! Replaces what is watched (settings changed); starts once the secrets are read. */
    void setSettings(const DashboardSettings &settings);
    const DashboardSettings &settings() const { return m_settings; }

    int jobCount() const { return int(m_settings.jobs.size()); }
    int datacenterCount() const { return int(m_settings.datacenters.size()); }
    /*! nullptr until started. */
    JobMonitor *monitor(int job, int datacenter) const;
    DatacenterLink *link(int datacenter) const;
    /*! Whether the datacenter answered its last watch; error() says why not. */
    bool isReachable(int datacenter) const;
    QString datacenterError(int datacenter) const;
    /*! Every monitor has had its first answer (or failure): what --screenshot waits for. */
    bool hasFirstData() const;

Q_SIGNALS:
    void jobChanged(int job);
    void datacenterChanged(int datacenter);
    /*! Monitors were (re)created: views reset. */
    void started();
    void firstDataArrived();

private:
    void start(const QStringList &secrets);
    void checkFirstData();

    CredentialStore &m_credentials;
    QNetworkAccessManager *m_network;
    DashboardSettings m_settings;
    QList<DatacenterLink *> m_links;
    QList<QList<JobMonitor *>> m_monitors; ///< [job][datacenter]
    quint64 m_generation = 0;
    bool m_firstData = false;
};

} // namespace jobslib::dashboard
