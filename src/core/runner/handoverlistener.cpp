// SPDX-License-Identifier: BSD-3-Clause
#include "handoverlistener.h"

#include "config/config.h"
#include "util/clock.h"
#include "util/logcategories.h"

#include <memory>
#include <utility>

namespace jobslib {

HandoverListener::HandoverListener(KvStore &store, const QString &lockKey, Clock &clock, const QString &who, const QString &holder, QObject *parent)
    : QObject(parent)
    , m_store(&store)
    , m_lockKey(lockKey)
    , m_key(handoverKey(lockKey))
    , m_clock(clock)
    , m_who(who)
    , m_holder(holder)
{
    qRegisterMetaType<jobslib::HandoverRequest>();
}

HandoverListener::~HandoverListener()
{
    delete m_watch;
}

qint64 HandoverListener::yieldMs(const Config &config)
{
    const QString backend = config.lockBackend();
    const qint64 ttlS = config.integer(QStringLiteral("one_instance.%1.ttl").arg(backend));
    return ttlS > 0 ? qMin(ttlS * 1000, MaxYieldMs) : MaxYieldMs;
}

void HandoverListener::start(quint64 token)
{
    m_token = token;
    if (m_watch || !m_store)
        return;
    m_seenIndex = 0;
    m_requestReported = false;
    m_unreachableLogged = false;
    m_watch = m_store->watch(m_key, false);
    connect(m_watch, &KvWatch::changed, this, &HandoverListener::onChanged);
    connect(m_watch, &KvWatch::unreachable, this, [this](const QString &error) {
        if (std::exchange(m_unreachableLogged, true))
            return;
        qCWarning(lcRunner).noquote() << QStringLiteral("Can't watch %1 for handover requests: %2 (retrying)").arg(m_key, error);
    });
}

void HandoverListener::stop()
{
    if (!m_watch)
        return;
    // Called from the runner's reaction to requested(), i.e. inside the watch's own signal.
    m_watch->disconnect(this);
    m_watch->deleteLater();
    m_watch = nullptr;
}

void HandoverListener::onChanged(const QList<KvItem> &items)
{
    m_unreachableLogged = false;
    if (items.isEmpty()) {
        m_seenIndex = 0;
        if (std::exchange(m_requestReported, false))
            Q_EMIT withdrawn();
        return;
    }
    const KvItem &item = items.constFirst();
    if (item.modifyIndex != 0 && item.modifyIndex == m_seenIndex)
        return;
    m_seenIndex = item.modifyIndex;
    m_requestReported = false;

    const Expected<HandoverRequest> request = HandoverRequest::fromJson(item.value);
    if (!request) {
        discard(QStringLiteral("unreadable handover request (%1)").arg(request.error()));
        return;
    }
    // A request without a time (a hand-made `consul kv put`) is taken as fresh: it is obeyed once
    // and deleted like any other, so it cannot linger either.
    const qint64 ageMs = request->timeMs > 0 ? m_clock.utcNow().toMSecsSinceEpoch() - request->timeMs : 0;
    if (ageMs > StaleAfterMs) {
        const QString by = request->requestedBy.isEmpty() ? QStringLiteral("an unnamed operator") : request->requestedBy;
        discard(QStringLiteral("stale handover request by %1 from %2 (older than %3 minutes)")
                    .arg(by, QDateTime::fromMSecsSinceEpoch(request->timeMs, Qt::UTC).toString(Qt::ISODate))
                    .arg(StaleAfterMs / 60000));
        return;
    }
    m_requestReported = true;
    Q_EMIT requested(*request);
}

void HandoverListener::discard(const QString &why)
{
    qCWarning(lcRunner).noquote() << QStringLiteral("Ignoring the %1 at %2; deleting it").arg(why, m_key);
    const quint64 token = m_token;
    clearRequest([this, token, why] { record(QStringLiteral("handover"), token, QStringLiteral("failed"), QStringLiteral("ignored and deleted the ") + why); });
}

void HandoverListener::clearRequest(std::function<void()> done)
{
    const auto finish = onceWithin(std::move(done));
    if (!m_store) {
        finish();
        return;
    }
    const QString key = m_key;
    m_store->remove(key, this, [finish, key](const Expected<bool> &removed) {
        if (!removed)
            qCWarning(lcRunner).noquote() << QStringLiteral("Can't delete the handover request %1: %2").arg(key, removed.error());
        finish();
    });
}

void HandoverListener::record(const QString &action, quint64 token, const QString &outcome, const QString &detail, std::function<void()> done)
{
    const auto finish = onceWithin(std::move(done));
    if (!m_store) {
        finish();
        return;
    }
    ActionRecord r;
    r.action = action;
    r.who = m_who;
    r.timeMs = m_clock.utcNow().toMSecsSinceEpoch();
    r.job = m_lockKey;
    r.target = target(token);
    r.outcome = outcome;
    r.detail = detail;
    recordAction(*m_store, m_lockKey, r, this, [finish, action](const Expected<bool> &stored) {
        if (!stored)
            qCWarning(lcRunner).noquote() << QStringLiteral("Can't write the %1 action to the action log: %2").arg(action, stored.error());
        finish();
    });
}

QString HandoverListener::target(quint64 token) const
{
    return token ? QStringLiteral("%1, token %2").arg(m_holder).arg(token) : m_holder;
}

std::function<void()> HandoverListener::onceWithin(std::function<void()> done)
{
    struct Pending
    {
        bool called = false;
        int timer = 0;
    };
    auto pending = std::make_shared<Pending>();
    Clock *clock = &m_clock;
    const auto once = [pending, clock, done = std::move(done)] {
        if (std::exchange(pending->called, true))
            return;
        if (pending->timer)
            clock->cancel(std::exchange(pending->timer, 0));
        if (done)
            done();
    };
    pending->timer = m_clock.callAfter(StepTimeoutMs, this, [pending, once, key = m_key] {
        if (pending->called)
            return;
        pending->timer = 0;
        qCWarning(lcRunner).noquote() << QStringLiteral("The key-value store did not answer within %1 s (%2); going on without it")
                                             .arg(StepTimeoutMs / 1000)
                                             .arg(key);
        once();
    });
    return once;
}

} // namespace jobslib
