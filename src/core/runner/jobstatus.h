// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QString>

namespace jobslib {

/*! The outcome of one iteration: the `status` tag of job_duration_seconds, Python's JobStatus. */
enum class JobStatus {
    Unknown,     ///< the iteration ended in a way jobslib could not classify
    Succeeded,   ///< the task ran and returned
    Failed,      ///< the task (or acquiring the lock) failed
    Pending,     ///< somebody else holds the lock
    Interrupted, ///< the lock was lost while the task ran
    Killed,      ///< runjob was told to stop (SIGTERM/SIGINT)
};

JOBSLIB_EXPORT QString toString(JobStatus status);

} // namespace jobslib
