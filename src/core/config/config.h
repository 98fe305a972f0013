// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "optiontable.h"

#include <QHash>
#include <QVariant>

namespace jobslib {

/*!
 * Where an effective value came from, in increasing precedence: a later source wins, and the
 * enumerators compare in that order (Python's CLI > environment > settings > default).
 */
enum class ConfigSource {
    Default, ///< the option's OptionSpec::defaultValue; also what an inactive or unknown option reports
    File,    ///< the settings file
    Env,     ///< a JOBSLIB_* environment variable
    Cli      ///< the runjob command line
};
/*! The lower-case name of \a source: "default", "file", "env" or "cli". */
JOBSLIB_EXPORT QString toString(ConfigSource source);

/*!
 * The effective configuration: a value object built once by ConfigLoader and never changed.
 * Options of inactive groups (the options of a backend that is not selected) have no value.
 */
class JOBSLIB_EXPORT Config
{
public:
    /*! One option's effective value and where it came from. */
    struct Entry
    {
        /*!
         * The validated value. A parsed one is typed by OptionSpec::type (bool, qlonglong, double,
         * QString, QStringList or QVariantMap); a default is OptionSpec::defaultValue as declared,
         * invalid when the option has none.
         */
        QVariant value;
        ConfigSource source = ConfigSource::Default; ///< which source set value
        QString origin; ///< "default", "file x.ini:3", "env JOBSLIB_X", "cli --flag"
    };

    /*! An empty configuration: no table, no option active, every accessor returns its empty value. */
    Config() = default;
    /*!
     * A configuration of \a table with \a entries, one per active option, keyed by
     * OptionSpec::name. ConfigLoader::load() builds it after validating every value; this
     * constructor checks nothing.
     */
    Config(OptionTable table, QHash<QString, Entry> entries);

    /*! The options this configuration was loaded against, active or not. */
    const OptionTable &table() const { return m_table; }
    /*!
     * Whether \a name is an active option: true even when it has no value (no default, not set);
     * false for an option of an unselected backend and for an unknown name.
     */
    bool has(const QString &name) const { return m_entries.contains(name); }
    /*! The effective value, or an invalid QVariant when the option is inactive or unset. */
    QVariant value(const QString &name) const;
    /*! Which source set the value; ConfigSource::Default also for an inactive or unknown option. */
    ConfigSource source(const QString &name) const;
    /*! Where exactly the value came from, as Entry::origin; "" for an inactive or unknown option. */
    QString origin(const QString &name) const;

    /*! The value of a String, Path or Choice option as text; "" when inactive or unset. */
    QString string(const QString &name) const { return value(name).toString(); }
    /*! The value of a Bool option; false when inactive or unset. */
    bool flag(const QString &name) const { return value(name).toBool(); }
    /*! The value of a Double (or Int) option; 0 when inactive or unset. */
    double number(const QString &name) const { return value(name).toDouble(); }
    /*! The value of an Int option; 0 when inactive or unset. */
    qint64 integer(const QString &name) const { return value(name).toLongLong(); }

    // The options of Python jobslib's Config, typed.
    /*! run_once: run one iteration, then exit (`--run-once`); default false. */
    bool runOnce() const { return flag(QStringLiteral("run_once")); }
    /*!
     * sleep_interval in seconds (fractions allowed; Python takes whole seconds only): the sleep
     * after each iteration; 0 by default. When both intervals are non-zero, sleep_interval wins
     * unless run_interval comes from a higher-precedence source.
     */
    double sleepInterval() const { return number(QStringLiteral("sleep_interval")); }
    /*! run_interval in seconds: from the start of one iteration to the start of the next; 0 by default. */
    double runInterval() const { return number(QStringLiteral("run_interval")); }
    /*!
     * keep_lock: hold the lock while sleeping between iterations; default false. The runner
     * ignores it with run_once, as Python does.
     */
    bool keepLock() const { return flag(QStringLiteral("keep_lock")); }
    /*! release_on_error: after a failed iteration release the lock and sleep twice as long; default false. */
    bool releaseOnError() const { return flag(QStringLiteral("release_on_error")); }
    /*!
     * one_instance.backend: the lock backend's short name ("file", the default, "consul", "etcd",
     * "dummy"); Python class names are mapped to it, `--disable-one-instance` makes it "dummy".
     */
    QString lockBackend() const { return string(QStringLiteral("one_instance.backend")); }
    /*! liveness.backend: the liveness backend's short name; "dummy" by default. */
    QString livenessBackend() const { return string(QStringLiteral("liveness.backend")); }
    /*! metrics.backend: the metrics backend's short name; "dummy" by default. */
    QString metricsBackend() const { return string(QStringLiteral("metrics.backend")); }

    /*!
     * A copy with the value of \a name replaced (a resolved secret); the source stays and the origin
     * gets " via " and \a via appended ("env JOBSLIB_X via keychain").
     */
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
