// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>

namespace jobslib {

/*! The value types an option can have. Each has one parser (valueparser.h). */
enum class OptionType {
    Bool,     ///< 0/1 (as Python: any integer), true/false, yes/no, on/off
    Int,      ///< whole number, optionally bounded by minimum/maximum
    Double,   ///< number of seconds or similar; integers are accepted too
    String,   ///< free text
    Path,     ///< a file system path; "~/" is expanded
    Choice,   ///< one of OptionSpec::choices (backend names also accept their aliases)
    Json,     ///< a JSON object (JOBSLIB_LOGGING)
    StringList, ///< comma-separated list (for example etcd endpoints)
};

/*!
 * One configuration option, declared once. The name is dotted: the part before the last dot is
 * the settings file section, the last part the key ("one_instance.file.path" is key "path" in
 * section [one_instance.file]); top-level options have no dot and live before any section.
 * The loaders, validation, `runjob --print-config` and docs/configuration.md all come from this.
 */
struct JOBSLIB_EXPORT OptionSpec
{
    QString name;               ///< dotted "section.key" as above; unique within an OptionTable
    OptionType type = OptionType::String; ///< how a value's text is parsed and checked
    QVariant defaultValue;      ///< invalid QVariant: no default (see required)
    QStringList envNames;       ///< first set one wins; later entries are legacy names
    QString cliFlag;            ///< long flag without dashes that sets this option, if any
    QString doc;                ///< one or two sentences for docs/configuration.md
    std::optional<double> minimum; ///< inclusive lower bound of an Int or Double value; unset: none
    std::optional<double> maximum; ///< inclusive upper bound of an Int or Double value; unset: none
    QStringList choices;        ///< for Choice
    /*! Other spellings accepted for a Choice and mapped to a choice (Python dotted class names). */
    QMap<QString, QString> aliases;
    bool required = false;      ///< must have a value once active
    bool secret = false;        ///< masked in --print-config, never logged
    /*!
     * Only read and validated while another option has a given value, for example the options
     * of one backend only while that backend is selected: {"one_instance.backend", "file"}.
     * Empty (the default): always active. An inactive option has no value in the Config.
     */
    QString activeWhenOption;
    QString activeWhenValue;    ///< the value of activeWhenOption (as text) that makes this one active
    QString defaultDoc;         ///< how to show a computed default in the docs ("<runtime dir>/...")

    /*! An option in one expression: OptionSpec::make("port", OptionType::Int, 8086, {"X_PORT"}, "...").withRange(1, 65535). */
    static OptionSpec make(const QString &name, OptionType type, const QVariant &defaultValue, const QStringList &envNames, const QString &doc);
    /*! A copy bounded to [\a min, \a max] (inclusive): sets minimum and maximum. */
    OptionSpec withRange(double min, double max) const;
    /*! A copy with secret set. */
    OptionSpec asSecret() const;

    QString section() const;    ///< "" for top-level options
    QString key() const;        ///< the part after the last dot ("path" for "one_instance.file.path")
    QString allowedText() const; ///< "an integer from 0 to 60", "one of: dummy, file"
};

} // namespace jobslib
