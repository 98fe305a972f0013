// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QDateTime>
#include <QHash>
#include <QPointer>

#include <functional>

class QTimer;

namespace jobslib {

/*!
 * Time as the runner sees it: a monotonic clock for intervals and deadlines, the wall clock for
 * records, and one-shot timers. Tests substitute a fake whose time only moves when told, so the
 * schedule and the state machine are tested without waiting.
 */
class JOBSLIB_EXPORT Clock
{
public:
    Clock();
    virtual ~Clock();
    Clock(const Clock &) = delete;
    Clock &operator=(const Clock &) = delete;

    /*!
     * Milliseconds on CLOCK_BOOTTIME: monotonic, and unlike CLOCK_MONOTONIC it goes on while the
     * host is suspended, as a lock server's TTL does. Lease deadlines need exactly that.
     */
    virtual qint64 monotonicMs() const;
    virtual QDateTime utcNow() const;
    /*! Calls fn once after delayMs, unless cancelled or receiver is gone. Returns a handle > 0. */
    virtual int callAfter(qint64 delayMs, QObject *receiver, std::function<void()> fn);
    virtual void cancel(int handle);

private:
    qint64 m_originMs = 0;
    QHash<int, QPointer<QTimer>> m_timers;
    int m_nextHandle = 1;
};

} // namespace jobslib
