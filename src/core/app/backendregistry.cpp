// SPDX-License-Identifier: BSD-3-Clause
#include "backendregistry.h"

#include "app/context.h"
#include "config/config.h"
#include "liveness/livenessbackend.h"
#include "lock/leasekeeper.h"
#include "lock/lockbackend.h"
#include "metrics/metricsbackend.h"

namespace jobslib {

BackendDescriptor BackendDescriptor::make(BackendKind kind, const QString &name, const QString &doc, const QStringList &aliases)
{
    BackendDescriptor d;
    d.kind = kind;
    d.name = name;
    d.doc = doc;
    d.aliases = aliases;
    return d;
}

QString BackendRegistry::groupName(BackendKind kind)
{
    switch (kind) {
    case BackendKind::Lock:
        return QStringLiteral("one_instance");
    case BackendKind::Liveness:
        return QStringLiteral("liveness");
    case BackendKind::Metrics:
        return QStringLiteral("metrics");
    }
    return {};
}

void BackendRegistry::add(const BackendDescriptor &descriptor)
{
    for (BackendDescriptor &d : m_backends) {
        if (d.kind == descriptor.kind && d.name == descriptor.name) {
            d = descriptor;
            return;
        }
    }
    m_backends.append(descriptor);
}

const BackendDescriptor *BackendRegistry::find(BackendKind kind, const QString &name) const
{
    for (const BackendDescriptor &d : m_backends) {
        if (d.kind == kind && d.name == name)
            return &d;
    }
    return nullptr;
}

QList<BackendDescriptor> BackendRegistry::backends(BackendKind kind) const
{
    QList<BackendDescriptor> result;
    for (const BackendDescriptor &d : m_backends) {
        if (d.kind == kind)
            result << d;
    }
    return result;
}

namespace {
struct GroupInfo
{
    BackendKind kind;
    const char *defaultBackend;
    const char *doc;
    // Python jobslib's class names, also for backends this build may not have yet, so that an
    // existing environment file gets "not available" rather than "unknown".
    QList<QPair<const char *, const char *>> pythonNames;
};

const QList<GroupInfo> &groups()
{
    static const QList<GroupInfo> g = {
        {BackendKind::Lock, "file",
         "The one-instance lock. `--disable-one-instance` forces dummy (no exclusion). Python class names are accepted.",
         {{"jobslib.oneinstance.dummy.DummyLock", "dummy"}, {"jobslib.oneinstance.consul.ConsulLock", "consul"}}},
        {BackendKind::Liveness, "dummy", "Where the liveness record is written after each successful run. Python class names are accepted.",
         {{"jobslib.liveness.dummy.DummyLiveness", "dummy"}, {"jobslib.liveness.consul.ConsulLiveness", "consul"}}},
        {BackendKind::Metrics, "dummy", "Where the metrics of every iteration go. Python class names are accepted.",
         {{"jobslib.metrics.dummy.DummyMetrics", "dummy"}, {"jobslib.metrics.influxdb.InfluxDBMetrics", "influxdb"}}},
    };
    return g;
}
} // namespace

void BackendRegistry::declareOptions(OptionTable &table) const
{
    for (const GroupInfo &g : groups()) {
        const QString group = groupName(g.kind);
        OptionSpec choice;
        choice.name = group + QStringLiteral(".backend");
        choice.type = OptionType::Choice;
        choice.defaultValue = QString::fromLatin1(g.defaultBackend);
        choice.envNames = {QStringLiteral("JOBSLIB_") + group.toUpper() + QStringLiteral("_BACKEND")};
        choice.doc = QString::fromLatin1(g.doc);
        for (const auto &[python, shortName] : g.pythonNames)
            choice.aliases.insert(QString::fromLatin1(python), QString::fromLatin1(shortName));
        for (const BackendDescriptor &d : backends(g.kind)) {
            choice.choices << d.name;
            for (const QString &alias : d.aliases)
                choice.aliases.insert(alias, d.name);
        }
        table.add(choice);

        for (const BackendDescriptor &d : backends(g.kind)) {
            for (OptionSpec spec : d.options) {
                spec.name = group + QLatin1Char('.') + d.name + QLatin1Char('.') + spec.name;
                spec.activeWhenOption = choice.name;
                spec.activeWhenValue = d.name;
                table.add(spec);
            }
        }
    }
}

namespace {

/*! The lease's TTL must leave room to renew it after the margin the task's stop needs. */
QString validateLeaseWindow(const Config &config, const QString &ttlOption, qint64 taskStopMs)
{
    const qint64 ttlMs = config.integer(ttlOption) * 1000;
    if (LeaseKeeper::windowMs(ttlMs, taskStopMs) >= LeaseKeeper::MinWindowMs)
        return {};
    const qint64 marginMs = LeaseKeeper::marginMs(taskStopMs);
    const auto s = [](qint64 ms) { return QString::number(double(ms) / 1000.0); };
    const QString stop = taskStopMs > 0
        ? QStringLiteral("the task's kill grace of %1 s (it is not killed at the deadline: a C++ task, or a command without jobslib-guard), ")
              .arg(s(taskStopMs))
        : QString();
    return QStringLiteral("option '%1': value %2 from %3 is too short: the holder must find its lease lost %4 s before the TTL ends "
                          "(%5%6 s for the stop to happen and a %7 s margin), and renew it in the %8 s before that; "
                          "use a TTL of at least %9 s%10")
        .arg(ttlOption)
        .arg(config.integer(ttlOption))
        .arg(config.origin(ttlOption))
        .arg(s(marginMs))
        .arg(stop)
        .arg(s(LeaseKeeper::StopLatenessMs))
        .arg(LockBackend::FenceMarginS)
        .arg(s(LeaseKeeper::MinWindowMs))
        .arg((marginMs + LeaseKeeper::MinWindowMs + 999) / 1000)
        .arg(taskStopMs > 0 ? QStringLiteral(" or a shorter task.kill_grace") : QString());
}

} // namespace

QString BackendRegistry::validate(const Config &config, qint64 taskStopMs) const
{
    for (const BackendKind kind : {BackendKind::Lock, BackendKind::Liveness, BackendKind::Metrics}) {
        const BackendDescriptor *d = find(kind, config.string(groupName(kind) + QStringLiteral(".backend")));
        if (!d)
            continue;
        if (d->validate) {
            const QString error = d->validate(config);
            if (!error.isEmpty())
                return error;
        }
        if (!d->leaseTtlOption.isEmpty()) {
            const QString error = validateLeaseWindow(config, d->leaseTtlOption, taskStopMs);
            if (!error.isEmpty())
                return error;
        }
    }
    return {};
}

QObject *BackendRegistry::create(BackendKind kind, Context &context) const
{
    const QString name = context.config().string(groupName(kind) + QStringLiteral(".backend"));
    const BackendDescriptor *d = find(kind, name);
    // Config validation only lets registered names through; a missing one is a programming error.
    Q_ASSERT_X(d, "BackendRegistry::create", "backend chosen by the config is not registered");
    return d ? d->create(context) : nullptr;
}

LockBackend *BackendRegistry::createLock(Context &context) const
{
    return qobject_cast<LockBackend *>(create(BackendKind::Lock, context));
}

LivenessBackend *BackendRegistry::createLiveness(Context &context) const
{
    return qobject_cast<LivenessBackend *>(create(BackendKind::Liveness, context));
}

MetricsBackend *BackendRegistry::createMetrics(Context &context) const
{
    return qobject_cast<MetricsBackend *>(create(BackendKind::Metrics, context));
}

} // namespace jobslib
