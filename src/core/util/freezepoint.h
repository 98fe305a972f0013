// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QString>

namespace jobslib {

/*!
 * A fault-injection point for the freeze tests (tests/freeze/): when the environment variable
 * JOBSLIB_TEST_FREEZE_AT is `POINT` or `POINT:N`, the process stops itself with SIGSTOP the N-th
 * time (default: the first) it reaches \a point, after a warning line "test hook: freezing at
 * POINT". A test then keeps it stopped past the lock's TTL and continues it with SIGCONT, exactly
 * as a VM pause or `kill -STOP` would, but at a step too short to hit from outside (releasing,
 * writing liveness, between two requests of release-lock). Without the variable it does nothing.
 */
JOBSLIB_EXPORT void freezePoint(const QString &point);

/*! JOBSLIB_TEST_FREEZE_AT is set: callers that must prepare a freezePoint() call do it only then. */
JOBSLIB_EXPORT bool freezePointsArmed();

} // namespace jobslib
