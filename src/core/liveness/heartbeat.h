// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "instancestate.h"
#include "jobslib_export.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace jobslib {

class Context;

/*!
 * The per-instance heartbeat record the dashboard reads, the same for every liveness backend
 * (Consul and etcd keys `<prefix><fqdn>:<pid>`): compact JSON with state, fqdn, datacenter, pid,
 * version, job, timestamp, last_success, last_error, fencing_token, heartbeat_interval and, while
 * sleeping, next_run (UTC epoch seconds).
 */
JOBSLIB_EXPORT QByteArray heartbeatRecord(const Context &context, const InstanceState &state, qint64 intervalMs, const QDateTime &now);

/*! One stored heartbeat: its key and value. */
struct JOBSLIB_EXPORT StoredHeartbeat
{
    QString key;
    QByteArray value;
};

/*!
 * The keys of the heartbeats whose `timestamp` is more than retentionS seconds before nowS: those
 * of instances that crashed or stopped long ago (a live one rewrites its key every interval). A
 * value that is not a heartbeat record with a timestamp is left alone, as is ownKey.
 */
JOBSLIB_EXPORT QStringList staleHeartbeatKeys(const QList<StoredHeartbeat> &heartbeats, qint64 nowS, qint64 retentionS, const QString &ownKey);

} // namespace jobslib
