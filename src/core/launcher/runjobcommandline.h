// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QCommandLineOption>
#include <QList>

class QCommandLineParser;

namespace jobslib {

class ConfigLoader;

/*! runjob's own command-line options (those of Launcher::exec(); a task adds its arguments()). */
JOBSLIB_EXPORT QList<QCommandLineOption> runjobOptions();

/*!
 * Gives \a loader the settings that runjob's options set (`--run-once` is `run_once`,
 * `--status-port` implies `status.enabled`, `--disable-one-instance` selects the dummy lock...),
 * each with the option as its source for `--print-config`. One place, so that runjob and the
 * loader's fuzz target map the command line the same way.
 */
JOBSLIB_EXPORT void applyRunjobCommandLine(const QCommandLineParser &parser, ConfigLoader &loader);

} // namespace jobslib
