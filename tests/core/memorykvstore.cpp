// SPDX-License-Identifier: BSD-3-Clause
#include "memorykvstore.h"

#include "util/deferred.h"

namespace jobslib::test {

template<typename T>
void MemoryKvStore::answer(QObject *context, Done<T> done, const Expected<T> &result)
{
    if (silent)
        return;
    deferred(context, [done, result] { done(result); });
}

void MemoryKvStore::get(const QString &key, QObject *context, Done<std::optional<KvItem>> done)
{
    std::optional<KvItem> item;
    if (m_items.contains(key))
        item = m_items.value(key);
    answer<std::optional<KvItem>>(context, std::move(done), item);
}

void MemoryKvStore::list(const QString &prefix, QObject *context, Done<QList<KvItem>> done)
{
    answer<QList<KvItem>>(context, std::move(done), under(prefix));
}

void MemoryKvStore::put(const QString &key, const QByteArray &value, QObject *context, Done<bool> done)
{
    if (!silent)
        set(key, value);
    answer<bool>(context, std::move(done), true);
}

void MemoryKvStore::create(const QString &key, const QByteArray &value, QObject *context, Done<bool> done)
{
    const bool fresh = !m_items.contains(key);
    if (fresh && !silent)
        set(key, value);
    answer<bool>(context, std::move(done), fresh);
}

void MemoryKvStore::remove(const QString &key, QObject *context, Done<bool> done)
{
    if (!silent) {
        ++removes;
        if (m_items.remove(key))
            changed();
    }
    answer<bool>(context, std::move(done), true);
}

void MemoryKvStore::holderInfo(const QString &, QObject *context, Done<HolderInfo> done)
{
    answer<HolderInfo>(context, std::move(done), HolderInfo{});
}

void MemoryKvStore::set(const QString &key, const QByteArray &value)
{
    KvItem &item = m_items[key];
    item.key = key;
    item.value = value;
    item.modifyIndex = ++m_index;
    changed();
}

QList<KvItem> MemoryKvStore::under(const QString &prefix) const
{
    QList<KvItem> r;
    for (const KvItem &item : m_items) {
        if (item.key.startsWith(prefix))
            r << item;
    }
    return r;
}

void MemoryKvStore::startRangeWatch(const QString &prefix)
{
    m_watching = true;
    m_prefix = prefix;
    changed();
}

void MemoryKvStore::stopRangeWatch()
{
    m_watching = false;
}

void MemoryKvStore::changed()
{
    if (!m_watching)
        return;
    deferred(this, [this] {
        if (m_watching)
            deliverSnapshot(under(m_prefix));
    });
}

} // namespace jobslib::test
