// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "kv/kvstore.h"

#include <QMap>

namespace jobslib::test {

/*!
 * A KvStore in memory, for unit tests of what uses one (action log, handover): every answer is
 * deferred like a real store's, every write reaches the watch at once, and the test can make it
 * stop answering. Keys are held sorted, as both real stores list them.
 */
class MemoryKvStore : public KvStore
{
    Q_OBJECT
public:
    using KvStore::KvStore;

    QString backendName() const override { return QStringLiteral("memory"); }
    QString address() const override { return QStringLiteral("memory:"); }
    void get(const QString &key, QObject *context, Done<std::optional<KvItem>> done) override;
    void list(const QString &prefix, QObject *context, Done<QList<KvItem>> done) override;
    void put(const QString &key, const QByteArray &value, QObject *context, Done<bool> done) override;
    void create(const QString &key, const QByteArray &value, QObject *context, Done<bool> done) override;
    void remove(const QString &key, QObject *context, Done<bool> done) override;
    void holderInfo(const QString &holder, QObject *context, Done<HolderInfo> done) override;

    /*! Writes as another client would (a dashboard): the watch sees it. */
    void set(const QString &key, const QByteArray &value);
    /*! Every key under prefix, sorted. */
    QList<KvItem> under(const QString &prefix) const;
    bool contains(const QString &key) const { return m_items.contains(key); }

    /*! While true, operations are never answered (a store that hangs). */
    bool silent = false;
    int removes = 0;

protected:
    void startRangeWatch(const QString &prefix) override;
    void stopRangeWatch() override;

private:
    template<typename T>
    void answer(QObject *context, Done<T> done, const Expected<T> &result);
    void changed();

    QMap<QString, KvItem> m_items;
    quint64 m_index = 0;
    bool m_watching = false;
    QString m_prefix;
};

} // namespace jobslib::test
