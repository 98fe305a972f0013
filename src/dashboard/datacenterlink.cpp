// SPDX-License-Identifier: BSD-3-Clause
#include "datacenterlink.h"

#include "app/context.h"
#include "config/configloader.h"

#include <QProcessEnvironment>

namespace jobslib::dashboard {

DatacenterLink::DatacenterLink(const DatacenterSettings &settings, const QString &secret, QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_secret(secret)
    , m_backends(BackendRegistry::builtins())
{
    // The store does not use the lock key; any valid key makes the option group complete.
    const Expected<Config> config = lockConfig(settings, secret, QStringLiteral("jobslib-dashboard"));
    if (!config) {
        m_error = config.error();
        return;
    }
    auto store = makeKvStore(network, *config, QStringLiteral("one_instance.") + settings.backend);
    if (!store) {
        m_error = store.error();
        return;
    }
    m_store = *store;
}

DatacenterLink::~DatacenterLink() = default;

Expected<Config> DatacenterLink::lockConfig(const DatacenterSettings &settings, const QString &secret, const QString &lockKey)
{
    OptionTable table = OptionTable::core();
    BackendRegistry::builtins().declareOptions(table);
    ConfigLoader loader(table);
    // Only what the dashboard's settings say: neither this machine's environment nor a file.
    loader.setEnvironment(QProcessEnvironment());
    const QString g = QStringLiteral("one_instance.") + settings.backend + QLatin1Char('.');
    auto set = [&loader](const QString &option, const QString &value) {
        if (!value.isEmpty())
            loader.setCliValue(option, CliValue{value, QStringLiteral("dashboard setting ") + option});
    };
    set(QStringLiteral("one_instance.backend"), settings.backend);
    set(g + QStringLiteral("key"), lockKey);
    set(g + QStringLiteral("ca_file"), settings.caFile);
    set(g + QStringLiteral("ssl_verify"), settings.verifyTls ? QStringLiteral("true") : QStringLiteral("false"));
    if (settings.backend == QLatin1String("consul")) {
        set(g + QStringLiteral("address"), settings.address);
        set(g + QStringLiteral("datacenter"), settings.consulDatacenter);
        set(g + QStringLiteral("token"), secret);
    } else {
        set(g + QStringLiteral("endpoints"), settings.address);
        set(g + QStringLiteral("username"), settings.username);
        set(g + QStringLiteral("password"), secret);
    }
    return loader.load();
}

Expected<std::unique_ptr<Context>> DatacenterLink::lockContext(const QString &lockKey) const
{
    const Expected<Config> config = lockConfig(m_settings, m_secret, lockKey);
    if (!config)
        return Expected<std::unique_ptr<Context>>::failure(config.error());
    auto context = std::make_unique<Context>(*config, m_backends);
    context->setTaskName(QStringLiteral("jobslib-dashboard"));
    return Expected<std::unique_ptr<Context>>(std::move(context));
}

} // namespace jobslib::dashboard
