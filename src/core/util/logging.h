// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"
#include "util/expected.h"

#include <QHash>
#include <QString>

namespace jobslib {

/*!
 * How log lines look and which are shown. Python jobslib's defaults: format
 * "%(asctime)s %(name)s %(levelname)s %(message)s", datefmt "%Y-%m-%d %H:%M:%S", level INFO,
 * written to stderr.
 */
struct JOBSLIB_EXPORT LogSettings
{
    int level = 20;  ///< Python's numbers: DEBUG 10, INFO 20, WARNING 30, ERROR 40, CRITICAL 50
    QString format = QStringLiteral("%(asctime)s %(name)s %(levelname)s %(message)s");
    QString dateFormat = QStringLiteral("%Y-%m-%d %H:%M:%S");
    /*! Per logger (category prefix) levels from a dictConfig's "loggers". */
    QHash<QString, int> categoryLevels;

    /*! Python's level names (DEBUG ... CRITICAL) or a number; nullopt for anything else. From a Config: logSettingsFromConfig(). */
    static std::optional<int> levelFromName(const QString &name);
};

/*! Installs the message handler that writes Qt's log output in Python's format to stderr. */
JOBSLIB_EXPORT void installLogHandler(const LogSettings &settings);

/*! One log line as the handler writes it (without the newline); exposed for tests. */
JOBSLIB_EXPORT QString formatLogLine(const LogSettings &settings, const QString &category, int level, const QString &message, qint64 epochMs);

} // namespace jobslib
