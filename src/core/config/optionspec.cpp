// SPDX-License-Identifier: BSD-3-Clause
#include "optionspec.h"

namespace jobslib {

OptionSpec OptionSpec::make(const QString &name, OptionType type, const QVariant &defaultValue, const QStringList &envNames, const QString &doc)
{
    OptionSpec s;
    s.name = name;
    s.type = type;
    s.defaultValue = defaultValue;
    s.envNames = envNames;
    s.doc = doc;
    return s;
}

OptionSpec OptionSpec::withRange(double min, double max) const
{
    OptionSpec s = *this;
    s.minimum = min;
    s.maximum = max;
    return s;
}

OptionSpec OptionSpec::asSecret() const
{
    OptionSpec s = *this;
    s.secret = true;
    return s;
}

QString OptionSpec::section() const
{
    const auto dot = name.lastIndexOf(QLatin1Char('.'));
    return dot < 0 ? QString() : name.left(dot);
}

QString OptionSpec::key() const
{
    return name.mid(name.lastIndexOf(QLatin1Char('.')) + 1);
}

static QString number(double v)
{
    return QString::number(v, 'g', 12);
}

QString OptionSpec::allowedText() const
{
    switch (type) {
    case OptionType::Bool:
        return QStringLiteral("a boolean (1/0, true/false, yes/no, on/off)");
    case OptionType::Int:
    case OptionType::Double: {
        const QString what = type == OptionType::Int ? QStringLiteral("an integer") : QStringLiteral("a number");
        if (minimum && maximum)
            return what + QStringLiteral(" from ") + number(*minimum) + QStringLiteral(" to ") + number(*maximum);
        if (minimum)
            return what + QStringLiteral(" >= ") + number(*minimum);
        if (maximum)
            return what + QStringLiteral(" <= ") + number(*maximum);
        return what;
    }
    case OptionType::Choice:
        return QStringLiteral("one of: ") + choices.join(QStringLiteral(", "));
    case OptionType::Json:
        return QStringLiteral("a JSON object");
    case OptionType::Path:
        return QStringLiteral("a file path");
    case OptionType::StringList:
        return QStringLiteral("a comma-separated list");
    case OptionType::String:
        break;
    }
    return QStringLiteral("a string");
}

} // namespace jobslib
