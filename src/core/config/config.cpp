// SPDX-License-Identifier: BSD-3-Clause
#include "config.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace jobslib {

QString toString(ConfigSource source)
{
    switch (source) {
    case ConfigSource::Default:
        return QStringLiteral("default");
    case ConfigSource::File:
        return QStringLiteral("file");
    case ConfigSource::Env:
        return QStringLiteral("env");
    case ConfigSource::Cli:
        return QStringLiteral("cli");
    }
    return {};
}

Config::Config(OptionTable table, QHash<QString, Entry> entries)
    : m_table(std::move(table))
    , m_entries(std::move(entries))
{
}

QVariant Config::value(const QString &name) const
{
    return m_entries.value(name).value;
}

ConfigSource Config::source(const QString &name) const
{
    return m_entries.value(name).source;
}

QString Config::origin(const QString &name) const
{
    return m_entries.value(name).origin;
}

Config Config::withValue(const QString &name, const QVariant &value, const QString &via) const
{
    Config copy = *this;
    Entry &e = copy.m_entries[name];
    e.value = value;
    e.origin += QStringLiteral(" via ") + via;
    return copy;
}

QString formatOptionValue(const OptionSpec &spec, const QVariant &value)
{
    if (!value.isValid())
        return QStringLiteral("(unset)");
    switch (spec.type) {
    case OptionType::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case OptionType::Double:
        return QString::number(value.toDouble(), 'g', 12);
    case OptionType::Json:
        return QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(value.toMap())).toJson(QJsonDocument::Compact));
    case OptionType::StringList:
        return value.toStringList().join(QLatin1Char(','));
    default:
        break;
    }
    return value.toString();
}

QString Config::describe() const
{
    QString out;
    for (const OptionSpec &spec : m_table.options()) {
        const auto it = m_entries.constFind(spec.name);
        if (it == m_entries.cend())
            continue;
        QString shown = formatOptionValue(spec, it->value);
        // A default computed at run time (host name, default file paths) is empty here: say so.
        if (it->source == ConfigSource::Default && it->value.toString().isEmpty() && !spec.defaultDoc.isEmpty())
            shown = QStringLiteral("(auto: %1)").arg(spec.defaultDoc);
        if (spec.secret && it->value.isValid() && !it->value.toString().isEmpty())
            shown = QStringLiteral("********");
        out += spec.name + QStringLiteral(" = ") + shown + QStringLiteral("  (") + it->origin + QStringLiteral(")\n");
    }
    return out;
}

} // namespace jobslib
