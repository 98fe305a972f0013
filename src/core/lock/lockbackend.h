// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "util/ownerrecord.h"

#include <QObject>

#include <functional>
#include <optional>

namespace jobslib {

class Config;
class Context;

/*! Who holds a lock, as far as the backend can tell. */
struct JOBSLIB_EXPORT LockOwner
{
    bool held = false;          ///< somebody holds it now
    std::optional<OwnerRecord> record; ///< the holder's record, when it wrote one
    QString holderId;           ///< backend-specific: Consul session, etcd lease, pid
    QString detail;             ///< anything else worth showing (lock-delay, TTL...)
    /*!
     * The token of this acquisition (Consul LockIndex, etcd create revision), 0 when unknown: it
     * changes with every acquisition, so it tells "still the holder I saw" for any backend.
     */
    quint64 fencingToken = 0;
};

/*!
 * The one-instance lock. Every operation is asynchronous and reports through exactly one
 * terminal signal: acquire() -> acquired | notAcquired | acquireFailed; release() -> released |
 * releaseFailed; queryOwner() -> ownerQueried; forceRelease() -> forceReleaseFinished.
 *
 * While held, the backend keeps the lock by itself (renewal) and watches it. If it can no longer
 * prove it holds the lock it emits lost() before anybody else could acquire it. A standby calls
 * watchForRelease() and gets freed() as soon as the lock may be acquired, instead of polling.
 */
class JOBSLIB_EXPORT LockBackend : public QObject
{
    Q_OBJECT
public:
    /*! A backend of \a context, which must outlive it; it reads its options from context.config(). */
    explicit LockBackend(Context &context, QObject *parent = nullptr);
    ~LockBackend() override;

    /*! Short backend name ("file", "consul"). */
    virtual QString backendName() const = 0;
    /*! The key or path that identifies the lock; given to command tasks as JOBSLIB_LOCK_KEY. */
    virtual QString lockKey() const = 0;

    /*! Acquiring a lock this instance already holds succeeds at once with the same token. */
    virtual void acquire() = 0;
    /*! Releasing a lock that is not held succeeds at once and sends nothing. */
    virtual void release() = 0;
    /*! This instance holds the lock now: acquired() came and neither released() nor lost() since. */
    virtual bool isHeld() const = 0;
    /*! The fencing token of the current acquisition; grows with every acquisition; 0 when not held. */
    virtual quint64 fencingToken() const = 0;

    /*! How many more ms the held lock is proven (lease backends); -1: no limit (file, dummy). */
    virtual qint64 leaseRemainingMs() const { return -1; }
    /*!
     * The lock lives on a server-side lease (Consul session, etcd lease) that expires unless
     * renewed: while held, leaseRemainingMs() must be finite, and a task of it always gets a deadline.
     */
    virtual bool hasLease() const { return false; }
    /*!
     * Why this instance cannot prove, right now and without asking anybody, that it holds the lock
     * with at least \a marginMs of lease left; empty when it can. The runner asks this right
     * before it starts a task (whatever acquired() said, and however late that came): a lease
     * deadline that passed while the process was frozen, a lease backend without a deadline, or
     * (file) a lock file that is no longer the one at the path all refuse the start.
     */
    virtual QString whyNotProven(qint64 marginMs) const;
    /*!
     * How long the task may still run after the lock is found lost: the kill grace of a task that
     * cannot be killed (a C++ task), 0 for a command that jobslib-guard kills at the lease
     * deadline. A lease backend declares the loss that much earlier (LeaseKeeper::marginMs()), so
     * the task is gone FenceMarginS before the server can give the lock to anybody else. The
     * runner sets it once, before the first acquire(); other backends ignore it.
     */
    virtual void setTaskStopMs(qint64 ms);
    /*! Python's refresh()/extend_lock(): renew now where renewal exists. Renewal is automatic anyway. */
    virtual void refresh();
    /*!
     * A standby's wish to hear freed() as soon as the lock may be acquired (holder released, its
     * session or lease expired, lock-delay over). The default watches nothing: the runner then
     * contends at its next iteration. Calling it while watching does nothing.
     */
    virtual void watchForRelease();
    /*! Ends watchForRelease(); nothing happens if not watching. */
    virtual void stopWatching();

    /*! Asks who holds the lock (lock-info, the dashboard); answers with ownerQueried(). */
    virtual void queryOwner() = 0;
    /*! Frees a lock held by somebody else (release-lock); the holder is made to notice and stop. */
    virtual void forceRelease() = 0;

    /*!
     * How long release-lock must keep the lock from the standbys so that the old holder's task has
     * stopped, with FenceMarginS to spare: the longer of the kill grace in config and the holder's
     * (holderKillGrace, from its owner record; 0 when it did not say), rounded up, plus 1 s for the
     * holder to hear of it and for its kill timer's lateness (both measured in milliseconds,
     * bench/README.md), plus FenceMarginS.
     */
    static qint64 stopFenceSeconds(const Config &config, double holderKillGrace);
    /*!
     * What every "the old task has surely stopped by then" bound keeps between the latest moment
     * the old task can still run and the earliest moment a new one can start: a holder slowed
     * down by load, a slow disk or a short stall must not make two runs overlap.
     */
    static constexpr qint64 FenceMarginS = 5;

Q_SIGNALS:
    /*! acquire() succeeded; \a fencingToken is larger than that of any earlier acquisition. */
    void acquired(quint64 fencingToken);
    /*! acquire() found the lock held by \a owner (Python's "Lock is held by ..."). */
    void notAcquired(const jobslib::LockOwner &owner);
    /*! acquire() could not tell: the backend failed or is unreachable; \a error says why. */
    void acquireFailed(const QString &error);
    /*! release() finished: the lock is free, or was not held. */
    void released();
    /*! release() failed; the lock still ends when its session or lease expires. */
    void releaseFailed(const QString &error);
    /*!
     * The lock can no longer be proven to be held: taken away, its session or lease gone, or the
     * deadline passed without a renewal. Emitted before anybody else could acquire it.
     */
    void lost(const QString &reason);
    /*! A lease-based lock proved itself again: it is safe for this many more ms (-1: no limit). */
    void leaseDeadlineChanged(qint64 remainingMs);
    /*! A renewal of a lease-based lock failed; it is retried until the deadline (then lost()). */
    void renewFailed(const QString &error);
    /*! While watchForRelease() is on: the lock may be acquired now. */
    void freed();
    /*! Answer to queryOwner(): \a owner (LockOwner::held is false when the lock is free), or std::nullopt and an \a error. */
    void ownerQueried(const std::optional<jobslib::LockOwner> &owner, const QString &error);
    /*! Answer to forceRelease(): whether it worked and a line for the operator. */
    void forceReleaseFinished(bool ok, const QString &message);

protected:
    /*!
     * acquire() of a lock this instance holds already (keep_lock): acquired() with the same token
     * on the next event loop turn, but only if the lock is still proven (whyNotProven()) then.
     * Otherwise \a lose is called with the reason (it ends the held lock and emits lost()) unless
     * the lock is gone already, and \a acquireAgain starts a normal acquisition, whose answer is
     * acquire()'s one answer. After a freeze the overdue
     * sleep timer may fire before the lease's own deadline timer: this is what stops a stale
     * "still ours" from starting a run (issue 15).
     */
    void reacquireHeld(const std::function<void(const QString &)> &lose, const std::function<void()> &acquireAgain);
    /*! The context the backend was made for. */
    Context &context() const { return m_context; }
    /*! The record this instance writes when it acquires. */
    OwnerRecord ownRecord(quint64 fencingToken) const;
    /*!
     * forceReleaseFinished()'s text when the fencing request got no answer: it may have gone
     * through, so the fence is left to expire (fenceLength: "11 s", "11 to 22 s").
     */
    static QString fenceOutcomeUnknown(const QString &error, const QString &fenceLength);

private:
    Context &m_context;
};

} // namespace jobslib
