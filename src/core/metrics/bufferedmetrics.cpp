// SPDX-License-Identifier: BSD-3-Clause
#include "bufferedmetrics.h"

#include "app/context.h"
#include "lineprotocol.h"
#include "util/clock.h"
#include "util/logcategories.h"

#include <QRandomGenerator>

#include <cmath>

namespace jobslib {

static QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 1);
}

BufferedMetricsBackend::BufferedMetricsBackend(Context &context, const Settings &settings, QObject *parent)
    : MetricsBackend(context, parent)
    , m_settings(settings)
    , m_queue(settings.capacity)
    , m_batchLimit(qMax(1, settings.batchSize))
{
    if (!settings.spoolPath.isEmpty()) {
        const QString error = m_queue.openSpool(settings.spoolPath);
        if (!error.isEmpty())
            qCWarning(lcMetrics).noquote() << QStringLiteral("%1; metrics are buffered in memory only").arg(error);
        else if (!m_queue.isEmpty())
            qCInfo(lcMetrics).noquote() << QStringLiteral("%1 metrics points left undelivered by an earlier run loaded from %2")
                                               .arg(m_queue.size())
                                               .arg(settings.spoolPath);
        noteDropped(m_queue.droppedTotal());
    }
    if (!m_queue.isEmpty())
        scheduleSend(0);
}

BufferedMetricsBackend::~BufferedMetricsBackend()
{
    if (m_timer)
        context().clock().cancel(m_timer);
    if (m_queue.isEmpty())
        return;
    if (m_queue.isSpooled()) {
        m_queue.syncSpool();
        qCInfo(lcMetrics).noquote() << QStringLiteral("%1 metrics points kept in %2 for the next start").arg(m_queue.size()).arg(m_queue.spoolPath());
    } else {
        qCWarning(lcMetrics).noquote() << QStringLiteral("%1 metrics points were not delivered and are lost (a spool file would keep them "
                                                         "across restarts)")
                                              .arg(m_queue.size());
    }
}

qint64 BufferedMetricsBackend::backoffMs(const Settings &settings, int failures)
{
    if (failures <= 0)
        return 0;
    const qint64 base = qMax<qint64>(1, settings.retryBaseMs);
    const int shift = qMin(failures - 1, 30);
    return qMin(settings.retryMaxMs, base << shift);
}

void BufferedMetricsBackend::push(const QList<MetricPoint> &points)
{
    QList<QByteArray> lines;
    lines.reserve(points.size());
    for (const MetricPoint &p : points) {
        // InfluxDB cannot store NaN or infinities: one such line would fail its whole request.
        if (!std::isfinite(p.value)) {
            if (m_notFinite++ == 0)
                qCWarning(lcMetrics).noquote() << QStringLiteral("Metric %1 has the value %2, which InfluxDB cannot store: not sent (logged once)")
                                                      .arg(p.measurement, QString::fromLatin1(pythonFloatRepr(p.value)));
            ++m_stats.rejected;
            continue;
        }
        lines << toLineProtocol({p});
    }
    if (lines.isEmpty())
        return;
    noteDropped(m_queue.append(lines));
    // After the append: with a spool, a point logged here survives kill -9, so the log is a
    // complete list of what this instance owes the server (bench/soak.py checks it).
    // (A few lines per iteration; the level filter is runjob's message handler.)
    for (const QByteArray &line : std::as_const(lines))
        qCDebug(lcMetricsPoints).noquote() << "Queued" << QString::fromUtf8(line.trimmed());
    if (!m_inFlight && !m_timer)
        scheduleSend(0); // on the next turn, so the points of one iteration share a request
}

void BufferedMetricsBackend::noteDropped(qint64 dropped)
{
    if (dropped <= 0 || m_dropLogged)
        return;
    m_dropLogged = true;
    qCWarning(lcMetrics).noquote() << QStringLiteral("Metrics buffer is full (%1 points): the oldest points are dropped until %2 accepts "
                                                     "points again (logged once; see jobslib_metrics_dropped_points_total)")
                                          .arg(m_queue.capacity())
                                          .arg(destination());
}

void BufferedMetricsBackend::scheduleSend(qint64 delayMs)
{
    if (m_timer)
        return;
    m_timer = context().clock().callAfter(delayMs, this, [this] {
        m_timer = 0;
        sendNext();
    });
}

void BufferedMetricsBackend::sendNext()
{
    if (m_inFlight)
        return;
    if (m_queue.isEmpty()) {
        finishFlushIfDone();
        return;
    }
    const QList<QByteArray> batch = m_queue.peek(m_batchLimit, m_settings.maxBatchBytes);
    QByteArray body;
    qint64 size = 0;
    for (const QByteArray &line : batch)
        size += line.size();
    body.reserve(size);
    for (const QByteArray &line : batch)
        body += line;
    m_inFlight = true;
    const int n = int(batch.size());
    const qint64 removedBefore = removedTotal();
    send(body, n, [this, n, removedBefore](const SendResult &result) { onSent(n, removedBefore, result); });
}

void BufferedMetricsBackend::onSent(int points, qint64 removedBefore, const SendResult &result)
{
    m_inFlight = false;
    // The bound may have dropped some of the batch's points from the queue while it was in flight.
    const qint64 stillQueued = qMax<qint64>(0, points - (removedTotal() - removedBefore));
    const auto remove = [this, stillQueued] {
        m_queue.acknowledge(stillQueued);
        m_acknowledged += stillQueued;
    };
    using O = SendResult::Outcome;
    switch (result.outcome) {
    case O::Delivered: {
        if (!m_stats.healthy) {
            const qint64 dropped = m_queue.droppedTotal() - m_droppedAtLastSuccess;
            qCInfo(lcMetrics).noquote() << QStringLiteral("%1 accepts metrics again after %2 failed attempts; catching up with %3 buffered points%4")
                                               .arg(destination())
                                               .arg(m_failuresInRow)
                                               .arg(m_queue.size())
                                               .arg(dropped ? QStringLiteral(" (%1 points were dropped while the buffer was full)").arg(dropped)
                                                            : QString());
        }
        remove();
        m_stats.delivered += points;
        m_droppedAtLastSuccess = m_queue.droppedTotal();
        m_dropLogged = false;
        m_failuresInRow = 0;
        m_stats.healthy = true;
        m_stats.lastError.clear();
        m_lastRejection.clear();
        sendNext();
        return;
    }
    case O::Rejected:
        // Retrying cannot help (malformed line, field type conflict): drop them, say why.
        remove();
        m_stats.rejected += points;
        if (result.error != m_lastRejection) {
            m_lastRejection = result.error;
            qCWarning(lcMetrics).noquote() << QStringLiteral("%1 refused %2 metrics points for good: %3").arg(destination()).arg(points).arg(result.error);
        }
        sendNext();
        return;
    case O::TooLarge:
        if (points > 1) {
            m_batchLimit = qMax(1, points / 2);
            qCInfo(lcMetrics).noquote() << QStringLiteral("%1 found a request too large; sending at most %2 points per request")
                                               .arg(destination())
                                               .arg(m_batchLimit);
            sendNext();
            return;
        }
        onFailure(result); // a single point too large: nothing smaller to try; keep retrying
        return;
    case O::Retry:
        onFailure(result);
        return;
    }
}

void BufferedMetricsBackend::onFailure(const SendResult &result)
{
    ++m_stats.failures;
    ++m_failuresInRow;
    const bool firstOrChanged = m_stats.healthy || result.error != m_stats.lastError;
    m_stats.healthy = false;
    m_stats.lastError = result.error;
    qint64 wait = backoffMs(m_settings, m_failuresInRow);
    // Full-range jitter in [wait/2, wait]: instances that lost the same server do not come back in step.
    wait = wait / 2 + qint64(QRandomGenerator::global()->bounded(double(wait / 2 + 1)));
    if (firstOrChanged) {
        // Python's message, so that existing alerts on it keep working; the rest is new.
        const QString line = QStringLiteral("Push monitoring metrics into InfluxDb failed: %1: %2%3; %4 points buffered, retrying in %5 s")
                                 .arg(destination(), result.error, result.hint.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(result.hint))
                                 .arg(m_queue.size())
                                 .arg(seconds(wait));
        if (result.serious)
            qCCritical(lcMetrics).noquote() << line;
        else
            qCWarning(lcMetrics).noquote() << line;
    } else {
        qCDebug(lcMetrics).noquote() << "Metrics delivery failed again:" << result.error << "- retrying in" << seconds(wait) << "s";
    }
    if (m_flushing && (m_queue.isSpooled() || result.serious)) {
        // Exiting: the points are safe in the spool, or a retry cannot help before the exit
        // (credentials, missing database): do not hold the exit up for the server.
        m_queue.syncSpool();
        m_flushing = false;
        Q_EMIT flushed();
        return;
    }
    scheduleSend(wait);
}

void BufferedMetricsBackend::flush()
{
    if (m_queue.isEmpty() && !m_inFlight) {
        MetricsBackend::flush();
        return;
    }
    m_flushing = true;
    if (m_timer) {
        context().clock().cancel(m_timer);
        m_timer = 0;
    }
    sendNext();
}

void BufferedMetricsBackend::finishFlushIfDone()
{
    if (!m_flushing || !m_queue.isEmpty() || m_inFlight)
        return;
    m_flushing = false;
    Q_EMIT flushed();
}

MetricsDelivery BufferedMetricsBackend::delivery() const
{
    MetricsDelivery d = m_stats;
    d.buffered = m_queue.size();
    d.dropped = m_queue.droppedTotal();
    if (d.lastError.isEmpty() && !m_queue.spoolError().isEmpty())
        d.lastError = m_queue.spoolError();
    return d;
}

} // namespace jobslib
