// SPDX-License-Identifier: BSD-3-Clause
#include "configloader.h"

#include "inifile.h"
#include "valueparser.h"

#include <QFile>
#include <QSet>

namespace jobslib {

namespace {
struct Raw
{
    QString text;
    ConfigSource source;
    QString origin;
};
} // namespace

ConfigLoader::ConfigLoader(OptionTable table)
    : m_table(std::move(table))
{
}

Expected<QList<IniEntry>> ConfigLoader::readSettingsFile(const QString &path)
{
    using R = Expected<QList<IniEntry>>;
    if (path.isEmpty())
        return QList<IniEntry>();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return R::failure(QStringLiteral("settings file '%1': cannot read it: %2").arg(path, file.errorString()));
    const auto parsed = parseIni(file.readAll());
    if (!parsed)
        return R::failure(QStringLiteral("settings file '%1' %2").arg(path, parsed.error()));
    return parsed;
}

Expected<Config> ConfigLoader::load() const
{
    using R = Expected<Config>;
    QHash<QString, Raw> fromFile;
    if (!m_settingsFile.isEmpty()) {
        const auto parsed = readSettingsFile(m_settingsFile);
        if (!parsed)
            return R::failure(parsed.error());
        for (const IniEntry &e : parsed.value()) {
            const QString name = e.section.isEmpty() ? e.key : e.section + QLatin1Char('.') + e.key;
            if (!m_table.find(name)) {
                const QString where = e.section.isEmpty() ? QStringLiteral("at the top level") : QStringLiteral("in section [%1]").arg(e.section);
                QStringList known;
                for (const OptionSpec &s : m_table.options()) {
                    if (s.section() == e.section)
                        known << s.key();
                }
                return R::failure(QStringLiteral("settings file '%1' line %2: unknown option '%3' %4 (known there: %5)")
                                      .arg(m_settingsFile)
                                      .arg(e.line)
                                      .arg(e.key, where, known.isEmpty() ? QStringLiteral("none; see docs/configuration.md") : known.join(QStringLiteral(", "))));
            }
            fromFile.insert(name, Raw{e.value, ConfigSource::File, QStringLiteral("file %1:%2").arg(m_settingsFile).arg(e.line)});
        }
    }

    QHash<QString, Config::Entry> entries;
    QSet<QString> decided; // resolved, or known to be inactive
    const auto &options = m_table.options();
    // Options depend on others (a backend's options on the backend choice): resolve in passes.
    for (int pass = 0; pass <= options.size() && decided.size() < options.size(); ++pass) {
        for (const OptionSpec &spec : options) {
            if (decided.contains(spec.name))
                continue;
            if (!spec.activeWhenOption.isEmpty()) {
                if (!decided.contains(spec.activeWhenOption))
                    continue;
                if (entries.value(spec.activeWhenOption).value.toString() != spec.activeWhenValue) {
                    decided.insert(spec.name);
                    continue;
                }
            }
            decided.insert(spec.name);

            std::optional<Raw> raw;
            if (const auto it = m_cli.constFind(spec.name); it != m_cli.cend()) {
                raw = Raw{it->text, ConfigSource::Cli, QStringLiteral("cli ") + it->flag};
            } else {
                // Python treats an empty variable as unset; so does jobslib, for every option.
                for (const QString &envName : spec.envNames) {
                    const QString v = m_env.value(envName);
                    if (!v.isEmpty()) {
                        raw = Raw{v, ConfigSource::Env, QStringLiteral("env ") + envName};
                        break;
                    }
                }
                if (!raw && fromFile.contains(spec.name))
                    raw = fromFile.value(spec.name);
            }

            Config::Entry entry;
            if (raw) {
                const auto value = parseOptionValue(spec, raw->text);
                if (!value) {
                    const QString shown = spec.secret ? QStringLiteral("********") : raw->text;
                    return R::failure(QStringLiteral("option '%1': value '%2' from %3: %4").arg(spec.name, shown, raw->origin, value.error()));
                }
                entry = Config::Entry{value.value(), raw->source, raw->origin};
            } else {
                entry = Config::Entry{spec.defaultValue, ConfigSource::Default, QStringLiteral("default")};
            }
            // A list or JSON object has no single string form: toString() is empty even when set.
            const QVariant &v = entry.value;
            const bool empty = !v.isValid()
                || (v.typeId() == QMetaType::QStringList      ? v.toStringList().isEmpty()
                        : v.typeId() == QMetaType::QVariantMap ? v.toMap().isEmpty()
                                                               : v.toString().isEmpty());
            if (spec.required && empty) {
                QString how = QStringLiteral("set '%1'").arg(spec.key());
                how += spec.section().isEmpty() ? QStringLiteral(" at the top of the settings file") : QStringLiteral(" in section [%1]").arg(spec.section());
                if (!spec.envNames.isEmpty())
                    how += QStringLiteral(" or ") + spec.envNames.constFirst();
                const QString when = spec.activeWhenOption.isEmpty()
                    ? QString()
                    : QStringLiteral(" when %1 = %2").arg(spec.activeWhenOption, spec.activeWhenValue);
                return R::failure(QStringLiteral("option '%1' is required%2: %3").arg(spec.name, when, how));
            }
            entries.insert(spec.name, entry);
        }
    }
    return Config(m_table, entries);
}

} // namespace jobslib
