// SPDX-License-Identifier: BSD-3-Clause
#include "eventlogmodel.h"

#include "fleet.h"
#include "jobmonitor.h"

#include <QDateTime>
#include <QSet>

#include <algorithm>

namespace jobslib::dashboard {

EventLogModel::EventLogModel(Fleet &fleet, QObject *parent)
    : QAbstractTableModel(parent)
    , m_fleet(fleet)
{
    connect(&fleet, &Fleet::started, this, &EventLogModel::rebuild);
    connect(&fleet, &Fleet::jobChanged, this, &EventLogModel::rebuild);
    rebuild();
}

void EventLogModel::rebuild()
{
    QList<Row> rows;
    QSet<QByteArray> seen;
    for (int j = 0; j < m_fleet.jobCount(); ++j) {
        for (int d = 0; d < m_fleet.datacenterCount(); ++d) {
            const JobMonitor *m = m_fleet.monitor(j, d);
            if (!m)
                continue;
            for (const ActionRecord &r : m->state().events) {
                const QByteArray id = r.toJson();
                if (seen.contains(id))
                    continue;
                seen.insert(id);
                rows << Row{m->job().name, r};
            }
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.record.timeMs > b.record.timeMs; });
    const bool same = rows.size() == m_rows.size()
        && std::equal(rows.cbegin(), rows.cend(), m_rows.cbegin(), [](const Row &a, const Row &b) { return a.job == b.job && a.record.toJson() == b.record.toJson(); });
    if (same)
        return;
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString EventLogModel::actionText(const QString &action)
{
    if (action == QLatin1String("release-lock"))
        return tr("Release lock");
    if (action == QLatin1String("request-handover"))
        return tr("Request handover");
    if (action == QLatin1String("handover"))
        return tr("Handover");
    if (action == QLatin1String("take-back"))
        return tr("Take back (nobody took over)");
    return action;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const Row &row = m_rows.at(index.row());
    const ActionRecord &r = row.record;
    if (role == Qt::ToolTipRole && index.column() == Detail)
        return r.detail;
    if (role != Qt::DisplayRole)
        return QVariant();
    switch (index.column()) {
    case Time: return QDateTime::fromMSecsSinceEpoch(r.timeMs).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case Job: return row.job;
    case Action: return actionText(r.action);
    case Who: return r.who;
    case Target: return r.target;
    case Outcome:
        if (r.outcome == QLatin1String("done"))
            return tr("done");
        if (r.outcome == QLatin1String("failed"))
            return tr("failed");
        if (r.outcome == QLatin1String("requested"))
            return tr("requested");
        return r.outcome;
    case Detail: return r.detail;
    default: return QVariant();
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case Time: return tr("Time");
    case Job: return tr("Job");
    case Action: return tr("Action");
    case Who: return tr("Who");
    case Target: return tr("Holder");
    case Outcome: return tr("Outcome");
    case Detail: return tr("Detail");
    default: return QVariant();
    }
}

} // namespace jobslib::dashboard
