// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <deque>

namespace jobslib {

/*!
 * The file behind a spooled PointQueue (internal; exported for the tests).
 *
 * Format: a fixed header of HeaderSize bytes, then the points' lines, each ending in '\n':
 *
 *     JOBSLIB-SPOOL 1 00000000000000000037\n
 *     measurement,tag=a value=1.0 1700000000000000000\n
 *     ...
 *
 * The header's number is the head: the byte offset of the oldest line not yet delivered (or
 * dropped). Everything before it is dead, everything from it to the end is the queue. Appending
 * is one write at the end, delivering is one pwrite of the 37-byte header (inside one sector, so
 * it is never half done), so a process killed at any moment leaves a file that says exactly what
 * was still queued, at most with a torn last line, which open() cuts off.
 *
 * Neither appends nor head moves are synced: they survive a crash of the process (the page cache
 * has them), not a crash of the machine; sync() (called by runjob before it exits) makes them
 * durable. After a power loss the file may thus hold fewer lines than the head says (treated as
 * empty) or lines the head already passed (delivered twice; InfluxDB overwrites a point with
 * the same series and timestamp, so a repeat changes nothing).
 *
 * The file is truncated back to the header when the queue in it becomes empty, and rewritten
 * (<path>.tmp, synced, renamed over the file) when the dead front exceeds both compactThreshold()
 * (4 MiB) and half the file: the file never grows beyond about twice its live part, and each
 * rewrite copies at most as much as was delivered since the last one.
 *
 * A write lock (OFD, see fcntl(2)) on the file keeps a second process (or a second PointSpool in
 * the same process) out.
 *
 * Failures never throw: an operation that fails returns false, remembers its error for
 * takeError() and leaves the file in a state that open() reads correctly (a failed append is cut
 * off again; if even that fails, the next append cuts it first).
 */
class JOBSLIB_EXPORT PointSpool
{
public:
    /*! "JOBSLIB-SPOOL 1 " + 20 digits + '\n'. */
    static constexpr qint64 HeaderSize = 37;
    static constexpr qint64 DefaultCompactThreshold = qint64(4) << 20;
    static constexpr std::chrono::milliseconds DefaultRetryInterval{10000};

    explicit PointSpool(const QString &path);
    ~PointSpool();
    PointSpool(const PointSpool &) = delete;
    PointSpool &operator=(const PointSpool &) = delete;

    /*! What open() found in the file. */
    struct Loaded
    {
        std::deque<QByteArray> lines; ///< the undelivered points, oldest first, at most capacity
        qint64 bytes = 0;             ///< their total size
        qint64 dropped = 0;           ///< older points beyond capacity, now behind the head
    };

    /*!
     * Creates (directory 0700, file 0600) or opens and locks the file and loads what it holds.
     * A file that is not a spool (or of an unknown version) is renamed to
     * <path>.corrupt-<epoch seconds> and a new one started (logged as a warning). Returns "" or
     * the error (then the spool is closed): "metrics spool '<path>' is in use by another process"
     * when somebody else holds the lock.
     */
    QString open(qint64 capacity, Loaded *loaded);
    bool isOpen() const { return m_fd >= 0; }
    QString path() const { return m_path; }

    /*! Byte offsets of the head and of the end (the file's size, as far as we wrote it). */
    qint64 head() const { return m_head; }
    qint64 end() const { return m_end; }

    /*! Appends whole lines with one write. On failure the file stays as it was. */
    bool append(const QByteArray &data);
    /*! The oldest `bytes` bytes of lines were delivered or dropped: moves the head past them. */
    bool consume(qint64 bytes);
    /*! Whether the dead front is worth a rewrite (see the class doc), and failures allow trying. */
    bool needsCompaction() const;
    /*!
     * Replaces the file with one holding the first `count` of lines, which must be the file's
     * live part (the queue's spooled points), and goes on with that file.
     */
    bool rewrite(const std::deque<QByteArray> &lines, qint64 count);
    /*! fdatasync(). */
    bool sync();

    /*! The error of the last failure since the last call, "" if none; clears it. */
    QString takeError();
    /*! No operation is failing (each kind counts as failing until it succeeds again). */
    bool isHealthy() const { return m_failing == 0; }
    /*! Whether enough time passed since the last failure to try something expensive again. */
    bool retryDue() const;

    qint64 compactThreshold() const { return m_compactThreshold; }
    /*! For tests: a small threshold makes rewrites happen with little data. */
    void setCompactThreshold(qint64 bytes) { m_compactThreshold = bytes; }
    /*! For tests: 0 retries failed appends and rewrites at once. */
    void setRetryInterval(std::chrono::milliseconds interval) { m_retryInterval = interval; }

private:
    enum Failing : unsigned {
        AppendFailing = 1,
        StaleHead = 2, ///< the head on disk may be wrong: rewritten before anything is appended
        StaleTail = 4, ///< bytes beyond m_end may be on disk: cut before anything is appended
        TruncateFailing = 8,
        RewriteFailing = 16,
        SyncFailing = 32,
    };

    QString openOnce(qint64 capacity, Loaded *loaded, bool *again);
    QString load(qint64 capacity, qint64 fileSize, Loaded *loaded, QString *corrupt);
    void close();
    bool writeHeader(qint64 head);
    bool resetToHeader();
    bool cleanUp();
    void succeeded(Failing what) { m_failing &= ~unsigned(what); }
    bool failed(Failing what, const QString &action, int err);

    QString m_path;
    int m_fd = -1;
    qint64 m_head = HeaderSize;
    qint64 m_end = HeaderSize;
    unsigned m_failing = 0;
    QString m_error;
    std::chrono::steady_clock::time_point m_lastFailure{};
    qint64 m_compactThreshold = DefaultCompactThreshold;
    std::chrono::milliseconds m_retryInterval = DefaultRetryInterval;
};

} // namespace jobslib
