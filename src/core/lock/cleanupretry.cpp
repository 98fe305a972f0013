// SPDX-License-Identifier: BSD-3-Clause
#include "cleanupretry.h"

#include "util/clock.h"

#include <QObject>

namespace jobslib {

void retryCleanup(Clock &clock, QObject *receiver, std::function<void(std::function<void(bool)>)> attempt, qint64 giveUpAtMs,
                  int failures)
{
    const qint64 waitMs = qMin<qint64>(qint64(500) << qMin(failures - 1, 4), 8000);
    if (clock.monotonicMs() + waitMs >= giveUpAtMs)
        return;
    clock.callAfter(waitMs, receiver, [&clock, receiver, attempt, giveUpAtMs, failures] {
        attempt([&clock, receiver, attempt, giveUpAtMs, failures](bool done) {
            if (!done)
                retryCleanup(clock, receiver, attempt, giveUpAtMs, failures + 1);
        });
    });
}

} // namespace jobslib
