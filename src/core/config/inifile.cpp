// SPDX-License-Identifier: BSD-3-Clause
#include "inifile.h"

#include <QSet>
#include <QStringDecoder>

#include <utility>

namespace jobslib {

bool isValidIniName(const QString &s)
{
    if (s.isEmpty())
        return false;
    for (const QChar c : s) {
        if (!(c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('.') || c == QLatin1Char('-')))
            return false;
    }
    return true;
}

/*! Whether \a bytes are UTF-8; Stateless: a sequence cut off at the end is an error too. */
static bool isUtf8(const QByteArray &bytes, QString *decoded = nullptr)
{
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = utf8.decode(bytes);
    if (decoded)
        *decoded = std::move(text);
    return !utf8.hasError();
}

Expected<QList<IniEntry>> parseIni(const QByteArray &text)
{
    using R = Expected<QList<IniEntry>>;
    QList<IniEntry> entries;
    QSet<QString> seen;
    QString section;
    // Judged by the bytes: a U+FFFD in the decoded text may be the file's own (valid) character.
    QString content;
    if (!isUtf8(text, &content)) {
        // '\n' is never part of a multi-byte sequence: some line is invalid on its own.
        const QList<QByteArray> raw = text.split('\n');
        qsizetype bad = 0;
        while (bad + 1 < raw.size() && isUtf8(raw.at(bad)))
            ++bad;
        return R::failure(QStringLiteral("line %1: the file is not valid UTF-8").arg(bad + 1));
    }
    const QStringList lines = content.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        const int lineNo = i + 1;
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char(';')))
            continue;
        if (line.startsWith(QLatin1Char('['))) {
            if (!line.endsWith(QLatin1Char(']')))
                return R::failure(QStringLiteral("line %1: section header '%2' lacks the closing ']'").arg(lineNo).arg(line));
            section = line.mid(1, line.size() - 2).trimmed().toLower();
            if (!isValidIniName(section))
                return R::failure(QStringLiteral("line %1: invalid section name '%2'").arg(lineNo).arg(section));
            continue;
        }
        const auto eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return R::failure(QStringLiteral("line %1: expected 'key = value' or '[section]', got '%2'").arg(lineNo).arg(line.left(80)));
        IniEntry e;
        e.section = section;
        e.key = line.left(eq).trimmed().toLower();
        e.value = line.mid(eq + 1).trimmed();
        e.line = lineNo;
        if (!isValidIniName(e.key))
            return R::failure(QStringLiteral("line %1: invalid key '%2'").arg(lineNo).arg(e.key));
        if (e.value.size() >= 2 && e.value.startsWith(QLatin1Char('"')) && e.value.endsWith(QLatin1Char('"')))
            e.value = e.value.mid(1, e.value.size() - 2);
        const QString full = section.isEmpty() ? e.key : section + QLatin1Char('.') + e.key;
        if (seen.contains(full))
            return R::failure(QStringLiteral("line %1: '%2' is set twice").arg(lineNo).arg(full));
        seen.insert(full);
        entries << e;
    }
    return entries;
}

} // namespace jobslib
