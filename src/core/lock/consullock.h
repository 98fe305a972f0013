// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "consul/consulclient.h"
#include "consul/consulsettings.h"
#include "lockbackend.h"
#include "util/watchbackoff.h"

#include <QPointer>

class QNetworkReply;

namespace jobslib {

class LeaseKeeper;

/*!
 * The one-instance lock on Consul, wire-compatible with Python jobslib: a session
 * (`{"LockDelay": "<n>s", "TTL": "<ttl>s"}`, default node checks) and `PUT /v1/kv/<key>?acquire=`
 * with the owner record as the value; release is `?release=` with an empty body. Beyond Python:
 *
 * - renews the session by itself every (ttl - 6 s)/3 and keeps a local deadline (LeaseKeeper): when it
 *   cannot prove the lock before the server could expire it, it emits lost();
 * - watches its own key with blocking queries and notices a force-release or an invalidated
 *   session at once;
 * - destroys its session after releasing (no session leak; no lock-delay, since it no longer
 *   holds the key);
 * - a standby watches the key with blocking queries and gets freed() when it is free (after a
 *   small random delay, so standbys do not all hit Consul at once), retrying with back-off
 *   while Consul's lock-delay refuses acquisitions;
 * - the fencing token is the key's LockIndex, which Consul increases with every new holder;
 * - forceRelease() hands the key to an unrenewed fence session in one transaction (/v1/txn), so
 *   nobody acquires before the old holder has stopped its task, whatever its lock-delay.
 */
class JOBSLIB_EXPORT ConsulLock : public LockBackend
{
    Q_OBJECT
public:
    ConsulLock(Context &context, const ConsulEndpoint &endpoint, QObject *parent = nullptr);
    ~ConsulLock() override;

    QString backendName() const override { return QStringLiteral("consul"); }
    QString lockKey() const override { return m_key; }
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
     * How long release-lock fences the key (the TTL of the fence session, which Consul expires 1
     * to 2 x that later): stopFenceSeconds(), the time a holder that hears of it at once may take
     * to stop its task, and at least Consul's minimal session TTL of 10 s.
     */
    static qint64 fenceSeconds(const Config &config, double holderKillGrace = 0);

    /*! Wait of the blocking queries (Consul's ?wait); tests shorten it. */
    void setWatchWaitMs(int ms) { m_watchWaitMs = ms; }

private:
    void acquireAnew();
    void acquireWithSession(const QString &session, qint64 sentAtMs);
    void confirmAcquired(const QString &session, qint64 sentAtMs, quint64 predictedToken);
    void reportNotAcquired(const QString &session);
    /*!
     * Destroys a session (with retries); then runs once it was answered, whatever the answer. A
     * failed destroy goes on in the background (retryCleanup()) until the session has expired.
     */
    void destroySession(const QString &session, std::function<void()> then = {});
    void retryWatch(quint64 generation, std::function<void()> again);
    void watchOwnKey(quint64 index);
    void watchFreeKey(quint64 index);
    void onLost(const QString &reason);
    void resetWatch();
    static LockOwner ownerOf(const std::optional<KvEntry> &entry);

    static constexpr qint64 MinSessionTtlS = 10;    ///< Consul refuses a session TTL below 10 s
    static constexpr qint64 MaxSessionTtlS = 86400; ///< ... and above 24 h

    ConsulClient m_client;
    QString m_key;
    qint64 m_ttlS;
    qint64 m_lockDelayS;
    RetryPolicy m_retry;
    LeaseKeeper *m_keeper;
    QString m_session;
    bool m_held = false;
    bool m_acquiring = false;
    quint64 m_token = 0;
    quint64 m_lastLockIndex = 0;
    quint64 m_ownKeyIndex = 0; ///< the highest X-Consul-Index seen on our key while held: one lower means lost state
    QPointer<QNetworkReply> m_watch;
    bool m_watchingFree = false;
    quint64 m_watchGeneration = 0;
    int m_watchWaitMs = 5 * 60 * 1000;
    WatchBackoff m_watchBackoff;
    qint64 m_lockDelayBackoffMs = 0; ///< > 0 after an acquire refused on a free key (lock-delay)
};

} // namespace jobslib
