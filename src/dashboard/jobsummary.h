// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobstate.h"

namespace jobslib::dashboard {

/*!
 * A job across every datacenter, as its row shows it. The lock is normally in one store (its
 * home datacenter); should two stores both show a holder (instances configured against
 * different stores: two locks, two active instances) that is flagged, not hidden.
 */
struct JobSummary
{
    LockState lock = LockState::Unknown;
    LockView lockView;           ///< of the datacenter that decides `lock`
    QString lockDatacenter;      ///< the store the holder was seen in
    bool splitBrain = false;     ///< more than one store shows a holder
    QStringList unreachable;     ///< datacenters that could not be read
    QList<InstanceInfo> instances; ///< of every datacenter, sorted by store, fqdn, pid
    qint64 lastSuccess = 0;      ///< UTC epoch s, newest of heartbeats and liveness record
    QString lastFailure;         ///< "host: error" of an instance whose last run failed
    qint64 nextRun = 0;          ///< the holder's (or soonest) next run, UTC epoch s
    QList<ActionRecord> events;  ///< of every datacenter, newest first

    int staleCount(qint64 nowS) const;
};

/*! states[i] belongs to datacenters[i]. */
JobSummary summarize(const QList<const JobDcState *> &states, const QStringList &datacenters);

} // namespace jobslib::dashboard
