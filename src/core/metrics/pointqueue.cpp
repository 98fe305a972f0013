// SPDX-License-Identifier: BSD-3-Clause
#include "pointqueue.h"

#include "pointspool.h"
#include "util/logcategories.h"

namespace jobslib {

namespace {

// Points that could not be spooled are written later in pieces of about this size, so that
// catching up with a large backlog needs no second copy of it in memory.
constexpr qint64 SpoolChunk = qint64(1) << 20;

} // namespace

PointQueue::PointQueue(qint64 capacity)
    : m_capacity(qMax<qint64>(0, capacity))
{
}

PointQueue::~PointQueue() = default;

QString PointQueue::openSpool(const QString &spoolPath)
{
    // A second spool would leave the first one's points behind to be delivered twice later.
    if (m_spool)
        return QStringLiteral("metrics spool '%1' is already open").arg(m_spool->path());
    auto spool = std::make_unique<PointSpool>(spoolPath);
    PointSpool::Loaded loaded;
    const QString error = spool->open(m_capacity, &loaded);
    if (!error.isEmpty())
        return error;

    // What an earlier process left is older than anything appended here before: it goes first.
    std::deque<QByteArray> appendedBefore;
    appendedBefore.swap(m_lines);
    m_lines = std::move(loaded.lines);
    m_spooled = qint64(m_lines.size());
    m_bytes += loaded.bytes;
    for (QByteArray &line : appendedBefore)
        m_lines.push_back(std::move(line));
    m_dropped += loaded.dropped;
    m_spool = std::move(spool);
    m_spoolError.clear();
    if (size() > m_capacity)
        dropOldest(size() - m_capacity);
    spoolPending(true);
    noteSpoolState();
    return {};
}

QString PointQueue::spoolPath() const
{
    return m_spool ? m_spool->path() : QString();
}

qint64 PointQueue::append(const QList<QByteArray> &lines)
{
    // Of an append larger than the whole queue only the newest capacity points could stay.
    // Empty lines are no points and are skipped.
    qint64 incoming = 0;
    qsizetype first = lines.size();
    for (qsizetype i = lines.size(); i-- > 0;) {
        if (lines.at(i).isEmpty())
            continue;
        if (incoming++ < m_capacity)
            first = i;
    }
    const qint64 kept = qMin(incoming, m_capacity);
    qint64 dropped = incoming - kept;
    m_dropped += dropped;
    if (kept == 0)
        return dropped;

    const bool caughtUp = m_spooled == size();
    for (qsizetype i = first; i < lines.size(); ++i) {
        QByteArray line = lines.at(i); // shares the caller's data, no copy
        if (line.isEmpty())
            continue;
        if (!line.endsWith('\n')) {
            // The file (and a batch) would glue it to the next point.
            line.append('\n');
        }
        // A line built by appending may carry spare capacity: with 100 000 points buffered that
        // adds up, so keep an exact copy instead (the caller's one is freed after this call).
        if (line.capacity() > line.size() + line.size() / 4 + 16)
            line.squeeze();
        m_bytes += line.size();
        m_lines.push_back(std::move(line));
    }
    if (size() > m_capacity) {
        const qint64 excess = size() - m_capacity;
        dropOldest(excess);
        dropped += excess;
    }
    if (m_spool) {
        spoolPending(caughtUp);
        noteSpoolState();
    }
    return dropped;
}

QList<QByteArray> PointQueue::peek(int maxPoints, qint64 maxBytes) const
{
    QList<QByteArray> batch;
    const qint64 limit = qMin<qint64>(qMax(maxPoints, 1), size());
    batch.reserve(limit);
    qint64 total = 0;
    for (auto it = m_lines.cbegin(); batch.size() < limit; ++it) {
        // The first point goes even if it alone is too large: otherwise it would block the queue.
        if (!batch.isEmpty() && total + it->size() > maxBytes)
            break;
        total += it->size();
        batch.append(*it);
    }
    return batch;
}

void PointQueue::acknowledge(qint64 n)
{
    n = qBound<qint64>(0, n, size());
    if (n == 0)
        return;
    removeFront(n);
    if (m_spool)
        noteSpoolState();
}

void PointQueue::dropOldest(qint64 n)
{
    m_dropped += n;
    removeFront(n);
}

void PointQueue::removeFront(qint64 n)
{
    const qint64 fromSpool = qMin(n, m_spooled);
    qint64 spooledBytes = 0;
    for (qint64 i = 0; i < n; ++i) {
        const qint64 lineSize = m_lines.front().size();
        if (i < fromSpool)
            spooledBytes += lineSize;
        m_bytes -= lineSize;
        m_lines.pop_front();
    }
    if (!m_spool || fromSpool == 0)
        return;
    m_spooled -= fromSpool;
    // One pwrite of the header (or a cut back to it once the file holds nothing undelivered).
    m_spool->consume(spooledBytes);
    if (m_spool->needsCompaction())
        m_spool->rewrite(m_lines, m_spooled);
}

void PointQueue::spoolPending(bool now)
{
    if (m_spooled >= size())
        return;
    // Only after a failure are there older points to write: a full disk would otherwise have
    // every append try to write the whole backlog again. Retrying waits for the spool's retry
    // interval (or runjob's final syncSpool()).
    if (!now && !m_spool->retryDue())
        return;
    if (size() - m_spooled == 1) {
        if (m_spool->append(m_lines.back()))
            m_spooled = size();
        return;
    }
    QByteArray chunk;
    auto it = m_lines.cbegin() + m_spooled;
    while (it != m_lines.cend()) {
        chunk.resize(0);
        qint64 count = 0;
        for (; it != m_lines.cend() && chunk.size() < SpoolChunk; ++it, ++count)
            chunk.append(*it);
        if (!m_spool->append(chunk))
            return;
        m_spooled += count;
    }
}

void PointQueue::noteSpoolState()
{
    const QString error = m_spool->takeError();
    if (!error.isEmpty()) {
        // Logged when the trouble starts, not for every point while a disk stays full.
        if (m_spoolError.isEmpty())
            qCWarning(lcMetrics).noquote() << error << "- the points stay queued in memory (a crash now may lose or repeat some)";
        m_spoolError = error;
        return;
    }
    if (!m_spoolError.isEmpty() && m_spool->isHealthy() && m_spooled == size()) {
        qCInfo(lcMetrics).noquote() << QStringLiteral("Metrics spool '%1' works again").arg(m_spool->path());
        m_spoolError.clear();
    }
}

QString PointQueue::spoolError() const
{
    return m_spoolError;
}

void PointQueue::syncSpool()
{
    if (!m_spool)
        return;
    // The last chance for points a failure kept out of the file.
    spoolPending(true);
    m_spool->sync();
    noteSpoolState();
}

} // namespace jobslib
