// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "etcd/etcdclient.h"
#include "lockbackend.h"
#include "util/watchbackoff.h"

#include <QPointer>

namespace jobslib {

class Config;
class LeaseKeeper;

/*!
 * The one-instance lock on etcd (v3 API through its JSON gateway), with the semantics of the
 * Consul lock:
 *
 * - acquire: grant a lease of `ttl` seconds, then one transaction that creates the key with the
 *   owner record (the same JSON as Consul's) attached to the lease only if the key does not exist.
 *   Whoever loses revokes its lease at once (no lease leak) and learns the holder from the same answer;
 * - the fencing token is the key's create revision: etcd's revision only grows, so every new
 *   holder gets a larger token;
 * - while held, LeaseKeeper keeps the lease alive every (ttl - 6 s)/3, reads the key with every renewal (a
 *   live lease alone does not prove the lock) and keeps a local deadline, and a watch on the key
 *   notices at once when it is deleted or moved (`release-lock`, lease expired);
 * - a standby watches the key and gets freed() when it is deleted;
 * - release revokes the lease, which deletes the key in the same step;
 * - `release-lock` hands the key to a fresh lease that nobody keeps alive and revokes the holder's:
 *   the lock frees itself TTL seconds later, when the old holder has certainly stopped (etcd has
 *   no lock-delay to protect a holder that did not hear of it).
 */
class JOBSLIB_EXPORT EtcdLock : public LockBackend
{
    Q_OBJECT
public:
    EtcdLock(Context &context, const EtcdEndpoint &endpoint, QObject *parent = nullptr);
    ~EtcdLock() override;

    QString backendName() const override { return QStringLiteral("etcd"); }
    QString lockKey() const override { return QString::fromUtf8(m_key); }
    void acquire() override;
    void release() override;
    bool isHeld() const override { return m_held; }
    quint64 fencingToken() const override { return m_held ? m_token : 0; }
    void refresh() override;
    qint64 leaseRemainingMs() const override;
    void setTaskStopMs(qint64 ms) override;
    bool hasLease() const override { return true; }
    void watchForRelease() override;
    void stopWatching() override;
    void queryOwner() override;
    void forceRelease() override;

    /*!
     * How long release-lock fences the key: until the old holder has certainly stopped, with
     * FenceMarginS to spare: the TTL + FenceMarginS (a holder that does not hear of it stops at its
     * own deadline, within the TTL) or stopFenceSeconds() (one that hears of it at once may take
     * its kill grace to stop its task), whichever is longer.
     */
    static qint64 fenceSeconds(const Config &config, double holderKillGrace = 0);

    const EtcdClient &client() const { return m_client; }

    /*! How often (at most; ttl/3 if shorter) a standby re-reads the key besides watching it. */
    static constexpr qint64 StandbyRecheckMs = 5000;

private:
    void acquireAnew();
    void onCreateAnswered(qint64 lease, qint64 sentAtMs, const EtcdResult<EtcdCreate> &r);
    void watchOwnKey(qint64 fromRevision);
    void recheckOwnKey(quint64 generation);
    void watchFreeKey();
    void scheduleFreeRecheck(quint64 generation);
    void onFreed(quint64 generation);
    void onLost(const QString &reason);
    /*! Records a store revision read while holding the lock; a lower one than seen before is a loss (true). */
    bool wentBack(qint64 revision);
    void resetWatch();
    void dropWatch();
    /*! Best effort: a lease that is not revoked expires after its TTL anyway. */
    void revokeQuietly(qint64 lease);
    static LockOwner ownerOf(const std::optional<EtcdKv> &kv);

    EtcdClient m_client;
    QByteArray m_key;
    qint64 m_ttlS;
    LeaseKeeper *m_keeper;
    qint64 m_lease = 0;
    bool m_held = false;
    bool m_acquiring = false;
    quint64 m_token = 0;
    qint64 m_highestRevision = 0; ///< the highest store revision read while held
    QPointer<EtcdWatch> m_watch;
    bool m_watchingFree = false;
    QUrl m_watchEndpoint; ///< where the standby's watch was opened
    quint64 m_watchGeneration = 0;
    WatchBackoff m_watchBackoff;
};

} // namespace jobslib
