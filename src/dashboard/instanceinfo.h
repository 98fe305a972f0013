// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QString>

namespace jobslib::dashboard {

/*! One runjob instance, from its heartbeat record (src/core/liveness/heartbeat.h). */
struct InstanceInfo
{
    QString key;              ///< the heartbeat key it was read from
    QString store;            ///< the dashboard datacenter it was read in
    QString state;            ///< running, standby, sleeping, failing, stopping, handing-over
    QString fqdn;
    QString datacenter;       ///< what the instance says of itself
    qint64 pid = 0;
    QString version;
    qint64 heartbeatAt = 0;   ///< UTC epoch s of the record
    double intervalS = 0;     ///< its heartbeat interval; 0: heartbeats off
    qint64 lastSuccess = 0;   ///< UTC epoch s, 0: none yet
    QString lastError;
    quint64 fencingToken = 0;
    qint64 nextRun = 0;       ///< UTC epoch s, 0 when not sleeping

    /*! Seconds since the last heartbeat at nowS. */
    qint64 ageS(qint64 nowS) const { return qMax<qint64>(0, nowS - heartbeatAt); }
    /*!
     * Missed more than two heartbeats (plus a little for clock skew): the process is probably
     * gone. Never stale while heartbeats are off: nothing to tell by.
     */
    bool isStale(qint64 nowS) const { return intervalS > 0 && ageS(nowS) > qint64(2 * intervalS) + 5; }
    QString id() const { return fqdn + QLatin1Char(':') + QString::number(pid); }

    static Expected<InstanceInfo> fromHeartbeat(const QString &key, const QByteArray &json);
};

} // namespace jobslib::dashboard
