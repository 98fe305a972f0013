// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QObject>

#include <memory>

namespace jobslib {
class Context;
}

namespace jobslib::dashboard {

class Fleet;

/*!
 * The operator's actions on a job's lock, each recorded in the action log (who, when, what,
 * outcome) in the store the lock is in:
 *
 * - releaseLock(): runjob's own release-lock (LockBackend::forceRelease): Consul destroys the
 *   holder's session, so its lock-delay applies and the holder, watching its key, stops its
 *   task; etcd fences the key for one TTL. Refused when the holder is no longer the one the
 *   operator confirmed.
 * - requestHandover(): writes the handover request; the holder finishes its run, then releases
 *   (runjob's HandoverListener).
 *
 * Each action ends with exactly one finished().
 */
class LockActions : public QObject
{
    Q_OBJECT
public:
    explicit LockActions(Fleet &fleet, QObject *parent = nullptr);
    ~LockActions() override;

    /*! expectedToken: the fencing token of the acquisition the operator saw and confirmed (0: any). */
    void releaseLock(int job, int datacenter, quint64 expectedToken, const QString &target);
    void requestHandover(int job, int datacenter, const QString &target);
    bool isBusy() const { return m_busy; }

Q_SIGNALS:
    void finished(bool ok, const QString &message);

private:
    void record(int job, int datacenter, const QString &action, const QString &target, const QString &outcome, const QString &detail);
    void finish(bool ok, const QString &message);

    Fleet &m_fleet;
    std::unique_ptr<Context> m_context;
    bool m_busy = false;
};

} // namespace jobslib::dashboard
