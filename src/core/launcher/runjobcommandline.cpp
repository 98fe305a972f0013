// SPDX-License-Identifier: BSD-3-Clause
#include "runjobcommandline.h"

#include "config/configloader.h"

#include <QCommandLineParser>

namespace jobslib {

QList<QCommandLineOption> runjobOptions()
{
    return {
        QCommandLineOption({QStringLiteral("s"), QStringLiteral("settings")}, QStringLiteral("Settings file (INI). Default: $JOBSLIB_SETTINGS_MODULE or $JOBSLIB_SETTINGS."),
                           QStringLiteral("file")),
        QCommandLineOption(QStringLiteral("disable-one-instance"), QStringLiteral("Use the dummy lock: every instance runs.")),
        QCommandLineOption(QStringLiteral("run-once"), QStringLiteral("Run one iteration, then exit.")),
        QCommandLineOption(QStringLiteral("sleep-interval"), QStringLiteral("Seconds to sleep after each iteration."), QStringLiteral("seconds")),
        QCommandLineOption(QStringLiteral("run-interval"), QStringLiteral("Seconds from one iteration's start to the next (fixed rate)."),
                           QStringLiteral("seconds")),
        QCommandLineOption(QStringLiteral("keep-lock"), QStringLiteral("Keep the lock while sleeping between iterations.")),
        QCommandLineOption(QStringLiteral("release-on-error"), QStringLiteral("Release the lock after a failure and sleep twice as long.")),
        QCommandLineOption(QStringLiteral("status"), QStringLiteral("Serve /livez, /readyz, /status and /metrics over HTTP (default 127.0.0.1:9464).")),
        QCommandLineOption(QStringLiteral("status-port"), QStringLiteral("Port of the status endpoint (0: any free one); implies --status."),
                           QStringLiteral("port")),
        QCommandLineOption(QStringLiteral("status-address"), QStringLiteral("Address of the status endpoint; implies --status."), QStringLiteral("ip")),
        QCommandLineOption({QStringLiteral("v"), QStringLiteral("verbose")}, QStringLiteral("Log debug messages.")),
        QCommandLineOption(QStringLiteral("print-config"), QStringLiteral("Print every effective setting with its source, then exit.")),
        QCommandLineOption(QStringLiteral("explain"), QStringLiteral("Explain what the loop will do and the worst-case failover times, then exit.")),
        QCommandLineOption(QStringLiteral("config-reference"), QStringLiteral("Print the configuration reference (Markdown), then exit.")),
        QCommandLineOption({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help (with the task's own options).")),
        QCommandLineOption(QStringLiteral("version"), QStringLiteral("Show the version.")),
    };
}

void applyRunjobCommandLine(const QCommandLineParser &parser, ConfigLoader &loader)
{
    const auto cliFlag = [&](const QString &flag, const QString &option) {
        if (parser.isSet(flag))
            loader.setCliValue(option, CliValue{QStringLiteral("1"), QStringLiteral("--") + flag});
    };
    cliFlag(QStringLiteral("run-once"), QStringLiteral("run_once"));
    cliFlag(QStringLiteral("keep-lock"), QStringLiteral("keep_lock"));
    cliFlag(QStringLiteral("release-on-error"), QStringLiteral("release_on_error"));
    cliFlag(QStringLiteral("status"), QStringLiteral("status.enabled"));
    const auto cliValue = [&](const QString &flag, const QString &option) {
        if (parser.isSet(flag))
            loader.setCliValue(option, CliValue{parser.value(flag), QStringLiteral("--") + flag});
    };
    cliValue(QStringLiteral("sleep-interval"), QStringLiteral("sleep_interval"));
    cliValue(QStringLiteral("run-interval"), QStringLiteral("run_interval"));
    cliValue(QStringLiteral("status-port"), QStringLiteral("status.port"));
    cliValue(QStringLiteral("status-address"), QStringLiteral("status.address"));
    // Giving the endpoint's port or address on the command line means wanting the endpoint.
    if (parser.isSet(QStringLiteral("status-port")) || parser.isSet(QStringLiteral("status-address")))
        cliFlag(parser.isSet(QStringLiteral("status-port")) ? QStringLiteral("status-port") : QStringLiteral("status-address"), QStringLiteral("status.enabled"));
    if (parser.isSet(QStringLiteral("disable-one-instance")))
        loader.setCliValue(QStringLiteral("one_instance.backend"), CliValue{QStringLiteral("dummy"), QStringLiteral("--disable-one-instance")});
    if (parser.isSet(QStringLiteral("verbose")))
        loader.setCliValue(QStringLiteral("logging.level"), CliValue{QStringLiteral("debug"), QStringLiteral("-v")});
}

} // namespace jobslib
