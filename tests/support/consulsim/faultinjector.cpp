// SPDX-License-Identifier: BSD-3-Clause
#include "faultinjector.h"

#include "httpexchange.h"

namespace jobslib::consulsim {

namespace {

// The log is for tests; a standalone simulator running for days must not grow without bound.
constexpr int MaxLogEntries = 100000;

} // namespace

FaultInjector::FaultInjector(QObject *parent)
    : QObject(parent)
{
    m_clock.start();
}

void FaultInjector::failNext(int count, int status, const QByteArray &body, const QString &pathPrefix, const QByteArray &method)
{
    if (count <= 0)
        return;
    m_failures.append({count, status, body, pathPrefix, method});
}

void FaultInjector::setDelay(int ms, const QString &pathPrefix, DelayPoint point)
{
    m_delayMs = std::max(0, ms);
    m_delayPrefix = pathPrefix;
    m_delayPoint = point;
}

void FaultInjector::setBlackhole(bool on, const QString &pathPrefix)
{
    m_blackhole = on;
    m_blackholePrefix = on ? pathPrefix : QString();
}

int FaultInjector::pendingFailures() const
{
    int n = 0;
    for (const FailRule &r : m_failures)
        n += r.remaining;
    return n;
}

void FaultInjector::clear()
{
    m_failures.clear();
    m_delayMs = 0;
    m_delayPrefix.clear();
    m_blackhole = false;
    m_blackholePrefix.clear();
}

FaultInjector::Decision FaultInjector::decide(const HttpRequest &request)
{
    Decision d;
    if (m_blackhole && request.path.startsWith(m_blackholePrefix)) {
        d.blackhole = true;
        return d;
    }
    for (int i = 0; i < m_failures.size(); ++i) {
        FailRule &r = m_failures[i];
        if (!request.path.startsWith(r.pathPrefix) || (!r.method.isEmpty() && r.method != request.method))
            continue;
        if (r.status == 0) {
            d.drop = true;
        } else {
            d.failure = HttpResponse::text(r.status, QString::fromUtf8(r.body));
        }
        if (--r.remaining <= 0)
            m_failures.removeAt(i);
        break;
    }
    if (m_delayMs > 0 && request.path.startsWith(m_delayPrefix)) {
        if (m_delayPoint == DelayPoint::BeforeHandling)
            d.delayBeforeMs = m_delayMs;
        else
            d.delayAfterMs = m_delayMs;
    }
    return d;
}

void FaultInjector::log(HttpExchange *exchange, const QString &fault)
{
    const HttpRequest &r = exchange->request();
    LoggedRequest entry;
    entry.sequence = exchange->sequence();
    entry.atMs = m_clock.elapsed();
    entry.method = QString::fromLatin1(r.method);
    entry.path = r.path;
    entry.rawQuery = r.rawQuery;
    entry.query = r.query;
    entry.headers = r.headers;
    entry.body = r.body;
    entry.fault = fault;
    if (m_log.size() >= MaxLogEntries)
        m_log.removeFirst();
    m_log.append(entry);
    const quint64 sequence = entry.sequence;
    const auto setStatus = [this, sequence](int status) {
        // Search from the end: the entry is almost always among the last ones.
        for (int i = int(m_log.size()) - 1; i >= 0; --i) {
            if (m_log.at(i).sequence == sequence) {
                m_log[i].status = status;
                Q_EMIT requestFinished(m_log.at(i));
                return;
            }
        }
    };
    connect(exchange, &HttpExchange::responded, this, [setStatus](const HttpResponse &response) { setStatus(response.status); });
    connect(exchange, &HttpExchange::dropRequested, this, [setStatus] { setStatus(-1); });
}

} // namespace jobslib::consulsim
