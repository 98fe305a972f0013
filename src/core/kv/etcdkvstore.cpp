// SPDX-License-Identifier: BSD-3-Clause
#include "etcdkvstore.h"

#include "util/deferred.h"
#include "util/logcategories.h"

#include <QTimer>

namespace jobslib {

namespace {

template<typename T>
Expected<T> failed(const QString &what, const EtcdError &error)
{
    return Expected<T>::failure(what + QStringLiteral(": ") + error.describe());
}

} // namespace

EtcdKvStore::EtcdKvStore(QNetworkAccessManager *network, const EtcdEndpoint &endpoint, QObject *parent)
    : KvStore(parent)
    , m_client(network, endpoint, this)
{
}

EtcdKvStore::~EtcdKvStore()
{
    ++m_generation;
    dropWatch();
}

QString EtcdKvStore::address() const
{
    return m_client.currentEndpoint().toString(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash);
}

KvItem EtcdKvStore::toItem(const EtcdKv &kv)
{
    KvItem item;
    item.key = QString::fromUtf8(kv.key);
    item.value = kv.value;
    item.holder = kv.lease != 0 ? QString::number(kv.lease) : QString();
    item.lockIndex = quint64(kv.createRevision);
    item.modifyIndex = quint64(kv.modRevision);
    return item;
}

void EtcdKvStore::get(const QString &key, QObject *context, Done<std::optional<KvItem>> done)
{
    m_client.get(key.toUtf8(), context ? context : this, [done](const EtcdResult<EtcdRead> &r) {
        if (!r.ok())
            return done(failed<std::optional<KvItem>>(QStringLiteral("cannot read the key"), r.error));
        done(r.value->kv ? std::optional<KvItem>(toItem(*r.value->kv)) : std::optional<KvItem>());
    });
}

void EtcdKvStore::list(const QString &prefix, QObject *context, Done<QList<KvItem>> done)
{
    m_client.list(prefix.toUtf8(), context ? context : this, [done](const EtcdResult<QList<EtcdKv>> &r) {
        if (!r.ok())
            return done(failed<QList<KvItem>>(QStringLiteral("cannot list the keys"), r.error));
        QList<KvItem> items;
        items.reserve(r.value->size());
        for (const EtcdKv &kv : *r.value)
            items.append(toItem(kv));
        std::sort(items.begin(), items.end(), [](const KvItem &a, const KvItem &b) { return a.key < b.key; });
        done(items);
    });
}

void EtcdKvStore::put(const QString &key, const QByteArray &value, QObject *context, Done<bool> done)
{
    m_client.put(key.toUtf8(), value, 0, context ? context : this, [done](const EtcdResult<qint64> &r) {
        if (!r.ok())
            return done(failed<bool>(QStringLiteral("cannot write the key"), r.error));
        done(true);
    });
}

void EtcdKvStore::create(const QString &key, const QByteArray &value, QObject *context, Done<bool> done)
{
    m_client.createIfAbsent(key.toUtf8(), value, 0, context ? context : this, [done](const EtcdResult<EtcdCreate> &r) {
        if (!r.ok())
            return done(failed<bool>(QStringLiteral("cannot create the key"), r.error));
        done(r.value->created);
    });
}

void EtcdKvStore::remove(const QString &key, QObject *context, Done<bool> done)
{
    m_client.remove(key.toUtf8(), context ? context : this, [done](const EtcdResult<qint64> &r) {
        if (!r.ok())
            return done(failed<bool>(QStringLiteral("cannot delete the key"), r.error));
        done(true); // 0 deleted: it did not exist, which is what was asked for
    });
}

void EtcdKvStore::holderInfo(const QString &holder, QObject *context, Done<HolderInfo> done)
{
    QObject *target = context ? context : this;
    if (holder.isEmpty()) {
        deferred(target, [done] { done(HolderInfo()); });
        return;
    }
    bool ok = false;
    const qint64 lease = holder.toLongLong(&ok);
    if (!ok || lease == 0) {
        deferred(target, [done, holder] {
            done(Expected<HolderInfo>::failure(QStringLiteral("'%1' is no etcd lease id (a decimal number)").arg(holder)));
        });
        return;
    }
    m_client.leaseTimeToLive(lease, target, [done](const EtcdResult<EtcdLeaseTtl> &r) {
        if (!r.ok())
            return done(failed<HolderInfo>(QStringLiteral("cannot read the lease"), r.error));
        HolderInfo info;
        info.exists = r.value->exists();
        if (info.exists) {
            info.ttlS = r.value->grantedTtlS;
            info.remainingS = r.value->ttlS;
        }
        done(info);
    });
}

void EtcdKvStore::dropWatch()
{
    // Often called from one of the watch's own signals: delete it later, deaf from now on.
    if (EtcdWatch *w = m_watch.data()) {
        m_watch = nullptr;
        w->disconnect(this);
        w->deleteLater();
    }
}

void EtcdKvStore::startRangeWatch(const QString &prefix)
{
    const quint64 generation = ++m_generation;
    dropWatch();
    m_prefix = prefix.toUtf8();
    m_content.clear();
    m_backoff.reset();
    relist(generation);
}

void EtcdKvStore::stopRangeWatch()
{
    ++m_generation;
    dropWatch();
    m_content.clear();
}

void EtcdKvStore::relist(quint64 generation)
{
    if (generation != m_generation)
        return;
    m_client.listWithRevision(m_prefix, this, [this, generation](const EtcdResult<EtcdList> &r) {
        if (generation != m_generation)
            return;
        if (!r.ok())
            return retryLater(generation, r.error.describe());
        m_content.clear();
        for (const EtcdKv &kv : r.value->kvs)
            m_content.insert(kv.key, kv);
        // From the revision after the listing: every later change arrives as an event.
        EtcdWatch *w = m_client.watchPrefix(m_prefix, r.value->revision + 1, this);
        m_watch = w;
        connect(w, &EtcdWatch::created, this, [this, generation] {
            if (generation == m_generation)
                m_backoff.reset();
        });
        connect(w, &EtcdWatch::events, this, [this, generation](const QList<EtcdWatchEvent> &events) { onEvents(generation, events); });
        connect(w, &EtcdWatch::failed, this, [this, generation](const EtcdError &error) { onWatchFailed(generation, error); });
        deliverContent();
    });
}

void EtcdKvStore::onEvents(quint64 generation, const QList<EtcdWatchEvent> &events)
{
    if (generation != m_generation)
        return;
    for (const EtcdWatchEvent &e : events) {
        if (e.type == EtcdWatchEvent::Type::Delete)
            m_content.remove(e.kv.key);
        else
            m_content.insert(e.kv.key, e.kv);
    }
    deliverContent();
}

void EtcdKvStore::onWatchFailed(quint64 generation, const EtcdError &error)
{
    if (generation != m_generation)
        return;
    dropWatch();
    retryLater(generation, error.describe());
}

void EtcdKvStore::retryLater(quint64 generation, const QString &error)
{
    const qint64 delay = m_backoff.nextDelayMs();
    qCDebug(lcEtcd).noquote() << "kv watch of" << QString::fromUtf8(m_prefix) << "failed:" << error << "- again in" << delay << "ms";
    deliverFailure(error);
    QTimer::singleShot(delay, this, [this, generation] { relist(generation); });
}

void EtcdKvStore::deliverContent()
{
    QList<KvItem> items;
    items.reserve(m_content.size());
    for (const EtcdKv &kv : std::as_const(m_content))
        items.append(toItem(kv));
    deliverSnapshot(items);
}

} // namespace jobslib
