// SPDX-License-Identifier: BSD-3-Clause
#include "jobmonitor.h"

#include <QDateTime>
#include <QTimerEvent>

#include <algorithm>

namespace jobslib::dashboard {

namespace {
qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/*! Consul's lock-delay when a session does not set one. */
constexpr qint64 DefaultLockDelayS = 15;
} // namespace

JobMonitor::JobMonitor(const JobSettings &job, const QString &datacenter, KvStore *store, const QString &storeError, QObject *parent)
    : QObject(parent)
    , m_job(job)
    , m_datacenter(datacenter)
    , m_store(store)
{
    if (!store) {
        m_state.received = true;
        m_state.error = storeError;
        return;
    }
    auto watch = [this, store](const QString &key, bool prefix, void (JobMonitor::*slot)(const QList<KvItem> &)) {
        KvWatch *w = store->watch(key, prefix, this);
        m_unanswered.insert(w);
        // The first answer of every watch, before the slot, so that `received` means "all of it".
        connect(w, &KvWatch::changed, this, [this, w] { m_unanswered.remove(w); });
        connect(w, &KvWatch::changed, this, slot);
        connect(w, &KvWatch::unreachable, this, &JobMonitor::onUnreachable);
    };
    watch(m_job.lockKey, false, &JobMonitor::onLockChanged);
    // The handover request and the action log live under the lock key (kv/actionlog.h).
    watch(m_job.lockKey + QLatin1Char('/'), true, &JobMonitor::onSubkeysChanged);
    if (!m_job.effectiveHeartbeatPrefix().isEmpty())
        watch(m_job.effectiveHeartbeatPrefix(), true, &JobMonitor::onHeartbeatsChanged);
    if (!m_job.livenessKey.isEmpty())
        watch(m_job.livenessKey, false, &JobMonitor::onLivenessChanged);
}

LockView JobMonitor::lockViewOf(const std::optional<KvItem> &item, const LockView &previous, const QString &backend, qint64 now)
{
    LockView view;
    if (item && !item->value.isEmpty()) {
        const Expected<OwnerRecord> record = OwnerRecord::fromJson(item->value);
        if (record)
            view.holder = *record;
    }
    if (!item || item->holder.isEmpty()) {
        view.state = LockState::Free;
        // Consul keeps the record of a holder whose session was destroyed or expired (a release
        // empties it): Consul then refuses acquisitions for that session's lock-delay.
        const bool invalidated = item && !item->value.isEmpty() && backend == QLatin1String("consul");
        if (invalidated && previous.state == LockState::Held && previous.lockDelayS != 0) {
            view.state = LockState::LockDelay;
            view.lockDelayS = previous.lockDelayS;
            view.freedHolderId = previous.holderId;
            view.freedAtMs = now;
            // Until the session's own lock-delay is known (its info may still be on the way),
            // assume Consul's default of 15 s.
            view.blockedUntilMs = now + (previous.lockDelayS > 0 ? previous.lockDelayS : DefaultLockDelayS) * 1000;
        } else if (invalidated && previous.state == LockState::LockDelay && previous.blockedUntilMs > now) {
            view = previous;
        }
        return view;
    }
    view.state = LockState::Held;
    view.holderId = item->holder;
    view.fencingToken = item->lockIndex;
    if (previous.holderId == view.holderId) {
        view.ttlS = previous.ttlS;
        view.lockDelayS = previous.lockDelayS;
        view.blockedUntilMs = previous.blockedUntilMs;
        if (previous.state == LockState::LockDelay)
            view.state = LockState::LockDelay;
    } else if (backend == QLatin1String("etcd") && previous.state != LockState::Unknown && previous.fencingToken == view.fencingToken
               && !previous.holderId.isEmpty()) {
        // etcd's release-lock moves the key, same create revision, to a fresh lease for one TTL
        // (EtcdLock::forceRelease): a fence nobody can acquire through until it expires.
        view.state = LockState::LockDelay;
    }
    view.handover = previous.handover;
    return view;
}

void JobMonitor::markReachable()
{
    m_state.received = m_unanswered.isEmpty();
    m_state.reachable = true;
    m_state.error.clear();
}

void JobMonitor::onLockChanged(const QList<KvItem> &items)
{
    markReachable();
    const std::optional<KvItem> item = items.isEmpty() ? std::nullopt : std::optional<KvItem>(items.first());
    const LockView previous = m_state.lock;
    m_state.lock = lockViewOf(item, previous, m_store ? m_store->backendName() : QString(), nowMs());
    if (m_state.lock.state == LockState::Held && m_state.lock.holderId != previous.holderId)
        fetchHolderInfo(m_state.lock.holderId);
    else if (m_state.lock.state == LockState::LockDelay && m_state.lock.blockedUntilMs == 0 && !m_state.lock.holderId.isEmpty())
        fetchHolderInfo(m_state.lock.holderId);
    scheduleLockDelayEnd();
    Q_EMIT changed();
}

void JobMonitor::fetchHolderInfo(const QString &holderId)
{
    ++m_pendingFetches;
    m_store->holderInfo(holderId, this, [this, holderId](const Expected<HolderInfo> &info) {
        --m_pendingFetches;
        applyHolderInfo(holderId, info);
        // Also when nothing changed: whoever waits for settled() learns it.
        Q_EMIT changed();
    });
}

void JobMonitor::applyHolderInfo(const QString &holderId, const Expected<HolderInfo> &info)
{
    if (!info)
        return;
    LockView &lock = m_state.lock;
    if (lock.state == LockState::LockDelay && lock.freedHolderId == holderId && info->exists) {
        // Read before the session ended, answered after: now the lock-delay's end is known.
        lock.lockDelayS = info->lockDelayS;
        lock.blockedUntilMs = lock.freedAtMs + qMax<qint64>(0, info->lockDelayS) * 1000;
        scheduleLockDelayEnd();
        return;
    }
    if (lock.holderId != holderId)
        return; // a newer holder already; its own fetch is under way
    lock.ttlS = info->ttlS;
    lock.lockDelayS = info->lockDelayS;
    if (lock.state == LockState::LockDelay && info->remainingS >= 0)
        lock.blockedUntilMs = nowMs() + info->remainingS * 1000;
    scheduleLockDelayEnd();
}

void JobMonitor::scheduleLockDelayEnd()
{
    if (m_lockDelayTimer) {
        killTimer(m_lockDelayTimer);
        m_lockDelayTimer = 0;
    }
    if (m_state.lock.state == LockState::LockDelay && m_state.lock.blockedUntilMs > 0 && m_state.lock.holderId.isEmpty())
        m_lockDelayTimer = startTimer(int(qBound<qint64>(0, m_state.lock.blockedUntilMs - nowMs(), qint64(3600) * 1000)), Qt::PreciseTimer);
}

void JobMonitor::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_lockDelayTimer)
        return QObject::timerEvent(event);
    killTimer(m_lockDelayTimer);
    m_lockDelayTimer = 0;
    // The lock-delay is over: the key is simply free now (an etcd fence ends with a watch event).
    m_state.lock.state = LockState::Free;
    m_state.lock.blockedUntilMs = 0;
    Q_EMIT changed();
}

void JobMonitor::onSubkeysChanged(const QList<KvItem> &items)
{
    markReachable();
    const QString handover = handoverKey(m_job.lockKey);
    const QString events = eventsPrefix(m_job.lockKey);
    m_state.lock.handover.reset();
    m_state.events.clear();
    for (const KvItem &item : items) {
        if (item.key == handover) {
            const Expected<HandoverRequest> request = HandoverRequest::fromJson(item.value);
            if (request)
                m_state.lock.handover = *request;
        } else if (item.key.startsWith(events)) {
            const Expected<ActionRecord> record = ActionRecord::fromJson(item.value);
            if (record)
                m_state.events << *record;
        }
    }
    std::sort(m_state.events.begin(), m_state.events.end(), [](const ActionRecord &a, const ActionRecord &b) { return a.timeMs > b.timeMs; });
    Q_EMIT changed();
}

void JobMonitor::onHeartbeatsChanged(const QList<KvItem> &items)
{
    markReachable();
    m_state.instances.clear();
    for (const KvItem &item : items) {
        Expected<InstanceInfo> info = InstanceInfo::fromHeartbeat(item.key, item.value);
        if (!info)
            continue; // not a heartbeat (something else under the prefix): not an instance
        info.value().store = m_datacenter;
        m_state.instances << *info;
    }
    Q_EMIT changed();
}

void JobMonitor::onLivenessChanged(const QList<KvItem> &items)
{
    markReachable();
    m_state.liveness.reset();
    if (!items.isEmpty()) {
        const Expected<OwnerRecord> record = OwnerRecord::fromJson(items.first().value);
        if (record)
            m_state.liveness = *record;
    }
    Q_EMIT changed();
}

void JobMonitor::onUnreachable(const QString &error)
{
    if (m_state.received && !m_state.reachable && m_state.error == error)
        return;
    m_state.received = true;
    m_state.reachable = false;
    m_state.error = error;
    m_state.lock.state = LockState::Unknown;
    Q_EMIT changed();
}

} // namespace jobslib::dashboard
