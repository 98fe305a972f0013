// SPDX-License-Identifier: BSD-3-Clause
#include "taskjournal.h"

#include <QDir>
#include <QFile>

namespace jobslib::test {

TaskJournal::TaskJournal(const QString &directory)
    : m_path(QDir(directory).filePath(QStringLiteral("journal")))
    , m_check(QDir(directory).filePath(QStringLiteral("overlap.check")))
{
}

QString TaskJournal::workScript(const QString &seconds) const
{
    // Concatenated, not arg()ed: date's "%3N" would be taken for a marker.
    const QString date = QStringLiteral("$(date +%s%3N)");
    const QString body = QStringLiteral("echo start $INSTANCE $JOBSLIB_FENCING_TOKEN ") + date + QStringLiteral(" $$ >> ") + m_path
        + QStringLiteral("; sleep ") + seconds + QStringLiteral("; echo end $INSTANCE $JOBSLIB_FENCING_TOKEN ") + date + QStringLiteral(" $$ >> ")
        + m_path;
    return QStringLiteral("flock -n ") + m_check + QStringLiteral(" sh -c '") + body + QStringLiteral("' || echo OVERLAP $INSTANCE $JOBSLIB_FENCING_TOKEN ")
        + date + QStringLiteral(" 0 >> ") + m_path;
}

QList<JournalEntry> TaskJournal::entries(const QString &what) const
{
    QList<JournalEntry> entries;
    QFile f(m_path);
    if (!f.open(QIODevice::ReadOnly))
        return entries;
    const auto lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        const QStringList p = line.split(QLatin1Char(' '));
        if (p.size() == 5 && (what.isEmpty() || p[0] == what))
            entries << JournalEntry{p[0], p[1], p[2].toULongLong(), p[3].toLongLong(), p[4].toLongLong()};
    }
    return entries;
}

QString TaskJournal::checkNoOverlapAndGrowingTokens(const QList<JournalEntry> &entries)
{
    quint64 lastToken = 0;
    QString lastInstance;
    for (const JournalEntry &e : entries) {
        if (e.what == QLatin1String("OVERLAP"))
            return QStringLiteral("%1 ran while another task was running").arg(e.instance);
        if (e.what != QLatin1String("start") || e.token == 0)
            continue;
        if (e.token < lastToken)
            return QStringLiteral("fencing tokens went backwards (%1 after %2)").arg(e.token).arg(lastToken);
        if (!lastInstance.isEmpty() && e.instance != lastInstance && e.token == lastToken)
            return QStringLiteral("%1 reused the previous holder's fencing token %2").arg(e.instance).arg(e.token);
        lastToken = e.token;
        lastInstance = e.instance;
    }
    return {};
}

} // namespace jobslib::test
