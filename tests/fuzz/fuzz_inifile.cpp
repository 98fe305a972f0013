// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target: the settings file parser, jobslib::parseIni (src/core/config/inifile.h).
// Input: the bytes of a settings file.
// Invariants: an error names a line of the file (for bad UTF-8 the first bad line); only invalid
// UTF-8 is refused as such; what parses has lower-case, valid, unique names and line numbers inside
// the file, and written back as a settings file it parses to the same entries.

#include "fuzzsupport.h"

#include "config/inifile.h"

#include <QSet>
#include <QStringDecoder>

using jobslib::IniEntry;

namespace {

/*! The entries as a settings file: a header whenever the section changes, every value quoted. */
QByteArray write(const QList<IniEntry> &entries)
{
    QString out;
    QString section;
    for (const IniEntry &e : entries) {
        if (e.section != section) {
            out += QLatin1Char('[') + e.section + QStringLiteral("]\n");
            section = e.section;
        }
        out += e.key + QStringLiteral(" = \"") + e.value + QStringLiteral("\"\n");
    }
    return out.toUtf8();
}

bool sameEntries(const QList<IniEntry> &a, const QList<IniEntry> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a.at(i).section != b.at(i).section || a.at(i).key != b.at(i).key || a.at(i).value != b.at(i).value)
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz::run([&] {
        const QByteArray text = fuzz::bytes(data, size);
        const qsizetype lines = text.count('\n') + 1;
        const auto parsed = jobslib::parseIni(text);
        // The encoding is judged by the bytes: what is valid UTF-8 (U+FFFD itself included) is
        // never refused for its encoding, what is not always is.
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString decoded = utf8.decode(text); // decode() is lazy: converting runs it
        (void)decoded;
        const bool encodingRefused = !parsed && parsed.error().endsWith(QLatin1String(": the file is not valid UTF-8"));
        FUZZ_CHECK(encodingRefused == utf8.hasError());
        if (!parsed) {
            // "line N: ..." with N a line of the file.
            const QString &error = parsed.error();
            FUZZ_CHECK(error.startsWith(QLatin1String("line ")));
            const qsizetype colon = error.indexOf(QLatin1Char(':'));
            FUZZ_CHECK(colon > 5);
            bool ok = false;
            const int line = error.mid(5, colon - 5).toInt(&ok);
            FUZZ_CHECK(ok && line >= 1 && line <= lines);
            if (encodingRefused) {
                // The line named is the first that is not UTF-8.
                const QList<QByteArray> raw = text.split('\n');
                for (int i = 0; i < line; ++i) {
                    QStringDecoder one(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
                    const QString s = one.decode(raw.at(i));
                    (void)s;
                    FUZZ_CHECK(one.hasError() == (i == line - 1));
                }
            }
            return;
        }
        QSet<QString> names;
        for (const IniEntry &e : parsed.value()) {
            FUZZ_CHECK(jobslib::isValidIniName(e.key));
            FUZZ_CHECK(e.section.isEmpty() || jobslib::isValidIniName(e.section));
            FUZZ_CHECK(e.line >= 1 && e.line <= lines);
            const QString name = e.section.isEmpty() ? e.key : e.section + QLatin1Char('.') + e.key;
            FUZZ_CHECK(!names.contains(name));
            names.insert(name);
        }
        // Round trip: what was read, written back, reads the same.
        const auto again = jobslib::parseIni(write(parsed.value()));
        FUZZ_CHECK(again.ok());
        FUZZ_CHECK(sameEntries(parsed.value(), again.value()));
    });
}
