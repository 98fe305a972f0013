// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "util/clock.h"

#include <QMap>

namespace jobslib::test {

/*! A clock whose time moves only in advance(); due timers fire in time order. */
class FakeClock : public Clock
{
public:
    qint64 monotonicMs() const override { return m_now; }
    QDateTime utcNow() const override { return m_epoch.addMSecs(m_now); }
    int callAfter(qint64 delayMs, QObject *receiver, std::function<void()> fn) override;
    void cancel(int handle) override;

    /*! Moves time forward, firing every timer that falls due on the way. */
    void advance(qint64 ms);
    /*!
     * A freeze (SIGSTOP, a VM pause): time moves forward and nothing fires. On the next
     * advance(0) the overdue timers fire in the order they were due, all at the thawed time, as
     * Qt fires them after SIGCONT: a timer due early (the sleep) before one due later (the lease
     * deadline), though both are overdue.
     */
    void freeze(qint64 ms) { m_now += ms; }
    /*! Delay of the earliest pending timer from now, or -1. */
    qint64 nextDue() const;
    int pendingTimers() const { return int(m_timers.size()); }

private:
    struct Timer
    {
        qint64 due;
        QPointer<QObject> receiver;
        std::function<void()> fn;
    };
    qint64 m_now = 0;
    QDateTime m_epoch = QDateTime(QDate(2026, 11, 28), QTime(2, 6, 0), Qt::UTC);
    QMap<int, Timer> m_timers;
    int m_next = 1;
};

} // namespace jobslib::test
