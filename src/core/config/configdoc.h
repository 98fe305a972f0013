// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QString>

namespace jobslib {

class OptionTable;

/*! docs/configuration.md, generated from the option table (`runjob --config-reference`). */
JOBSLIB_EXPORT QString configurationMarkdown(const OptionTable &table);

} // namespace jobslib
