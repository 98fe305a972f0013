// SPDX-License-Identifier: BSD-3-Clause
// The backends that ship in libjobslib, as the registry knows them.
#include "backendregistry.h"

#include "liveness/dummyliveness.h"
#include "lock/dummylock.h"
#include "metrics/dummymetrics.h"

namespace jobslib {

static BackendDescriptor dummy(BackendKind kind, const QString &doc, std::function<QObject *(Context &)> create)
{
    BackendDescriptor d;
    d.kind = kind;
    d.name = QStringLiteral("dummy");
    d.doc = doc;
    d.create = std::move(create);
    return d;
}

BackendRegistry BackendRegistry::builtins()
{
    BackendRegistry r;
    BackendDescriptor lock = dummy(BackendKind::Lock, QStringLiteral("No exclusion: every instance runs."),
                                   [](Context &c) -> QObject * { return new DummyLock(c); });
    lock.explain = [](const Config &) {
        return QStringLiteral("The dummy lock excludes nobody: every instance runs the task. There is no failover because there is no "
                              "standby.");
    };
    r.add(lock);
    r.add(dummy(BackendKind::Liveness, QStringLiteral("Writes nothing; check-liveness always passes."),
                [](Context &c) -> QObject * { return new DummyLiveness(c); }));
    r.add(dummy(BackendKind::Metrics, QStringLiteral("Drops every point."), [](Context &c) -> QObject * { return new DummyMetrics(c); }));
    return r;
}

} // namespace jobslib
