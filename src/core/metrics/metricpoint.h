// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QList>
#include <QMap>
#include <QString>

namespace jobslib {

/*! One measurement as Python jobslib pushes it: a name, a float value, tags, a time. */
struct JOBSLIB_EXPORT MetricPoint
{
    QString measurement;         ///< the metric's name: the InfluxDB measurement, the Prometheus family
    double value = 0;            ///< the field `value`, written as Python writes a float (1.0, not 1)
    QMap<QString, QString> tags; ///< sorted by key, as the line protocol wants
    /*!
     * Nanoseconds since the Unix epoch (UTC). 0: Context::pushPoints() stamps the push time,
     * truncated to whole seconds as Python does.
     */
    qint64 timestampNs = 0;
};

} // namespace jobslib
