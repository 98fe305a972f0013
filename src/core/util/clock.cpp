// SPDX-License-Identifier: BSD-3-Clause
#include "clock.h"

#include <QTimer>

#include <limits>

#include <time.h>

namespace jobslib {

static qint64 boottimeMs()
{
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

Clock::Clock()
    : m_originMs(boottimeMs())
{
}

Clock::~Clock()
{
    for (const auto &timer : std::as_const(m_timers))
        delete timer.data();
}

qint64 Clock::monotonicMs() const
{
    return boottimeMs() - m_originMs;
}

QDateTime Clock::utcNow() const
{
    return QDateTime::currentDateTimeUtc();
}

int Clock::callAfter(qint64 delayMs, QObject *receiver, std::function<void()> fn)
{
    const int handle = m_nextHandle++;
    auto *timer = new QTimer(receiver);
    timer->setSingleShot(true);
    // Always precise: a coarse timer (Qt's default from 2 s on) may fire 5 % late, which is 1.5 s
    // for a 30 s lease deadline (past the 1 s by which it precedes the server's expiry) and 1 s for
    // a 20 s kill grace (eating the fence's margin; bench/README.md, kill timer lateness).
    timer->setTimerType(Qt::PreciseTimer);
    QObject::connect(timer, &QTimer::timeout, receiver, [this, handle, timer, fn = std::move(fn)] {
        m_timers.remove(handle);
        timer->deleteLater();
        fn();
    });
    m_timers.insert(handle, timer);
    timer->start(int(qBound<qint64>(0, delayMs, qint64(std::numeric_limits<int>::max()))));
    return handle;
}

void Clock::cancel(int handle)
{
    if (const QPointer<QTimer> timer = m_timers.take(handle))
        timer->deleteLater();
}

} // namespace jobslib
