// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"
#include "util/expected.h"
#include "util/logging.h"

namespace jobslib {

class Config;

/*!
 * LogSettings from logging.level/format/datefmt, then logging.dict_config (JOBSLIB_LOGGING) on
 * top: root.level, loggers.<name>.level, and the format/datefmt of the formatter that the root
 * logger's first handler uses (or the only formatter). An error names the option and the value.
 */
JOBSLIB_EXPORT Expected<LogSettings> logSettingsFromConfig(const Config &config);

} // namespace jobslib
