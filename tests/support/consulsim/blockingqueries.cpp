// SPDX-License-Identifier: BSD-3-Clause
#include "blockingqueries.h"

#include "httpexchange.h"
#include "statestore.h"

#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace jobslib::consulsim {

BlockingQueries::BlockingQueries(StateStore *store, const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    connect(store, &StateStore::changed, this, &BlockingQueries::onChanged);
}

BlockingQueries::~BlockingQueries()
{
    for (Waiter &w : m_waiters)
        delete w.timer;
}

qint64 BlockingQueries::timeoutMs(qint64 waitNs) const
{
    qint64 ms = waitNs > 0 ? (waitNs + 999999) / 1000000 : m_options.defaultWaitMs;
    ms = std::min(ms, m_options.maxWaitMs);
    // RandomStagger(timeout / 16): spreads the wake-ups of many clients that started together.
    const qint64 jitterRange = ms / 16;
    if (jitterRange > 0)
        ms += qint64(QRandomGenerator::global()->bounded(quint64(jitterRange)));
    return ms;
}

void BlockingQueries::run(HttpExchange *exchange, const Watch &watch, quint64 minIndex, qint64 waitNs, Query query)
{
    QueryResult first = query();
    if (minIndex == 0 || first.error || first.index > minIndex) {
        exchange->respond(first.response);
        return;
    }
    const quint64 id = ++m_nextId;
    Waiter w;
    w.exchange = exchange;
    w.watch = watch;
    w.minIndex = minIndex;
    w.query = std::move(query);
    w.timer = new QTimer(this);
    w.timer->setSingleShot(true);
    w.timer->setTimerType(Qt::PreciseTimer);
    connect(w.timer, &QTimer::timeout, this, [this, id] { finish(id, true); });
    // The client hung up: nothing to answer any more.
    w.hangUp = connect(exchange, &QObject::destroyed, this, [this, id] { remove(id); });
    w.timer->start(int(std::clamp<qint64>(timeoutMs(waitNs), 0, std::numeric_limits<int>::max())));
    m_waiters.insert(id, w);
}

bool BlockingQueries::concerns(const Watch &watch, const StoreChange &change) const
{
    if (change.everything)
        return true;
    switch (watch.kind) {
    case Watch::Kind::KvKey:
        return change.keys.contains(watch.name);
    case Watch::Kind::KvPrefix:
        return std::any_of(change.keys.cbegin(), change.keys.cend(), [&](const QString &k) { return k.startsWith(watch.name); });
    case Watch::Kind::Session:
        return change.sessions.contains(watch.name);
    case Watch::Kind::Sessions:
        return !change.sessions.isEmpty();
    case Watch::Kind::Health:
        return change.health;
    }
    return false;
}

void BlockingQueries::onChanged(const StoreChange &change)
{
    QList<quint64> woken;
    for (auto it = m_waiters.cbegin(); it != m_waiters.cend(); ++it) {
        if (concerns(it->watch, change))
            woken.append(it.key());
    }
    for (const quint64 id : std::as_const(woken))
        finish(id, false);
}

void BlockingQueries::finish(quint64 id, bool timedOut)
{
    const auto it = m_waiters.find(id);
    if (it == m_waiters.end())
        return;
    if (!it->exchange) {
        remove(id);
        return;
    }
    QueryResult r = it->query();
    // A wake-up that did not move the index past the client's is no change: keep waiting.
    if (!timedOut && !r.error && r.index <= it->minIndex)
        return;
    QPointer<HttpExchange> exchange = it->exchange;
    remove(id);
    if (exchange)
        exchange->respond(r.response);
}

void BlockingQueries::remove(quint64 id)
{
    const auto it = m_waiters.find(id);
    if (it == m_waiters.end())
        return;
    disconnect(it->hangUp);
    it->timer->deleteLater();
    m_waiters.erase(it);
}

void BlockingQueries::flush()
{
    const QList<quint64> ids = m_waiters.keys();
    for (const quint64 id : ids)
        finish(id, true);
}

} // namespace jobslib::consulsim
