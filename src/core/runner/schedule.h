// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QtGlobal>

namespace jobslib {

class Config;

/*!
 * The loop's timing, resolved from the configuration. Pure arithmetic on times given by the
 * caller, so it is tested without a clock.
 */
struct JOBSLIB_EXPORT Schedule
{
    qint64 sleepIntervalMs = 0; ///< delay after an iteration; wins when non-zero
    qint64 runIntervalMs = 0;   ///< period from iteration start to the next start

    /*!
     * Python's rule, except that a run_interval set in a higher-precedence source (the command
     * line over the file, say) beats a sleep_interval from a lower one. With equal sources a
     * non-zero sleep_interval wins, as in Python; the caller logs that.
     */
    static Schedule fromConfig(const Config &config, bool *sleepOverrodeRun = nullptr);

    /*! Minimum spacing of iteration starts when both intervals are 0 (Python spins instead). */
    static constexpr qint64 MinimumPeriodMs = 1000;

    /*!
     * How long to sleep after an iteration that started at startMs and ends at nowMs (both on
     * the monotonic clock). failedAndRelease (release_on_error after a failure) doubles it.
     */
    qint64 sleepAfter(qint64 startMs, qint64 nowMs, bool failedAndRelease) const;
};

} // namespace jobslib
