// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "instancestate.h"
#include "jobslib_export.h"

#include <QByteArray>
#include <QDateTime>

namespace jobslib {

class Context;

/*!
 * The per-instance heartbeat record the dashboard reads, the same for every liveness backend
 * (Consul and etcd keys `<prefix><fqdn>:<pid>`): compact JSON with state, fqdn, datacenter, pid,
 * version, job, timestamp, last_success, last_error, fencing_token, heartbeat_interval and, while
 * sleeping, next_run (UTC epoch seconds).
 */
JOBSLIB_EXPORT QByteArray heartbeatRecord(const Context &context, const InstanceState &state, qint64 intervalMs, const QDateTime &now);

} // namespace jobslib
