// SPDX-License-Identifier: BSD-3-Clause
#include "launcher.h"

#include "app/context.h"
#include "launcher/runjobcommandline.h"
#include "app/explain.h"
#include "commands/builtincommand.h"
#include "config/configdoc.h"
#include "config/configloader.h"
#include "config/inifile.h"
#include "config/secretresolver.h"
#include "jobslib_version.h"
#include "runner/runner.h"
#include "runner/signalwatcher.h"
#include "status/runmonitor.h"
#include "status/statusserver.h"
#include "task/commandtask.h"
#include "util/logcategories.h"
#include "config/logsettings.h"
#include "util/logging.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QUrl>

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace jobslib {

namespace {

int usageError(const QString &message)
{
    const bool tty = isatty(STDERR_FILENO);
    // Python jobslib prints parser errors in red (colored's fg 1); only where a terminal shows it.
    const QByteArray line = (tty ? QByteArrayLiteral("\x1b[38;5;1m") : QByteArray()) + "runjob: error: " + message.toLocal8Bit()
        + (tty ? QByteArrayLiteral("\x1b[0m") : QByteArray()) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    return ExitCode::Usage;
}

/*!
 * Runs an application's initialize() hook. An exception from it ends runjob with a critical line
 * and exit code 1 (Python: a traceback and 1), not with std::terminate's abort (134): systemd's
 * Restart=on-failure then retries, as for any failed start.
 */
template<typename Hook>
bool initializeOrReport(const QString &what, Hook hook)
{
    try {
        hook();
        return true;
    } catch (const std::exception &e) {
        qCCritical(lcRunner).noquote() << QStringLiteral("%1 failed: %2").arg(what, QString::fromLocal8Bit(e.what()));
    } catch (...) {
        qCCritical(lcRunner).noquote() << QStringLiteral("%1 failed: an exception that is not a std::exception").arg(what);
    }
    return false;
}

void print(const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

/*! What the command line says before the full parse: enough to find settings and task. */
struct FirstPass
{
    QStringList args;    ///< runjob's own arguments and the task's (before "--")
    QStringList command; ///< after "--"
    bool hasDashDash = false;
    QString settings;
    QString taskName;
    bool help = false;
    bool version = false;
    bool configReference = false;
};

FirstPass firstPass(const QStringList &arguments)
{
    FirstPass p;
    p.args = arguments.mid(1);
    const auto dd = p.args.indexOf(QStringLiteral("--"));
    if (dd >= 0) {
        p.hasDashDash = true;
        p.command = p.args.mid(dd + 1);
        p.args = p.args.mid(0, dd);
    }
    static const QStringList valued = {QStringLiteral("-s"), QStringLiteral("--settings"), QStringLiteral("--sleep-interval"),
                                       QStringLiteral("--run-interval"), QStringLiteral("--status-port"), QStringLiteral("--status-address")};
    for (qsizetype i = 0; i < p.args.size(); ++i) {
        const QString &a = p.args.at(i);
        if (valued.contains(a)) {
            if ((a == QLatin1String("-s") || a == QLatin1String("--settings")) && i + 1 < p.args.size())
                p.settings = p.args.at(i + 1);
            ++i;
        } else if (a.startsWith(QLatin1String("--settings="))) {
            p.settings = a.mid(11);
        } else if (a.startsWith(QLatin1String("-s")) && a.size() > 2 && !a.startsWith(QLatin1String("--"))) {
            p.settings = a.mid(2); // -sFILE, as QCommandLineParser accepts it
        } else if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            p.help = true;
        } else if (a == QLatin1String("--version")) {
            p.version = true;
        } else if (a == QLatin1String("--config-reference")) {
            p.configReference = true;
        } else if (!a.startsWith(QLatin1Char('-')) && p.taskName.isEmpty()) {
            p.taskName = a;
        }
    }
    return p;
}

/*!
 * The settings file's values before the full load: the few that decide where to find the task.
 * A file that cannot be read or parsed is reported here, before anything that depends on it
 * (such as "no task given" when the task was to come from task.command).
 */
Expected<QHash<QString, QString>> earlySettings(const QString &settings)
{
    const auto entries = ConfigLoader::readSettingsFile(settings);
    if (!entries)
        return Expected<QHash<QString, QString>>::failure(entries.error());
    QHash<QString, QString> values;
    for (const IniEntry &e : entries.value())
        values.insert(e.section.isEmpty() ? e.key : e.section + QLatin1Char('.') + e.key, e.value);
    return values;
}

/*! A value straight from env, else from the settings file, before the full load. */
QString earlyValue(const QProcessEnvironment &env, const QString &envName, const QHash<QString, QString> &settings, const QString &name)
{
    const QString v = env.value(envName);
    return v.isEmpty() ? settings.value(name) : v;
}

QStringList defaultPluginDirs()
{
    return {QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(QStringLiteral("../lib/jobslib/plugins")),
            QStringLiteral(JOBSLIB_INSTALL_PLUGINDIR)};
}

} // namespace

/*! What one exec() sets up and what must live as long as the event loop runs. */
struct Launcher::Run
{
    QCommandLineParser parser;
    std::unique_ptr<BaseTask> task;
    std::unique_ptr<BuiltinCommand> builtin;
    std::unique_ptr<Context> context;
    std::unique_ptr<Runner> runner;
    std::unique_ptr<RunMonitor> monitor;
    std::unique_ptr<StatusServer> status;
    std::unique_ptr<SignalWatcher> signals;
    std::unique_ptr<SecretResolver> secrets;
    LogSettings logSettings;
};

Launcher::Launcher()
    : m_backends(BackendRegistry::builtins())
{
}

Launcher::~Launcher() = default;

int Launcher::exec(const QStringList &arguments)
{
    Q_ASSERT_X(QCoreApplication::instance(), "Launcher::exec", "create a QCoreApplication first");
    FirstPass first = firstPass(arguments);
    if (first.version) {
        print(QStringLiteral("runjob %1\n").arg(QStringLiteral(JOBSLIB_VERSION_STRING)));
        return ExitCode::Success;
    }
    if (first.hasDashDash && first.command.isEmpty())
        return usageError(QStringLiteral("'--' must be followed by the command to run"));

    OptionTable table = OptionTable::core();
    for (const OptionSpec &spec : m_options.options())
        table.add(spec);
    m_backends.declareOptions(table);
    if (first.configReference) {
        print(configurationMarkdown(table));
        return ExitCode::Success;
    }

    if (first.settings.isEmpty()) {
        for (const QString &var : {QStringLiteral("JOBSLIB_SETTINGS_MODULE"), QStringLiteral("JOBSLIB_SETTINGS")}) {
            const QString v = m_env.value(var);
            if (v.isEmpty())
                continue;
            if (!QFileInfo::exists(v) && !v.contains(QLatin1Char('/')) && !v.endsWith(QLatin1String(".ini")))
                return usageError(QStringLiteral("%1='%2' looks like a Python module name; runjob reads an INI settings file: give its path").arg(var, v));
            first.settings = v;
            break;
        }
    }

    QStringList pluginDirs;
    const auto earlyOrError = earlySettings(first.settings);
    if (!earlyOrError)
        return usageError(earlyOrError.error());
    const QHash<QString, QString> &early = earlyOrError.value();
    const QString pluginPath = earlyValue(m_env, QStringLiteral("JOBSLIB_PLUGIN_PATH"), early, QStringLiteral("plugin_path"));
    for (const QString &d : pluginPath.split(QLatin1Char(':'), Qt::SkipEmptyParts))
        pluginDirs << d;
    pluginDirs << defaultPluginDirs();
    m_tasks.setPluginPath(pluginDirs);

    // Which task: a command after "--", a built-in, a registered or plugin class, or task.command.
    m_run = std::make_unique<Run>();
    std::unique_ptr<BaseTask> &task = m_run->task;
    std::unique_ptr<BuiltinCommand> &builtin = m_run->builtin;
    QString taskDescription;
    if (first.hasDashDash) {
        if (!first.taskName.isEmpty())
            return usageError(QStringLiteral("give either a task name ('%1') or a command after '--', not both").arg(first.taskName));
        task = std::make_unique<CommandTask>(first.command);
        taskDescription = QStringLiteral("the command %1").arg(first.command.join(QLatin1Char(' ')));
    } else if (!first.taskName.isEmpty()) {
        builtin = BuiltinCommand::create(first.taskName);
        if (builtin) {
            taskDescription = QStringLiteral("the built-in command ") + first.taskName;
        } else {
            const auto entry = m_tasks.resolve(first.taskName);
            if (!entry)
                return usageError(entry.error());
            task = entry->create();
            taskDescription = QStringLiteral("%1 from %2").arg(task->name().isEmpty() ? QStringLiteral("(unnamed)") : task->name(), entry->qualifiedName);
        }
    } else {
        const QString command = earlyValue(m_env, QStringLiteral("JOBSLIB_TASK_COMMAND"), early, QStringLiteral("task.command"));
        if (!command.isEmpty()) {
            const QStringList split = CommandTask::splitCommand(command);
            if (split.isEmpty())
                return usageError(QStringLiteral("option 'task.command': value '%1' is not a command").arg(command));
            task = std::make_unique<CommandTask>(split);
            taskDescription = QStringLiteral("the command %1 (task.command)").arg(command);
        } else if (!first.help) {
            return usageError(QStringLiteral("no task given: name a task (plugin.Class, a task name, or check-liveness, lock-info, release-lock), "
                                             "give a command after '--', or set task.command"));
        }
    }

    QCommandLineParser &parser = m_run->parser;
    parser.setApplicationDescription(first.taskName.isEmpty() ? QStringLiteral("Run a periodic job with one active instance.")
                                                              : QStringLiteral("%1: %2").arg(first.taskName, builtin ? builtin->description() : task->description()));
    const QList<QCommandLineOption> own = runjobOptions();
    parser.addOptions(own);
    const QList<QCommandLineOption> taskOptions = builtin ? builtin->arguments() : (task ? task->arguments() : QList<QCommandLineOption>());
    for (const QCommandLineOption &o : taskOptions) {
        for (const QString &n : o.names()) {
            for (const QCommandLineOption &r : own) {
                if (r.names().contains(n))
                    return usageError(QStringLiteral("task option '%1' clashes with runjob's own option of that name").arg(n));
            }
        }
        parser.addOption(o);
    }
    parser.addPositionalArgument(QStringLiteral("task"), QStringLiteral("plugin.Class, a task name, check-liveness, lock-info or release-lock; "
                                                                        "or `-- PROGRAM ARGS` to run a command."),
                                 QStringLiteral("[task [args]] [-- PROGRAM ARGS...]"));
    if (!parser.parse(QStringList{arguments.value(0, QStringLiteral("runjob"))} + first.args))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        print(parser.helpText());
        return ExitCode::Success;
    }
    if (builtin && parser.positionalArguments().size() > 1)
        return usageError(QStringLiteral("%1 takes no positional arguments, got '%2'").arg(builtin->name(), parser.positionalArguments().at(1)));
    if (parser.isSet(QStringLiteral("sleep-interval")) && parser.isSet(QStringLiteral("run-interval")))
        return usageError(QStringLiteral("--sleep-interval and --run-interval may not be used together"));
    if (builtin) {
        const QString bad = builtin->validate(parser);
        if (!bad.isEmpty())
            return usageError(bad);
    }

    if (task)
        task->declareOptions(table);
    ConfigLoader loader(table);
    loader.setEnvironment(m_env);
    loader.setSettingsFile(first.settings);
    applyRunjobCommandLine(parser, loader);
    const auto config = loader.load();
    if (!config)
        return usageError(config.error());
    const qint64 taskStopMs = task ? RunnerSettings::fromConfig(config.value()).taskStopMs(*task) : 0;
    if (const QString bad = m_backends.validate(config.value(), taskStopMs); !bad.isEmpty())
        return usageError(bad);
    auto logSettings = logSettingsFromConfig(config.value());
    if (!logSettings)
        return usageError(logSettings.error());
    if (parser.isSet(QStringLiteral("verbose")))
        logSettings.value().level = 10;

    if (parser.isSet(QStringLiteral("print-config"))) {
        print(config->describe());
        return ExitCode::Success;
    }
    if (parser.isSet(QStringLiteral("explain"))) {
        print(explainSettings(config.value(), m_backends, taskDescription.isEmpty() ? QStringLiteral("none given") : taskDescription,
                              taskStopMs));
        return ExitCode::Success;
    }
    if (!task && !builtin)
        return usageError(QStringLiteral("no task given"));
    m_run->logSettings = logSettings.value();

    if (!SecretResolver::hasReferences(config.value())) {
        const int code = start(config.value());
        return code >= 0 ? code : runEventLoop();
    }
    // Secrets from the keychain arrive asynchronously: resolve them inside the event loop.
    // Started from the loop, so that an answer that comes at once (file:) can end it too.
    m_run->secrets = std::make_unique<SecretResolver>();
    QMetaObject::invokeMethod(
        m_run->secrets.get(),
        [this, resolving = config.value()] {
            m_run->secrets->resolve(resolving, [this](const Expected<Config> &resolved) {
                const int code = resolved ? start(resolved.value()) : usageError(resolved.error());
                if (code >= 0)
                    QCoreApplication::exit(code);
            });
        },
        Qt::QueuedConnection);
    return runEventLoop();
}

int Launcher::start(const Config &config)
{
    Run &run = *m_run;
    installLogHandler(run.logSettings);
    run.context = m_contextFactory ? m_contextFactory(config, m_backends) : std::make_unique<Context>(config, m_backends);
    const QString jobName = config.string(QStringLiteral("job_name"));
    run.context->setTaskName(!jobName.isEmpty() ? jobName : (run.task ? run.task->name() : QString()));
    if (!initializeOrReport(QStringLiteral("Context initialization"), [&run] { run.context->initialize(); }))
        return ExitCode::Failure;
    std::signal(SIGPIPE, SIG_IGN);

    if (run.builtin) {
        QObject::connect(run.builtin.get(), &BuiltinCommand::finished, QCoreApplication::instance(),
                         [](int code) { QCoreApplication::exit(code); }, Qt::QueuedConnection);
        run.builtin->start(*run.context, run.parser);
        return -1;
    }

    run.task->attach(run.context.get(), &run.parser);
    if (!initializeOrReport(QStringLiteral("%1 task initialization").arg(run.context->taskName()), [&run] { run.task->initialize(); }))
        return ExitCode::Failure;
    run.runner = std::make_unique<Runner>(*run.context, *run.task, RunnerSettings::fromConfig(config));
    run.monitor = std::make_unique<RunMonitor>(*run.context, *run.runner, config.flag(QStringLiteral("metrics.extended")));
    if (config.flag(QStringLiteral("status.enabled"))) {
        const QString address = config.string(QStringLiteral("status.address"));
        QHostAddress host;
        if (!host.setAddress(address))
            return usageError(QStringLiteral("option 'status.address': value '%1' from %2: expected an IP address such as 127.0.0.1, 0.0.0.0 or ::")
                                  .arg(address, config.origin(QStringLiteral("status.address"))));
        run.status = std::make_unique<StatusServer>(run.monitor->providers());
        const auto port = run.status->listen(host, quint16(config.integer(QStringLiteral("status.port"))));
        if (!port)
            return usageError(QStringLiteral("status endpoint: %1").arg(port.error()));
        QUrl url;
        url.setScheme(QStringLiteral("http"));
        url.setHost(host.toString());
        url.setPort(port.value());
        qCInfo(lcRunner).noquote() << QStringLiteral("Status endpoint listening on %1 (/livez /readyz /status /metrics)").arg(url.toString());
    }
    run.signals = std::make_unique<SignalWatcher>();
    for (const int s : {SIGTERM, SIGINT, SIGHUP})
        run.signals->watch(s);
    Runner *runner = run.runner.get();
    QObject::connect(run.signals.get(), &SignalWatcher::received, runner, [runner](int s) {
        if (s == SIGHUP)
            runner->logState();
        else
            runner->terminate(s);
    });
    QObject::connect(runner, &Runner::finished, QCoreApplication::instance(), [](int code) { QCoreApplication::exit(code); }, Qt::QueuedConnection);
    runner->start();
    return -1;
}

int Launcher::runEventLoop()
{
    const int code = QCoreApplication::exec();
    if (m_run && m_run->task && m_run->task->isRunning()) {
        // Self-fencing: a C++ task that ignored cancellation must not outlive its lock. Its
        // thread cannot be joined, so leave without running destructors.
        std::fflush(stdout);
        std::fflush(stderr);
        ::_exit(code);
    }
    // Signals go back to their defaults before the objects that handled them go away.
    if (m_run) {
        m_run->signals.reset();
        m_run->status.reset();
        m_run->monitor.reset();
        m_run->runner.reset();
    }
    return code;
}

} // namespace jobslib
