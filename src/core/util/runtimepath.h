// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QString>

namespace jobslib {

/*!
 * The task name as it may appear in a file name: characters outside [A-Za-z0-9._-] become '_',
 * an empty name (and the special names "." and "..") become "default".
 */
JOBSLIB_EXPORT QString runtimeFileStem(const QString &taskName);

/*!
 * Where a local backend keeps its per-task file when no path is configured:
 * `$XDG_RUNTIME_DIR/jobslib/<task><suffix>` when XDG_RUNTIME_DIR is set, else
 * `/tmp/jobslib-<uid>/<task><suffix>`. Creates the directory (mode 0700) if it is missing; a
 * directory that cannot be created or is not ours is only logged, because opening the file
 * reports the error that matters to the caller anyway.
 */
JOBSLIB_EXPORT QString defaultRuntimeFile(const QString &taskName, const QString &suffix);

} // namespace jobslib
