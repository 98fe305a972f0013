// SPDX-License-Identifier: BSD-3-Clause
#include "fleet.h"

#include "credentialstore.h"
#include "datacenterlink.h"
#include "jobmonitor.h"

#include <QNetworkAccessManager>

#include <memory>

namespace jobslib::dashboard {

Fleet::Fleet(CredentialStore &credentials, QObject *parent)
    : QObject(parent)
    , m_credentials(credentials)
    , m_network(new QNetworkAccessManager(this))
{
}

Fleet::~Fleet() = default;

void Fleet::setSettings(const DashboardSettings &settings)
{
    const quint64 generation = ++m_generation;
    m_settings = settings;
    // Secrets first (the keychain answers asynchronously), then every link at once.
    auto secrets = std::make_shared<QStringList>();
    auto pending = std::make_shared<int>(int(settings.datacenters.size()));
    for (int i = 0; i < settings.datacenters.size(); ++i)
        *secrets << QString();
    if (settings.datacenters.isEmpty()) {
        start({});
        return;
    }
    for (int i = 0; i < settings.datacenters.size(); ++i) {
        m_credentials.read(settings.datacenters.at(i).secretKey(), this, [this, i, secrets, pending, generation](const Expected<QString> &secret) {
            if (secret)
                (*secrets)[i] = *secret;
            if (--*pending == 0 && generation == m_generation)
                start(*secrets);
        });
    }
}

void Fleet::start(const QStringList &secrets)
{
    for (const auto &row : std::as_const(m_monitors))
        qDeleteAll(row);
    m_monitors.clear();
    qDeleteAll(m_links);
    m_links.clear();
    m_firstData = false;

    for (int d = 0; d < m_settings.datacenters.size(); ++d) {
        auto *link = new DatacenterLink(m_settings.datacenters.at(d), secrets.value(d), m_network, this);
        m_links << link;
        if (link->store()) {
            connect(link->store(), &KvStore::reachabilityChanged, this, [this, d] { Q_EMIT datacenterChanged(d); });
        }
    }
    for (int j = 0; j < m_settings.jobs.size(); ++j) {
        QList<JobMonitor *> row;
        for (int d = 0; d < m_links.size(); ++d) {
            DatacenterLink *link = m_links.at(d);
            auto *monitor = new JobMonitor(m_settings.jobs.at(j), link->name(), link->store(), link->error(), this);
            connect(monitor, &JobMonitor::changed, this, [this, j] {
                Q_EMIT jobChanged(j);
                checkFirstData();
            });
            row << monitor;
        }
        m_monitors << row;
    }
    Q_EMIT started();
    checkFirstData();
}

JobMonitor *Fleet::monitor(int job, int datacenter) const
{
    if (job < 0 || job >= m_monitors.size() || datacenter < 0 || datacenter >= m_monitors.at(job).size())
        return nullptr;
    return m_monitors.at(job).at(datacenter);
}

DatacenterLink *Fleet::link(int datacenter) const
{
    return m_links.value(datacenter);
}

bool Fleet::isReachable(int datacenter) const
{
    return datacenterError(datacenter).isEmpty();
}

QString Fleet::datacenterError(int datacenter) const
{
    const DatacenterLink *l = link(datacenter);
    if (!l)
        return QString();
    return l->store() ? l->store()->lastError() : l->error();
}

bool Fleet::hasFirstData() const
{
    if (m_links.size() != m_settings.datacenters.size())
        return false;
    for (const auto &row : m_monitors)
        for (const JobMonitor *m : row)
            if (!m->settled())
                return false;
    return true;
}

void Fleet::checkFirstData()
{
    if (m_firstData || !hasFirstData())
        return;
    m_firstData = true;
    Q_EMIT firstDataArrived();
}

} // namespace jobslib::dashboard
