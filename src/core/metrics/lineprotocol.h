// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "metricpoint.h"

#include <QByteArray>

namespace jobslib {

/*!
 * The points in InfluxDB line protocol, byte for byte as Python jobslib writes them:
 * `<measurement>,<tag>=<value>... value=<float> <timestamp ns>\n` per point, tags sorted by key,
 * empty tag values dropped, commas and spaces (and '=' in tags) escaped with a backslash.
 */
JOBSLIB_EXPORT QByteArray toLineProtocol(const QList<MetricPoint> &points);

/*!
 * The points as JSON lines, one compact object per point:
 * {"measurement": ..., "tags": {...}, "value": ..., "timestamp_ns": ...}.
 */
JOBSLIB_EXPORT QByteArray toJsonLines(const QList<MetricPoint> &points);

/*!
 * A double as Python's repr(float) writes it: the shortest text that reads back the same, with
 * ".0" for whole numbers and an exponent outside 1e-4 <= |v| < 1e16 ("1e+16", "1.5e-05");
 * "inf", "-inf", "nan".
 */
JOBSLIB_EXPORT QByteArray pythonFloatRepr(double value);

} // namespace jobslib
