// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>

class QTimer;

namespace jobslib::consulsim {

class StateStore;

/*!
 * The leader's session TTL timers (agent/consul/session_ttl.go): a session with a TTL is
 * invalidated TTL x multiplier after its creation, its last renewal or the last leader
 * election, whichever is latest. Consul's multiplier is 2; tests lower it to expire sessions
 * quickly. Timers live only on the leader, so without a leader nothing expires, and a new
 * leader re-arms every timer from scratch.
 */
class SessionTimers : public QObject
{
    Q_OBJECT
public:
    SessionTimers(StateStore *store, double multiplier, QObject *parent = nullptr);
    ~SessionTimers() override;

    double multiplier() const { return m_multiplier; }
    /*! Applies to running timers too: each deadline becomes last arm + TTL x multiplier. */
    void setMultiplier(double multiplier);
    /*! A renewal: the session's timer starts again. */
    void renew(const QString &id);
    /*! Leadership lost (timers stop) or won (every timer re-armed from now). */
    void setLeader(bool leader);
    /*! A leader election: every timer re-armed from now. */
    void rearmAll();
    /*! Milliseconds until the session expires, -1 if it has no timer. */
    qint64 remainingMs(const QString &id) const;
    void clear();

private:
    struct Entry
    {
        qint64 ttlNs = 0;
        qint64 armedAtMs = 0;
        QTimer *timer = nullptr;
    };

    void onSessionCreated(const QString &id);
    void onSessionDestroyed(const QString &id);
    void start(Entry &entry);
    void expire(const QString &id);

    StateStore *m_store;
    double m_multiplier;
    bool m_leader = true;
    QHash<QString, Entry> m_entries;
    QElapsedTimer m_clock;
};

} // namespace jobslib::consulsim
