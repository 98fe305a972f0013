// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "consulclient.h"
#include "consulsettings.h"
#include "util/clock.h"

#include <memory>

namespace jobslib {

/*!
 * Runs a Consul call under Python's retry policy: on an error (never on a false answer) it is
 * tried again after multiplier * 2^n ms, up to policy.attempts tries in all. The waits are timers
 * of the clock, never sleeps.
 */
template<typename T>
void withRetry(Clock &clock, QObject *context, const RetryPolicy &policy,
               std::function<void(ConsulClient::Callback<T>)> call, ConsulClient::Callback<T> done, int attempt = 1)
{
    call([&clock, context, policy, call, done, attempt](const ConsulResult<T> &r) {
        if (r.ok() || attempt >= policy.attempts || r.error.isPermission()) {
            done(r);
            return;
        }
        clock.callAfter(policy.waitAfter(attempt), context,
                        [&clock, context, policy, call, done, attempt] { withRetry<T>(clock, context, policy, call, done, attempt + 1); });
    });
}

} // namespace jobslib
