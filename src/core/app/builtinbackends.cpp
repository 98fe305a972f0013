// SPDX-License-Identifier: BSD-3-Clause
// The backends that ship in libjobslib, as the registry knows them.
#include "backendregistry.h"
#include "consulbackends.h"
#include "etcdbackends.h"
#include "influxdbbackend.h"

#include "config/config.h"
#include "liveness/dummyliveness.h"
#include "liveness/fileliveness.h"
#include "lock/dummylock.h"
#include "lock/filelock.h"
#include "metrics/dummymetrics.h"
#include "metrics/filemetrics.h"

namespace jobslib {

static BackendDescriptor descriptor(BackendKind kind, const QString &name, const QString &doc, std::function<QObject *(Context &)> create)
{
    BackendDescriptor d = BackendDescriptor::make(kind, name, doc);
    d.create = std::move(create);
    return d;
}

static OptionSpec pathOption(const QString &envName, const QString &doc, const QString &defaultDoc)
{
    OptionSpec s;
    s.name = QStringLiteral("path"); // relative: the registry puts it under the backend's section
    s.type = OptionType::Path;
    s.defaultValue = QString();
    s.envNames = {envName};
    s.doc = doc;
    s.defaultDoc = defaultDoc;
    return s;
}

static BackendDescriptor fileLock()
{
    BackendDescriptor d = descriptor(BackendKind::Lock, QStringLiteral("file"),
                                     QStringLiteral("An OS lock (open file description lock) on a local file: excludes instances on this "
                                                    "machine only."),
                                     [](Context &c) -> QObject * { return new FileLock(c); });
    d.options << pathOption(QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH"),
                            QStringLiteral("The lock file; every instance must be able to create or write it. It holds the holder's record."),
                            QStringLiteral("$XDG_RUNTIME_DIR/jobslib/<task>.lock, else /tmp/jobslib-<uid>/<task>.lock"));
    d.explain = [](const Config &config, qint64) {
        const QString path = config.string(QStringLiteral("one_instance.file.path"));
        const QString where = path.isEmpty() ? QStringLiteral("the default path ($XDG_RUNTIME_DIR/jobslib/<task>.lock, else "
                                                              "/tmp/jobslib-<uid>/<task>.lock)")
                                             : path;
        return QStringLiteral("The file lock is an OS lock on %1 on this machine only: instances on other hosts are not excluded. After a "
                              "crash (kill -9) the kernel frees the lock at once and a standby watching it takes over within about 1 s "
                              "(inotify; 5 s poll as fallback). After a graceful stop the same. Losing a lock server cannot happen: there "
                              "is none.")
            .arg(where);
    };
    return d;
}

static BackendDescriptor fileLiveness()
{
    BackendDescriptor d = descriptor(BackendKind::Liveness, QStringLiteral("file"),
                                     QStringLiteral("Writes the liveness record as JSON into a local file, replaced atomically after each "
                                                    "successful run."),
                                     [](Context &c) -> QObject * { return new FileLiveness(c); });
    d.options << pathOption(QStringLiteral("JOBSLIB_LIVENESS_FILE_PATH"), QStringLiteral("The liveness file."),
                            QStringLiteral("$XDG_RUNTIME_DIR/jobslib/<task>.liveness.json, else /tmp/jobslib-<uid>/<task>.liveness.json"));
    return d;
}

static BackendDescriptor fileMetrics()
{
    BackendDescriptor d = descriptor(BackendKind::Metrics, QStringLiteral("file"),
                                     QStringLiteral("Appends every point to a local file or stdout, flushed after each push."),
                                     [](Context &c) -> QObject * { return new FileMetrics(c); });
    OptionSpec path = pathOption(QStringLiteral("JOBSLIB_METRICS_FILE_PATH"), QStringLiteral("The file points are appended to; \"-\" is stdout."),
                                 QString());
    path.defaultValue = QStringLiteral("-");
    d.options << path;
    OptionSpec format;
    format.name = QStringLiteral("format");
    format.type = OptionType::Choice;
    format.choices = {QStringLiteral("influx"), QStringLiteral("json")};
    format.defaultValue = QStringLiteral("influx");
    format.envNames = {QStringLiteral("JOBSLIB_METRICS_FILE_FORMAT")};
    format.doc = QStringLiteral("influx: InfluxDB line protocol as Python jobslib sends it; json: one JSON object per line "
                                "(measurement, tags, value, timestamp_ns).");
    d.options << format;
    return d;
}

BackendRegistry BackendRegistry::builtins()
{
    BackendRegistry r;
    const QString dummy = QStringLiteral("dummy");
    BackendDescriptor lock = descriptor(BackendKind::Lock, dummy, QStringLiteral("No exclusion: every instance runs."),
                                        [](Context &c) -> QObject * { return new DummyLock(c); });
    lock.explain = [](const Config &, qint64) {
        return QStringLiteral("The dummy lock excludes nobody: every instance runs the task. There is no failover because there is no "
                              "standby.");
    };
    r.add(lock);
    r.add(descriptor(BackendKind::Liveness, dummy, QStringLiteral("Writes nothing; check-liveness always passes."),
                     [](Context &c) -> QObject * { return new DummyLiveness(c); }));
    r.add(descriptor(BackendKind::Metrics, dummy, QStringLiteral("Drops every point."),
                     [](Context &c) -> QObject * { return new DummyMetrics(c); }));
    r.add(fileLock());
    r.add(fileLiveness());
    r.add(fileMetrics());
    r.add(consulLockDescriptor());
    r.add(consulLivenessDescriptor());
    r.add(etcdLockDescriptor());
    r.add(etcdLivenessDescriptor());
    r.add(influxDbMetricsDescriptor());
    return r;
}

} // namespace jobslib
