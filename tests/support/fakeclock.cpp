// SPDX-License-Identifier: BSD-3-Clause
#include "fakeclock.h"

namespace jobslib::test {

int FakeClock::callAfter(qint64 delayMs, QObject *receiver, std::function<void()> fn)
{
    const int handle = m_next++;
    m_timers.insert(handle, Timer{m_now + qMax<qint64>(0, delayMs), receiver, std::move(fn)});
    return handle;
}

void FakeClock::cancel(int handle)
{
    m_timers.remove(handle);
}

qint64 FakeClock::nextDue() const
{
    qint64 best = -1;
    for (const Timer &t : m_timers) {
        if (best < 0 || t.due < best)
            best = t.due;
    }
    return best < 0 ? -1 : best - m_now;
}

void FakeClock::advance(qint64 ms)
{
    const qint64 target = m_now + ms;
    for (;;) {
        int handle = 0;
        qint64 due = 0;
        for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it) {
            if (it->due <= target && (handle == 0 || it->due < due)) {
                handle = it.key();
                due = it->due;
            }
        }
        if (!handle)
            break;
        Timer t = m_timers.take(handle);
        m_now = qMax(m_now, t.due);
        if (t.receiver)
            t.fn();
    }
    m_now = target;
}

} // namespace jobslib::test
