// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "kv/kvstore.h"

#include <QHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTest>
#include <QUrl>

#include <memory>
#include <optional>

namespace jobslib::test {

/*!
 * A QNetworkAccessManager that counts the requests by URL path as the client makes them (also
 * those aborted before they were sent): how many long polls, watch streams, listings a store opened.
 */
class CountingNetwork : public QNetworkAccessManager
{
public:
    int count(const QString &path) const { return m_counts.value(path); }
    /*! Every request's URL, in the order they were made: the query tells a Consul listing from a blocking round. */
    const QList<QUrl> &urls() const { return m_urls; }

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *outgoingData) override
    {
        ++m_counts[request.url().path()];
        m_urls.append(request.url());
        return QNetworkAccessManager::createRequest(op, request, outgoingData);
    }

private:
    QHash<QString, int> m_counts;
    QList<QUrl> m_urls;
};

/*!
 * The KvStore calls of a test, synchronously: runs call(context, callback) and waits (event loop
 * running) for the callback. Each callback's run count is kept, so that a test can check at its
 * end that every callback ran exactly once (allCalledOnce()).
 */
class KvAwait
{
public:
    explicit KvAwait(QObject *context) : m_context(context) {}

    template<typename T, typename Call>
    Expected<T> await(Call &&call, int timeoutMs = 10000)
    {
        auto result = std::make_shared<std::optional<Expected<T>>>();
        auto calls = std::make_shared<int>(0);
        m_counts.append(calls);
        call(m_context, [result, calls](const Expected<T> &r) {
            result->emplace(r);
            ++*calls;
        });
        if (!QTest::qWaitFor([&] { return result->has_value(); }, timeoutMs))
            return Expected<T>::failure(QStringLiteral("test: no callback within %1 ms").arg(timeoutMs));
        return **result;
    }

    bool put(KvStore &s, const QString &key, const QByteArray &value)
    {
        const auto r = await<bool>([&](QObject *ctx, auto done) { s.put(key, value, ctx, done); });
        return r.ok() && *r;
    }

    std::optional<KvItem> get(KvStore &s, const QString &key)
    {
        const auto r = await<std::optional<KvItem>>([&](QObject *ctx, auto done) { s.get(key, ctx, done); });
        return r.ok() ? *r : std::nullopt;
    }

    /*! Every callback so far ran exactly once (none twice, none still missing). */
    bool allCalledOnce() const
    {
        for (const auto &c : m_counts)
            if (*c != 1)
                return false;
        return true;
    }
    void clear() { m_counts.clear(); }

private:
    QObject *m_context;
    QList<std::shared_ptr<int>> m_counts;
};

} // namespace jobslib::test
