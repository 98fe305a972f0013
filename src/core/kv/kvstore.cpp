// SPDX-License-Identifier: BSD-3-Clause
#include "kvstore.h"

#include "util/deferred.h"
#include "util/logcategories.h"

#include <algorithm>

namespace jobslib {

namespace {

/*! The longest common prefix of a and b, by UTF-16 code units (keys are compared the same way). */
QString commonPrefix(const QString &a, const QString &b)
{
    const qsizetype n = qMin(a.size(), b.size());
    qsizetype i = 0;
    while (i < n && a.at(i) == b.at(i))
        ++i;
    return a.left(i);
}

} // namespace

KvStore::KvStore(QObject *parent)
    : QObject(parent)
{
}

KvStore::~KvStore()
{
    // Watches may outlive the store (they belong to their parent): they must not call back into it.
    for (const QPointer<KvWatch> &w : std::as_const(m_watches)) {
        if (w)
            w->m_store = nullptr;
    }
}

KvWatch *KvStore::watch(const QString &keyOrPrefix, bool prefix, QObject *parent)
{
    auto *w = new KvWatch(this, keyOrPrefix, prefix, parent);
    m_watches.append(w);
    scheduleRewatch();
    // The first report is never made inside watch(): the caller connects to the signals first.
    // What is known already is reported at once (the range watch may not even restart for it);
    // a store known to be unreachable says so at once too.
    deferred(w, [w] {
        const QPointer<KvWatch> self(w);
        KvStore *store = w->m_store;
        if (!store || w->m_reported)
            return;
        if (store->m_haveSnapshot && store->covers(w)) {
            w->update(store->m_snapshot, false);
            if (!self || !w->m_store)
                return; // deleted by a slot, or its store was
        }
        // Known content may be stale: the store is not answering now.
        if (!store->m_reachable && !w->m_unreachable)
            w->reportUnreachable(store->m_lastError);
    });
    return w;
}

void KvStore::unregister(KvWatch *watch)
{
    m_watches.removeIf([watch](const QPointer<KvWatch> &w) { return w.isNull() || w.data() == watch; });
    scheduleRewatch();
}

bool KvStore::covers(const KvWatch *watch) const
{
    // A key watch counts as its key: "jobs/a" covers the key "jobs/a" and the prefix "jobs/a/".
    return watch->m_key.startsWith(m_snapshotPrefix);
}

void KvStore::scheduleRewatch()
{
    // Adding 300 watches in one go restarts the server-side watch once, not 300 times.
    if (m_rewatchPending)
        return;
    m_rewatchPending = true;
    deferred(this, [this] {
        m_rewatchPending = false;
        rewatch();
    });
}

void KvStore::rewatch()
{
    m_watches.removeIf([](const QPointer<KvWatch> &w) { return w.isNull(); });
    if (m_watches.isEmpty()) {
        if (m_watching) {
            qCDebug(lcKv).noquote() << backendName() << "kv: no watch left, stopping the watch of" << m_watchedPrefix;
            m_watching = false;
            m_watchedPrefix.clear();
            m_haveSnapshot = false;
            m_snapshot.clear();
            m_snapshotPrefix.clear();
            stopRangeWatch();
        }
        return;
    }
    QString prefix = m_watches.constFirst()->m_key;
    for (const QPointer<KvWatch> &w : std::as_const(m_watches))
        prefix = commonPrefix(prefix, w->m_key);
    if (m_watching && prefix == m_watchedPrefix)
        return;
    if (m_haveSnapshot && prefix.startsWith(m_snapshotPrefix)) {
        // Narrower than what is known: what is known still holds for every watch, until the new
        // watch's first answer.
        m_snapshot.removeIf([&prefix](const KvItem &item) { return !item.key.startsWith(prefix); });
        m_snapshotPrefix = prefix;
    } else {
        m_haveSnapshot = false;
        m_snapshot.clear();
        m_snapshotPrefix.clear();
    }
    qCDebug(lcKv).noquote() << backendName() << "kv: watching every key under" << (prefix.isEmpty() ? QStringLiteral("(all)") : prefix);
    m_watching = true;
    m_watchedPrefix = prefix;
    startRangeWatch(prefix);
}

void KvStore::deliverSnapshot(const QList<KvItem> &items)
{
    if (!m_watching)
        return; // an answer of a watch stopped meanwhile
    m_snapshot = items;
    std::sort(m_snapshot.begin(), m_snapshot.end(), [](const KvItem &a, const KvItem &b) { return a.key < b.key; });
    m_snapshotPrefix = m_watchedPrefix;
    m_haveSnapshot = true;
    const QPointer<KvStore> self(this);
    if (!m_reachable) {
        m_reachable = true;
        m_lastError.clear();
        Q_EMIT reachabilityChanged(true, QString());
        if (!self)
            return;
    }
    // A slot may delete watches (or add some): work on a copy, skip the deleted ones.
    const QList<QPointer<KvWatch>> watches = m_watches;
    for (const QPointer<KvWatch> &w : watches) {
        if (!self || !m_haveSnapshot)
            return;
        if (w && covers(w))
            w->update(m_snapshot, false);
    }
}

void KvStore::deliverFailure(const QString &error)
{
    if (!m_watching)
        return;
    m_lastError = error;
    const QPointer<KvStore> self(this);
    if (m_reachable) {
        m_reachable = false;
        qCDebug(lcKv).noquote() << backendName() << "kv: the watch failed:" << error;
        Q_EMIT reachabilityChanged(false, error);
        if (!self)
            return;
    }
    // Once per failure: a watch that was told already is not told again at every retry.
    const QList<QPointer<KvWatch>> watches = m_watches;
    for (const QPointer<KvWatch> &w : watches) {
        if (!self)
            return;
        if (w && !w->m_unreachable)
            w->reportUnreachable(error);
    }
}

// ---------------------------------------------------------------------------------------------

KvWatch::KvWatch(KvStore *store, const QString &key, bool prefix, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_key(key)
    , m_prefix(prefix)
{
}

KvWatch::~KvWatch()
{
    if (KvStore *store = m_store)
        store->unregister(this);
}

void KvWatch::update(const QList<KvItem> &all, bool force)
{
    // Snapshots are sorted by key, and the keys under a prefix are one run of them: find it by
    // binary search instead of scanning (400 watches over one datacenter's snapshot, per change).
    QList<KvItem> part;
    auto it = std::lower_bound(all.cbegin(), all.cend(), m_key, [](const KvItem &item, const QString &key) { return item.key < key; });
    for (; it != all.cend() && matches(it->key); ++it)
        part.append(*it);
    // After unreachable() the next answer is reported even when nothing changed: it says "back".
    const bool report = force || !m_reported || m_unreachable || part != m_items;
    m_unreachable = false;
    if (!report)
        return;
    m_reported = true;
    m_items = part;
    Q_EMIT changed(m_items);
}

void KvWatch::reportUnreachable(const QString &error)
{
    m_unreachable = true;
    Q_EMIT unreachable(error);
}

} // namespace jobslib
