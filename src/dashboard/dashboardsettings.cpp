// SPDX-License-Identifier: BSD-3-Clause
#include "dashboardsettings.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QUrl>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace jobslib::dashboard {

namespace {
QString str(const QSettings &s, const char *key, const QString &def = QString())
{
    return s.value(QLatin1String(key), def).toString();
}
} // namespace

bool DatacenterSettings::operator==(const DatacenterSettings &o) const
{
    return name == o.name && backend == o.backend && address == o.address && consulDatacenter == o.consulDatacenter
        && caFile == o.caFile && verifyTls == o.verifyTls && username == o.username;
}

QString JobSettings::effectiveHeartbeatPrefix() const
{
    if (!heartbeatPrefix.isEmpty())
        return heartbeatPrefix;
    return livenessKey.isEmpty() ? QString() : livenessKey + QStringLiteral("/instances/");
}

bool JobSettings::operator==(const JobSettings &o) const
{
    return name == o.name && lockKey == o.lockKey && livenessKey == o.livenessKey && heartbeatPrefix == o.heartbeatPrefix
        && influxUrl == o.influxUrl && influxDatabase == o.influxDatabase && influxUsername == o.influxUsername;
}

Expected<DashboardSettings> DashboardSettings::load(const QString &path)
{
    DashboardSettings out;
    if (!QFileInfo::exists(path))
        return out;
    QSettings s(path, QSettings::IniFormat);
    if (s.status() != QSettings::NoError)
        return Expected<DashboardSettings>::failure(QStringLiteral("%1: not a readable settings file").arg(path));
    const int dcs = s.beginReadArray(QStringLiteral("datacenters"));
    for (int i = 0; i < dcs; ++i) {
        s.setArrayIndex(i);
        DatacenterSettings dc;
        dc.name = str(s, "name");
        dc.backend = str(s, "backend", dc.backend);
        dc.address = str(s, "address");
        dc.consulDatacenter = str(s, "consul_datacenter");
        dc.caFile = str(s, "ca_file");
        dc.verifyTls = s.value(QStringLiteral("verify_tls"), true).toBool();
        dc.username = str(s, "username");
        out.datacenters << dc;
    }
    s.endArray();
    const int jobs = s.beginReadArray(QStringLiteral("jobs"));
    for (int i = 0; i < jobs; ++i) {
        s.setArrayIndex(i);
        JobSettings job;
        job.name = str(s, "name");
        job.lockKey = str(s, "lock_key");
        job.livenessKey = str(s, "liveness_key");
        job.heartbeatPrefix = str(s, "heartbeat_prefix");
        job.influxUrl = str(s, "influxdb_url");
        job.influxDatabase = str(s, "influxdb_database");
        job.influxUsername = str(s, "influxdb_username");
        out.jobs << job;
    }
    s.endArray();
    const QString problem = out.validate();
    if (!problem.isEmpty())
        return Expected<DashboardSettings>::failure(path + QStringLiteral(": ") + problem);
    return out;
}

QString DashboardSettings::validate() const
{
    QSet<QString> names;
    for (const DatacenterSettings &dc : datacenters) {
        if (dc.name.isEmpty())
            return QStringLiteral("a datacenter has no name");
        if (names.contains(dc.name))
            return QStringLiteral("datacenter \"%1\" is listed twice").arg(dc.name);
        names.insert(dc.name);
        if (dc.backend != QLatin1String("consul") && dc.backend != QLatin1String("etcd"))
            return QStringLiteral("datacenter \"%1\": backend \"%2\" is not consul or etcd").arg(dc.name, dc.backend);
        if (dc.address.isEmpty())
            return QStringLiteral("datacenter \"%1\" has no address").arg(dc.name);
        const QStringList addresses = dc.address.split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &a : addresses) {
            const QUrl url(a.trimmed());
            if (!url.isValid() || url.host().isEmpty() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
                return QStringLiteral("datacenter \"%1\": address \"%2\" is not http(s)://host:port").arg(dc.name, a.trimmed());
        }
    }
    names.clear();
    for (const JobSettings &job : jobs) {
        if (job.name.isEmpty())
            return QStringLiteral("a job has no name");
        if (names.contains(job.name))
            return QStringLiteral("job \"%1\" is listed twice").arg(job.name);
        names.insert(job.name);
        if (job.lockKey.isEmpty())
            return QStringLiteral("job \"%1\" has no lock key").arg(job.name);
        if (job.lockKey.startsWith(QLatin1Char('/')))
            return QStringLiteral("job \"%1\": the lock key must not start with /").arg(job.name);
    }
    return QString();
}

QString DashboardSettings::save(const QString &path) const
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    const QString temp = path + QStringLiteral(".new");
    QFile::remove(temp);
    {
        QSettings s(temp, QSettings::IniFormat);
        s.beginWriteArray(QStringLiteral("datacenters"), int(datacenters.size()));
        for (int i = 0; i < datacenters.size(); ++i) {
            const DatacenterSettings &dc = datacenters.at(i);
            s.setArrayIndex(i);
            s.setValue(QStringLiteral("name"), dc.name);
            s.setValue(QStringLiteral("backend"), dc.backend);
            s.setValue(QStringLiteral("address"), dc.address);
            s.setValue(QStringLiteral("consul_datacenter"), dc.consulDatacenter);
            s.setValue(QStringLiteral("ca_file"), dc.caFile);
            s.setValue(QStringLiteral("verify_tls"), dc.verifyTls);
            s.setValue(QStringLiteral("username"), dc.username);
        }
        s.endArray();
        s.beginWriteArray(QStringLiteral("jobs"), int(jobs.size()));
        for (int i = 0; i < jobs.size(); ++i) {
            const JobSettings &job = jobs.at(i);
            s.setArrayIndex(i);
            s.setValue(QStringLiteral("name"), job.name);
            s.setValue(QStringLiteral("lock_key"), job.lockKey);
            s.setValue(QStringLiteral("liveness_key"), job.livenessKey);
            s.setValue(QStringLiteral("heartbeat_prefix"), job.heartbeatPrefix);
            s.setValue(QStringLiteral("influxdb_url"), job.influxUrl);
            s.setValue(QStringLiteral("influxdb_database"), job.influxDatabase);
            s.setValue(QStringLiteral("influxdb_username"), job.influxUsername);
        }
        s.endArray();
        s.sync();
        if (s.status() != QSettings::NoError)
            return QStringLiteral("can't write %1").arg(temp);
    }
    // rename() over an existing file is atomic on POSIX; QFile::rename refuses to overwrite.
    if (std::rename(QFile::encodeName(temp).constData(), QFile::encodeName(path).constData()) != 0)
        return QStringLiteral("can't replace %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
    return QString();
}

QString DashboardSettings::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QStringLiteral("/dashboard.ini");
}

} // namespace jobslib::dashboard
