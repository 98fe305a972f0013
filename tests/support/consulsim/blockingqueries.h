// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "httpmessage.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>

class QTimer;

namespace jobslib::consulsim {

class HttpExchange;
class StateStore;
struct StoreChange;

/*! What a blocking query reads, so that only writes to it make it run again. */
struct Watch
{
    enum class Kind { KvKey, KvPrefix, Session, Sessions, Health };
    Kind kind = Kind::KvKey;
    QString name;
};

/*! A query's answer and the index it reports. */
struct QueryResult
{
    quint64 index = 0;
    HttpResponse response;
    /*! An error is answered at once, whatever the index. */
    bool error = false;
};

/*!
 * Blocking queries (agent/blockingquery/blockingquery.go): with ?index=N the query runs, and
 * if its index is not above N it waits until a write to what it reads, then runs again, until
 * the index moves past N or the wait (default 5 min, at most 10 min, plus up to 1/16 of jitter)
 * is over; then the current result goes out, changed or not.
 */
class BlockingQueries : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        qint64 defaultWaitMs = 5 * 60 * 1000;
        qint64 maxWaitMs = 10 * 60 * 1000;
    };
    using Query = std::function<QueryResult()>;

    BlockingQueries(StateStore *store, const Options &options, QObject *parent = nullptr);
    ~BlockingQueries() override;

    /*!
     * Answers exchange with query(): at once when minIndex is 0 or the result's index is above it,
     * otherwise when a change under watch lifts it above, or at the timeout. waitNs <= 0 means the
     * default wait.
     */
    void run(HttpExchange *exchange, const Watch &watch, quint64 minIndex, qint64 waitNs, Query query);
    /*! The timeout a query with this ?wait gets: clamped, defaulted, plus jitter in [0, t/16). */
    qint64 timeoutMs(qint64 waitNs) const;
    int parkedCount() const { return int(m_waiters.size()); }
    const Options &options() const { return m_options; }
    void setOptions(const Options &options) { m_options = options; }
    /*! Answers every parked query now with its current result (used when the simulator stops). */
    void flush();

private:
    struct Waiter
    {
        QPointer<HttpExchange> exchange;
        Watch watch;
        quint64 minIndex = 0;
        Query query;
        QTimer *timer = nullptr;
        QMetaObject::Connection hangUp;
    };

    void onChanged(const StoreChange &change);
    bool concerns(const Watch &watch, const StoreChange &change) const;
    void finish(quint64 id, bool timedOut);
    void remove(quint64 id);

    Options m_options;
    QHash<quint64, Waiter> m_waiters;
    quint64 m_nextId = 0;
};

} // namespace jobslib::consulsim
