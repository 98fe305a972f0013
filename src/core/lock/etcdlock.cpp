// SPDX-License-Identifier: BSD-3-Clause
#include "etcdlock.h"

#include "app/context.h"
#include "cleanupretry.h"
#include "leasekeeper.h"
#include "util/clock.h"
#include "util/deferred.h"
#include "util/freezepoint.h"
#include "util/logcategories.h"

#include <QRandomGenerator>

namespace jobslib {

EtcdLock::EtcdLock(Context &context, const EtcdEndpoint &endpoint, QObject *parent)
    : LockBackend(context, parent)
    , m_client(context.network(), endpoint, this)
    , m_key(context.config().string(QStringLiteral("one_instance.etcd.key")).toUtf8())
    , m_ttlS(context.config().integer(QStringLiteral("one_instance.etcd.ttl")))
    , m_keeper(new LeaseKeeper(context.clock(), this))
{
    connect(m_keeper, &LeaseKeeper::lost, this, &EtcdLock::onLost);
    connect(m_keeper, &LeaseKeeper::deadlineChanged, this, &LockBackend::leaseDeadlineChanged);
    connect(m_keeper, &LeaseKeeper::renewFailed, this, &LockBackend::renewFailed);
}

EtcdLock::~EtcdLock()
{
    resetWatch();
}

void EtcdLock::acquire()
{
    if (m_held)
        reacquireHeld([this](const QString &why) { onLost(why); }, [this] { acquireAnew(); });
    else
        acquireAnew();
}

void EtcdLock::acquireAnew()
{
    if (m_acquiring)
        return;
    m_acquiring = true;
    const qint64 sentAtMs = context().clock().monotonicMs();
    m_client.grantLease(m_ttlS, this, [this, sentAtMs](const EtcdResult<qint64> &r) {
        if (!r.ok()) {
            m_acquiring = false;
            Q_EMIT acquireFailed(QStringLiteral("cannot create an etcd lease: ") + r.error.describe());
            return;
        }
        const qint64 lease = *r.value;
        // The record carries no fencing token: that is the key's create revision, known only
        // once the key exists (lock-info shows it from the key).
        m_client.createIfAbsent(m_key, ownRecord(0).toJson(), lease, this,
                                [this, lease, sentAtMs](const EtcdResult<EtcdCreate> &c) { onCreateAnswered(lease, sentAtMs, c); });
    });
}

void EtcdLock::onCreateAnswered(qint64 lease, qint64 sentAtMs, const EtcdResult<EtcdCreate> &r)
{
    m_acquiring = false;
    if (!r.ok()) {
        // Whether or not the transaction took effect, revoking the lease undoes it.
        revokeQuietly(lease);
        Q_EMIT acquireFailed(QStringLiteral("cannot create the lock key: ") + r.error.describe());
        return;
    }
    // A transaction that timed out at one member may still have been applied there, and its
    // retry at the next member then finds the key: created by our own lease, so it is ours.
    const bool oursAlready = !r.value->created && r.value->existing && r.value->existing->lease == lease;
    if (!r.value->created && !oursAlready) {
        revokeQuietly(lease);
        Q_EMIT notAcquired(ownerOf(r.value->existing));
        return;
    }
    m_lease = lease;
    m_held = true;
    m_token = quint64(oursAlready ? r.value->existing->createRevision : r.value->revision);
    m_highestRevision = qint64(m_token);
    m_keeper->start(m_ttlS * 1000, sentAtMs, [this, lease](std::function<void(LeaseKeeper::RenewOutcome, const QString &)> cb) {
        // A live lease does not prove the lock: release-lock moves the key to another lease. So
        // every renewal also reads the key; the watch may hang on a member that does not answer.
        m_client.keepAlive(lease, this, [this, lease, cb](const EtcdResult<qint64> &k) {
            if (!k.ok()) {
                cb(LeaseKeeper::RenewOutcome::Failed, k.error.describe());
                return;
            }
            if (*k.value <= 0) {
                cb(LeaseKeeper::RenewOutcome::Gone, {});
                return;
            }
            m_client.get(m_key, this, [this, lease, cb](const EtcdResult<EtcdRead> &read) {
                if (read.ok() && wentBack(read.value->revision))
                    return; // lost: the keeper is stopped and no longer waits for this answer
                if (!read.ok())
                    cb(LeaseKeeper::RenewOutcome::Failed, read.error.describe());
                else if (!read.value->kv || read.value->kv->lease != lease || read.value->kv->createRevision != qint64(m_token))
                    cb(LeaseKeeper::RenewOutcome::Gone, {});
                else
                    cb(LeaseKeeper::RenewOutcome::Renewed, {});
            });
        });
    });
    watchOwnKey(qint64(m_token) + 1);
    Q_EMIT acquired(m_token);
}

void EtcdLock::release()
{
    if (!m_held) {
        deferred(this, [this] { Q_EMIT released(); });
        return;
    }
    m_keeper->stop();
    resetWatch();
    m_held = false;
    const qint64 lease = std::exchange(m_lease, 0);
    // Revoking the lease deletes the key with it: one request, and no window where the key
    // exists without a live lease.
    m_client.revokeLease(lease, this, [this, lease](const EtcdResult<bool> &r) {
        if (r.ok()) {
            Q_EMIT released();
            return;
        }
        Q_EMIT releaseFailed(r.error.describe() + QStringLiteral(" (revoking again until the lease expires)"));
        // The lease holds the key until etcd expires it, TTL after the last keep-alive.
        retryCleanup(
            context().clock(), this,
            [this, lease](std::function<void(bool)> done) {
                m_client.revokeLease(lease, this, [lease, done](const EtcdResult<bool> &again) {
                    if (again.ok())
                        qCInfo(lcLock).noquote() << "Revoked lease" << lease << "at last: the lock is free";
                    done(again.ok());
                });
            },
            context().clock().monotonicMs() + m_ttlS * 1000);
    });
}

void EtcdLock::refresh()
{
    if (m_held)
        m_keeper->renewNow();
}

void EtcdLock::setTaskStopMs(qint64 ms)
{
    m_keeper->setTaskStopMs(ms);
}

qint64 EtcdLock::leaseRemainingMs() const
{
    const qint64 deadline = m_keeper->deadlineMs();
    return deadline < 0 ? -1 : qMax<qint64>(0, deadline - context().clock().monotonicMs());
}

void EtcdLock::resetWatch()
{
    ++m_watchGeneration;
    m_watchingFree = false;
    dropWatch();
}

void EtcdLock::dropWatch()
{
    // Often called from one of the watch's own signals: delete it later, deaf from now on.
    if (EtcdWatch *w = m_watch.data()) {
        m_watch = nullptr;
        w->disconnect(this);
        w->deleteLater();
    }
}

void EtcdLock::watchOwnKey(qint64 fromRevision)
{
    resetWatch();
    const quint64 generation = m_watchGeneration;
    EtcdWatch *w = m_client.watch(m_key, fromRevision, this);
    m_watch = w;
    connect(w, &EtcdWatch::created, this, [this] { m_watchBackoff.reset(); });
    connect(w, &EtcdWatch::events, this, [this, generation](const QList<EtcdWatchEvent> &events) {
        if (generation != m_watchGeneration || !m_held)
            return;
        for (const EtcdWatchEvent &e : events) {
            if (e.type == EtcdWatchEvent::Type::Delete) {
                onLost(QStringLiteral("the lock key was deleted (its lease was revoked or expired)"));
                return;
            }
            if (e.kv.createRevision != qint64(m_token) || e.kv.lease != m_lease) {
                onLost(QStringLiteral("the lock was taken away (runjob release-lock)"));
                return;
            }
        }
    });
    connect(w, &EtcdWatch::failed, this, [this, generation](const EtcdError &error) {
        if (generation != m_watchGeneration || !m_held)
            return;
        qCDebug(lcLock).noquote() << "Watch of the lock key failed:" << error.describe();
        // The lease keeper decides about the lock; the watch only comes back, after a back-off.
        context().clock().callAfter(m_watchBackoff.nextDelayMs(), this, [this, generation] { recheckOwnKey(generation); });
    });
}

void EtcdLock::recheckOwnKey(quint64 generation)
{
    if (generation != m_watchGeneration || !m_held)
        return;
    if (m_keeper->expired()) {
        onLost(QStringLiteral("the lease deadline passed (was the process frozen?)"));
        return;
    }
    // Events may have been missed while the watch was down: look at the key, then watch from there.
    m_client.get(m_key, this, [this, generation](const EtcdResult<EtcdRead> &r) {
        if (generation != m_watchGeneration || !m_held)
            return;
        if (!r.ok()) {
            context().clock().callAfter(m_watchBackoff.nextDelayMs(), this, [this, generation] { recheckOwnKey(generation); });
            return;
        }
        if (wentBack(r.value->revision))
            return;
        if (!r.value->kv) {
            onLost(QStringLiteral("the lock key was deleted (its lease was revoked or expired)"));
            return;
        }
        if (r.value->kv->createRevision != qint64(m_token) || r.value->kv->lease != m_lease) {
            onLost(QStringLiteral("the lock key is held by another lease"));
            return;
        }
        watchOwnKey(r.value->revision + 1);
    });
}

bool EtcdLock::wentBack(qint64 revision)
{
    if (revision >= m_highestRevision) {
        m_highestRevision = revision;
        return false;
    }
    // etcd's revision never decreases while it keeps its data: a cluster restored from an older
    // snapshot or rebuilt may give our key (and its create revision, our token) to somebody else.
    onLost(QStringLiteral("etcd's revision went backwards (%1 after %2): the cluster lost or restored its state").arg(revision).arg(m_highestRevision));
    return true;
}

void EtcdLock::onLost(const QString &reason)
{
    if (!m_held)
        return;
    m_keeper->stop();
    resetWatch();
    m_held = false;
    revokeQuietly(std::exchange(m_lease, 0));
    Q_EMIT lost(reason);
}

void EtcdLock::watchForRelease()
{
    if (m_held || m_watchingFree)
        return;
    resetWatch();
    m_watchingFree = true;
    watchFreeKey();
}

void EtcdLock::stopWatching()
{
    if (m_watchingFree)
        resetWatch();
}

void EtcdLock::watchFreeKey()
{
    const quint64 generation = m_watchGeneration;
    const auto retry = [this, generation] {
        context().clock().callAfter(m_watchBackoff.nextDelayMs(), this, [this, generation] {
            if (generation == m_watchGeneration && m_watchingFree)
                watchFreeKey();
        });
    };
    m_client.get(m_key, this, [this, generation, retry](const EtcdResult<EtcdRead> &r) {
        if (generation != m_watchGeneration || !m_watchingFree)
            return;
        if (!r.ok()) {
            retry();
            return;
        }
        if (!r.value->kv) {
            onFreed(generation);
            return;
        }
        dropWatch();
        EtcdWatch *w = m_client.watch(m_key, r.value->revision + 1, this);
        m_watch = w;
        connect(w, &EtcdWatch::created, this, [this] { m_watchBackoff.reset(); });
        connect(w, &EtcdWatch::events, this, [this, generation](const QList<EtcdWatchEvent> &events) {
            for (const EtcdWatchEvent &e : events) {
                if (e.type == EtcdWatchEvent::Type::Delete) {
                    onFreed(generation);
                    return;
                }
            }
        });
        connect(w, &EtcdWatch::failed, this, [this, generation, retry] {
            if (generation == m_watchGeneration && m_watchingFree)
                retry();
        });
        m_watchEndpoint = m_client.currentEndpoint();
        scheduleFreeRecheck(generation);
    });
}

void EtcdLock::scheduleFreeRecheck(quint64 generation)
{
    // A watch through a member that hangs never fails and never reports: look at the key now and
    // then with a normal request, which fails over to another member; follow it there.
    context().clock().callAfter(qMin<qint64>(StandbyRecheckMs, m_ttlS * 1000 / 3), this, [this, generation] {
        if (generation != m_watchGeneration || !m_watchingFree)
            return;
        m_client.get(m_key, this, [this, generation](const EtcdResult<EtcdRead> &r) {
            if (generation != m_watchGeneration || !m_watchingFree)
                return;
            if (r.ok() && !r.value->kv)
                onFreed(generation);
            else if (m_client.currentEndpoint() != m_watchEndpoint)
                watchFreeKey();
            else
                scheduleFreeRecheck(generation);
        });
    });
}

void EtcdLock::onFreed(quint64 generation)
{
    if (generation != m_watchGeneration || !m_watchingFree)
        return;
    resetWatch();
    // A little jitter, so that standbys do not all hit etcd in the same millisecond; the
    // transaction lets exactly one of them win anyway.
    const quint64 again = m_watchGeneration;
    context().clock().callAfter(QRandomGenerator::global()->bounded(50), this, [this, again] {
        if (again == m_watchGeneration && !m_held)
            Q_EMIT freed();
    });
}

void EtcdLock::revokeQuietly(qint64 lease)
{
    if (!lease)
        return;
    m_client.revokeLease(lease, this, [lease](const EtcdResult<bool> &r) {
        if (!r.ok())
            qCDebug(lcLock).noquote() << "Can't revoke etcd lease" << QString::number(lease, 16) << ":" << r.error.describe();
    });
}

LockOwner EtcdLock::ownerOf(const std::optional<EtcdKv> &kv)
{
    LockOwner owner;
    if (!kv)
        return owner;
    owner.held = true;
    const auto record = OwnerRecord::fromJson(kv->value);
    if (record) {
        owner.record = record.value();
        owner.record->fencingToken = quint64(kv->createRevision);
    }
    owner.holderId = QStringLiteral("lease %1").arg(QString::number(kv->lease, 16));
    owner.detail = QStringLiteral("create revision %1").arg(kv->createRevision);
    owner.fencingToken = quint64(kv->createRevision);
    return owner;
}

void EtcdLock::queryOwner()
{
    m_client.get(m_key, this, [this](const EtcdResult<EtcdRead> &r) {
        if (!r.ok())
            Q_EMIT ownerQueried(std::nullopt, r.error.describe());
        else
            Q_EMIT ownerQueried(ownerOf(r.value->kv), QString());
    });
}

qint64 EtcdLock::fenceSeconds(const Config &config, double holderKillGrace)
{
    return qMax(config.integer(QStringLiteral("one_instance.etcd.ttl")) + FenceMarginS, stopFenceSeconds(config, holderKillGrace));
}

void EtcdLock::forceRelease()
{
    m_client.get(m_key, this, [this](const EtcdResult<EtcdRead> &r) {
        if (!r.ok()) {
            Q_EMIT forceReleaseFinished(false, r.error.describe());
            return;
        }
        if (!r.value->kv) {
            Q_EMIT forceReleaseFinished(true, QStringLiteral("the lock '%1' is not held").arg(lockKey()));
            return;
        }
        const EtcdKv kv = *r.value->kv;
        const std::optional<OwnerRecord> record = ownerOf(kv).record;
        const QString who = record ? record->fqdn : QStringLiteral("unknown holder");
        // etcd has no lock-delay: a standby would acquire within milliseconds, while a holder that
        // does not hear of the revocation (its watch stalled) may run on until its own deadline,
        // up to TTL after its last keep-alive. So the key is handed, in one transaction, to a
        // fresh lease of TTL seconds that nobody keeps alive: the lock frees itself when that
        // expires, after the old holder's deadline has certainly passed.
        // A holder that does hear of it at once stops its task within the kill grace: the fence
        // lasts for whichever is longer.
        const qint64 fenceS = fenceSeconds(context().config(), record ? record->killGrace : 0);
        m_client.grantLease(fenceS, this, [this, kv, who, fenceS](const EtcdResult<qint64> &g) {
            if (!g.ok()) {
                Q_EMIT forceReleaseFinished(false, QStringLiteral("cannot create the fencing lease: ") + g.error.describe());
                return;
            }
            const qint64 fence = *g.value;
            freezePoint(QStringLiteral("release-lock:fenced"));
            m_client.replaceIfCreatedAt(m_key, kv.createRevision, ownRecord(0).toJson(), fence, this, [this, kv, who, fence, fenceS](const EtcdResult<bool> &t) {
                if (t.ok() && !*t.value) {
                    revokeQuietly(fence);
                    // Not released: the new holder keeps the lock (the operator looks again).
                    Q_EMIT forceReleaseFinished(false, QStringLiteral("the lock changed hands meanwhile; nothing done"));
                    return;
                }
                if (!t.ok() && t.error.grpcCode == 5 && !t.error.timedOut) {
                    // etcd refused the transaction: the fence lease expired before it (this process
                    // was frozen or stalled for longer than the fence). Nothing was done.
                    Q_EMIT forceReleaseFinished(false, QStringLiteral("the fence lease expired before the transaction (was release-lock stalled "
                                                                      "for %1 s?); nothing done (%2)")
                                                           .arg(fenceS)
                                                           .arg(t.error.describe()));
                    return;
                }
                if (!t.ok()) {
                    // It may have gone through: revoking the fence would then free the key while the
                    // old task may still be stopping. Left alone, the fence lease expires by itself.
                    Q_EMIT forceReleaseFinished(false, fenceOutcomeUnknown(t.error.describe(), QStringLiteral("%1 s").arg(fenceS)));
                    return;
                }
                freezePoint(QStringLiteral("release-lock:done"));
                // The old holder's watch sees the key move, its next renewal finds the key gone from
                // its lease; revoking that lease tells it a third way. Wait for it: this process may exit next.
                m_client.revokeLease(kv.lease, this, [this, kv, who, fenceS](const EtcdResult<bool> &rv) {
                    if (!rv.ok())
                        qCWarning(lcLock).noquote() << "Can't revoke the old holder's lease:" << rv.error.describe()
                                                    << "- it stops at its next renewal all the same";
                    Q_EMIT forceReleaseFinished(true, QStringLiteral("taken from %1 (lease %2); the lock is free in %3 s, when the old holder has "
                                                                     "certainly stopped")
                                                          .arg(who, QString::number(kv.lease, 16))
                                                          .arg(fenceS));
                });
            });
        });
    });
}

} // namespace jobslib
