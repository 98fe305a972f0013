// SPDX-License-Identifier: BSD-3-Clause
// The etcd lock and liveness backends as the registry knows them: options, validation, --explain.
#include "etcdbackends.h"

#include "app/backendoptions.h"
#include "app/context.h"
#include "app/explain.h"
#include "config/config.h"
#include "etcd/etcdsettings.h"
#include "liveness/etcdliveness.h"
#include "lock/etcdlock.h"
#include "lock/leasekeeper.h"

namespace jobslib {

namespace {

QString validateEtcd(const Config &config, const QString &group)
{
    const auto endpoint = etcdEndpoint(config, group);
    if (!endpoint)
        return endpoint.error();
    if (config.string(group + QStringLiteral(".key")).isEmpty())
        return QStringLiteral("option '%1.key' from %2: the key must not be empty").arg(group, config.origin(group + QStringLiteral(".key")));
    return {};
}

QString explainEtcdLock(const Config &config, qint64 taskStopMs)
{
    const QString g = QStringLiteral("one_instance.etcd");
    const qint64 ttl = config.integer(g + QStringLiteral(".ttl"));
    const auto endpoint = etcdEndpoint(config, g);
    const int members = endpoint ? int(endpoint->endpoints.size()) : 0;
    return QStringLiteral(
               "The etcd lock is the key '%1', created in one transaction only if it does not exist, attached to a lease with TTL %2 s "
               "that the holder keeps alive every %3 s; the fencing token is the key's create revision. %4 endpoint(s) are tried in turn.\n"
               "- Graceful stop of the holder: it revokes its lease, which deletes the key; a watching standby contends at once: "
               "failover in well under a second plus the task's start.\n"
               "- Crash of the holder (kill -9, host down): etcd expires the lease %2 s after the last keep-alive (it looks every 0.5 s) "
               "and deletes the key; the standbys' watch sees it at once: worst case %6 s.\n"
               "- runjob release-lock: the holder is told at once, but the lock stays blocked for %7 s (the TTL, or the kill grace "
               "+ 1 s if longer, + a 5 s margin), until the holder has certainly stopped (etcd has no lock-delay).\n"
               "- An operator revokes the lease or deletes the key by hand: standbys can take the lock at once, while the holder stops "
               "its task within the kill grace or at its lease deadline: only runjob release-lock fences a lock it frees.\n"
               "%8 Without a quorum nobody can acquire.\n"
               "- Requests time out after %5 s per member.")
        .arg(config.string(g + QStringLiteral(".key")))
        .arg(ttl)
        .arg(explainRenewInterval(ttl, taskStopMs))
        .arg(members)
        .arg(config.number(g + QStringLiteral(".timeout")))
        .arg(QString::number(double(ttl) + 0.5, 'f', 1))
        .arg(EtcdLock::fenceSeconds(config))
        .arg(explainLeaseDeadline(QStringLiteral("etcd (its members, or the quorum)"), ttl, taskStopMs));
}

} // namespace

BackendDescriptor etcdLockDescriptor()
{
    BackendDescriptor d = BackendDescriptor::make(BackendKind::Lock, QStringLiteral("etcd"),
                                                  QStringLiteral("An etcd key created in a transaction and attached to a lease (v3 API over the JSON gateway)."));
    const QString p = QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_");
    d.options = etcdConnectionOptions(p);
    d.options << requiredKeyOption({p + QStringLiteral("KEY")}, QStringLiteral("Key of the lock, shared by every instance of the job, e.g. jobslib/locks/myjob."));
    d.options << OptionSpec::make(QStringLiteral("ttl"), OptionType::Int, 30, {p + QStringLiteral("TTL")},
                                  QStringLiteral("Lease TTL, seconds. runjob finds the lock lost 6 s (plus a C++ task's kill grace) before "
                                                 "the TTL ends and keeps the lease alive three times before that; a crashed holder blocks "
                                                 "the lock for up to ttl. At least 9: the 6 s and 3 s to renew."))
                     .withRange(9, 86400);
    d.create = [](Context &c) -> QObject * { return new EtcdLock(c, etcdEndpoint(c.config(), QStringLiteral("one_instance.etcd")).value()); };
    d.validate = [](const Config &c) { return validateEtcd(c, QStringLiteral("one_instance.etcd")); };
    d.explain = explainEtcdLock;
    d.leaseTtlOption = QStringLiteral("one_instance.etcd.ttl");
    return d;
}

BackendDescriptor etcdLivenessDescriptor()
{
    BackendDescriptor d = BackendDescriptor::make(BackendKind::Liveness, QStringLiteral("etcd"),
                                                  QStringLiteral("The liveness record in an etcd key and a per-instance heartbeat, as the Consul backend writes them."));
    const QString p = QStringLiteral("JOBSLIB_LIVENESS_ETCD_");
    d.options = etcdConnectionOptions(p);
    d.options << requiredKeyOption({p + QStringLiteral("KEY")}, QStringLiteral("Key of the liveness record."));
    d.options << heartbeatOptions(p);
    d.create = [](Context &c) -> QObject * { return new EtcdLiveness(c, etcdEndpoint(c.config(), QStringLiteral("liveness.etcd")).value()); };
    d.validate = [](const Config &c) { return validateEtcd(c, QStringLiteral("liveness.etcd")); };
    return d;
}

} // namespace jobslib
