// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"
#include "util/expected.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace jobslib {

class Config;
class KvWatch;

/*! One key as a key-value store holds it, in the terms both Consul and etcd can give. */
struct JOBSLIB_EXPORT KvItem
{
    QString key;
    QByteArray value;
    QString holder;          ///< Consul: the session holding the key; etcd: the lease id (decimal); "" when none
    quint64 lockIndex = 0;   ///< Consul: LockIndex; etcd: the create revision (both: the lock's fencing token)
    quint64 modifyIndex = 0; ///< Consul: ModifyIndex; etcd: the mod revision

    bool operator==(const KvItem &o) const
    {
        return key == o.key && value == o.value && holder == o.holder && lockIndex == o.lockIndex && modifyIndex == o.modifyIndex;
    }
    bool operator!=(const KvItem &o) const { return !(*this == o); }
};

/*! What the store knows of a lock holder's session (Consul) or lease (etcd). */
struct JOBSLIB_EXPORT HolderInfo
{
    bool exists = false;     ///< false: the session or lease is gone
    qint64 ttlS = -1;        ///< the session's or lease's TTL, -1 unknown
    qint64 remainingS = -1;  ///< etcd: seconds left on the lease; -1 where the store does not tell (Consul)
    qint64 lockDelayS = -1;  ///< Consul: the session's lock-delay; -1 for etcd (it has none)
    QString node;            ///< Consul: the session's node
};

/*!
 * A thin, backend-neutral view of the key-value store behind a lock (Consul KV or etcd): what the
 * dashboard reads and writes, and what runjob uses for the handover key and the action log. Lock
 * semantics stay in the lock classes; this is plain reads, writes and watches.
 *
 * Watches are multiplexed: however many KvWatch objects exist, the store keeps one server-side
 * watch (one Consul blocking query, one etcd watch stream) on the longest common prefix of what
 * they watch, and gives each KvWatch only its part. That keeps a dashboard watching 100 jobs at
 * one long poll per datacenter (Qt opens at most 6 connections per host; one poll per key would
 * starve everything else).
 *
 * Every callback runs exactly once, in context's thread, unless context is destroyed first.
 */
class JOBSLIB_EXPORT KvStore : public QObject
{
    Q_OBJECT
public:
    template<typename T>
    using Done = std::function<void(const Expected<T> &)>;

    explicit KvStore(QObject *parent = nullptr);
    ~KvStore() override;

    /*! "consul" or "etcd". */
    virtual QString backendName() const = 0;
    /*! Where it talks to, for the UI ("http://127.0.0.1:8500"). */
    virtual QString address() const = 0;

    virtual void get(const QString &key, QObject *context, Done<std::optional<KvItem>> done) = 0;
    /*! Every key under prefix, sorted by key. */
    virtual void list(const QString &prefix, QObject *context, Done<QList<KvItem>> done) = 0;
    virtual void put(const QString &key, const QByteArray &value, QObject *context, Done<bool> done) = 0;
    /*! Writes key only if it does not exist: true when written, false when it already existed. */
    virtual void create(const QString &key, const QByteArray &value, QObject *context, Done<bool> done) = 0;
    /*! Deletes key; true also when it did not exist. */
    virtual void remove(const QString &key, QObject *context, Done<bool> done) = 0;
    /*! The session (Consul) or lease (etcd) named by KvItem::holder. */
    virtual void holderInfo(const QString &holder, QObject *context, Done<HolderInfo> done) = 0;

    /*!
     * A live view of one key (prefix == false) or of every key under a prefix. The watch reports
     * the current content at once and again after every change; owned by parent (or the caller).
     */
    KvWatch *watch(const QString &keyOrPrefix, bool prefix, QObject *parent = nullptr);

    /*! The one server-side watch the store keeps now, for tests and benchmarks ("" when none). */
    QString watchedPrefix() const { return m_watchedPrefix; }
    /*! Whether the last server-side watch round reached the store. */
    bool isReachable() const { return m_reachable; }
    /*! Why the last server-side watch round failed ("" while reachable). */
    QString lastError() const { return m_reachable ? QString() : m_lastError; }

Q_SIGNALS:
    /*! The store answered again after being unreachable, or stopped answering. */
    void reachabilityChanged(bool reachable, const QString &error);

protected:
    /*!
     * Start (or restart) the one server-side watch of every key under prefix ("" = all keys);
     * report with deliverSnapshot() and deliverFailure(); keep retrying with back-off until
     * stopRangeWatch() or another startRangeWatch(). Implemented by each backend.
     */
    virtual void startRangeWatch(const QString &prefix) = 0;
    virtual void stopRangeWatch() = 0;
    /*! The complete content under the watched prefix, whenever it changed (or at the first answer). */
    void deliverSnapshot(const QList<KvItem> &items);
    /*! The watch failed (it is retried); every KvWatch learns the store is unreachable. */
    void deliverFailure(const QString &error);

private:
    friend class KvWatch;
    void unregister(KvWatch *watch);
    /*! rewatch() on the next event loop turn, once however often it is asked for meanwhile. */
    void scheduleRewatch();
    void rewatch();
    /*! Whether m_snapshot holds everything watch shows. */
    bool covers(const KvWatch *watch) const;

    QList<QPointer<KvWatch>> m_watches;
    QString m_watchedPrefix;
    bool m_watching = false;
    bool m_reachable = true;
    bool m_haveSnapshot = false;
    bool m_rewatchPending = false;
    QList<KvItem> m_snapshot;
    QString m_snapshotPrefix; ///< what m_snapshot covers: every key under it
    QString m_lastError;
};

/*! One live view handed out by KvStore::watch(). */
class JOBSLIB_EXPORT KvWatch : public QObject
{
    Q_OBJECT
public:
    ~KvWatch() override;
    QString keyOrPrefix() const { return m_key; }
    bool isPrefix() const { return m_prefix; }
    /*! The items last reported (empty before the first report). */
    const QList<KvItem> &items() const { return m_items; }

Q_SIGNALS:
    /*! The complete current content (0 or 1 item for a key watch); only emitted when it changed. */
    void changed(const QList<jobslib::KvItem> &items);
    /*! The store cannot be reached; the watch keeps retrying and changed() follows when it is back. */
    void unreachable(const QString &error);

private:
    friend class KvStore;
    KvWatch(KvStore *store, const QString &key, bool prefix, QObject *parent);
    bool matches(const QString &key) const { return m_prefix ? key.startsWith(m_key) : key == m_key; }
    void update(const QList<KvItem> &all, bool force);
    void reportUnreachable(const QString &error);

    QPointer<KvStore> m_store;
    QString m_key;
    bool m_prefix;
    bool m_reported = false;
    bool m_unreachable = false; ///< unreachable() was emitted and no answer came since
    QList<KvItem> m_items;
};

/*!
 * The store behind a lock or liveness group's options ("one_instance.consul", "one_instance.etcd",
 * "liveness.consul", "liveness.etcd"), on network (not owned). Fails for groups of other backends.
 */
JOBSLIB_EXPORT Expected<std::shared_ptr<KvStore>> makeKvStore(QNetworkAccessManager *network, const Config &config, const QString &group);

} // namespace jobslib
