// SPDX-License-Identifier: BSD-3-Clause
#include "optiontable.h"

namespace jobslib {

void OptionTable::add(const OptionSpec &spec)
{
    for (OptionSpec &existing : m_options) {
        if (existing.name == spec.name) {
            existing = spec;
            return;
        }
    }
    m_options.append(spec);
}

const OptionSpec *OptionTable::find(const QString &name) const
{
    for (const OptionSpec &spec : m_options) {
        if (spec.name == name)
            return &spec;
    }
    return nullptr;
}

const OptionSpec *OptionTable::findByEnv(const QString &envName) const
{
    for (const OptionSpec &spec : m_options) {
        if (spec.envNames.contains(envName))
            return &spec;
    }
    return nullptr;
}

QStringList OptionTable::sections() const
{
    QStringList result;
    for (const OptionSpec &spec : m_options) {
        if (!result.contains(spec.section()))
            result << spec.section();
    }
    return result;
}

static OptionSpec interval(const QString &name, const QString &doc)
{
    OptionSpec s;
    s.name = name;
    s.type = OptionType::Double;
    s.defaultValue = 0.0;
    s.envNames = {QStringLiteral("JOBSLIB_") + name.toUpper()};
    s.cliFlag = QString(name).replace(QLatin1Char('_'), QLatin1Char('-'));
    s.minimum = 0;
    s.maximum = 31536000;
    s.doc = doc;
    return s;
}

static OptionSpec flag(const QString &name, const QString &doc)
{
    OptionSpec s;
    s.name = name;
    s.type = OptionType::Bool;
    s.defaultValue = false;
    s.envNames = {QStringLiteral("JOBSLIB_") + name.toUpper()};
    s.cliFlag = QString(name).replace(QLatin1Char('_'), QLatin1Char('-'));
    s.doc = doc;
    return s;
}

OptionTable OptionTable::core()
{
    OptionTable t;
    t.add(flag(QStringLiteral("run_once"), QStringLiteral("Run one iteration, then exit: 0 when it succeeded or the lock was busy (pending), 1 when it failed.")));
    t.add(interval(QStringLiteral("sleep_interval"),
                   QStringLiteral("Seconds to sleep after each iteration (the period is run time + sleep). A non-zero value wins over run_interval "
                                  "set in the same or a lower-precedence source. Fractions are allowed.")));
    t.add(interval(QStringLiteral("run_interval"),
                   QStringLiteral("Seconds from the start of one iteration to the start of the next (fixed rate); an overrun starts the next "
                                  "iteration at once. With both intervals 0, iterations start at most once per second.")));
    t.add(flag(QStringLiteral("keep_lock"),
               QStringLiteral("Keep holding the lock while sleeping between iterations, so this instance stays the active one. Standby "
                              "instances then watch the lock and take over as soon as it is free.")));
    t.add(flag(QStringLiteral("release_on_error"),
               QStringLiteral("After a failed iteration release the lock (even with keep_lock) and sleep twice as long, so another instance can take over.")));

    OptionSpec plugins;
    plugins.name = QStringLiteral("plugin_path");
    plugins.type = OptionType::String;
    plugins.envNames = {QStringLiteral("JOBSLIB_PLUGIN_PATH")};
    plugins.defaultValue = QString();
    plugins.doc = QStringLiteral("Colon-separated directories searched for task plugins before the installed plugin directory.");
    t.add(plugins);

    OptionSpec job;
    job.name = QStringLiteral("job_name");
    job.envNames = {QStringLiteral("JOBSLIB_JOB_NAME")};
    job.defaultValue = QString();
    job.defaultDoc = QStringLiteral("the task's name");
    job.doc = QStringLiteral("Name of the job: the `task` tag of its metrics and the name of the default lock and liveness files. Set it "
                             "when check-liveness, lock-info or release-lock must find a job's default files.");
    t.add(job);

    OptionSpec fqdn;
    fqdn.name = QStringLiteral("fqdn");
    fqdn.envNames = {QStringLiteral("JOBSLIB_FQDN")};
    fqdn.defaultValue = QString();
    fqdn.defaultDoc = QStringLiteral("the host's fully qualified name");
    fqdn.doc = QStringLiteral("Host name written into lock and liveness records (Python: socket.getfqdn()).");
    t.add(fqdn);

    OptionSpec dc;
    dc.name = QStringLiteral("datacenter");
    dc.envNames = {QStringLiteral("JOBSLIB_DATACENTER")};
    dc.defaultValue = QString();
    dc.doc = QStringLiteral("Name of this instance's datacenter, written into lock and liveness records.");
    t.add(dc);

    OptionSpec command;
    command.name = QStringLiteral("task.command");
    command.envNames = {QStringLiteral("JOBSLIB_TASK_COMMAND")};
    command.defaultValue = QString();
    command.doc = QStringLiteral("External command run as the task when the command line names no task "
                                 "(split like a shell would, without expansion). `runjob -- PROGRAM ARGS` overrides it.");
    t.add(command);

    OptionSpec grace;
    grace.name = QStringLiteral("task.kill_grace");
    grace.type = OptionType::Double;
    grace.defaultValue = 10.0;
    grace.envNames = {QStringLiteral("JOBSLIB_TASK_KILL_GRACE")};
    grace.minimum = 0;
    grace.maximum = 3600;
    grace.doc = QStringLiteral("Seconds a stopping task gets between SIGTERM (or the cancellation request of a C++ task) and SIGKILL "
                               "(or the process exiting without it).");
    t.add(grace);

    OptionSpec logJson;
    logJson.name = QStringLiteral("logging.dict_config");
    logJson.type = OptionType::Json;
    logJson.envNames = {QStringLiteral("JOBSLIB_LOGGING")};
    logJson.doc = QStringLiteral("Python logging.config.dictConfig JSON, as Python jobslib's JOBSLIB_LOGGING. Read: the root level, "
                                 "per-logger levels and the format/datefmt of the root handler's formatter. Wins over level/format/datefmt.");
    t.add(logJson);

    OptionSpec level;
    level.name = QStringLiteral("logging.level");
    level.type = OptionType::Choice;
    level.choices = {QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warning"), QStringLiteral("error"), QStringLiteral("critical")};
    level.defaultValue = QStringLiteral("info");
    level.envNames = {QStringLiteral("JOBSLIB_LOGGING_LEVEL")};
    level.doc = QStringLiteral("Lowest level logged. `-v` makes it debug.");
    t.add(level);

    OptionSpec format;
    format.name = QStringLiteral("logging.format");
    format.defaultValue = QStringLiteral("%(asctime)s %(name)s %(levelname)s %(message)s");
    format.envNames = {QStringLiteral("JOBSLIB_LOGGING_FORMAT")};
    format.doc = QStringLiteral("Log line format with Python's placeholders: %(asctime)s %(name)s %(levelname)s %(message)s %(process)d "
                                "%(thread)d %(created)f %(levelno)s.");
    t.add(format);

    OptionSpec datefmt;
    datefmt.name = QStringLiteral("logging.datefmt");
    datefmt.defaultValue = QStringLiteral("%Y-%m-%d %H:%M:%S");
    datefmt.envNames = {QStringLiteral("JOBSLIB_LOGGING_DATEFMT")};
    datefmt.doc = QStringLiteral("strftime format of %(asctime)s, in local time as Python's logging.");
    t.add(datefmt);

    t.add(OptionSpec::make(QStringLiteral("metrics.extended"), OptionType::Bool, true, {QStringLiteral("JOBSLIB_METRICS_EXTENDED")},
                           QStringLiteral("Push the jobslib_* lock and run series (docs/metrics.md) with every iteration, next to Python's "
                                          "job_duration_seconds and last_successful_run_timestamp; false sends exactly what Python sends.")));

    // The status endpoint: off unless asked for, and on loopback unless told otherwise.
    OptionSpec status = OptionSpec::make(QStringLiteral("status.enabled"), OptionType::Bool, false, {QStringLiteral("JOBSLIB_STATUS_ENABLED")},
                                         QStringLiteral("Serve /livez, /readyz, /status and /metrics (Prometheus) over HTTP while the loop runs."));
    status.cliFlag = QStringLiteral("status");
    t.add(status);
    OptionSpec address = OptionSpec::make(QStringLiteral("status.address"), OptionType::String, QStringLiteral("127.0.0.1"),
                                          {QStringLiteral("JOBSLIB_STATUS_ADDRESS")},
                                          QStringLiteral("Address the status endpoint listens on; 0.0.0.0 or :: for every interface (it has no "
                                                         "authentication: it shows no secrets, but do not expose it beyond your network)."));
    address.cliFlag = QStringLiteral("status-address");
    t.add(address);
    OptionSpec port = OptionSpec::make(QStringLiteral("status.port"), OptionType::Int, 9464, {QStringLiteral("JOBSLIB_STATUS_PORT")},
                                       QStringLiteral("Port of the status endpoint; 0 picks a free one (the log says which)."))
                          .withRange(0, 65535);
    port.cliFlag = QStringLiteral("status-port");
    t.add(port);
    return t;
}

} // namespace jobslib
