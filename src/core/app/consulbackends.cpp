// SPDX-License-Identifier: BSD-3-Clause
// The Consul lock and liveness backends as the registry knows them: options, validation, --explain.
#include "consulbackends.h"

#include "app/backendoptions.h"
#include "app/context.h"
#include "app/explain.h"
#include "config/config.h"
#include "consul/consulsettings.h"
#include "liveness/consulliveness.h"
#include "lock/consullock.h"
#include "lock/leasekeeper.h"


namespace jobslib {

namespace {

OptionSpec intOption(const QString &name, qint64 def, qint64 min, qint64 max, const QStringList &env, const QString &doc)
{
    return OptionSpec::make(name, OptionType::Int, def, env, doc).withRange(double(min), double(max));
}

/*! Endpoint and key checks shared by both Consul backends. */
QString validateConsul(const Config &config, const QString &group)
{
    const auto endpoint = consulEndpoint(config, group);
    if (!endpoint)
        return endpoint.error();
    const QString key = config.string(group + QStringLiteral(".key"));
    // Python's client asserts this and the lock then silently stays pending forever.
    if (key.startsWith(QLatin1Char('/')))
        return QStringLiteral("option '%1.key': value '%2' from %3: a Consul key must not start with '/'")
            .arg(group, key, config.origin(group + QStringLiteral(".key")));
    return {};
}

QString explainConsulLock(const Config &config, qint64 taskStopMs)
{
    const QString g = QStringLiteral("one_instance.consul");
    const qint64 ttl = config.integer(g + QStringLiteral(".ttl"));
    const qint64 delay = config.integer(g + QStringLiteral(".lock_delay"));
    const double timeout = config.number(g + QStringLiteral(".timeout"));
    // A standby refused during the lock-delay backs off 250 ms doubling to 5 s (ConsulLock), so
    // its first try after the lock-delay comes up to min(lock-delay, 5 s) late.
    const qint64 backoff = qMin<qint64>(delay, 5);
    const double grace = config.number(QStringLiteral("task.kill_grace"));
    // What a lock-delay must be for a holder that hears of its session's end at once to be gone
    // FenceMarginS before a standby can take the lock: as release-lock's fence.
    const qint64 safeDelay = LockBackend::stopFenceSeconds(config, 0);
    const QString backoffText = backoff > 0 ? QStringLiteral(" and standbys refused during it try again up to %1 s after it").arg(backoff) : QString();
    const QString delayAdvice = delay < safeDelay
        ? QStringLiteral(" A lock-delay of at least %1 s (the kill grace + 1 s + a 5 s margin) would cover the first case.").arg(safeDelay)
        : QString();
    return QStringLiteral(
               "The Consul lock is the key '%1' held by a session with TTL %2 s and lock-delay %3 s; the holder renews every %4 s.\n"
               "- Graceful stop of the holder: it releases the key and destroys its session; a watching standby contends at once "
               "(blocking query): failover in well under a second plus the task's start.\n"
               "- Crash of the holder (kill -9, host down): Consul invalidates the session after TTL to 2 x TTL (%2-%5 s) of missed "
               "renewals, or at once if the holder's agent node fails its serfHealth check, then applies the lock-delay (%3 s)%8: "
               "worst case %6 s.\n"
               "- runjob release-lock: hands the key to a fence session nobody renews and destroys the holder's session; the holder "
               "hears of it at once and stops its task within the kill grace (%9 s); standbys can take the lock when Consul expires "
               "the fence, %10 s (the kill grace + 1 s + a 5 s margin, at least Consul's 10 s) to twice that later.\n"
               "- Consul ends the session by itself (its node's serfHealth check failed) or an operator destroys it or deletes the key: "
               "standbys can take the lock after the lock-delay (%3 s); the holder stops its task within the kill grace (%9 s) if it "
               "still reaches Consul, at its lease deadline (below) if not. Only runjob release-lock fences a lock it frees.%11\n"
               "%12 Standbys can take over after %6 s at worst.\n"
               "- Requests time out after %7 s.")
        .arg(config.string(g + QStringLiteral(".key")))
        .arg(ttl)
        .arg(delay)
        .arg(explainRenewInterval(ttl, taskStopMs))
        .arg(2 * ttl)
        .arg(2 * ttl + delay + backoff)
        .arg(timeout)
        .arg(backoffText)
        .arg(grace)
        .arg(ConsulLock::fenceSeconds(config))
        .arg(delayAdvice)
        .arg(explainLeaseDeadline(QStringLiteral("Consul"), ttl, taskStopMs));
}

} // namespace

BackendDescriptor consulLockDescriptor()
{
    BackendDescriptor d = BackendDescriptor::make(BackendKind::Lock, QStringLiteral("consul"),
                                                  QStringLiteral("A Consul session and KV lock, shared with Python jobslib instances on the same key."),
                                                  {QStringLiteral("jobslib.oneinstance.consul.ConsulLock")});
    const QString p = QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_");
    d.options = consulConnectionOptions(p);
    d.options << requiredKeyOption({p + QStringLiteral("KEY"), QStringLiteral("JOBSLIB_ONE_INSTANCE_OPTIONS_KEY")},
                           QStringLiteral("KV key of the lock, shared by every instance of the job (and Python ones). No leading '/'."));
    d.options << intOption(QStringLiteral("ttl"), 86400, 10, 86400, {p + QStringLiteral("TTL"), QStringLiteral("JOBSLIB_ONE_INSTANCE_OPTIONS_TTL")},
                           QStringLiteral("Session TTL, seconds. runjob finds the lock lost 6 s (plus a C++ task's kill grace) before the "
                                          "TTL ends and renews three times before that; a crashed holder blocks the lock for up to 2 x ttl."));
    d.options << intOption(QStringLiteral("lock_delay"), 1, 0, 60, {p + QStringLiteral("LOCK_DELAY"), QStringLiteral("JOBSLIB_ONE_INSTANCE_LOCK_DELAY")},
                           QStringLiteral("Seconds Consul refuses the key after the holder's session was invalidated."));
    d.create = [](Context &c) -> QObject * { return new ConsulLock(c, consulEndpoint(c.config(), QStringLiteral("one_instance.consul")).value()); };
    d.validate = [](const Config &c) { return validateConsul(c, QStringLiteral("one_instance.consul")); };
    d.explain = explainConsulLock;
    d.leaseTtlOption = QStringLiteral("one_instance.consul.ttl");
    return d;
}

BackendDescriptor consulLivenessDescriptor()
{
    BackendDescriptor d = BackendDescriptor::make(
        BackendKind::Liveness, QStringLiteral("consul"),
        QStringLiteral("The Python liveness record in a Consul key, a per-instance heartbeat and an optional agent TTL check."),
        {QStringLiteral("jobslib.liveness.consul.ConsulLiveness")});
    const QString p = QStringLiteral("JOBSLIB_LIVENESS_CONSUL_");
    d.options = consulConnectionOptions(p);
    d.options << requiredKeyOption({p + QStringLiteral("KEY")}, QStringLiteral("KV key of the liveness record (Python's)."));
    d.options << heartbeatOptions(p);
    OptionSpec check;
    check.name = QStringLiteral("check_id");
    check.envNames = {p + QStringLiteral("CHECK_ID")};
    check.defaultValue = QString();
    check.doc = QStringLiteral("Register an agent TTL check with this ID: passing after success, warning as standby, critical after a failure.");
    d.options << check;
    d.options << intOption(QStringLiteral("check_ttl"), 90, 1, 86400, {p + QStringLiteral("CHECK_TTL")},
                           QStringLiteral("TTL of that check, seconds; keep it above heartbeat_interval."));
    d.create = [](Context &c) -> QObject * { return new ConsulLiveness(c, consulEndpoint(c.config(), QStringLiteral("liveness.consul")).value()); };
    d.validate = [](const Config &c) { return validateConsul(c, QStringLiteral("liveness.consul")); };
    return d;
}

} // namespace jobslib
