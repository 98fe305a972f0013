// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QString>

namespace jobslib {

class BackendRegistry;
class Config;

/*!
 * `runjob --explain`: what the loop will do with the effective settings, in plain words, and the
 * worst-case failover after a crash, after a graceful stop and after losing the lock server.
 */
JOBSLIB_EXPORT QString explainSettings(const Config &config, const BackendRegistry &backends, const QString &taskDescription,
                                       qint64 taskStopMs = 0);

/*!
 * The lease lock's bullet for a holder cut off from its store (\a store: "Consul", "etcd"): when it
 * renews, when it finds the lock lost and how far before the server could expire the lease, and
 * how its task (\a taskStopMs, RunnerSettings::taskStopMs()) is stopped by then.
 */
JOBSLIB_EXPORT QString explainLeaseDeadline(const QString &store, qint64 ttlS, qint64 taskStopMs);
/*! How often the holder renews a lease of \a ttlS for a task that stops in \a taskStopMs, "3.3". */
JOBSLIB_EXPORT QString explainRenewInterval(qint64 ttlS, qint64 taskStopMs);

} // namespace jobslib
