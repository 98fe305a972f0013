// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "kv/actionlog.h"

#include <QObject>
#include <QPointer>

#include <functional>

namespace jobslib {

class Clock;
class Config;

/*!
 * The holder's side of "Request handover": an operator (the dashboard) creates the key
 * handoverKey(lockKey) with a HandoverRequest, the holder finishes its run and releases the lock.
 *
 * Kept out of Runner so that the runner stays a state machine over lock, task and liveness: this
 * class knows the key-value store, the request's format, what makes a request stale, and the
 * action log; the runner only decides when to release. It watches only while the runner holds the
 * lock (start()/stop()): a request is addressed to whoever holds the lock, so an instance that does
 * not hold it must not act on it.
 *
 * Every step that waits on the store (clearRequest(), record()) calls back exactly once, after
 * StepTimeoutMs at the latest: the runner's loop never hangs on a store that does not answer.
 */
class JOBSLIB_EXPORT HandoverListener : public QObject
{
    Q_OBJECT
public:
    /*!
     * A request older than this is left over (its dashboard, or the holder it was meant for, is
     * long gone): it is deleted and logged rather than obeyed by whoever holds the lock next.
     */
    static constexpr qint64 StaleAfterMs = 10 * 60 * 1000;
    /*! Upper bound of the yield after a handover; see yieldMs(). */
    static constexpr qint64 MaxYieldMs = 10000;
    /*! The longest the runner waits for one store operation of a handover. */
    static constexpr qint64 StepTimeoutMs = 5000;

    /*!
     * store and clock must outlive the listener. who is what the action log names this process
     * by ("runjob@fqdn:pid"); holder describes it as a target ("fqdn pid 123").
     */
    HandoverListener(KvStore &store, const QString &lockKey, Clock &clock, const QString &who, const QString &holder, QObject *parent = nullptr);
    ~HandoverListener() override;

    /*!
     * How long a holder that handed the lock over stays out of the contest: min(lock TTL, 10 s).
     * Standbys watching the key (Consul blocking query, etcd watch) see it free within a round
     * trip, in any datacenter, so 10 s is plenty; and a job already tolerates a gap of a TTL
     * (a crashed holder blocks the lock that long), so the yield never needs to be longer.
     */
    static qint64 yieldMs(const Config &config);

    /*!
     * Watches the handover key; the current content is reported at once. Call once the lock is
     * held, with its fencing token (what discarded requests are logged against).
     */
    void start(quint64 token);
    /*! Stops watching (the lock is being released or was lost). */
    void stop();
    bool isWatching() const { return !m_watch.isNull(); }

    /*! Deletes the request (honoured or void). done() is always called, once. */
    void clearRequest(std::function<void()> done);
    /*!
     * Appends {action, who, now, job = lock key, target = this holder with token, outcome, detail}
     * to the action log. done() is always called, once; a failure is logged, never fatal.
     */
    void record(const QString &action, quint64 token, const QString &outcome, const QString &detail, std::function<void()> done = {});

    /*! "fqdn pid 123, token 7": this holder as an ActionRecord's target. */
    QString target(quint64 token) const;

Q_SIGNALS:
    /*! A fresh, well-formed request exists (reported once per request). */
    void requested(const jobslib::HandoverRequest &request);
    /*! The request reported last was deleted by somebody else (the operator changed their mind). */
    void withdrawn();

private:
    void onChanged(const QList<KvItem> &items);
    /*! Deletes a request that must not be obeyed and logs why, here and in the action log. */
    void discard(const QString &why);
    /*! done, callable any number of times but run once, and run anyway after StepTimeoutMs. */
    std::function<void()> onceWithin(std::function<void()> done);

    QPointer<KvStore> m_store;
    QString m_lockKey;
    QString m_key;
    Clock &m_clock;
    QString m_who;
    QString m_holder;
    QPointer<KvWatch> m_watch;
    quint64 m_token = 0;
    quint64 m_seenIndex = 0;        ///< modify index of the request handled last (reported or discarded)
    bool m_requestReported = false; ///< the key now holds a request reported by requested()
    bool m_unreachableLogged = false;
};

} // namespace jobslib
