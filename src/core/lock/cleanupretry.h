// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QtGlobal>

#include <functional>

class QObject;

namespace jobslib {

class Clock;

/*!
 * Retries a clean-up that must not be abandoned but need not be waited for: a Consul session or
 * an etcd lease that this instance gave up while the server did not answer. Until it is
 * destroyed it still holds the lock, and the job stands still until the server expires it (2 x
 * TTL on Consul, TTL on etcd). So the clean-up is tried again, the wait growing from 0.5 s to 8 s,
 * until `attempt` reports success or the next try would start after giveUpAtMs (on the clock's
 * monotonic time: by then the server has expired it anyway). Nothing happens once `receiver` is
 * deleted.
 *
 * `attempt` starts one try and calls its argument with true (done) or false (failed).
 */
JOBSLIB_EXPORT void retryCleanup(Clock &clock, QObject *receiver, std::function<void(std::function<void(bool)>)> attempt,
                                 qint64 giveUpAtMs, int failures = 1);

} // namespace jobslib
