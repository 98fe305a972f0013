// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "config.h"
#include "inifile.h"
#include "util/expected.h"

#include <QProcessEnvironment>

namespace jobslib {

/*! A value given on the command line for an option: the text and the flag as typed. */
struct CliValue
{
    QString text;
    QString flag;
};

/*!
 * Builds a Config: defaults, then the settings file, then JOBSLIB_* environment variables, then
 * the command line (later wins). Validation is eager: the first bad value stops it with one line
 * that names the option, the value, its source and what is allowed.
 */
class JOBSLIB_EXPORT ConfigLoader
{
public:
    explicit ConfigLoader(OptionTable table);

    void setSettingsFile(const QString &path) { m_settingsFile = path; }
    void setEnvironment(const QProcessEnvironment &env) { m_env = env; }
    void setCliValue(const QString &option, const CliValue &value) { m_cli.insert(option, value); }

    Expected<Config> load() const;

    /*!
     * The entries of a settings file, or why it cannot be used ("settings file 'x' line 3: ..."),
     * as load() reports it. Empty path: no entries.
     */
    static Expected<QList<IniEntry>> readSettingsFile(const QString &path);

private:
    OptionTable m_table;
    QString m_settingsFile;
    QProcessEnvironment m_env = QProcessEnvironment::systemEnvironment();
    QHash<QString, CliValue> m_cli;
};

} // namespace jobslib
