// SPDX-License-Identifier: BSD-3-Clause
#include "actiontexts.h"

namespace jobslib::dashboard {

QString ActionTexts::holder(const JobSummary &s)
{
    QString text;
    if (s.lockView.holder) {
        const OwnerRecord &r = *s.lockView.holder;
        text = r.fqdn.isEmpty() ? tr("an unknown host") : r.fqdn;
        const QString dc = r.datacenter.isEmpty() ? s.lockDatacenter : r.datacenter;
        if (!dc.isEmpty())
            text += QStringLiteral(" (%1)").arg(dc);
        if (r.pid)
            text += tr(", pid %1").arg(r.pid);
    } else {
        text = tr("an instance that wrote no record");
    }
    if (s.lockView.fencingToken)
        text += tr(", fencing token %1").arg(s.lockView.fencingToken);
    return text;
}

QString ActionTexts::releaseConfirmation(const QString &job, const JobSummary &s, const QString &backend)
{
    QString text = tr("The lock of job %1 is held by %2").arg(job, holder(s));
    if (s.lockView.holder && !s.lockView.holder->timeUtc.isEmpty())
        text += tr(" since %1 UTC").arg(s.lockView.holder->timeUtc);
    if (!s.lockView.holderId.isEmpty())
        text += tr(" (session %1)").arg(s.lockView.holderId);
    text += QStringLiteral(".\n\n");
    if (backend == QLatin1String("etcd")) {
        text += tr("Releasing it moves the key to a new lease for a TTL plus 5 s (or the kill grace + 6 s, if longer) and revokes "
                   "the holder's lease. The holder notices and stops its task; nobody can acquire the lock until that lease has "
                   "expired, then a standby takes it.");
    } else {
        text += tr("Releasing it hands the key to a fence session that nobody renews and destroys the holder's session. "
                   "The holder notices and stops its task; nobody can acquire the lock until Consul expires the fence "
                   "(after the kill grace + 6 s, at least 10 s, up to twice that), then a standby takes it.");
    }
    text += QStringLiteral("\n\n") + tr("Release the lock?");
    return text;
}

QString ActionTexts::handoverConfirmation(const QString &job, const JobSummary &s)
{
    return tr("Ask %1 to hand the lock of job %2 over?\n\nThe holder finishes its current run, then releases the lock, "
              "and a standby takes it. Nothing is interrupted.")
        .arg(holder(s), job);
}

} // namespace jobslib::dashboard
