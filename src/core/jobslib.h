// SPDX-License-Identifier: BSD-3-Clause
// The public API in one include: #include <jobslib/jobslib.h>
#pragma once

#include "jobslib_version.h"

#include "app/backendregistry.h"
#include "app/context.h"
#include "launcher/launcher.h"
#include "config/config.h"
#include "config/optiontable.h"
#include "liveness/livenessbackend.h"
#include "lock/lockbackend.h"
#include "metrics/metricsbackend.h"
#include "task/basetask.h"
#include "task/taskplugin.h"
#include "task/taskregistry.h"

/*!
 * \namespace jobslib
 * libjobslib: the supervisor behind runjob (Launcher), what tasks are written against (BaseTask,
 * Context, Config) and the backends of the lock, liveness and metrics.
 */
