// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "model.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QSet>

class QTimer;

namespace jobslib::consulsim {

/*! What one write touched; blocking queries re-run only when their part changed. */
struct StoreChange
{
    QSet<QString> keys;
    QSet<QString> sessions;
    bool health = false;
    /*! Index rewound or state reset: every waiting query re-runs. */
    bool everything = false;

    bool isEmpty() const { return keys.isEmpty() && sessions.isEmpty() && !health && !everything; }
};

/*! One KV operation of a transaction (/v1/txn). */
struct TxnKvOp
{
    QString verb;
    QString key;
    QByteArray value;
    quint64 flags = 0;
    quint64 index = 0;
    QString session;
};

/*! A transaction's outcome: results when it committed, errors (op index, text) when it rolled back. */
struct TxnOutcome
{
    struct Result
    {
        KvEntry entry;
        bool withValue = false;
    };
    QList<Result> results;
    QList<QPair<int, QString>> errors;
};

/*! Outcome of a write that can fail with an FSM error (the text Consul returns as a 500). */
struct StoreResult
{
    bool ok = false;
    QString error;
};

/*!
 * The servers' replicated state of one datacenter, as Consul's state store keeps it
 * (agent/consul/state): a Raft-like index that every write advances, the KV table with
 * tombstones, sessions, the catalog (this one node, its checks and services) and the leader's
 * in-memory lock-delay map.
 *
 * Every write method is one Raft apply: it takes the next index even when it changes nothing
 * (a failed CAS, an identical PUT), and table indexes move only on real changes, which is what
 * X-Consul-Index reports and what blocking queries compare.
 */
class StateStore : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString nodeName;
        QString nodeAddress;
        QString nodeId;
        quint64 initialIndex = 10;
        qint64 lockDelayCapNs = 60LL * 1000 * 1000 * 1000;
        qint64 tombstoneTtlMs = 15 * 60 * 1000;
    };

    explicit StateStore(const Options &options, QObject *parent = nullptr);
    ~StateStore() override;

    /*! Empties everything and registers the node again, as a freshly bootstrapped cluster. */
    void reset();
    quint64 raftIndex() const { return m_raftIndex; }
    const Options &options() const { return m_options; }
    void setLockDelayCap(qint64 ns) { m_options.lockDelayCapNs = ns; }

    // ---- KV (state/kvs.go)
    const KvEntry *kvGet(const QString &key) const;
    /*! maxIndex("kvs", "tombstones"). */
    quint64 kvTableIndex() const { return m_kvIndex; }
    /*! Entries under prefix, sorted; *index as kvsListTxn computes it. */
    QList<KvEntry> kvList(const QString &prefix, quint64 *index) const;
    /*! Key names under prefix, grouped at separator; *index as kvsListKeysTxn computes it. */
    QStringList kvKeys(const QString &prefix, const QString &separator, quint64 *index) const;
    /*! Plain set: keeps the entry's Session; LockIndex comes from the request (0), as in Consul. */
    void kvSet(const QString &key, const QByteArray &value, quint64 flags);
    bool kvCas(const QString &key, const QByteArray &value, quint64 flags, quint64 cas);
    /*! kvsLockTxn; the leader's lock-delay check is the caller's (it comes before the apply). */
    StoreResult kvLock(const QString &key, const QByteArray &value, quint64 flags, const QString &session);
    StoreResult kvUnlock(const QString &key, const QByteArray &value, quint64 flags, const QString &session);
    void kvDelete(const QString &key);
    bool kvDeleteCas(const QString &key, quint64 cas);
    void kvDeleteTree(const QString &prefix);
    /*! Applies KV operations atomically at one index (state/txn.go); nothing is kept if one fails. */
    TxnOutcome kvTxn(const QList<TxnKvOp> &ops);
    /*! Milliseconds of lock-delay left on key (0 when none). */
    qint64 lockDelayRemainingMs(const QString &key) const;
    /*! Every key under lock-delay with the milliseconds left. */
    QMap<QString, qint64> lockDelays() const;

    // ---- Sessions (state/session.go)
    /*! Stores s (ID, indexes assigned here) after the FSM's node and check validation. */
    StoreResult sessionCreate(Session &s);
    /*! Invalidates the session (release or delete its keys, start lock-delay); unknown ids are a no-op. */
    void sessionDestroy(const QString &id);
    const Session *session(const QString &id) const;
    QList<Session> sessions() const;
    /*! Sessions of a node, matched case-insensitively. */
    QList<Session> nodeSessions(const QString &node) const;
    quint64 sessionsIndex() const { return m_sessionsIndex; }
    /*! Invalidates every session in one apply, as if they had all been destroyed. */
    void invalidateAllSessions();

    // ---- Catalog (state/catalog.go), one node
    bool nodeExists(const QString &node) const;
    const QString &nodeName() const { return m_options.nodeName; }
    /*! Registers or updates a check of the node; a critical status invalidates sessions bound to it. */
    void ensureCheck(HealthCheck check);
    /*! Removes a check; sessions bound to it are invalidated. */
    void deleteCheck(const QString &checkId);
    const HealthCheck *check(const QString &checkId) const;
    QList<HealthCheck> checks() const;
    quint64 checksIndex() const { return m_checksIndex; }
    void ensureService(CatalogService service);
    /*! Removes a service and its checks. */
    void deleteService(const QString &serviceId);
    QList<CatalogService> services() const;
    /*! maxIndexForService: the service's index, or max(nodes, services) for an unknown one. */
    quint64 serviceIndex(const QString &serviceName) const;
    quint64 nodesIndex() const { return m_nodesIndex; }

    /*! Moves every index back by `by` (at least to 1), as a snapshot restore of a renumbered cluster would. */
    void rewindIndex(quint64 by);

Q_SIGNALS:
    void changed(const jobslib::consulsim::StoreChange &change);
    void sessionCreated(const QString &id);
    void sessionDestroyed(const QString &id);

private:
    struct Tombstone
    {
        quint64 index = 0;
        qint64 atMs = 0;
    };

    quint64 apply() { return ++m_raftIndex; }
    void commit(const StoreChange &change);
    /*! kvsSetTxn: CreateIndex kept, Session kept unless updateSession, skipped when nothing changed. */
    void setKvTxn(quint64 idx, KvEntry entry, bool updateSession, StoreChange &change);
    void deleteKvTxn(quint64 idx, const QString &key, StoreChange &change);
    void deleteSessionTxn(quint64 idx, const QString &id, StoreChange &change);
    /*! Invalidates the sessions whose checks include checkId (same transaction, same index). */
    void invalidateSessionsOfCheck(quint64 idx, const QString &checkId, StoreChange &change);
    void touchService(quint64 idx, const QString &serviceName);
    void scheduleTombstoneReap();
    void reapTombstones();
    qint64 nowMs() const { return m_clock.elapsed(); }

    Options m_options;
    quint64 m_raftIndex = 0;
    QMap<QString, KvEntry> m_kv;
    QMap<QString, Tombstone> m_tombstones;
    quint64 m_kvIndex = 0;
    QMap<QString, Session> m_sessions;
    quint64 m_sessionsIndex = 0;
    // Keyed by the lower-cased CheckID: Consul's check index is case-insensitive.
    QMap<QString, HealthCheck> m_checks;
    quint64 m_checksIndex = 0;
    QMap<QString, CatalogService> m_services;
    quint64 m_servicesIndex = 0;
    QHash<QString, quint64> m_serviceIndexes;
    quint64 m_nodesIndex = 0;
    QHash<QString, qint64> m_lockDelay; // key -> expiry on m_clock
    QElapsedTimer m_clock;
    QTimer *m_reapTimer;
};

} // namespace jobslib::consulsim
