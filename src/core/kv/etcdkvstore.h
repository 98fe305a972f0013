// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "etcd/etcdclient.h"
#include "kvstore.h"
#include "util/watchbackoff.h"

#include <QMap>
#include <QPointer>

namespace jobslib {

/*!
 * KvStore on etcd's v3 JSON gateway through EtcdClient. The holder of a key is its lease (decimal
 * id), the lock index its create revision, the modify index its mod revision. The range watch
 * lists the prefix, then watches it from the revision after that listing, so no change falls
 * between the two; it keeps the prefix's content in a map that each batch of events updates.
 * When the stream fails, it lists again after a back-off and watches from there (a compacted
 * revision needs nothing special: the new listing is the new start).
 */
class JOBSLIB_EXPORT EtcdKvStore : public KvStore
{
    Q_OBJECT
public:
    EtcdKvStore(QNetworkAccessManager *network, const EtcdEndpoint &endpoint, QObject *parent = nullptr);
    ~EtcdKvStore() override;

    QString backendName() const override { return QStringLiteral("etcd"); }
    /*! The endpoint requests go to now. */
    QString address() const override;

    void get(const QString &key, QObject *context, Done<std::optional<KvItem>> done) override;
    void list(const QString &prefix, QObject *context, Done<QList<KvItem>> done) override;
    void put(const QString &key, const QByteArray &value, QObject *context, Done<bool> done) override;
    void create(const QString &key, const QByteArray &value, QObject *context, Done<bool> done) override;
    void remove(const QString &key, QObject *context, Done<bool> done) override;
    void holderInfo(const QString &holder, QObject *context, Done<HolderInfo> done) override;

    static KvItem toItem(const EtcdKv &kv);

protected:
    void startRangeWatch(const QString &prefix) override;
    void stopRangeWatch() override;

private:
    void relist(quint64 generation);
    void onEvents(quint64 generation, const QList<EtcdWatchEvent> &events);
    void onWatchFailed(quint64 generation, const EtcdError &error);
    void retryLater(quint64 generation, const QString &error);
    void dropWatch();
    void deliverContent();

    EtcdClient m_client;
    QByteArray m_prefix;
    quint64 m_generation = 0; ///< bumped by every start and stop: older answers, events and timers are ignored
    QMap<QByteArray, EtcdKv> m_content; ///< everything under m_prefix, as the watch last saw it
    QPointer<EtcdWatch> m_watch;
    WatchBackoff m_backoff;
};

} // namespace jobslib
