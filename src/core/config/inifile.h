// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"
#include "util/expected.h"

#include <QList>
#include <QString>

namespace jobslib {

/*! One "key = value" line of a settings file. */
struct IniEntry
{
    QString section; ///< lower case, "" before the first [section]
    QString key;     ///< lower case (Python settings names such as RUN_ONCE are accepted)
    QString value;   ///< trimmed; surrounding double quotes removed
    int line = 0;
};

/*!
 * The settings file parser. Deliberately small and strict (not QSettings): every error names the
 * line, so a typo never silently falls back to a default.
 */
JOBSLIB_EXPORT Expected<QList<IniEntry>> parseIni(const QByteArray &text);

/*! A section or key name parseIni() accepts: letters, digits, '_', '.' and '-', not empty. */
JOBSLIB_EXPORT bool isValidIniName(const QString &name);

} // namespace jobslib
