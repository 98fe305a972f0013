// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "dashboardsettings.h"

#include "app/backendregistry.h"
#include "config/config.h"
#include "kv/kvstore.h"

#include <QObject>

#include <memory>

class QNetworkAccessManager;

namespace jobslib {
class Context;
}

namespace jobslib::dashboard {

/*!
 * The dashboard's connection to one datacenter: the key-value store it watches every job in (one
 * multiplexed long poll for all of them, see KvStore), and a lock Context per action, built from
 * the same options runjob would use, so "Release lock" runs runjob's own release-lock code.
 */
class DatacenterLink : public QObject
{
    Q_OBJECT
public:
    /*! secret: the Consul token or etcd password ("" when none). */
    DatacenterLink(const DatacenterSettings &settings, const QString &secret, QNetworkAccessManager *network, QObject *parent = nullptr);
    ~DatacenterLink() override;

    const DatacenterSettings &settings() const { return m_settings; }
    QString name() const { return m_settings.name; }
    /*! nullptr when the settings are unusable; then error() says why. */
    KvStore *store() const { return m_store.get(); }
    QString error() const { return m_error; }

    /*! A context whose lock() is this datacenter's lock on lockKey (for release-lock). */
    Expected<std::unique_ptr<Context>> lockContext(const QString &lockKey) const;

    /*! The runjob options that describe this datacenter's lock on lockKey (secret included). */
    static Expected<Config> lockConfig(const DatacenterSettings &settings, const QString &secret, const QString &lockKey);

private:
    DatacenterSettings m_settings;
    QString m_secret;
    BackendRegistry m_backends;
    std::shared_ptr<KvStore> m_store;
    QString m_error;
};

} // namespace jobslib::dashboard
