// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QString>

namespace jobslib {

class BackendRegistry;
class Config;

/*!
 * `runjob --explain`: what the loop will do with the effective settings, in plain words, and the
 * worst-case failover after a crash, after a graceful stop and after losing the lock server.
 */
JOBSLIB_EXPORT QString explainSettings(const Config &config, const BackendRegistry &backends, const QString &taskDescription);

} // namespace jobslib
