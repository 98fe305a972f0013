// SPDX-License-Identifier: BSD-3-Clause
#include "explain.h"

#include "app/backendregistry.h"
#include "config/config.h"
#include "lock/leasekeeper.h"
#include "lock/lockbackend.h"
#include "runner/runner.h"

namespace jobslib {

static QString secs(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'g', 6) + QStringLiteral(" s");
}

QString explainRenewInterval(qint64 ttlS, qint64 taskStopMs)
{
    return QString::number(double(LeaseKeeper::renewIntervalMs(ttlS * 1000, taskStopMs)) / 1000.0, 'f', 1);
}

QString explainLeaseDeadline(const QString &store, qint64 ttlS, qint64 taskStopMs)
{
    const qint64 ttlMs = ttlS * 1000;
    const QString why = taskStopMs > 0 ? QStringLiteral("the task's kill grace of %1, as it is not killed at the deadline, + %2 for the stop "
                                                        "+ a %3 s margin")
                                             .arg(secs(taskStopMs), secs(LeaseKeeper::StopLatenessMs))
                                             .arg(LockBackend::FenceMarginS)
                                       : QStringLiteral("%1 for the kill + a %2 s margin").arg(secs(LeaseKeeper::StopLatenessMs)).arg(LockBackend::FenceMarginS);
    const QString how = taskStopMs > 0 ? QStringLiteral("it asks the task to stop, and if the task has not stopped within the kill grace "
                                                        "runjob exits without it (self-fencing)")
                                       : QStringLiteral("jobslib-guard kills a command at that deadline even if runjob is frozen");
    return QStringLiteral("- Holder loses %1: it finds the lock lost when no renewal was confirmed within %2 of sending the last one that "
                          "was, %3 before the server could expire the lease (%4), and stops its task: %5. Its renewals come every %6 s, so "
                          "two in a row may fail.")
        .arg(store, secs(LeaseKeeper::windowMs(ttlMs, taskStopMs)), secs(LeaseKeeper::marginMs(taskStopMs)), why, how,
             explainRenewInterval(ttlS, taskStopMs));
}

QString explainSettings(const Config &config, const BackendRegistry &backends, const QString &taskDescription, qint64 taskStopMs)
{
    bool sleepOverrodeRun = false;
    Schedule::fromConfig(config, &sleepOverrodeRun);
    const RunnerSettings s = RunnerSettings::fromConfig(config);
    QStringList out;
    out << QStringLiteral("Task: %1.").arg(taskDescription);

    QString loop;
    qint64 period = 0;
    if (s.runOnce) {
        loop = QStringLiteral("Runs one iteration and exits: 0 when the task succeeded or another instance held the lock (pending), "
                              "1 when it failed.");
    } else if (s.schedule.sleepIntervalMs > 0) {
        period = s.schedule.sleepIntervalMs;
        loop = QStringLiteral("Loops: each iteration starts %1 after the previous one ended (sleep_interval).").arg(secs(period));
        if (sleepOverrodeRun)
            loop += QStringLiteral(" run_interval is ignored: sleep_interval is set in the same or a higher-precedence source.");
    } else if (s.schedule.runIntervalMs > 0) {
        period = s.schedule.runIntervalMs;
        loop = QStringLiteral("Loops at a fixed rate: an iteration starts every %1 (run_interval); one that overruns is followed at once.")
                   .arg(secs(period));
    } else {
        period = Schedule::MinimumPeriodMs;
        loop = QStringLiteral("Loops back to back (both intervals are 0), starting at most one iteration per second.");
    }
    out << loop;
    if (!s.runOnce) {
        if (s.releaseOnError)
            out << QStringLiteral("After a failed iteration the lock is released and the sleep doubled (release_on_error).");
        if (s.keepLock)
            out << QStringLiteral("The lock is kept between iterations (keep_lock): this instance stays the active one. Standby instances watch "
                                  "the lock and contend as soon as it is free.");
        else
            out << QStringLiteral("The lock is released after every iteration; every instance contends at its own next iteration, so any of "
                                  "them may run the next one. Standbys do not watch: a takeover waits for the standby's next iteration, "
                                  "up to %1 later.")
                       .arg(secs(period));
    }
    out << QStringLiteral("Liveness (%1) is written after each successful run; metrics (%2) after every iteration.")
               .arg(config.livenessBackend(), config.metricsBackend());
    out << QStringLiteral("On SIGTERM/SIGINT in any state: the task is stopped (SIGTERM to a command's process group, cancellation for a "
                          "C++ task; after %1 SIGKILL, or runjob exits without waiting), the lock released, the `killed` metric pushed, "
                          "exit code 128 + signal (143, 130). If runjob itself dies, its command task's process group is killed with it.")
               .arg(secs(s.killGraceMs));

    const BackendDescriptor *lock = backends.find(BackendKind::Lock, config.lockBackend());
    out << QString();
    out << QStringLiteral("Lock backend: %1.").arg(config.lockBackend());
    if (lock && lock->explain)
        out << lock->explain(config, taskStopMs);
    if (!s.keepLock && !s.runOnce && config.lockBackend() != QLatin1String("dummy"))
        out << QStringLiteral("With keep_lock off, add up to %1 (a standby's next iteration) to every failover time above.").arg(secs(period));
    return out.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace jobslib
