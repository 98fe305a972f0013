// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "consul/consulclient.h"
#include "kvstore.h"
#include "util/watchbackoff.h"

#include <QElapsedTimer>
#include <QPointer>

class QNetworkReply;

namespace jobslib {

/*!
 * KvStore on Consul's KV API through ConsulClient. The holder of a key is its session; create()
 * is a check-and-set with ?cas=0. The range watch is one blocking query loop
 * (GET /v1/kv/<prefix>?recurse&index=N&wait=...), kept by Consul's rules for blocking queries:
 * an index that goes backwards starts over from 0, an index of 0 counts as 1, and a loop that
 * keeps waking up without a new index is slowed down instead of spinning.
 */
class JOBSLIB_EXPORT ConsulKvStore : public KvStore
{
    Q_OBJECT
public:
    ConsulKvStore(QNetworkAccessManager *network, const ConsulEndpoint &endpoint, QObject *parent = nullptr);
    ~ConsulKvStore() override;

    QString backendName() const override { return QStringLiteral("consul"); }
    QString address() const override;

    void get(const QString &key, QObject *context, Done<std::optional<KvItem>> done) override;
    void list(const QString &prefix, QObject *context, Done<QList<KvItem>> done) override;
    void put(const QString &key, const QByteArray &value, QObject *context, Done<bool> done) override;
    void create(const QString &key, const QByteArray &value, QObject *context, Done<bool> done) override;
    void remove(const QString &key, QObject *context, Done<bool> done) override;
    void holderInfo(const QString &holder, QObject *context, Done<HolderInfo> done) override;

    /*! Wait of the blocking queries (Consul's ?wait, 5 min); tests shorten it. */
    void setWatchWaitMs(int ms) { m_waitMs = ms; }

    static KvItem toItem(const KvEntry &entry);
    /*! A Go duration as Consul writes a session's TTL ("15s", "1m30s", "1.5s") in whole seconds; -1 if it is none. */
    static qint64 durationSeconds(const QString &duration);

protected:
    void startRangeWatch(const QString &prefix) override;
    void stopRangeWatch() override;

private:
    void poll(quint64 generation);
    void onPollAnswered(quint64 generation, quint64 sentIndex, const ConsulResult<KvList> &r);
    void abortPoll();

    ConsulClient m_client;
    QString m_prefix;
    quint64 m_generation = 0; ///< bumped by every start and stop: older answers and timers are ignored
    quint64 m_index = 0;
    int m_waitMs = 5 * 60 * 1000;
    QPointer<QNetworkReply> m_poll;
    QElapsedTimer m_roundTimer;
    WatchBackoff m_backoff;
};

} // namespace jobslib
