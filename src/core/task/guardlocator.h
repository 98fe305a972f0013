// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QString>

namespace jobslib {

/*!
 * Where jobslib-guard is: $JOBSLIB_GUARD when set (taken as is, so a wrong value fails loudly
 * instead of silently losing the guard), else beside the application (build tree), else
 * ../libexec/jobslib relative to it (a relocated install), else the compiled-in libexec
 * directory. Empty when none of those exists.
 */
JOBSLIB_EXPORT QString guardExecutable();

} // namespace jobslib
