// SPDX-License-Identifier: BSD-3-Clause
#include "consullock.h"

#include "app/context.h"
#include "cleanupretry.h"
#include "consul/retry.h"
#include "leasekeeper.h"
#include "util/clock.h"
#include "util/deferred.h"
#include "util/freezepoint.h"
#include "util/logcategories.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QNetworkReply>
#include <QRandomGenerator>

namespace jobslib {

namespace {
const QString group = QStringLiteral("one_instance.consul");
}

ConsulLock::ConsulLock(Context &context, const ConsulEndpoint &endpoint, QObject *parent)
    : LockBackend(context, parent)
    , m_client(context.network(), endpoint, this)
    , m_key(context.config().string(group + QStringLiteral(".key")))
    , m_ttlS(context.config().integer(group + QStringLiteral(".ttl")))
    , m_lockDelayS(context.config().integer(group + QStringLiteral(".lock_delay")))
    , m_retry(RetryPolicy::fromConfig(context.config(), group))
    , m_keeper(new LeaseKeeper(context.clock(), this))
{
    connect(m_keeper, &LeaseKeeper::lost, this, &ConsulLock::onLost);
    connect(m_keeper, &LeaseKeeper::deadlineChanged, this, &LockBackend::leaseDeadlineChanged);
    connect(m_keeper, &LeaseKeeper::renewFailed, this, &LockBackend::renewFailed);
}

ConsulLock::~ConsulLock()
{
    resetWatch();
}

LockOwner ConsulLock::ownerOf(const std::optional<KvEntry> &entry)
{
    LockOwner owner;
    if (!entry)
        return owner;
    owner.held = !entry->session.isEmpty();
    owner.holderId = entry->session;
    if (!entry->valueIsNull && !entry->value.isEmpty()) {
        // A non-object value is tolerated, as Python does (it only logs it).
        const auto record = OwnerRecord::fromJson(entry->value);
        if (record)
            owner.record = record.value();
    }
    owner.detail = QStringLiteral("lock index %1").arg(entry->lockIndex);
    if (owner.held)
        owner.fencingToken = entry->lockIndex;
    return owner;
}

void ConsulLock::acquire()
{
    if (m_held)
        reacquireHeld([this](const QString &why) { onLost(why); }, [this] { acquireAnew(); });
    else
        acquireAnew();
}

void ConsulLock::acquireAnew()
{
    m_acquiring = true;
    const qint64 sentAt = context().clock().monotonicMs();
    // Python's body, plus a Name for operators (Consul ignores nothing it does not know here).
    QJsonObject body{{QStringLiteral("LockDelay"), QStringLiteral("%1s").arg(m_lockDelayS)}, {QStringLiteral("TTL"), QStringLiteral("%1s").arg(m_ttlS)},
                     {QStringLiteral("Name"), QStringLiteral("jobslib %1 on %2").arg(context().taskName(), context().instanceId())}};
    withRetry<QString>(
        context().clock(), this, m_retry, [this, body](ConsulClient::Callback<QString> cb) { m_client.createSession(body, this, cb); },
        [this, sentAt](const ConsulResult<QString> &r) {
            if (!r.ok()) {
                m_acquiring = false;
                Q_EMIT acquireFailed(QStringLiteral("cannot create a Consul session: ") + r.error.describe());
                return;
            }
            acquireWithSession(*r.value, sentAt);
        });
}

void ConsulLock::acquireWithSession(const QString &session, qint64 sentAtMs)
{
    // The record carries the token we expect (LockIndex + 1); confirmAcquired() corrects it.
    const quint64 predicted = m_lastLockIndex + 1;
    const QByteArray record = ownRecord(predicted).toJson();
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("acquire"), session);
    withRetry<bool>(
        context().clock(), this, m_retry, [this, record, q](ConsulClient::Callback<bool> cb) { m_client.kvPut(m_key, record, q, this, cb); },
        [this, session, sentAtMs, predicted](const ConsulResult<bool> &r) {
            if (!r.ok()) {
                // Logged once, by the runner, with this cause.
                m_acquiring = false;
                destroySession(session);
                Q_EMIT acquireFailed(r.error.describe());
                return;
            }
            if (*r.value)
                confirmAcquired(session, sentAtMs, predicted);
            else
                reportNotAcquired(session);
        });
}

void ConsulLock::confirmAcquired(const QString &session, qint64 sentAtMs, quint64 predictedToken)
{
    m_client.kvGet(m_key, 0, 0, this, [this, session, sentAtMs, predictedToken](const ConsulResult<KvRead> &r) {
        m_acquiring = false;
        if (!r.ok() || !r.value->entry || r.value->entry->session != session) {
            // We cannot prove we hold it: do not believe it. Destroying the session frees the key.
            const QString why = !r.ok() ? r.error.describe() : QStringLiteral("the key does not show our session");
            destroySession(session);
            Q_EMIT acquireFailed(QStringLiteral("acquired but cannot confirm it: ") + why);
            return;
        }
        const KvEntry entry = *r.value->entry;
        m_session = session;
        m_held = true;
        m_ownKeyIndex = r.value->index;
        m_token = entry.lockIndex;
        m_lastLockIndex = entry.lockIndex;
        m_lockDelayBackoffMs = 0;
        const auto finish = [this, session, sentAtMs](quint64 watchIndex) {
            if (!m_held || m_session != session)
                return;
            m_keeper->start(m_ttlS * 1000, sentAtMs, [this, session](std::function<void(LeaseKeeper::RenewOutcome, const QString &)> cb) {
                m_client.renewSession(session, this, [cb](const ConsulResult<bool> &rr) {
                    if (!rr.ok())
                        cb(LeaseKeeper::RenewOutcome::Failed, rr.error.describe());
                    else
                        cb(*rr.value ? LeaseKeeper::RenewOutcome::Renewed : LeaseKeeper::RenewOutcome::Gone, QString());
                });
            });
            watchOwnKey(watchIndex);
            Q_EMIT acquired(m_token);
        };
        if (predictedToken == m_token) {
            finish(entry.modifyIndex);
            return;
        }
        // Correct the token in the record: re-acquiring with the same session keeps LockIndex and
        // replaces the value. Awaited, so that it can never arrive after a release and re-lock
        // the key (requests may overtake each other on parallel connections).
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("acquire"), session);
        m_client.kvPut(m_key, ownRecord(m_token).toJson(), q, this, [finish](const ConsulResult<bool> &) { finish(0); });
    });
}

void ConsulLock::reportNotAcquired(const QString &session)
{
    // Python: destroy the just-created session, then read the owner for the log line.
    destroySession(session);
    m_client.kvGet(m_key, 0, 0, this, [this](const ConsulResult<KvRead> &r) {
        m_acquiring = false;
        LockOwner owner;
        if (r.ok()) {
            owner = ownerOf(r.value->entry);
            if (r.value->entry)
                m_lastLockIndex = r.value->entry->lockIndex;
            if (!owner.held) {
                // Free, yet refused: Consul's lock-delay after an invalidated holder. Back off.
                owner.detail = QStringLiteral("in lock-delay (the previous holder's session was invalidated)");
                m_lockDelayBackoffMs = m_lockDelayBackoffMs ? qMin<qint64>(m_lockDelayBackoffMs * 2, 5000) : 250;
            } else {
                // Somebody holds it: any lock-delay is over, and the next release may be graceful.
                m_lockDelayBackoffMs = 0;
            }
        } else {
            qCWarning(lcLock).noquote() << "Can't get lock owner info:" << r.error.describe();
        }
        Q_EMIT notAcquired(owner);
    });
}

void ConsulLock::destroySession(const QString &session, std::function<void()> then)
{
    if (session.isEmpty()) {
        if (then)
            then();
        return;
    }
    withRetry<bool>(
        context().clock(), this, m_retry, [this, session](ConsulClient::Callback<bool> cb) { m_client.destroySession(session, this, cb); },
        [this, session, then](const ConsulResult<bool> &r) {
            if (!r.ok()) {
                qCWarning(lcLock).noquote() << "Can't destroy session" << session << ":" << r.error.describe() << "- trying again until it expires";
                // Consul expires an unrenewed session 1 to 2 x TTL after its last renewal.
                retryCleanup(
                    context().clock(), this,
                    [this, session](std::function<void(bool)> done) {
                        m_client.destroySession(session, this, [session, done](const ConsulResult<bool> &again) {
                            if (again.ok())
                                qCInfo(lcLock).noquote() << "Destroyed session" << session << "at last: the lock is free";
                            done(again.ok());
                        });
                    },
                    context().clock().monotonicMs() + 2 * m_ttlS * 1000);
            }
            if (then)
                then();
        });
}

void ConsulLock::release()
{
    if (!m_held) {
        deferred(this, [this] { Q_EMIT released(); });
        return;
    }
    const QString session = m_session;
    m_keeper->stop();
    resetWatch();
    m_held = false;
    m_session.clear();
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("release"), session);
    // Python releases with an empty body: the owner record disappears from the key.
    withRetry<bool>(
        context().clock(), this, m_retry, [this, q](ConsulClient::Callback<bool> cb) { m_client.kvPut(m_key, QByteArray(), q, this, cb); },
        [this, session](const ConsulResult<bool> &r) {
            // Destroying the session last: after a good release it only ends the session; after a
            // failed one it frees the key for sure (with lock-delay), so nothing leaks either way.
            // The release is reported once the destroy is answered, so a runjob that exits right
            // after releasing does not leave its session behind.
            const QString failure = !r.ok() ? r.error.describe() : (!*r.value ? QStringLiteral("the key was no longer held by our session") : QString());
            destroySession(session, [this, failure] {
                if (failure.isEmpty())
                    Q_EMIT released();
                else
                    Q_EMIT releaseFailed(failure);
            });
        });
}

void ConsulLock::setTaskStopMs(qint64 ms)
{
    m_keeper->setTaskStopMs(ms);
}

qint64 ConsulLock::leaseRemainingMs() const
{
    const qint64 deadline = m_keeper->deadlineMs();
    return deadline < 0 ? -1 : qMax<qint64>(0, deadline - context().clock().monotonicMs());
}

void ConsulLock::refresh()
{
    m_keeper->renewNow();
}

void ConsulLock::onLost(const QString &reason)
{
    if (!m_held)
        return;
    const QString session = m_session;
    m_held = false;
    m_session.clear();
    m_keeper->stop();
    resetWatch();
    destroySession(session); // if it still exists somewhere, it must not hold anything
    Q_EMIT lost(reason);
}

void ConsulLock::resetWatch()
{
    ++m_watchGeneration;
    m_watchingFree = false;
    if (m_watch) {
        QNetworkReply *w = m_watch;
        m_watch = nullptr;
        w->abort();
    }
}

void ConsulLock::retryWatch(quint64 generation, std::function<void()> again)
{
    // Retried unless the watch was replaced or stopped meanwhile.
    const qint64 wait = m_watchBackoff.nextDelayMs();
    context().clock().callAfter(wait, this, [this, generation, again = std::move(again)] {
        if (generation == m_watchGeneration)
            again();
    });
}

void ConsulLock::watchOwnKey(quint64 index)
{
    const quint64 generation = ++m_watchGeneration;
    m_watch = m_client.kvGet(m_key, index, m_watchWaitMs, this, [this, generation](const ConsulResult<KvRead> &r) {
        if (generation != m_watchGeneration || !m_held)
            return;
        m_watch = nullptr;
        if (m_keeper->expired()) {
            onLost(QStringLiteral("the lease deadline passed (was the process frozen?)"));
            return;
        }
        if (!r.ok()) {
            // The lease keeper decides about the lock; the watch only retries, with back-off. It
            // comes back with a read that does not block (index 0): whatever happened while it
            // was down (the key deleted, a server that lost its state) is seen at once.
            retryWatch(generation, [this] {
                if (m_held)
                    watchOwnKey(0);
            });
            return;
        }
        m_watchBackoff.reset();
        if (!r.value->entry) {
            onLost(QStringLiteral("the lock key was deleted"));
            return;
        }
        if (r.value->entry->session != m_session) {
            onLost(r.value->entry->session.isEmpty() ? QStringLiteral("the lock was released by somebody else or our session was invalidated")
                                                     : QStringLiteral("the lock was taken away (runjob release-lock)"));
            return;
        }
        if (r.value->index < m_ownKeyIndex) {
            // A snapshot restore or a rebuilt cluster: what the server remembers of our key is
            // no longer what it told us, and it may give the key (and its token) to somebody else.
            onLost(QStringLiteral("Consul's index went backwards (%1 after %2): the server lost or restored its state").arg(r.value->index).arg(m_ownKeyIndex));
            return;
        }
        m_ownKeyIndex = r.value->index;
        watchOwnKey(r.value->index);
    });
}

void ConsulLock::watchForRelease()
{
    if (m_held || m_watchingFree)
        return;
    resetWatch();
    m_watchingFree = true;
    watchFreeKey(0);
}

void ConsulLock::stopWatching()
{
    if (m_watchingFree)
        resetWatch();
}

void ConsulLock::watchFreeKey(quint64 index)
{
    const quint64 generation = ++m_watchGeneration;
    m_watch = m_client.kvGet(m_key, index, m_watchWaitMs, this, [this, generation, index](const ConsulResult<KvRead> &r) {
        if (generation != m_watchGeneration || !m_watchingFree)
            return;
        m_watch = nullptr;
        if (!r.ok()) {
            retryWatch(generation, [this, index] {
                if (m_watchingFree)
                    watchFreeKey(index);
            });
            return;
        }
        m_watchBackoff.reset();
        const bool free = !r.value->entry || r.value->entry->session.isEmpty();
        if (!free) {
            m_lockDelayBackoffMs = 0; // held again: the lock-delay that backed us off is over
            watchFreeKey(r.value->index < index ? 0 : r.value->index);
            return;
        }
        // Free. A little random delay keeps standbys from contending in lock-step; after a
        // refusal by lock-delay, wait longer (the key does not change when lock-delay ends).
        const qint64 delay = m_lockDelayBackoffMs + QRandomGenerator::global()->bounded(50);
        context().clock().callAfter(delay, this, [this, generation] {
            if (generation != m_watchGeneration || !m_watchingFree)
                return;
            m_watchingFree = false;
            Q_EMIT freed();
        });
    });
}

void ConsulLock::queryOwner()
{
    m_client.kvGet(m_key, 0, 0, this, [this](const ConsulResult<KvRead> &r) {
        if (!r.ok()) {
            Q_EMIT ownerQueried(std::nullopt, r.error.describe());
            return;
        }
        LockOwner owner = ownerOf(r.value->entry);
        if (!owner.held) {
            Q_EMIT ownerQueried(owner, QString());
            return;
        }
        m_client.sessionInfo(owner.holderId, this, [this, owner](const ConsulResult<std::optional<SessionInfo>> &s) mutable {
            if (s.ok() && *s.value) {
                const SessionInfo &info = **s.value;
                owner.detail += QStringLiteral(", session node %1, TTL %2, lock-delay %3 s").arg(info.node, info.ttl).arg(info.lockDelayNs / 1000000000);
            }
            Q_EMIT ownerQueried(owner, QString());
        });
    });
}

qint64 ConsulLock::fenceSeconds(const Config &config, double holderKillGrace)
{
    return qBound<qint64>(MinSessionTtlS, stopFenceSeconds(config, holderKillGrace), MaxSessionTtlS);
}

void ConsulLock::forceRelease()
{
    m_client.kvGet(m_key, 0, 0, this, [this](const ConsulResult<KvRead> &r) {
        if (!r.ok()) {
            Q_EMIT forceReleaseFinished(false, r.error.describe());
            return;
        }
        const LockOwner owner = ownerOf(r.value->entry);
        if (!owner.held) {
            Q_EMIT forceReleaseFinished(true, QStringLiteral("the lock is free"));
            return;
        }
        // The holder hears of it at once (its watch) but may need its kill grace to stop its task,
        // and the lock-delay of its session may be shorter than that (it is 1 s by default). So
        // the key is handed, in one transaction, to a fence session that nobody renews: Consul
        // frees the key when that session expires, 1 to 2 x its TTL later, and nobody can take it
        // before. The fence's lock-delay is 0: once it expires, standbys contend at once.
        const KvEntry entry = *r.value->entry;
        const QString who = owner.record ? owner.record->fqdn : QStringLiteral("an unknown holder");
        const qint64 fenceS = fenceSeconds(context().config(), owner.record ? owner.record->killGrace : 0);
        const QJsonObject body{{QStringLiteral("LockDelay"), QStringLiteral("0s")},
                               {QStringLiteral("TTL"), QStringLiteral("%1s").arg(fenceS)},
                               {QStringLiteral("Name"), QStringLiteral("jobslib release-lock fence by %1").arg(context().instanceId())}};
        m_client.createSession(body, this, [this, entry, who, fenceS](const ConsulResult<QString> &f) {
            if (!f.ok()) {
                Q_EMIT forceReleaseFinished(false, QStringLiteral("cannot create the fence session: ") + f.error.describe());
                return;
            }
            const QString fence = *f.value;
            freezePoint(QStringLiteral("release-lock:fenced"));
            const auto kvOp = [this](const QString &verb, QJsonObject fields) {
                fields.insert(QStringLiteral("Verb"), verb);
                fields.insert(QStringLiteral("Key"), m_key);
                return QJsonObject{{QStringLiteral("KV"), fields}};
            };
            const QString record = QString::fromLatin1(ownRecord(entry.lockIndex + 1).toJson().toBase64());
            // check-index: nothing is done if the lock changed hands since it was read.
            const QJsonArray ops{kvOp(QStringLiteral("check-index"), {{QStringLiteral("Index"), qint64(entry.modifyIndex)}}),
                                 kvOp(QStringLiteral("unlock"), {{QStringLiteral("Session"), entry.session}}),
                                 kvOp(QStringLiteral("lock"), {{QStringLiteral("Session"), fence}, {QStringLiteral("Value"), record}})};
            m_client.txn(ops, this, [this, entry, who, fence, fenceS](const ConsulResult<TxnAnswer> &t) {
                if (t.ok() && !t.value->committed) {
                    destroySession(fence);
                    Q_EMIT forceReleaseFinished(false, QStringLiteral("the lock changed hands meanwhile; nothing done (%1)")
                                                           .arg(t.value->errors.join(QStringLiteral("; "))));
                    return;
                }
                if (!t.ok()) {
                    // No answer does not mean not done: if the transaction went through, destroying
                    // the fence would free the key while the old task may still be stopping. Left
                    // alone, the fence expires by itself.
                    Q_EMIT forceReleaseFinished(false, fenceOutcomeUnknown(t.error.describe(), QStringLiteral("%1 to %2 s").arg(fenceS).arg(2 * fenceS)));
                    return;
                }
                freezePoint(QStringLiteral("release-lock:done"));
                // The old holder's watch sees the fence's session on its key; destroying its own
                // session tells it a second way (its next renewal fails). The key is no longer
                // held by that session, so no lock-delay follows. Awaited: this process may exit next.
                destroySession(entry.session, [this, entry, who, fenceS] {
                    Q_EMIT forceReleaseFinished(true, QStringLiteral("taken from %1 (session %2); the lock is free in %3 to %4 s, when the old "
                                                                     "holder has certainly stopped its task")
                                                          .arg(who, entry.session)
                                                          .arg(fenceS)
                                                          .arg(2 * fenceS));
                });
            });
        });
    });
}

} // namespace jobslib
