// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <deque>
#include <memory>

namespace jobslib {

class PointSpool;

/*!
 * The points a network metrics backend has not delivered yet, oldest first, each one encoded
 * line (InfluxDB line protocol, ending in '\n'). Bounded: when appending would exceed capacity,
 * the oldest points are dropped and counted. Optionally mirrored in a spool file so that points
 * survive a restart of runjob: open() loads what an earlier process left undelivered.
 *
 * The sender takes a batch with peek() and, once the server accepted it, removes it with
 * acknowledge(). A point is thus removed only after it was delivered (or dropped by the bound).
 */
class JOBSLIB_EXPORT PointQueue
{
public:
    explicit PointQueue(qint64 capacity);
    ~PointQueue();
    PointQueue(const PointQueue &) = delete;
    PointQueue &operator=(const PointQueue &) = delete;

    /*!
     * Mirrors the queue in spoolPath (created if missing, with its directory) and loads the
     * points an earlier process left there (oldest dropped beyond capacity). The file is locked
     * (OFD lock): a second process that opens the same spool gets an error and should go on
     * without one. Returns "" or an error for the operator (the queue then stays memory-only).
     */
    QString openSpool(const QString &spoolPath);
    bool isSpooled() const { return m_spool != nullptr; }
    QString spoolPath() const;

    /*! Appends encoded lines (each ends in '\n'); returns how many old points this dropped. */
    qint64 append(const QList<QByteArray> &lines);
    /*! Up to maxPoints oldest points whose total size stays within maxBytes (at least one point). */
    QList<QByteArray> peek(int maxPoints, qint64 maxBytes) const;
    /*! Removes the n oldest points (after their delivery). */
    void acknowledge(qint64 n);

    qint64 size() const { return qint64(m_lines.size()); }
    bool isEmpty() const { return m_lines.empty(); }
    qint64 capacity() const { return m_capacity; }
    qint64 bytes() const { return m_bytes; }
    /*! Points dropped by the bound since this queue was made (including when loading a spool). */
    qint64 droppedTotal() const { return m_dropped; }
    /*! The spool's last write or sync error, "" when fine (the queue goes on in memory). */
    QString spoolError() const;
    /*! fdatasync the spool (runjob calls it before exiting). */
    void syncSpool();
    /*! The spool file, nullptr without one (internal: for tests and diagnostics). */
    PointSpool *spool() const { return m_spool.get(); }

private:
    void dropOldest(qint64 n);
    void removeFront(qint64 n);
    void spoolPending(bool now);
    void noteSpoolState();

    std::deque<QByteArray> m_lines;
    qint64 m_capacity;
    qint64 m_bytes = 0;
    qint64 m_dropped = 0;
    std::unique_ptr<PointSpool> m_spool;
    /*! The oldest m_spooled points are in the spool file: all of them while writing it works. */
    qint64 m_spooled = 0;
    QString m_spoolError;
};

} // namespace jobslib
