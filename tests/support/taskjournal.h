// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QList>
#include <QString>

namespace jobslib::test {

/*! One line of a task journal: "start|end|OVERLAP instance token epoch_ms pid". */
struct JournalEntry
{
    QString what;
    QString instance; ///< $INSTANCE of the runjob that ran it
    quint64 token = 0; ///< $JOBSLIB_FENCING_TOKEN; 0 for holders without one (Python jobslib)
    qint64 ms = 0;    ///< wall clock of the line
    qint64 pid = 0;   ///< the task's shell
};

/*!
 * The journal shared by the instances of a multi-process lock test. Every task run takes a
 * second, independent lock (flock -n) around its work and writes OVERLAP when it cannot: whatever
 * a test does to the holders, two task executions that overlap leave a trace. flock's descriptor
 * is inherited by everything the task starts, so the detector stays locked while any of it lives.
 */
class TaskJournal
{
public:
    explicit TaskJournal(const QString &directory);

    QString path() const { return m_path; }
    /*! The `sh -c` script of a task that works for `seconds` (a sleep argument). */
    QString workScript(const QString &seconds) const;
    QList<JournalEntry> entries(const QString &what = QString()) const;
    /*! Empty when no run overlapped and tokens only grew (strictly, from one holder to the next). */
    static QString checkNoOverlapAndGrowingTokens(const QList<JournalEntry> &entries);

private:
    QString m_path;
    QString m_check;
};

} // namespace jobslib::test
