// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "dashboardsettings.h"

namespace jobslib::dashboard {

/*! A job and the datacenter it talks to, as one runjob settings file describes them. */
struct ImportedJob
{
    JobSettings job;
    DatacenterSettings datacenter; ///< the lock's Consul/etcd; its name is the file's datacenter or "default"
};

/*!
 * "Add job from a runjob settings file": reads the file with runjob's own option table and
 * loaders (so it understands exactly what runjob does, Python names included) and takes the lock
 * key, the liveness key and heartbeat prefix, and InfluxDB. The environment is not consulted: the
 * dashboard describes the file, not this machine. The job is named after the file unless the
 * caller renames it. Fails with runjob's own message for a bad file, and for lock backends
 * the dashboard cannot watch (file, dummy).
 */
Expected<ImportedJob> importRunjobSettings(const QString &path);

/*!
 * Adds an imported job to settings: renamed "name (2)" if the name is taken (another
 * datacenter's copy of the same file), and its datacenter added unless one with the same
 * address is there already. Returns the job's final name.
 */
QString addImportedJob(DashboardSettings &settings, const ImportedJob &imported);

} // namespace jobslib::dashboard
