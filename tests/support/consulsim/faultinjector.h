// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "httpmessage.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>

#include <optional>

namespace jobslib::consulsim {

class HttpExchange;

/*! One request as the simulator received it, for tests that assert exact request sequences. */
struct LoggedRequest
{
    quint64 sequence = 0;
    /*! Milliseconds since the simulator started. */
    qint64 atMs = 0;
    QString method;
    /*! Percent-decoded path. */
    QString path;
    QByteArray rawQuery;
    QueryList query;
    HeaderList headers;
    QByteArray body;
    /*! The status answered; 0 while unanswered, -1 when the connection was dropped instead. */
    int status = 0;
    /*! "", "fail", "drop", "blackhole", "delay": what the fault injector did. */
    QString fault;
};

/*!
 * Faults for tests, applied to every request except the control API's: the next N requests
 * (optionally only those under a path prefix and of one method) fail with a given status and
 * body or have their connection dropped; responses are delayed (before the request is handled,
 * or after, so that a write takes effect but its answer comes late); requests are read but never
 * answered (blackhole). Also keeps the request log.
 */
class FaultInjector : public QObject
{
    Q_OBJECT
public:
    enum class DelayPoint { BeforeHandling, AfterHandling };

    struct Decision
    {
        bool blackhole = false;
        bool drop = false;
        std::optional<HttpResponse> failure;
        int delayBeforeMs = 0;
        int delayAfterMs = 0;
    };

    explicit FaultInjector(QObject *parent = nullptr);

    /*! Fails the next count matching requests with status and body; status 0 drops the connection. */
    void failNext(int count, int status, const QByteArray &body, const QString &pathPrefix = {}, const QByteArray &method = {});
    /*! Delays matching requests by ms (0 turns it off). */
    void setDelay(int ms, const QString &pathPrefix = {}, DelayPoint point = DelayPoint::BeforeHandling);
    /*! Reads matching requests and never answers them. */
    void setBlackhole(bool on, const QString &pathPrefix = {});
    bool blackhole() const { return m_blackhole; }
    int delayMs() const { return m_delayMs; }
    int pendingFailures() const;
    /*! Removes every fault (not the log). */
    void clear();

    /*! What to do with a request (consumes one failure when it matches). */
    Decision decide(const HttpRequest &request);

    /*! Records the request and follows its exchange to note the status. */
    void log(HttpExchange *exchange, const QString &fault);
    QList<LoggedRequest> requestLog() const { return m_log; }
    void clearLog() { m_log.clear(); }
    /*! Elapsed time of the simulator's clock. */
    qint64 elapsedMs() const { return m_clock.elapsed(); }

Q_SIGNALS:
    /*! A logged request got its answer (or was dropped). */
    void requestFinished(const jobslib::consulsim::LoggedRequest &entry);

private:
    struct FailRule
    {
        int remaining = 0;
        int status = 500;
        QByteArray body;
        QString pathPrefix;
        QByteArray method;
    };

    QList<FailRule> m_failures;
    int m_delayMs = 0;
    QString m_delayPrefix;
    DelayPoint m_delayPoint = DelayPoint::BeforeHandling;
    bool m_blackhole = false;
    QString m_blackholePrefix;
    QList<LoggedRequest> m_log;
    QElapsedTimer m_clock;
};

} // namespace jobslib::consulsim
