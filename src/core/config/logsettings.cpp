// SPDX-License-Identifier: BSD-3-Clause
#include "logsettings.h"

#include "config/config.h"

#include <QVariantMap>

namespace jobslib {

Expected<LogSettings> logSettingsFromConfig(const Config &config)
{
    using R = Expected<LogSettings>;
    LogSettings s;
    s.level = LogSettings::levelFromName(config.string(QStringLiteral("logging.level"))).value_or(20);
    s.format = config.string(QStringLiteral("logging.format"));
    s.dateFormat = config.string(QStringLiteral("logging.datefmt"));
    const QVariantMap dict = config.value(QStringLiteral("logging.dict_config")).toMap();
    if (dict.isEmpty())
        return s;
    const QString origin = config.origin(QStringLiteral("logging.dict_config"));
    const auto bad = [&origin](const QString &what) {
        return R::failure(QStringLiteral("option 'logging.dict_config' from %1: %2").arg(origin, what));
    };
    const QVariantMap root = dict.value(QStringLiteral("root")).toMap();
    if (root.contains(QStringLiteral("level"))) {
        const auto l = LogSettings::levelFromName(root.value(QStringLiteral("level")).toString());
        if (!l)
            return bad(QStringLiteral("unknown root level '%1' (expected DEBUG, INFO, WARNING, ERROR or CRITICAL)").arg(root.value(QStringLiteral("level")).toString()));
        s.level = *l;
    }
    const QVariantMap loggers = dict.value(QStringLiteral("loggers")).toMap();
    for (auto it = loggers.cbegin(); it != loggers.cend(); ++it) {
        const QVariantMap logger = it.value().toMap();
        if (!logger.contains(QStringLiteral("level")))
            continue;
        const auto l = LogSettings::levelFromName(logger.value(QStringLiteral("level")).toString());
        if (!l)
            return bad(QStringLiteral("unknown level '%1' of logger '%2'").arg(logger.value(QStringLiteral("level")).toString(), it.key()));
        s.categoryLevels.insert(it.key(), *l);
    }
    // The formatter of the root's first handler, else the only formatter there is.
    const QVariantMap formatters = dict.value(QStringLiteral("formatters")).toMap();
    QString formatterName;
    const QStringList rootHandlers = root.value(QStringLiteral("handlers")).toStringList();
    if (!rootHandlers.isEmpty()) {
        const QVariantMap handlerDef = dict.value(QStringLiteral("handlers")).toMap().value(rootHandlers.constFirst()).toMap();
        formatterName = handlerDef.value(QStringLiteral("formatter")).toString();
    }
    if (formatterName.isEmpty() && formatters.size() == 1)
        formatterName = formatters.firstKey();
    if (!formatterName.isEmpty()) {
        const QVariantMap f = formatters.value(formatterName).toMap();
        if (f.contains(QStringLiteral("format")))
            s.format = f.value(QStringLiteral("format")).toString();
        if (f.contains(QStringLiteral("datefmt")))
            s.dateFormat = f.value(QStringLiteral("datefmt")).toString();
    }
    return s;
}

} // namespace jobslib
