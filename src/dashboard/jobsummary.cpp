// SPDX-License-Identifier: BSD-3-Clause
#include "jobsummary.h"

#include <algorithm>

namespace jobslib::dashboard {

int JobSummary::staleCount(qint64 nowS) const
{
    return int(std::count_if(instances.cbegin(), instances.cend(), [nowS](const InstanceInfo &i) { return i.isStale(nowS); }));
}

JobSummary summarize(const QList<const JobDcState *> &states, const QStringList &datacenters)
{
    JobSummary s;
    int holders = 0;
    bool anyReachable = false;
    // Precedence of what a store says: a holder beats a lock-delay beats free.
    auto rank = [](LockState l) {
        switch (l) {
        case LockState::Held: return 3;
        case LockState::LockDelay: return 2;
        case LockState::Free: return 1;
        case LockState::Unknown: return 0;
        }
        return 0;
    };
    for (int i = 0; i < states.size(); ++i) {
        const JobDcState &st = *states.at(i);
        const QString dc = datacenters.value(i);
        if (st.received && !st.reachable)
            s.unreachable << dc;
        if (st.reachable)
            anyReachable = true;
        if (st.reachable && st.lock.state == LockState::Held)
            ++holders;
        if (st.reachable && rank(st.lock.state) > rank(s.lock)) {
            s.lock = st.lock.state;
            s.lockView = st.lock;
            s.lockDatacenter = dc;
        }
        s.instances += st.instances;
        s.events += st.events;
        if (st.liveness)
            s.lastSuccess = qMax(s.lastSuccess, st.liveness->timestamp);
    }
    if (!anyReachable)
        s.lock = LockState::Unknown;
    s.splitBrain = holders > 1;
    std::sort(s.instances.begin(), s.instances.end(), [](const InstanceInfo &a, const InstanceInfo &b) {
        return std::tie(a.store, a.fqdn, a.pid, a.key) < std::tie(b.store, b.fqdn, b.pid, b.key);
    });
    std::stable_sort(s.events.begin(), s.events.end(), [](const ActionRecord &a, const ActionRecord &b) { return a.timeMs > b.timeMs; });
    qint64 newestFailure = 0;
    qint64 soonest = 0;
    qint64 holderNext = 0;
    for (const InstanceInfo &i : std::as_const(s.instances)) {
        s.lastSuccess = qMax(s.lastSuccess, i.lastSuccess);
        if (!i.lastError.isEmpty() && i.heartbeatAt >= newestFailure) {
            newestFailure = i.heartbeatAt;
            s.lastFailure = i.fqdn + QStringLiteral(": ") + i.lastError;
        }
        const bool holder = s.lock == LockState::Held && i.fencingToken && i.fencingToken == s.lockView.fencingToken;
        if (i.nextRun > 0 && holder)
            holderNext = i.nextRun;
        if (i.nextRun > 0 && (soonest == 0 || i.nextRun < soonest))
            soonest = i.nextRun;
    }
    s.nextRun = holderNext ? holderNext : soonest;
    return s;
}

} // namespace jobslib::dashboard
