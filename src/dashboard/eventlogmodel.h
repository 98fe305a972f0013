// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "kv/actionlog.h"

#include <QAbstractTableModel>

namespace jobslib::dashboard {

class Fleet;

/*!
 * The action log of every job in every datacenter, newest first: who released or asked to hand
 * over which lock, when, and how it ended (stored by whoever acted, under <lock key>/events/).
 * Entries that several datacenters return (a shared store) are shown once.
 */
class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Job, Action, Who, Target, Outcome, Detail, ColumnCount };
    Q_ENUM(Column)

    explicit EventLogModel(Fleet &fleet, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const ActionRecord &record(int row) const { return m_rows.at(row).record; }
    static QString actionText(const QString &action);

private:
    struct Row
    {
        QString job;
        ActionRecord record;
    };
    void rebuild();

    Fleet &m_fleet;
    QList<Row> m_rows;
};

} // namespace jobslib::dashboard
