// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "optiontable.h"

#include <QHash>
#include <QVariant>

namespace jobslib {

/*! Where an effective value came from, in increasing precedence. */
enum class ConfigSource { Default, File, Env, Cli };
JOBSLIB_EXPORT QString toString(ConfigSource source);

/*!
 * The effective configuration: a value object built once by ConfigLoader and never changed.
 * Options of inactive groups (the options of a backend that is not selected) have no value.
 */
class JOBSLIB_EXPORT Config
{
public:
    struct Entry
    {
        QVariant value;
        ConfigSource source = ConfigSource::Default;
        QString origin; ///< "default", "file x.ini:3", "env JOBSLIB_X", "cli --flag"
    };

    Config() = default;
    Config(OptionTable table, QHash<QString, Entry> entries);

    const OptionTable &table() const { return m_table; }
    bool has(const QString &name) const { return m_entries.contains(name); }
    /*! The effective value, or an invalid QVariant when the option is inactive or unset. */
    QVariant value(const QString &name) const;
    ConfigSource source(const QString &name) const;
    QString origin(const QString &name) const;

    QString string(const QString &name) const { return value(name).toString(); }
    bool flag(const QString &name) const { return value(name).toBool(); }
    double number(const QString &name) const { return value(name).toDouble(); }
    qint64 integer(const QString &name) const { return value(name).toLongLong(); }

    // The options of Python jobslib's Config, typed.
    bool runOnce() const { return flag(QStringLiteral("run_once")); }
    double sleepInterval() const { return number(QStringLiteral("sleep_interval")); }
    double runInterval() const { return number(QStringLiteral("run_interval")); }
    bool keepLock() const { return flag(QStringLiteral("keep_lock")); }
    bool releaseOnError() const { return flag(QStringLiteral("release_on_error")); }
    QString lockBackend() const { return string(QStringLiteral("one_instance.backend")); }
    QString livenessBackend() const { return string(QStringLiteral("liveness.backend")); }
    QString metricsBackend() const { return string(QStringLiteral("metrics.backend")); }

    /*! A copy with one value replaced (a resolved secret); the origin notes how ("via keychain"). */
    Config withValue(const QString &name, const QVariant &value, const QString &via) const;

    /*!
     * The effective values, one line each: "name = value  (origin)", secrets masked. What
     * `runjob --print-config` prints.
     */
    QString describe() const;

private:
    OptionTable m_table;
    QHash<QString, Entry> m_entries;
};

/*! The text form of a value as the settings file would spell it. */
JOBSLIB_EXPORT QString formatOptionValue(const OptionSpec &spec, const QVariant &value);

} // namespace jobslib
