// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "dashboardsettings.h"

#include <QTcpServer>

namespace jobslib::test {

/*! Dashboard settings with one Consul datacenter "dc1" at address ("127.0.0.1:PORT") and one job "demo". */
inline dashboard::DashboardSettings oneDatacenter(const QString &address, const QString &lockKey, const QString &livenessKey = QString())
{
    dashboard::DashboardSettings settings;
    dashboard::DatacenterSettings dc;
    dc.name = QStringLiteral("dc1");
    dc.address = QStringLiteral("http://") + address;
    settings.datacenters = {dc};
    dashboard::JobSettings job;
    job.name = QStringLiteral("demo");
    job.lockKey = lockKey;
    job.livenessKey = livenessKey;
    settings.jobs = {job};
    return settings;
}

/*! "http://127.0.0.1:PORT" where nothing listens: a datacenter that cannot be reached. */
inline QString closedPortAddress()
{
    QTcpServer server; // bind, note the port, close: nothing listens there afterwards
    server.listen(QHostAddress::LocalHost);
    return QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort());
}

} // namespace jobslib::test
