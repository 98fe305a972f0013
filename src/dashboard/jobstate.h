// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "instanceinfo.h"

#include "kv/actionlog.h"
#include "util/ownerrecord.h"

#include <QList>
#include <QMetaType>

#include <optional>

namespace jobslib::dashboard {

enum class LockState {
    Unknown,   ///< not (yet) read, or the datacenter cannot be reached
    Free,
    Held,
    LockDelay, ///< free, but nobody can acquire yet (Consul lock-delay, etcd release fence)
};

/*! A job's lock as one datacenter's store shows it. */
struct LockView
{
    LockState state = LockState::Unknown;
    std::optional<OwnerRecord> holder; ///< the holder's record (Python's four fields, or ours)
    QString holderId;                  ///< Consul session / etcd lease
    quint64 fencingToken = 0;          ///< Consul LockIndex / etcd create revision
    qint64 ttlS = -1;                  ///< the holder's session/lease TTL, -1 unknown
    qint64 lockDelayS = -1;            ///< Consul: the holder's session lock-delay
    qint64 blockedUntilMs = 0;         ///< LockDelay: UTC epoch ms it ends, 0 unknown
    std::optional<HandoverRequest> handover; ///< a pending handover request
    QString freedHolderId;             ///< LockDelay: the session whose end started it
    qint64 freedAtMs = 0;              ///< LockDelay: when that was seen
};

/*! Everything the dashboard knows of one job in one datacenter. */
struct JobDcState
{
    bool received = false;   ///< at least one answer (or failure) so far
    bool reachable = false;
    QString error;           ///< why not reachable
    LockView lock;
    QList<InstanceInfo> instances;
    QList<ActionRecord> events;
    std::optional<OwnerRecord> liveness; ///< Python's liveness record (last success)
};

} // namespace jobslib::dashboard
