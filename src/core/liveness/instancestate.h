// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QString>

namespace jobslib {

/*! What one runjob instance is doing, for the per-instance heartbeat the dashboard shows. */
struct InstanceState
{
    QString state;            ///< running, standby, sleeping, failing, stopping, handing-over (the yield after a handover)
    qint64 lastSuccess = 0;   ///< UTC epoch seconds of the last successful run, 0 if none
    QString lastError;        ///< the last failure's message, empty after a success
    quint64 fencingToken = 0; ///< of the lock held now, 0 when not held
    qint64 nextRunInMs = -1;  ///< while sleeping
};

} // namespace jobslib
