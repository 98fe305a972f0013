// SPDX-License-Identifier: BSD-3-Clause
#include "consulkvstore.h"

#include "util/deferred.h"
#include "util/logcategories.h"

#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace jobslib {

namespace {

/*! A blocking query that came back in less than this without a new index counts as spinning. */
constexpr qint64 SpinningRoundMs = 1000;

template<typename T>
Expected<T> failed(const QString &what, const ConsulError &error)
{
    return Expected<T>::failure(what + QStringLiteral(": ") + error.describe());
}

} // namespace

ConsulKvStore::ConsulKvStore(QNetworkAccessManager *network, const ConsulEndpoint &endpoint, QObject *parent)
    : KvStore(parent)
    , m_client(network, endpoint, this)
{
}

ConsulKvStore::~ConsulKvStore()
{
    ++m_generation;
    abortPoll();
}

QString ConsulKvStore::address() const
{
    return m_client.endpoint().baseUrl.toString(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash);
}

KvItem ConsulKvStore::toItem(const KvEntry &entry)
{
    KvItem item;
    item.key = entry.key;
    item.value = entry.value;
    item.holder = entry.session;
    item.lockIndex = entry.lockIndex;
    item.modifyIndex = entry.modifyIndex;
    return item;
}

qint64 ConsulKvStore::durationSeconds(const QString &duration)
{
    // Go's time.Duration.String() as Consul writes TTLs back: "15s", "1m30s", "1h0m0s", "1.5s", "0s".
    static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d*)?)(ns|us|µs|ms|s|m|h)"));
    const QString d = duration.trimmed();
    if (d.isEmpty())
        return -1;
    if (d == QLatin1String("0"))
        return 0;
    double seconds = 0;
    qsizetype at = 0;
    while (at < d.size()) {
        const QRegularExpressionMatch m = part.match(d, at, QRegularExpression::NormalMatch, QRegularExpression::AnchorAtOffsetMatchOption);
        if (!m.hasMatch())
            return -1;
        const double n = m.captured(1).toDouble();
        const QString unit = m.captured(2);
        if (unit == QLatin1String("h"))
            seconds += n * 3600;
        else if (unit == QLatin1String("m"))
            seconds += n * 60;
        else if (unit == QLatin1String("s"))
            seconds += n;
        else if (unit == QLatin1String("ms"))
            seconds += n / 1e3;
        else if (unit == QLatin1String("ns"))
            seconds += n / 1e9;
        else
            seconds += n / 1e6;
        at = m.capturedEnd();
    }
    return qint64(std::llround(seconds));
}

void ConsulKvStore::get(const QString &key, QObject *context, Done<std::optional<KvItem>> done)
{
    m_client.kvGet(key, 0, 0, context ? context : this, [done](const ConsulResult<KvRead> &r) {
        if (!r.ok())
            return done(failed<std::optional<KvItem>>(QStringLiteral("cannot read the key"), r.error));
        done(r.value->entry ? std::optional<KvItem>(toItem(*r.value->entry)) : std::optional<KvItem>());
    });
}

void ConsulKvStore::list(const QString &prefix, QObject *context, Done<QList<KvItem>> done)
{
    m_client.kvList(prefix, 0, 0, context ? context : this, [done](const ConsulResult<KvList> &r) {
        if (!r.ok())
            return done(failed<QList<KvItem>>(QStringLiteral("cannot list the keys"), r.error));
        QList<KvItem> items;
        items.reserve(r.value->entries.size());
        for (const KvEntry &e : r.value->entries)
            items.append(toItem(e));
        std::sort(items.begin(), items.end(), [](const KvItem &a, const KvItem &b) { return a.key < b.key; });
        done(items);
    });
}

void ConsulKvStore::put(const QString &key, const QByteArray &value, QObject *context, Done<bool> done)
{
    m_client.kvPut(key, value, {}, context ? context : this, [done](const ConsulResult<bool> &r) {
        if (!r.ok())
            return done(failed<bool>(QStringLiteral("cannot write the key"), r.error));
        done(*r.value);
    });
}

void ConsulKvStore::create(const QString &key, const QByteArray &value, QObject *context, Done<bool> done)
{
    // cas=0: written only when the key does not exist; Consul answers false otherwise.
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("cas"), QStringLiteral("0"));
    m_client.kvPut(key, value, query, context ? context : this, [done](const ConsulResult<bool> &r) {
        if (!r.ok())
            return done(failed<bool>(QStringLiteral("cannot create the key"), r.error));
        done(*r.value);
    });
}

void ConsulKvStore::remove(const QString &key, QObject *context, Done<bool> done)
{
    m_client.kvDelete(key, context ? context : this, [done](const ConsulResult<bool> &r) {
        if (!r.ok())
            return done(failed<bool>(QStringLiteral("cannot delete the key"), r.error));
        done(*r.value);
    });
}

void ConsulKvStore::holderInfo(const QString &holder, QObject *context, Done<HolderInfo> done)
{
    QObject *target = context ? context : this;
    if (holder.isEmpty()) {
        // No session: nothing to ask Consul (/v1/session/info/ without an id is a 400).
        deferred(target, [done] { done(HolderInfo()); });
        return;
    }
    m_client.sessionInfo(holder, target, [done](const ConsulResult<std::optional<SessionInfo>> &r) {
        if (!r.ok())
            return done(failed<HolderInfo>(QStringLiteral("cannot read the session"), r.error));
        HolderInfo info;
        if (const std::optional<SessionInfo> &s = *r.value) {
            info.exists = true;
            info.ttlS = durationSeconds(s->ttl);
            info.lockDelayS = s->lockDelayNs / 1000000000LL;
            info.node = s->node;
        }
        done(info);
    });
}

void ConsulKvStore::abortPoll()
{
    if (QNetworkReply *reply = m_poll) {
        m_poll = nullptr;
        reply->abort(); // its answer comes at once, of an old generation: ignored
    }
}

void ConsulKvStore::startRangeWatch(const QString &prefix)
{
    const quint64 generation = ++m_generation;
    abortPoll();
    m_prefix = prefix;
    m_index = 0;
    m_backoff.reset();
    poll(generation);
}

void ConsulKvStore::stopRangeWatch()
{
    ++m_generation;
    abortPoll();
}

void ConsulKvStore::poll(quint64 generation)
{
    if (generation != m_generation)
        return;
    const quint64 sentIndex = m_index;
    m_roundTimer.start();
    m_poll = m_client.kvList(m_prefix, sentIndex, m_waitMs, this, [this, generation, sentIndex](const ConsulResult<KvList> &r) {
        onPollAnswered(generation, sentIndex, r);
    });
}

void ConsulKvStore::onPollAnswered(quint64 generation, quint64 sentIndex, const ConsulResult<KvList> &r)
{
    if (generation != m_generation)
        return;
    m_poll = nullptr;
    if (!r.ok()) {
        // Start over without an index: a restarted or restored Consul may be behind the index we
        // had, and a blocking query with it would wait out its whole wait before answering.
        m_index = 0;
        const qint64 delay = m_backoff.nextDelayMs();
        qCDebug(lcConsul).noquote() << "kv watch of" << m_prefix << "failed:" << r.error.describe() << "- again in" << delay << "ms";
        deliverFailure(r.error.describe());
        QTimer::singleShot(delay, this, [this, generation] { poll(generation); });
        return;
    }
    m_backoff.reset();
    // Consul's rules for blocking queries: an index that went backwards starts over (0: an
    // immediate answer), an index of 0 is a bug of the server and counts as 1.
    quint64 index = r.value->index;
    if (index == 0)
        index = 1;
    const bool unchanged = index == sentIndex;
    if (index < sentIndex)
        index = 0;
    m_index = index;
    QList<KvItem> items;
    items.reserve(r.value->entries.size());
    for (const KvEntry &e : r.value->entries)
        items.append(toItem(e));
    const QPointer<ConsulKvStore> self(this);
    deliverSnapshot(items); // the base class reports only what changed
    if (!self || generation != m_generation)
        return;
    // A query that came back at once without anything new (the wait cut short, a server that
    // keeps waking up) is not repeated at once: Consul's advice is to degrade to polling.
    if (sentIndex > 0 && unchanged && m_roundTimer.elapsed() < SpinningRoundMs) {
        QTimer::singleShot(SpinningRoundMs, this, [this, generation] { poll(generation); });
        return;
    }
    poll(generation);
}

} // namespace jobslib
