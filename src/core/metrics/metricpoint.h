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
    QString measurement;
    double value = 0;
    QMap<QString, QString> tags; ///< sorted by key, as the line protocol wants
    qint64 timestampNs = 0;      ///< Python aligns it to whole seconds
};

} // namespace jobslib
