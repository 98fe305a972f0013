// SPDX-License-Identifier: BSD-3-Clause
#include "fleetmodel.h"

#include "fleet.h"
#include "jobmonitor.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QEvent>
#include <QIcon>
#include <QTimerEvent>

namespace jobslib::dashboard {

namespace {
// Job rows have internal id 0; instance rows carry their job's index + 1.
constexpr quintptr JobRow = 0;
constexpr int AgeRefreshMs = 2000;

QString holderText(const JobSummary &s)
{
    if (!s.lockView.holder)
        return s.lockView.holderId;
    const OwnerRecord &r = *s.lockView.holder;
    QString text = r.fqdn;
    const QString dc = r.datacenter.isEmpty() ? s.lockDatacenter : r.datacenter;
    if (!dc.isEmpty())
        text += QStringLiteral(" (") + dc + QLatin1Char(')');
    if (r.pid)
        text += FleetModel::tr(", pid %1").arg(r.pid);
    return text;
}

QIcon lockIcon(LockState state)
{
    switch (state) {
    case LockState::Held: return QIcon(QStringLiteral(":/icons/lock-held.png"));
    case LockState::Free: return QIcon(QStringLiteral(":/icons/lock-free.png"));
    case LockState::LockDelay: return QIcon(QStringLiteral(":/icons/lock-delay.png"));
    case LockState::Unknown: break;
    }
    return QIcon(QStringLiteral(":/icons/unknown.png"));
}
} // namespace

FleetModel::FleetModel(Fleet &fleet, QObject *parent)
    : QAbstractItemModel(parent)
    , m_fleet(fleet)
{
    connect(&fleet, &Fleet::started, this, &FleetModel::reset);
    connect(&fleet, &Fleet::jobChanged, this, &FleetModel::updateJob);
    reset();
    m_ageTimer.start(AgeRefreshMs, this);
}

qint64 FleetModel::nowS() const
{
    return m_nowOverride ? m_nowOverride : QDateTime::currentSecsSinceEpoch();
}

void FleetModel::reset()
{
    beginResetModel();
    m_jobs.clear();
    for (int j = 0; j < m_fleet.jobCount(); ++j)
        m_jobs << JobSummary();
    endResetModel();
    for (int j = 0; j < m_fleet.jobCount(); ++j)
        updateJob(j);
}

void FleetModel::updateJob(int job)
{
    if (job < 0 || job >= m_jobs.size())
        return;
    QList<const JobDcState *> states;
    QStringList names;
    for (int d = 0; d < m_fleet.datacenterCount(); ++d) {
        if (const JobMonitor *m = m_fleet.monitor(job, d)) {
            states << &m->state();
            names << m->datacenter();
        }
    }
    JobSummary next = summarize(states, names);
    const QModelIndex parent = index(job, 0);
    const int before = int(m_jobs.at(job).instances.size());
    const int after = int(next.instances.size());
    // Children are replaced by count: removed ones first, then new ones, then the rest changed.
    if (after < before) {
        beginRemoveRows(parent, after, before - 1);
        m_jobs[job].instances.resize(after);
        endRemoveRows();
    } else if (after > before) {
        beginInsertRows(parent, before, after - 1);
        m_jobs[job].instances = next.instances;
        endInsertRows();
    }
    m_jobs[job] = next;
    Q_EMIT dataChanged(index(job, 0), index(job, ColumnCount - 1));
    if (after > 0)
        Q_EMIT dataChanged(index(0, 0, parent), index(after - 1, ColumnCount - 1, parent));
}

void FleetModel::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_ageTimer.timerId())
        return QAbstractItemModel::timerEvent(event);
    if (m_jobs.isEmpty())
        return;
    // Only the time columns move with the clock.
    Q_EMIT dataChanged(index(0, Since), index(int(m_jobs.size()) - 1, LastFailure), {Qt::DisplayRole, Qt::ToolTipRole, Qt::ForegroundRole});
    for (int j = 0; j < m_jobs.size(); ++j) {
        const int n = int(m_jobs.at(j).instances.size());
        if (n)
            Q_EMIT dataChanged(index(0, Lock, index(j, 0)), index(n - 1, LastFailure, index(j, 0)),
                               {Qt::DisplayRole, Qt::ToolTipRole, Qt::ForegroundRole, StaleRole});
    }
}

bool FleetModel::event(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange && columnCount() > 0) {
        Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
        if (!m_jobs.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_jobs.size()) - 1, ColumnCount - 1));
    }
    return QAbstractItemModel::event(event);
}

QModelIndex FleetModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return QModelIndex();
    if (!parent.isValid())
        return row < m_jobs.size() ? createIndex(row, column, JobRow) : QModelIndex();
    if (parent.internalId() != JobRow || parent.column() != 0)
        return QModelIndex();
    const int job = parent.row();
    if (job >= m_jobs.size() || row >= m_jobs.at(job).instances.size())
        return QModelIndex();
    return createIndex(row, column, quintptr(job) + 1);
}

QModelIndex FleetModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == JobRow)
        return QModelIndex();
    return createIndex(int(child.internalId() - 1), 0, JobRow);
}

int FleetModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_jobs.size());
    if (parent.internalId() != JobRow || parent.column() != 0 || parent.row() >= m_jobs.size())
        return 0;
    return int(m_jobs.at(parent.row()).instances.size());
}

int FleetModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant FleetModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return QVariant();
    if (index.internalId() == JobRow)
        return jobData(index.row(), index.column(), role);
    return instanceData(int(index.internalId() - 1), index.row(), index.column(), role);
}

QString FleetModel::lockStateText(LockState state)
{
    switch (state) {
    case LockState::Held: return tr("held");
    case LockState::Free: return tr("free");
    case LockState::LockDelay: return tr("in lock-delay");
    case LockState::Unknown: break;
    }
    return tr("unknown");
}

QString FleetModel::instanceStateText(const QString &state)
{
    // The heartbeat's states (src/core/liveness/instancestate.h); unknown ones as written.
    if (state == QLatin1String("running"))
        return tr("running");
    if (state == QLatin1String("standby"))
        return tr("standby");
    if (state == QLatin1String("sleeping"))
        return tr("sleeping");
    if (state == QLatin1String("failing"))
        return tr("failing");
    if (state == QLatin1String("stopping"))
        return tr("stopping");
    if (state == QLatin1String("handing-over"))
        return tr("handing over");
    return state;
}

QString FleetModel::relativeTime(qint64 epochS, qint64 nowS)
{
    if (epochS <= 0)
        return QString();
    const qint64 d = epochS - nowS;
    if (d == 0)
        return tr("now");
    const qint64 a = qAbs(d);
    QString span;
    if (a < 120)
        span = tr("%n s", nullptr, int(a));
    else if (a < 2 * 3600)
        span = tr("%n min", nullptr, int(a / 60));
    else if (a < 2 * 86400)
        span = tr("%n h", nullptr, int(a / 3600));
    else
        span = tr("%n d", nullptr, int(a / 86400));
    return d > 0 ? tr("in %1").arg(span) : tr("%1 ago").arg(span);
}

QVariant FleetModel::jobData(int job, int column, int role) const
{
    const JobSummary &s = m_jobs.at(job);
    const qint64 now = nowS();
    if (role == JobIndexRole)
        return job;
    if (role == LockStateRole)
        return int(s.lock);
    if (role == Qt::DecorationRole && column == Lock)
        return lockIcon(s.lock);
    if (role == Qt::ForegroundRole) {
        if ((column == Lock && (s.lock == LockState::Unknown || s.splitBrain)) || (column == Instances && s.staleCount(now)))
            return QBrush(QColor(0xc0, 0x20, 0x20));
        return QVariant();
    }
    const bool held = s.lock == LockState::Held || (s.lock == LockState::LockDelay && !s.lockView.holderId.isEmpty());
    if (role == Qt::ToolTipRole) {
        switch (column) {
        case Name: return m_fleet.settings().jobs.value(job).lockKey;
        case Lock:
            if (!s.unreachable.isEmpty())
                return tr("Not reachable: %1").arg(s.unreachable.join(QStringLiteral(", ")));
            if (s.splitBrain)
                return tr("More than one datacenter shows a holder: the instances use different lock stores");
            if (s.lock == LockState::LockDelay)
                return tr("Free, but nobody can acquire it until the lock-delay ends");
            if (s.lockView.handover)
                return tr("Handover requested by %1").arg(s.lockView.handover->requestedBy);
            return QVariant();
        case Holder: return s.lockView.holderId.isEmpty() ? QVariant() : tr("Session or lease %1").arg(s.lockView.holderId);
        case LastFailure: return s.lastFailure.isEmpty() ? QVariant() : s.lastFailure;
        default: return QVariant();
        }
    }
    if (role != Qt::DisplayRole)
        return QVariant();
    switch (column) {
    case Name: return m_fleet.settings().jobs.value(job).name;
    case Lock: {
        QString text = lockStateText(s.lock);
        if (s.lock == LockState::LockDelay && s.lockView.blockedUntilMs > 0)
            text += QStringLiteral(" (%1)").arg(relativeTime((s.lockView.blockedUntilMs + 999) / 1000, now));
        if (s.lockView.handover && s.lock == LockState::Held)
            text += tr(", handover requested");
        if (s.splitBrain)
            text += tr(", in several datacenters!");
        return text;
    }
    case Holder: return held ? holderText(s) : QString();
    case Since: return held && s.lockView.holder ? relativeTime(s.lockView.holder->timestamp, now) : QString();
    case Token: return held && s.lockView.fencingToken ? QVariant(QString::number(s.lockView.fencingToken)) : QVariant(QString());
    case Ttl: {
        if (!held || s.lockView.ttlS < 0)
            return QString();
        QString text = tr("%n s", nullptr, int(s.lockView.ttlS));
        if (s.lockView.lockDelayS > 0)
            text += tr(" (lock-delay %n s)", nullptr, int(s.lockView.lockDelayS));
        return text;
    }
    case Instances: {
        const int stale = s.staleCount(now);
        QString text = tr("%n instance(s)", nullptr, int(s.instances.size()));
        if (stale)
            text += tr(", %n stale", nullptr, stale);
        if (!s.unreachable.isEmpty())
            text += tr(", %1 unreachable").arg(s.unreachable.join(QStringLiteral(", ")));
        return text;
    }
    case LastSuccess: return relativeTime(s.lastSuccess, now);
    case LastFailure: return s.lastFailure;
    case NextRun: return relativeTime(s.nextRun, now);
    default: return QVariant();
    }
}

QVariant FleetModel::instanceData(int job, int row, int column, int role) const
{
    const InstanceInfo &i = m_jobs.at(job).instances.at(row);
    const qint64 now = nowS();
    const bool stale = i.isStale(now);
    if (role == JobIndexRole)
        return job;
    if (role == StaleRole)
        return stale;
    if (role == InstanceStateRole)
        return i.state;
    if (role == Qt::ForegroundRole)
        return stale ? QVariant(QBrush(QColor(0xc0, 0x20, 0x20))) : QVariant();
    if (role == Qt::DecorationRole && column == Lock && stale)
        return QIcon(QStringLiteral(":/icons/stale.png"));
    if (role == Qt::ToolTipRole) {
        if (column == Since)
            return stale ? tr("No heartbeat for %n s: the instance is probably gone", nullptr, int(i.ageS(now)))
                         : tr("Heartbeat every %1 s").arg(i.intervalS);
        if (column == Name)
            return tr("%1, version %2").arg(i.key, i.version);
        return column == LastFailure && !i.lastError.isEmpty() ? QVariant(i.lastError) : QVariant();
    }
    if (role != Qt::DisplayRole)
        return QVariant();
    switch (column) {
    case Name: return i.id();
    case Lock: return stale ? tr("%1 (stale)").arg(instanceStateText(i.state)) : instanceStateText(i.state);
    case Holder: return i.datacenter.isEmpty() || i.datacenter == i.store ? i.store : QStringLiteral("%1 (%2)").arg(i.store, i.datacenter);
    case Since: return relativeTime(i.heartbeatAt, now);
    case Token: return i.fencingToken ? QString::number(i.fencingToken) : QString();
    case LastSuccess: return relativeTime(i.lastSuccess, now);
    case LastFailure: return i.lastError;
    case NextRun: return relativeTime(i.nextRun, now);
    default: return QString();
    }
}

QVariant FleetModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case Name: return tr("Job / instance");
    case Lock: return tr("Lock / state");
    case Holder: return tr("Holder / datacenter");
    case Since: return tr("Since / heartbeat");
    case Token: return tr("Fencing token");
    case Ttl: return tr("Session/lease TTL");
    case Instances: return tr("Instances");
    case LastSuccess: return tr("Last success");
    case LastFailure: return tr("Last failure");
    case NextRun: return tr("Next run");
    default: return QVariant();
    }
}

} // namespace jobslib::dashboard
