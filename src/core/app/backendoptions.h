// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "config/optionspec.h"

#include <QList>

namespace jobslib {

/*! Options that several network backends declare alike (Consul and etcd), declared once. */

/*! The required "key" option of a lock or liveness backend. */
OptionSpec requiredKeyOption(const QStringList &envNames, const QString &doc);
/*! heartbeat_prefix and heartbeat_interval of a liveness backend with per-instance heartbeats. */
QList<OptionSpec> heartbeatOptions(const QString &envPrefix);

} // namespace jobslib
