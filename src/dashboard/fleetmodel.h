// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobsummary.h"

#include <QAbstractItemModel>
#include <QBasicTimer>

namespace jobslib::dashboard {

class Fleet;

/*!
 * The main view's tree: one row per job (its lock across every datacenter), and under it one
 * row per instance (from its heartbeat). Rows update as the fleet's watches report; the ages
 * ("12 s ago") are refreshed every few seconds without reading anything.
 */
class FleetModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { Name, Lock, Holder, Since, Token, Ttl, Instances, LastSuccess, NextRun, LastFailure, ColumnCount };
    Q_ENUM(Column)
    enum Role {
        LockStateRole = Qt::UserRole + 1, ///< int(LockState) of a job row
        JobIndexRole,                     ///< the job's index in the settings, for both kinds of rows
        StaleRole,                        ///< bool: an instance row's heartbeat is stale
        InstanceStateRole,                ///< an instance row's state text (untranslated)
    };

    explicit FleetModel(Fleet &fleet, QObject *parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const JobSummary &summary(int job) const { return m_jobs.at(job); }
    /*! "Now" for ages and staleness; tests set it, the view uses the clock. */
    void setNowOverride(qint64 epochS) { m_nowOverride = epochS; }

    static QString lockStateText(LockState state);
    /*! A heartbeat state ("standby") in the UI's language. */
    static QString instanceStateText(const QString &state);
    /*! "12 s ago", "3 min ago", "in 40 s". */
    static QString relativeTime(qint64 epochS, qint64 nowS);

protected:
    void timerEvent(QTimerEvent *event) override;
    bool event(QEvent *event) override;

private:
    void reset();
    void updateJob(int job);
    QVariant jobData(int job, int column, int role) const;
    QVariant instanceData(int job, int row, int column, int role) const;
    qint64 nowS() const;

    Fleet &m_fleet;
    QList<JobSummary> m_jobs;
    QBasicTimer m_ageTimer;
    qint64 m_nowOverride = 0;
};

} // namespace jobslib::dashboard
