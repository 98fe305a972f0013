// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QtGlobal>

namespace jobslib {

/*!
 * The retry delay of a failed lock watch (Consul blocking query, etcd watch stream): 1 s doubling
 * to 30 s, back to 1 s after a watch that worked. A watch only informs: whether the lock is still
 * held is decided by the lease keeper, so a slow retry never risks safety, only reaction time.
 */
class WatchBackoff
{
public:
    qint64 nextDelayMs() { return qMin<qint64>(1000LL << qMin(m_errors++, 5), 30000); }
    void reset() { m_errors = 0; }

private:
    int m_errors = 0;
};

} // namespace jobslib
