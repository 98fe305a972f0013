// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "backendregistry.h"

namespace jobslib {

/*! Metrics backend "influxdb" (alias jobslib.metrics.influxdb.InfluxDBMetrics) as the registry knows it. */
BackendDescriptor influxDbMetricsDescriptor();

} // namespace jobslib
