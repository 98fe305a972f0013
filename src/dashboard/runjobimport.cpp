// SPDX-License-Identifier: BSD-3-Clause
#include "runjobimport.h"

#include "app/backendregistry.h"
#include "config/configloader.h"

#include <QFileInfo>
#include <QProcessEnvironment>

#include <algorithm>

namespace jobslib::dashboard {

namespace {

/*! The selected backend's option group ("one_instance.consul"), if it is a key-value store. */
QString storeGroup(const Config &config, const QString &section)
{
    for (const QString &backend : {QStringLiteral("consul"), QStringLiteral("etcd")}) {
        // Options of inactive backends have no value: the group with a key is the selected one.
        if (config.has(section + QLatin1Char('.') + backend + QStringLiteral(".key")))
            return section + QLatin1Char('.') + backend;
    }
    return QString();
}

QString httpAddress(const Config &config, const QString &group)
{
    const QString address = config.string(group + QStringLiteral(".address"));
    const QString scheme = config.flag(group + QStringLiteral(".ssl")) ? QStringLiteral("https") : QStringLiteral("http");
    if (!address.isEmpty())
        return address.contains(QStringLiteral("://")) ? address : scheme + QStringLiteral("://") + address;
    return QStringLiteral("%1://%2:%3").arg(scheme, config.string(group + QStringLiteral(".host"))).arg(config.integer(group + QStringLiteral(".port")));
}

} // namespace

Expected<ImportedJob> importRunjobSettings(const QString &path)
{
    if (!QFileInfo(path).isReadable())
        return Expected<ImportedJob>::failure(QStringLiteral("%1: no such readable file").arg(path));
    OptionTable table = OptionTable::core();
    const BackendRegistry backends = BackendRegistry::builtins();
    backends.declareOptions(table);
    ConfigLoader loader(table);
    loader.setSettingsFile(path);
    loader.setEnvironment(QProcessEnvironment());
    const Expected<Config> config = loader.load();
    if (!config)
        return Expected<ImportedJob>::failure(config.error());

    const QString lockGroup = storeGroup(*config, QStringLiteral("one_instance"));
    if (lockGroup.isEmpty())
        return Expected<ImportedJob>::failure(
            QStringLiteral("%1: the one_instance backend is \"%2\"; the dashboard watches consul and etcd locks only").arg(path, config->lockBackend()));

    ImportedJob out;
    // runjob's job_name is the `task` tag of its metrics, which the history chart selects by.
    out.job.name = config->string(QStringLiteral("job_name"));
    if (out.job.name.isEmpty())
        out.job.name = QFileInfo(path).completeBaseName();
    out.job.lockKey = config->string(lockGroup + QStringLiteral(".key"));
    const QString livenessGroup = storeGroup(*config, QStringLiteral("liveness"));
    if (!livenessGroup.isEmpty()) {
        out.job.livenessKey = config->string(livenessGroup + QStringLiteral(".key"));
        out.job.heartbeatPrefix = config->string(livenessGroup + QStringLiteral(".heartbeat_prefix"));
    }
    if (config->has(QStringLiteral("metrics.influxdb.host"))) {
        const QString g = QStringLiteral("metrics.influxdb.");
        out.job.influxUrl = QStringLiteral("%1://%2:%3")
                                .arg(config->flag(g + QStringLiteral("ssl")) ? QStringLiteral("https") : QStringLiteral("http"),
                                     config->string(g + QStringLiteral("host")))
                                .arg(config->integer(g + QStringLiteral("port")));
        out.job.influxDatabase = config->string(g + QStringLiteral("database"));
        out.job.influxUsername = config->string(g + QStringLiteral("username"));
    }

    DatacenterSettings &dc = out.datacenter;
    dc.backend = lockGroup.section(QLatin1Char('.'), 1);
    if (dc.backend == QLatin1String("consul")) {
        dc.address = httpAddress(*config, lockGroup);
        dc.consulDatacenter = config->string(lockGroup + QStringLiteral(".datacenter"));
    } else {
        dc.address = config->value(lockGroup + QStringLiteral(".endpoints")).toStringList().join(QLatin1Char(','));
        dc.username = config->string(lockGroup + QStringLiteral(".username"));
    }
    dc.caFile = config->string(lockGroup + QStringLiteral(".ca_file"));
    dc.verifyTls = config->flag(lockGroup + QStringLiteral(".ssl_verify"));
    // The lock's home datacenter names it best; else the instance's own datacenter option.
    dc.name = !dc.consulDatacenter.isEmpty() ? dc.consulDatacenter : config->string(QStringLiteral("datacenter"));
    if (dc.name.isEmpty())
        dc.name = QStringLiteral("default");
    return out;
}

QString addImportedJob(DashboardSettings &settings, const ImportedJob &imported)
{
    auto taken = [](const auto &list, const QString &name) {
        return std::any_of(list.cbegin(), list.cend(), [&name](const auto &item) { return item.name == name; });
    };
    JobSettings job = imported.job;
    for (int n = 2; taken(settings.jobs, job.name); ++n)
        job.name = imported.job.name + QStringLiteral(" (%1)").arg(n);
    settings.jobs << job;
    const bool known = std::any_of(settings.datacenters.cbegin(), settings.datacenters.cend(),
                                   [&imported](const DatacenterSettings &d) { return d.address == imported.datacenter.address; });
    if (!known) {
        DatacenterSettings dc = imported.datacenter;
        for (int n = 2; taken(settings.datacenters, dc.name); ++n)
            dc.name = imported.datacenter.name + QStringLiteral(" %1").arg(n);
        settings.datacenters << dc;
    }
    return job.name;
}

} // namespace jobslib::dashboard
