// SPDX-License-Identifier: BSD-3-Clause
#include "logcategories.h"

namespace jobslib {
// Every category is enabled from debug up; the log handler filters by the configured level.
Q_LOGGING_CATEGORY(lcRunner, "jobslib.runner", QtDebugMsg)
Q_LOGGING_CATEGORY(lcLock, "jobslib.lock", QtDebugMsg)
Q_LOGGING_CATEGORY(lcLiveness, "jobslib.liveness", QtDebugMsg)
Q_LOGGING_CATEGORY(lcMetrics, "jobslib.metrics", QtDebugMsg)
Q_LOGGING_CATEGORY(lcMetricsPoints, "jobslib.metrics.points", QtDebugMsg)
Q_LOGGING_CATEGORY(lcTask, "jobslib.task", QtDebugMsg)
Q_LOGGING_CATEGORY(lcConfig, "jobslib.config", QtDebugMsg)
Q_LOGGING_CATEGORY(lcConsul, "jobslib.consul", QtDebugMsg)
Q_LOGGING_CATEGORY(lcEtcd, "jobslib.etcd", QtDebugMsg)
Q_LOGGING_CATEGORY(lcKv, "jobslib.kv", QtDebugMsg)
} // namespace jobslib
