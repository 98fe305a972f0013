// SPDX-License-Identifier: BSD-3-Clause
#include "statestore.h"

#include <QTimer>
#include <QUuid>

#include <algorithm>

namespace jobslib::consulsim {

namespace {

constexpr qint64 NsPerMs = 1000 * 1000;

QString checkKey(const QString &checkId)
{
    return checkId.toLower();
}

quint64 rewound(quint64 index, quint64 by)
{
    return index > by ? std::max<quint64>(index - by, 1) : (index == 0 ? 0 : 1);
}

} // namespace

StateStore::StateStore(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_reapTimer(new QTimer(this))
{
    m_clock.start();
    m_reapTimer->setSingleShot(true);
    connect(m_reapTimer, &QTimer::timeout, this, &StateStore::reapTombstones);
    reset();
}

StateStore::~StateStore() = default;

void StateStore::reset()
{
    m_kv.clear();
    m_tombstones.clear();
    m_sessions.clear();
    m_checks.clear();
    m_services.clear();
    m_serviceIndexes.clear();
    m_lockDelay.clear();
    m_kvIndex = 0;
    m_sessionsIndex = 0;
    m_checksIndex = 0;
    m_servicesIndex = 0;
    m_reapTimer->stop();
    // The cluster's own bootstrap writes come first, so the first user write is not index 1.
    m_raftIndex = std::max<quint64>(m_options.initialIndex, 2) - 1;
    const quint64 idx = apply();
    m_nodesIndex = idx;
    HealthCheck serf;
    serf.node = m_options.nodeName;
    serf.checkId = serfCheckId();
    serf.name = QStringLiteral("Serf Health Status");
    serf.status = HealthStatus::passing();
    serf.output = QStringLiteral("Agent alive and reachable");
    serf.createIndex = idx;
    serf.modifyIndex = idx;
    m_checks.insert(checkKey(serf.checkId), serf);
    m_checksIndex = idx;
    StoreChange change;
    change.everything = true;
    commit(change);
}

void StateStore::commit(const StoreChange &change)
{
    if (!change.isEmpty())
        Q_EMIT changed(change);
}

// ---------------------------------------------------------------- KV

const KvEntry *StateStore::kvGet(const QString &key) const
{
    const auto it = m_kv.constFind(key);
    return it == m_kv.constEnd() ? nullptr : &it.value();
}

QList<KvEntry> StateStore::kvList(const QString &prefix, quint64 *index) const
{
    QList<KvEntry> result;
    quint64 lindex = 0;
    for (auto it = m_kv.lowerBound(prefix); it != m_kv.constEnd() && it.key().startsWith(prefix); ++it) {
        result.append(it.value());
        lindex = std::max(lindex, it.value().modifyIndex);
    }
    if (!prefix.isEmpty()) {
        for (auto it = m_tombstones.lowerBound(prefix); it != m_tombstones.constEnd() && it.key().startsWith(prefix); ++it)
            lindex = std::max(lindex, it.value().index);
    } else {
        lindex = m_kvIndex;
    }
    *index = lindex != 0 ? lindex : m_kvIndex;
    return result;
}

QStringList StateStore::kvKeys(const QString &prefix, const QString &separator, quint64 *index) const
{
    QStringList keys;
    QString lastKey;
    quint64 lindex = 0;
    for (auto it = m_kv.lowerBound(prefix); it != m_kv.constEnd() && it.key().startsWith(prefix); ++it) {
        const KvEntry &e = it.value();
        lindex = std::max(lindex, e.modifyIndex);
        if (separator.isEmpty()) {
            keys.append(e.key);
            continue;
        }
        const QString after = e.key.mid(prefix.size());
        const int sepIdx = after.indexOf(separator);
        if (sepIdx > -1) {
            const QString key = e.key.left(prefix.size() + sepIdx + separator.size());
            if (key != lastKey)
                keys.append(key);
            lastKey = key;
        } else {
            keys.append(e.key);
        }
    }
    if (!prefix.isEmpty()) {
        for (auto it = m_tombstones.lowerBound(prefix); it != m_tombstones.constEnd() && it.key().startsWith(prefix); ++it)
            lindex = std::max(lindex, it.value().index);
    } else {
        lindex = m_kvIndex;
    }
    *index = lindex != 0 ? lindex : m_kvIndex;
    return keys;
}

void StateStore::setKvTxn(quint64 idx, KvEntry entry, bool updateSession, StoreChange &change)
{
    const auto it = m_kv.constFind(entry.key);
    const KvEntry *existing = it == m_kv.constEnd() ? nullptr : &it.value();
    entry.createIndex = existing ? existing->createIndex : idx;
    if (!updateSession)
        entry.session = existing ? existing->session : QString();
    if (existing && existing->sameContent(entry))
        return; // Consul skips the write: no index moves, no watcher wakes
    entry.modifyIndex = idx;
    m_kv.insert(entry.key, entry);
    m_tombstones.remove(entry.key);
    m_kvIndex = idx;
    change.keys.insert(entry.key);
}

void StateStore::deleteKvTxn(quint64 idx, const QString &key, StoreChange &change)
{
    if (!m_kv.contains(key))
        return;
    m_kv.remove(key);
    m_tombstones.insert(key, Tombstone{idx, nowMs()});
    m_kvIndex = idx;
    change.keys.insert(key);
    scheduleTombstoneReap();
}

void StateStore::kvSet(const QString &key, const QByteArray &value, quint64 flags)
{
    const quint64 idx = apply();
    StoreChange change;
    KvEntry e;
    e.key = key;
    e.value = value;
    e.flags = flags;
    setKvTxn(idx, e, false, change);
    commit(change);
}

bool StateStore::kvCas(const QString &key, const QByteArray &value, quint64 flags, quint64 cas)
{
    const quint64 idx = apply();
    const KvEntry *existing = kvGet(key);
    if (cas == 0 && existing)
        return false;
    if (cas != 0 && !existing)
        return false;
    if (existing && cas != 0 && cas != existing->modifyIndex)
        return false;
    StoreChange change;
    KvEntry e;
    e.key = key;
    e.value = value;
    e.flags = flags;
    setKvTxn(idx, e, false, change);
    commit(change);
    return true;
}

StoreResult StateStore::kvLock(const QString &key, const QByteArray &value, quint64 flags, const QString &session)
{
    const quint64 idx = apply();
    if (session.isEmpty())
        return {false, QStringLiteral("missing session")};
    if (!m_sessions.contains(session))
        return {false, QStringLiteral("invalid session %1").arg(QString::fromUtf8(goJsonString(session)))};
    KvEntry e;
    e.key = key;
    e.value = value;
    e.flags = flags;
    e.session = session;
    if (const KvEntry *existing = kvGet(key)) {
        if (existing->session == session) {
            e.lockIndex = existing->lockIndex; // re-acquire by the holder
        } else if (!existing->session.isEmpty()) {
            return {false, {}}; // held by another session
        } else {
            e.lockIndex = existing->lockIndex + 1;
        }
    } else {
        e.lockIndex = 1;
    }
    StoreChange change;
    setKvTxn(idx, e, true, change);
    commit(change);
    return {true, {}};
}

StoreResult StateStore::kvUnlock(const QString &key, const QByteArray &value, quint64 flags, const QString &session)
{
    const quint64 idx = apply();
    if (session.isEmpty())
        return {false, QStringLiteral("missing session")};
    const KvEntry *existing = kvGet(key);
    if (!existing || existing->session != session)
        return {false, {}};
    KvEntry e;
    e.key = key;
    e.value = value;
    e.flags = flags;
    e.lockIndex = existing->lockIndex;
    StoreChange change;
    setKvTxn(idx, e, true, change);
    commit(change);
    return {true, {}};
}

void StateStore::kvDelete(const QString &key)
{
    const quint64 idx = apply();
    StoreChange change;
    deleteKvTxn(idx, key, change);
    commit(change);
}

bool StateStore::kvDeleteCas(const QString &key, quint64 cas)
{
    const quint64 idx = apply();
    const KvEntry *existing = kvGet(key);
    if (!existing || existing->modifyIndex != cas)
        return existing == nullptr; // "nothing to delete" counts as success
    StoreChange change;
    deleteKvTxn(idx, key, change);
    commit(change);
    return true;
}

void StateStore::kvDeleteTree(const QString &prefix)
{
    const quint64 idx = apply();
    QStringList doomed;
    for (auto it = m_kv.lowerBound(prefix); it != m_kv.constEnd() && it.key().startsWith(prefix); ++it)
        doomed.append(it.key());
    StoreChange change;
    for (const QString &key : std::as_const(doomed))
        deleteKvTxn(idx, key, change);
    commit(change);
}

TxnOutcome StateStore::kvTxn(const QList<TxnKvOp> &ops)
{
    const quint64 idx = apply();
    // The transaction works on the live tables and restores these copies if an operation fails.
    const QMap<QString, KvEntry> kvBefore = m_kv;
    const QMap<QString, Tombstone> tombstonesBefore = m_tombstones;
    const quint64 kvIndexBefore = m_kvIndex;
    StoreChange change;
    TxnOutcome out;
    const auto quote = [](const QString &k) { return QString::fromUtf8(goJsonString(k)); };
    for (int i = 0; i < ops.size() && out.errors.isEmpty(); ++i) {
        const TxnKvOp &op = ops.at(i);
        const KvEntry *existing = kvGet(op.key);
        QString error;
        const auto resultOf = [&](bool withValue) {
            if (const KvEntry *e = kvGet(op.key))
                out.results.append({*e, withValue});
        };
        if (op.verb == QLatin1String("set")) {
            KvEntry e{op.key, op.value, op.flags, {}, 0, 0, 0};
            setKvTxn(idx, e, false, change);
            resultOf(false);
        } else if (op.verb == QLatin1String("cas")) {
            const bool ok = op.index == 0 ? existing == nullptr : (existing && existing->modifyIndex == op.index);
            if (!ok) {
                error = QStringLiteral("failed to set key %1, index is stale").arg(quote(op.key));
            } else {
                setKvTxn(idx, KvEntry{op.key, op.value, op.flags, {}, 0, 0, 0}, false, change);
                resultOf(false);
            }
        } else if (op.verb == QLatin1String("lock")) {
            if (op.session.isEmpty()) {
                error = QStringLiteral("missing session");
            } else if (!m_sessions.contains(op.session)) {
                error = QStringLiteral("invalid session %1").arg(quote(op.session));
            } else if (existing && !existing->session.isEmpty() && existing->session != op.session) {
                error = QStringLiteral("failed to lock key %1, lock is already held").arg(quote(op.key));
            } else {
                KvEntry e{op.key, op.value, op.flags, op.session, 1, 0, 0};
                if (existing)
                    e.lockIndex = existing->session == op.session ? existing->lockIndex : existing->lockIndex + 1;
                setKvTxn(idx, e, true, change);
                resultOf(false);
            }
        } else if (op.verb == QLatin1String("unlock")) {
            if (op.session.isEmpty()) {
                error = QStringLiteral("missing session");
            } else if (!existing || existing->session != op.session) {
                error = QStringLiteral("failed to unlock key %1, lock isn't held, or is held by another session").arg(quote(op.key));
            } else {
                setKvTxn(idx, KvEntry{op.key, op.value, op.flags, {}, existing->lockIndex, 0, 0}, true, change);
                resultOf(false);
            }
        } else if (op.verb == QLatin1String("get")) {
            if (!existing)
                error = QStringLiteral("key %1 doesn't exist").arg(quote(op.key));
            else
                resultOf(true);
        } else if (op.verb == QLatin1String("get-tree")) {
            quint64 ignored = 0;
            const QList<KvEntry> entries = kvList(op.key, &ignored);
            for (const KvEntry &e : entries)
                out.results.append({e, true});
        } else if (op.verb == QLatin1String("check-session")) {
            if (!existing)
                error = QStringLiteral("failed to check session, key %1 doesn't exist").arg(quote(op.key));
            else if (existing->session != op.session)
                error = QStringLiteral("failed session check for key %1, current session %2 != %3")
                            .arg(quote(op.key), quote(existing->session), quote(op.session));
            else
                resultOf(false);
        } else if (op.verb == QLatin1String("check-index")) {
            if (!existing)
                error = QStringLiteral("failed to check index, key %1 doesn't exist").arg(quote(op.key));
            else if (existing->modifyIndex != op.index)
                error = QStringLiteral("failed index check for key %1, current modify index %2 != %3")
                            .arg(quote(op.key))
                            .arg(existing->modifyIndex)
                            .arg(op.index);
            else
                resultOf(false);
        } else if (op.verb == QLatin1String("check-not-exists")) {
            if (existing)
                error = QStringLiteral("key %1 exists").arg(quote(op.key));
        } else if (op.verb == QLatin1String("delete")) {
            deleteKvTxn(idx, op.key, change);
        } else if (op.verb == QLatin1String("delete-cas")) {
            if (existing && existing->modifyIndex != op.index)
                error = QStringLiteral("failed to delete key %1, index is stale").arg(quote(op.key));
            else
                deleteKvTxn(idx, op.key, change);
        } else if (op.verb == QLatin1String("delete-tree")) {
            QStringList doomed;
            for (auto it = m_kv.lowerBound(op.key); it != m_kv.constEnd() && it.key().startsWith(op.key); ++it)
                doomed.append(it.key());
            for (const QString &key : std::as_const(doomed))
                deleteKvTxn(idx, key, change);
        } else {
            error = QStringLiteral("unknown KV verb %1").arg(quote(op.verb));
        }
        if (!error.isEmpty())
            out.errors.append({i, error});
    }
    if (!out.errors.isEmpty()) {
        m_kv = kvBefore;
        m_tombstones = tombstonesBefore;
        m_kvIndex = kvIndexBefore;
        out.results.clear();
        return out;
    }
    commit(change);
    return out;
}

qint64 StateStore::lockDelayRemainingMs(const QString &key) const
{
    const auto it = m_lockDelay.constFind(key);
    if (it == m_lockDelay.constEnd())
        return 0;
    return std::max<qint64>(0, it.value() - nowMs());
}

QMap<QString, qint64> StateStore::lockDelays() const
{
    QMap<QString, qint64> result;
    for (auto it = m_lockDelay.constBegin(); it != m_lockDelay.constEnd(); ++it) {
        const qint64 left = it.value() - nowMs();
        if (left > 0)
            result.insert(it.key(), left);
    }
    return result;
}

void StateStore::scheduleTombstoneReap()
{
    if (m_tombstones.isEmpty() || m_reapTimer->isActive())
        return;
    qint64 oldest = std::numeric_limits<qint64>::max();
    for (const Tombstone &t : std::as_const(m_tombstones))
        oldest = std::min(oldest, t.atMs);
    m_reapTimer->start(int(std::clamp<qint64>(oldest + m_options.tombstoneTtlMs - nowMs(), 0, std::numeric_limits<int>::max())));
}

void StateStore::reapTombstones()
{
    const qint64 cutoff = nowMs() - m_options.tombstoneTtlMs;
    for (auto it = m_tombstones.begin(); it != m_tombstones.end();) {
        if (it.value().atMs <= cutoff)
            it = m_tombstones.erase(it);
        else
            ++it;
    }
    scheduleTombstoneReap();
}

// ---------------------------------------------------------------- Sessions

StoreResult StateStore::sessionCreate(Session &s)
{
    const quint64 idx = apply();
    if (!nodeExists(s.node))
        return {false, QStringLiteral("Missing node registration")};
    const QStringList ids = s.checkIds();
    for (const QString &id : ids) {
        const HealthCheck *c = check(id);
        if (!c)
            return {false, QStringLiteral("Missing check '%1' registration").arg(id)};
        if (c->status == HealthStatus::critical())
            return {false, QStringLiteral("Check '%1' is in critical state").arg(id)};
    }
    do {
        s.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    } while (m_sessions.contains(s.id));
    s.createIndex = idx;
    s.modifyIndex = idx;
    m_sessions.insert(s.id, s);
    m_sessionsIndex = idx;
    StoreChange change;
    change.sessions.insert(s.id);
    Q_EMIT sessionCreated(s.id);
    commit(change);
    return {true, {}};
}

void StateStore::sessionDestroy(const QString &id)
{
    const quint64 idx = apply();
    StoreChange change;
    deleteSessionTxn(idx, id, change);
    commit(change);
}

void StateStore::deleteSessionTxn(quint64 idx, const QString &id, StoreChange &change)
{
    const auto it = m_sessions.constFind(id);
    if (it == m_sessions.constEnd())
        return;
    const Session s = it.value();
    m_sessions.remove(id);
    m_sessionsIndex = idx;
    change.sessions.insert(id);

    const qint64 delayNs = std::min(s.lockDelay, m_options.lockDelayCapNs);
    const qint64 now = nowMs();
    QStringList held;
    for (const KvEntry &e : std::as_const(m_kv)) {
        if (e.session == id)
            held.append(e.key);
    }
    for (const QString &key : std::as_const(held)) {
        if (s.behavior == QLatin1String("delete")) {
            deleteKvTxn(idx, key, change);
        } else {
            // Released: Session cleared, LockIndex, Value and Flags kept.
            KvEntry e = m_kv.value(key);
            e.session.clear();
            setKvTxn(idx, e, true, change);
        }
        if (delayNs > 0)
            m_lockDelay.insert(key, now + delayNs / NsPerMs);
    }
    Q_EMIT sessionDestroyed(id);
}

const Session *StateStore::session(const QString &id) const
{
    const auto it = m_sessions.constFind(id);
    return it == m_sessions.constEnd() ? nullptr : &it.value();
}

QList<Session> StateStore::sessions() const
{
    return m_sessions.values();
}

QList<Session> StateStore::nodeSessions(const QString &node) const
{
    QList<Session> result;
    for (const Session &s : m_sessions) {
        if (s.node.compare(node, Qt::CaseInsensitive) == 0)
            result.append(s);
    }
    return result;
}

void StateStore::invalidateAllSessions()
{
    const quint64 idx = apply();
    StoreChange change;
    const QStringList ids = m_sessions.keys();
    for (const QString &id : ids)
        deleteSessionTxn(idx, id, change);
    commit(change);
}

void StateStore::invalidateSessionsOfCheck(quint64 idx, const QString &checkId, StoreChange &change)
{
    QStringList doomed;
    for (const Session &s : std::as_const(m_sessions)) {
        if (!nodeExists(s.node))
            continue;
        const QStringList ids = s.checkIds();
        if (std::any_of(ids.cbegin(), ids.cend(), [&](const QString &c) { return c.compare(checkId, Qt::CaseInsensitive) == 0; }))
            doomed.append(s.id);
    }
    for (const QString &id : std::as_const(doomed))
        deleteSessionTxn(idx, id, change);
}

// ---------------------------------------------------------------- Catalog

bool StateStore::nodeExists(const QString &node) const
{
    return node.compare(m_options.nodeName, Qt::CaseInsensitive) == 0;
}

const HealthCheck *StateStore::check(const QString &checkId) const
{
    const auto it = m_checks.constFind(checkKey(checkId));
    return it == m_checks.constEnd() ? nullptr : &it.value();
}

QList<HealthCheck> StateStore::checks() const
{
    return m_checks.values();
}

void StateStore::touchService(quint64 idx, const QString &serviceName)
{
    if (!serviceName.isEmpty())
        m_serviceIndexes.insert(serviceName, idx);
}

void StateStore::ensureCheck(HealthCheck c)
{
    const quint64 idx = apply();
    c.node = m_options.nodeName;
    const HealthCheck *existing = check(c.checkId);
    c.createIndex = existing ? existing->createIndex : idx;
    if (existing) {
        HealthCheck same = c;
        same.modifyIndex = existing->modifyIndex;
        if (same.toJson().serialize() == existing->toJson().serialize())
            return;
    }
    c.modifyIndex = idx;
    m_checks.insert(checkKey(c.checkId), c);
    m_checksIndex = idx;
    touchService(idx, c.serviceName);
    StoreChange change;
    change.health = true;
    if (c.status == HealthStatus::critical())
        invalidateSessionsOfCheck(idx, c.checkId, change);
    commit(change);
}

void StateStore::deleteCheck(const QString &checkId)
{
    const quint64 idx = apply();
    const HealthCheck *existing = check(checkId);
    if (!existing)
        return;
    touchService(idx, existing->serviceName);
    m_checks.remove(checkKey(checkId));
    m_checksIndex = idx;
    StoreChange change;
    change.health = true;
    invalidateSessionsOfCheck(idx, checkId, change);
    commit(change);
}

void StateStore::ensureService(CatalogService service)
{
    const quint64 idx = apply();
    const auto it = m_services.constFind(service.id);
    service.createIndex = it == m_services.constEnd() ? idx : it.value().createIndex;
    service.modifyIndex = idx;
    m_services.insert(service.id, service);
    m_servicesIndex = idx;
    touchService(idx, service.name);
    StoreChange change;
    change.health = true;
    commit(change);
}

void StateStore::deleteService(const QString &serviceId)
{
    const quint64 idx = apply();
    const auto it = m_services.constFind(serviceId);
    if (it == m_services.constEnd())
        return;
    const QString name = it.value().name;
    m_services.remove(serviceId);
    m_servicesIndex = idx;
    touchService(idx, name);
    StoreChange change;
    change.health = true;
    QStringList doomed;
    for (const HealthCheck &c : std::as_const(m_checks)) {
        if (c.serviceId == serviceId)
            doomed.append(c.checkId);
    }
    for (const QString &id : std::as_const(doomed)) {
        m_checks.remove(checkKey(id));
        m_checksIndex = idx;
        invalidateSessionsOfCheck(idx, id, change);
    }
    commit(change);
}

QList<CatalogService> StateStore::services() const
{
    return m_services.values();
}

quint64 StateStore::serviceIndex(const QString &serviceName) const
{
    const bool exists = std::any_of(m_services.cbegin(), m_services.cend(), [&](const CatalogService &s) { return s.name == serviceName; });
    if (exists && m_serviceIndexes.contains(serviceName))
        return m_serviceIndexes.value(serviceName);
    return std::max(m_nodesIndex, m_servicesIndex);
}

// ---------------------------------------------------------------- Faults

void StateStore::rewindIndex(quint64 by)
{
    if (by == 0)
        return;
    m_raftIndex = rewound(m_raftIndex, by);
    m_kvIndex = rewound(m_kvIndex, by);
    m_sessionsIndex = rewound(m_sessionsIndex, by);
    m_checksIndex = rewound(m_checksIndex, by);
    m_servicesIndex = rewound(m_servicesIndex, by);
    m_nodesIndex = rewound(m_nodesIndex, by);
    for (KvEntry &e : m_kv) {
        e.createIndex = rewound(e.createIndex, by);
        e.modifyIndex = rewound(e.modifyIndex, by);
    }
    for (Tombstone &t : m_tombstones)
        t.index = rewound(t.index, by);
    for (Session &s : m_sessions) {
        s.createIndex = rewound(s.createIndex, by);
        s.modifyIndex = rewound(s.modifyIndex, by);
    }
    for (HealthCheck &c : m_checks) {
        c.createIndex = rewound(c.createIndex, by);
        c.modifyIndex = rewound(c.modifyIndex, by);
    }
    for (CatalogService &s : m_services) {
        s.createIndex = rewound(s.createIndex, by);
        s.modifyIndex = rewound(s.modifyIndex, by);
    }
    for (auto it = m_serviceIndexes.begin(); it != m_serviceIndexes.end(); ++it)
        it.value() = rewound(it.value(), by);
    StoreChange change;
    change.everything = true;
    commit(change);
}

} // namespace jobslib::consulsim
