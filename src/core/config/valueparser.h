// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "optionspec.h"
#include "util/expected.h"

namespace jobslib {

/*!
 * Turns the text of an option, whatever its source, into a typed value and checks its range.
 * The error is the rule that was broken ("expected an integer from 10 to 86400"), without the
 * option name: the loader adds name, value and source.
 */
JOBSLIB_EXPORT Expected<QVariant> parseOptionValue(const OptionSpec &spec, const QString &text);

/*! A boolean as jobslib reads it: integers as Python's bool(int(x)), and true/false, yes/no, on/off. */
JOBSLIB_EXPORT std::optional<bool> parseBool(const QString &text);

} // namespace jobslib
