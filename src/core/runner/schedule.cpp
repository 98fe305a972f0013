// SPDX-License-Identifier: BSD-3-Clause
#include "schedule.h"

#include "config/config.h"

#include <cmath>

namespace jobslib {

Schedule Schedule::fromConfig(const Config &config, bool *sleepOverrodeRun)
{
    Schedule s;
    s.sleepIntervalMs = qint64(std::llround(config.sleepInterval() * 1000.0));
    s.runIntervalMs = qint64(std::llround(config.runInterval() * 1000.0));
    if (sleepOverrodeRun)
        *sleepOverrodeRun = false;
    if (s.sleepIntervalMs > 0 && s.runIntervalMs > 0) {
        if (config.source(QStringLiteral("run_interval")) > config.source(QStringLiteral("sleep_interval"))) {
            s.sleepIntervalMs = 0;
        } else {
            s.runIntervalMs = 0;
            if (sleepOverrodeRun)
                *sleepOverrodeRun = true;
        }
    }
    return s;
}

qint64 Schedule::sleepAfter(qint64 startMs, qint64 nowMs, bool failedAndRelease) const
{
    qint64 ms;
    if (sleepIntervalMs > 0)
        ms = sleepIntervalMs;
    else if (runIntervalMs > 0)
        ms = qMax<qint64>(startMs + runIntervalMs - nowMs, 0);
    else
        ms = qMax<qint64>(startMs + MinimumPeriodMs - nowMs, 0);
    return failedAndRelease ? ms * 2 : ms;
}

} // namespace jobslib
