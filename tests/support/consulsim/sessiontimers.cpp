// SPDX-License-Identifier: BSD-3-Clause
#include "sessiontimers.h"

#include "goduration.h"
#include "statestore.h"

#include <QTimer>

#include <algorithm>
#include <cmath>
#include <limits>

namespace jobslib::consulsim {

SessionTimers::SessionTimers(StateStore *store, double multiplier, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_multiplier(multiplier)
{
    m_clock.start();
    connect(store, &StateStore::sessionCreated, this, &SessionTimers::onSessionCreated);
    connect(store, &StateStore::sessionDestroyed, this, &SessionTimers::onSessionDestroyed);
}

SessionTimers::~SessionTimers()
{
    clear();
}

void SessionTimers::clear()
{
    for (Entry &e : m_entries)
        delete e.timer;
    m_entries.clear();
}

void SessionTimers::onSessionCreated(const QString &id)
{
    const Session *s = m_store->session(id);
    if (!s || s->ttl.isEmpty())
        return;
    qint64 ttl = 0;
    QString error;
    if (!goduration::parse(s->ttl, &ttl, &error) || ttl <= 0)
        return;
    Entry e;
    e.ttlNs = ttl;
    e.timer = new QTimer(this);
    e.timer->setSingleShot(true);
    e.timer->setTimerType(Qt::PreciseTimer);
    connect(e.timer, &QTimer::timeout, this, [this, id] { expire(id); });
    e.armedAtMs = m_clock.elapsed();
    m_entries.insert(id, e);
    start(m_entries[id]);
}

void SessionTimers::onSessionDestroyed(const QString &id)
{
    const auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    // Destroyed from inside its own timeout: let the timer finish its emission first.
    it->timer->deleteLater();
    m_entries.erase(it);
}

void SessionTimers::start(Entry &entry)
{
    if (!m_leader) {
        entry.timer->stop();
        return;
    }
    const double totalMs = double(entry.ttlNs) / 1e6 * m_multiplier;
    const qint64 left = qint64(std::ceil(totalMs)) - (m_clock.elapsed() - entry.armedAtMs);
    entry.timer->start(int(std::clamp<qint64>(left, 0, std::numeric_limits<int>::max())));
}

void SessionTimers::setMultiplier(double multiplier)
{
    m_multiplier = multiplier;
    for (Entry &e : m_entries)
        start(e);
}

void SessionTimers::renew(const QString &id)
{
    const auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    it->armedAtMs = m_clock.elapsed();
    start(*it);
}

void SessionTimers::setLeader(bool leader)
{
    if (leader == m_leader)
        return;
    m_leader = leader;
    if (leader)
        rearmAll();
    else
        for (Entry &e : m_entries)
            e.timer->stop();
}

void SessionTimers::rearmAll()
{
    const qint64 now = m_clock.elapsed();
    for (Entry &e : m_entries) {
        e.armedAtMs = now;
        start(e);
    }
}

qint64 SessionTimers::remainingMs(const QString &id) const
{
    const auto it = m_entries.constFind(id);
    if (it == m_entries.constEnd())
        return -1;
    if (!it->timer->isActive())
        return -1;
    return it->timer->remainingTime();
}

void SessionTimers::expire(const QString &id)
{
    // The leader applies a normal destroy, so keys are released and lock-delay starts.
    m_store->sessionDestroy(id);
}

} // namespace jobslib::consulsim
