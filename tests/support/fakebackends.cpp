// SPDX-License-Identifier: BSD-3-Clause
#include "fakebackends.h"

#include "util/deferred.h"

#include <utility>

namespace jobslib::test {

void FakeLock::acquire()
{
    ++acquires;
    if (held) {
        deferred(this, [this] { Q_EMIT acquired(token); });
        return;
    }
    if (answer != Answer::Silent)
        answerPendingAcquire(answer);
}

void FakeLock::answerPendingAcquire(Answer a)
{
    switch (a) {
    case Answer::Grant:
        held = true;
        ++token;
        deferred(this, [this] { Q_EMIT acquired(token); });
        break;
    case Answer::Busy:
        deferred(this, [this] { Q_EMIT notAcquired(LockOwner{true, owner, QStringLiteral("other"), {}}); });
        break;
    case Answer::Fail:
        deferred(this, [this] { Q_EMIT acquireFailed(QStringLiteral("server unreachable")); });
        break;
    case Answer::Silent:
        break;
    }
}

void FakeLock::release()
{
    if (held)
        ++releases;
    held = false;
    deferred(this, [this] { Q_EMIT released(); });
}

void FakeLock::queryOwner()
{
    deferred(this, [this] { Q_EMIT ownerQueried(LockOwner{held, owner, {}, {}}, QString()); });
}

void FakeLock::forceRelease()
{
    held = false;
    deferred(this, [this] { Q_EMIT forceReleaseFinished(true, QStringLiteral("done")); });
}

void FakeLock::loseLock(const QString &reason)
{
    held = false;
    Q_EMIT lost(reason);
}

void FakeLiveness::write(const OwnerRecord &state)
{
    writes << state;
    if (hold) {
        writePending = true;
        return;
    }
    deferred(this, [this] { Q_EMIT writeFinished(!fail, fail ? QStringLiteral("disk full") : QString()); });
}

void FakeLiveness::answerHeld()
{
    if (!std::exchange(writePending, false))
        return;
    deferred(this, [this] { Q_EMIT writeFinished(!fail, fail ? QStringLiteral("disk full") : QString()); });
}

void FakeLiveness::read()
{
    const std::optional<OwnerRecord> last = writes.isEmpty() ? std::nullopt : std::optional<OwnerRecord>(writes.constLast());
    deferred(this, [this, last] { Q_EMIT readFinished(last, last ? QString() : QStringLiteral("no record")); });
}

QStringList FakeMetrics::statuses() const
{
    QStringList s;
    for (const MetricPoint &p : pushed) {
        if (p.measurement == QLatin1String("job_duration_seconds"))
            s << p.tags.value(QStringLiteral("status"));
    }
    return s;
}

void ManualTask::start()
{
    ++starts;
    tokenAtStart = fencingToken();
}

void ManualTask::requestStop()
{
    BaseTask::requestStop();
    ++stopRequests;
}

bool ManualTask::forceStop()
{
    ++forceStops;
    if (forceStopWorks)
        deferred(this, [this] { finish(TaskResult{false, QStringLiteral("killed"), -9}); });
    return forceStopWorks;
}

void ManualTask::complete(bool ok, const QString &error)
{
    finish(TaskResult{ok, error, ok ? 0 : 1});
}

} // namespace jobslib::test
