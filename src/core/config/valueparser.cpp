// SPDX-License-Identifier: BSD-3-Clause
#include "valueparser.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace jobslib {

std::optional<bool> parseBool(const QString &text)
{
    const QString t = text.trimmed().toLower();
    bool isInt = false;
    const qlonglong n = t.toLongLong(&isInt);
    if (isInt)
        return n != 0;
    if (t == QLatin1String("true") || t == QLatin1String("yes") || t == QLatin1String("on"))
        return true;
    if (t == QLatin1String("false") || t == QLatin1String("no") || t == QLatin1String("off"))
        return false;
    return std::nullopt;
}

static Expected<QVariant> checkRange(const OptionSpec &spec, double v, const QVariant &value)
{
    if ((spec.minimum && v < *spec.minimum) || (spec.maximum && v > *spec.maximum))
        return Expected<QVariant>::failure(QStringLiteral("expected ") + spec.allowedText());
    return value;
}

Expected<QVariant> parseOptionValue(const OptionSpec &spec, const QString &rawText)
{
    const QString text = rawText.trimmed();
    const auto fail = [&spec] { return Expected<QVariant>::failure(QStringLiteral("expected ") + spec.allowedText()); };
    switch (spec.type) {
    case OptionType::Bool:
        if (const auto b = parseBool(text))
            return QVariant(*b);
        return fail();
    case OptionType::Int: {
        bool ok = false;
        const qlonglong v = text.toLongLong(&ok);
        if (!ok)
            return fail();
        return checkRange(spec, double(v), QVariant(v));
    }
    case OptionType::Double: {
        bool ok = false;
        const double v = text.toDouble(&ok);
        if (!ok || !std::isfinite(v))
            return fail();
        return checkRange(spec, v, QVariant(v));
    }
    case OptionType::Choice: {
        const QString lower = text.toLower();
        for (const QString &c : spec.choices) {
            if (c == lower)
                return QVariant(c);
        }
        for (auto it = spec.aliases.cbegin(); it != spec.aliases.cend(); ++it) {
            if (it.key() == text) {
                if (spec.choices.contains(it.value()))
                    return QVariant(it.value());
                return Expected<QVariant>::failure(QStringLiteral("'%1' means backend '%2', which this build does not provide yet; expected %3")
                                                       .arg(text, it.value(), spec.allowedText()));
            }
        }
        return fail();
    }
    case OptionType::Json: {
        QJsonParseError err{};
        const auto doc = QJsonDocument::fromJson(text.toUtf8(), &err);
        if (err.error != QJsonParseError::NoError)
            return Expected<QVariant>::failure(QStringLiteral("expected a JSON object (%1 at offset %2)").arg(err.errorString()).arg(err.offset));
        if (!doc.isObject())
            return fail();
        return QVariant(doc.object().toVariantMap());
    }
    case OptionType::Path: {
        if (text.isEmpty())
            return QVariant(QString());
        if (text.contains(QChar(0)))
            return fail();
        QString path = text;
        if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")))
            path = QDir::homePath() + path.mid(1);
        return QVariant(path);
    }
    case OptionType::StringList: {
        // An item of blanks is no item, as an empty one ("a, ,b" is "a,b", as "a,,b" is): kept, it
        // would print as "a,,b" in --print-config, which means something else.
        QStringList items;
        const auto parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &p : parts) {
            const QString item = p.trimmed();
            if (!item.isEmpty())
                items << item;
        }
        return QVariant(items);
    }
    case OptionType::String:
        break;
    }
    return QVariant(text);
}

} // namespace jobslib
