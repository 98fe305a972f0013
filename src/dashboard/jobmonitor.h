// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "dashboardsettings.h"
#include "jobstate.h"

#include "kv/kvstore.h"

#include <QObject>
#include <QPointer>
#include <QSet>

namespace jobslib::dashboard {

/*!
 * One job in one datacenter, live: its lock key (and the handover request and action log under
 * it), its heartbeats and its liveness record, through the datacenter's KvStore watches (no
 * polling). Fetches the holder's session/lease once per new holder for TTL and lock-delay, and
 * tells a free lock from one in lock-delay: a Consul session that was destroyed or expired (not
 * released) leaves its record in the key, and Consul refuses acquisitions for its lock-delay.
 */
class JobMonitor : public QObject
{
    Q_OBJECT
public:
    /*! store may be nullptr (unusable datacenter settings): the state is then unreachable with storeError. */
    JobMonitor(const JobSettings &job, const QString &datacenter, KvStore *store, const QString &storeError, QObject *parent = nullptr);

    const JobSettings &job() const { return m_job; }
    QString datacenter() const { return m_datacenter; }
    const JobDcState &state() const { return m_state; }
    /*! Every watch answered (or failed) and no holder lookup is under way: what --screenshot waits for. */
    bool settled() const { return m_state.received && m_pendingFetches == 0; }

    /*! Derives the lock view from the lock key as read; previous: the view before (for lock-delay). */
    static LockView lockViewOf(const std::optional<KvItem> &item, const LockView &previous, const QString &backend, qint64 nowMs);

Q_SIGNALS:
    void changed();

private:
    void onLockChanged(const QList<KvItem> &items);
    void onSubkeysChanged(const QList<KvItem> &items);
    void onHeartbeatsChanged(const QList<KvItem> &items);
    void onLivenessChanged(const QList<KvItem> &items);
    void onUnreachable(const QString &error);
    void markReachable();
    void fetchHolderInfo(const QString &holderId);
    void applyHolderInfo(const QString &holderId, const Expected<HolderInfo> &info);
    void scheduleLockDelayEnd();

    JobSettings m_job;
    QString m_datacenter;
    QPointer<KvStore> m_store;
    JobDcState m_state;
    int m_lockDelayTimer = 0;
    int m_pendingFetches = 0;
    QSet<const KvWatch *> m_unanswered; ///< watches without a first answer yet

protected:
    void timerEvent(QTimerEvent *event) override;
};

} // namespace jobslib::dashboard
