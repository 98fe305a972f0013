// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target: the environment and command-line loader, jobslib::ConfigLoader
// (src/core/config/configloader.h), over runjob's real option table (the core options and every
// built-in backend's), and what runjob does with the result before it starts anything:
// BackendRegistry::validate(), Config::describe() (--print-config), explainSettings() (--explain),
// logSettingsFromConfig() and a log line in the configured format.
//
// Input: NUL-separated strings in up to three parts, each part ended by an empty string ("\0\0"):
//   K=V environment entries \0\0 command-line arguments (without the program) \0\0 settings file bytes
// The settings file part is optional (no second "\0\0": no settings file); it is passed as a file,
// as runjob reads it (an in-memory file, /proc/self/fd/N). The command line goes through the same
// QCommandLineParser options and CliValue mapping as Launcher::exec() (src/core/app/launcher.cpp).
//
// Invariants: an error names the option or the settings file; every value loaded from a source,
// printed as --print-config prints it (formatOptionValue), parses again to a value that prints the
// same (so --print-config output is valid input); secrets are masked in --print-config; a log line
// is not longer than its format allows.

#include "fuzzsupport.h"

#include "app/backendregistry.h"
#include "app/explain.h"
#include "launcher/runjobcommandline.h"
#include "config/config.h"
#include "config/configloader.h"
#include "config/optiontable.h"
#include "config/valueparser.h"
#include "config/logsettings.h"
#include "util/logging.h"

#include <QCommandLineParser>
#include <QProcessEnvironment>

#include <optional>

#include <sys/mman.h>
#include <unistd.h>

using namespace jobslib;

namespace {

const BackendRegistry &registry()
{
    static const BackendRegistry builtins = BackendRegistry::builtins();
    return builtins;
}

/*! runjob's option table as Launcher::exec() builds it without a task (no task declares options). */
const OptionTable &runjobTable()
{
    static const OptionTable table = [] {
        OptionTable t = OptionTable::core();
        registry().declareOptions(t);
        return t;
    }();
    return table;
}

/*! An in-memory file for the settings file part, rewritten for every input; its /proc path. */
QString settingsFile(const QByteArray &content)
{
    static const int fd = memfd_create("jobslib-fuzz-settings", 0);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    qsizetype done = 0;
    while (done < content.size()) {
        const ssize_t n = pwrite(fd, content.constData() + done, size_t(content.size() - done), off_t(done));
        FUZZ_CHECK(n > 0);
        done += n;
    }
    return QStringLiteral("/proc/self/fd/%1").arg(fd);
}

struct Parts
{
    QList<QByteArray> env;
    QList<QByteArray> args;
    std::optional<QByteArray> settings;
};

Parts split(const QByteArray &input)
{
    Parts p;
    const QByteArray end("\0\0", 2);
    const qsizetype envEnd = input.indexOf(end);
    p.env = input.left(envEnd < 0 ? input.size() : envEnd).split('\0');
    if (envEnd < 0)
        return p;
    const qsizetype argsBegin = envEnd + 2;
    const qsizetype argsEnd = input.indexOf(end, argsBegin);
    p.args = input.mid(argsBegin, argsEnd < 0 ? -1 : argsEnd - argsBegin).split('\0');
    if (argsEnd >= 0)
        p.settings = input.mid(argsEnd + 2);
    return p;
}

void checkLoaded(const Config &config)
{
    const OptionTable &table = runjobTable();
    for (const OptionSpec &spec : table.options()) {
        if (!config.has(spec.name) || config.source(spec.name) == ConfigSource::Default)
            continue;
        // --print-config's text of the value is valid input that means the same.
        const QVariant value = config.value(spec.name);
        const QString shown = formatOptionValue(spec, value);
        const auto reparsed = parseOptionValue(spec, shown);
        if (!reparsed)
            std::fprintf(stderr, "%s = '%s' (%s) prints as '%s', which fails: %s\n", qPrintable(spec.name), qPrintable(value.toString()),
                         qPrintable(config.origin(spec.name)), qPrintable(shown), qPrintable(reparsed.error()));
        FUZZ_CHECK(reparsed.ok());
        const QString again = formatOptionValue(spec, reparsed.value());
        if (again != shown)
            std::fprintf(stderr, "%s (%s) prints as '%s', read back as '%s'\n", qPrintable(spec.name), qPrintable(config.origin(spec.name)),
                         qPrintable(shown), qPrintable(again));
        FUZZ_CHECK(again == shown);
    }

    // --print-config: every active option once, secrets masked.
    const QString described = config.describe();
    for (const OptionSpec &spec : table.options()) {
        if (!spec.secret || !config.has(spec.name) || config.string(spec.name).isEmpty())
            continue;
        const QString line = spec.name + QStringLiteral(" = ********  (") + config.origin(spec.name) + QStringLiteral(")\n");
        FUZZ_CHECK(described.startsWith(line) || described.contains(QLatin1Char('\n') + line));
    }

    // What runjob does next: the backends' own checks, --explain, the log format.
    const QString bad = registry().validate(config);
    if (bad.isEmpty())
        FUZZ_CHECK(!explainSettings(config, registry(), QStringLiteral("fuzz")).isEmpty());
    const auto log = logSettingsFromConfig(config);
    if (log) {
        // A fixed time: 2023-11-14T22:13:20.123Z. No placeholder expands without bound: a width
        // or precision of 10^9 must not make every log line gigabytes (each placeholder takes at
        // least 4 characters of the format and gives at most ~1000; a date at most 127).
        const QString &format = log->format;
        const QString line = formatLogLine(log.value(), QStringLiteral("jobslib.runner"), 20, QStringLiteral("message"), 1700000000123LL);
        FUZZ_CHECK(line.size() <= 256 * format.size() + 4096);
    } else {
        FUZZ_CHECK(!log.error().isEmpty());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz::run([&] {
        fuzz::ensureApplication();
        const Parts parts = split(fuzz::bytes(data, size));

        QProcessEnvironment env;
        for (const QByteArray &entry : parts.env) {
            const qsizetype eq = entry.indexOf('=');
            if (eq > 0)
                env.insert(QString::fromUtf8(entry.left(eq)), QString::fromUtf8(entry.mid(eq + 1)));
        }
        QStringList arguments{QStringLiteral("runjob")};
        for (const QByteArray &arg : parts.args)
            arguments << QString::fromUtf8(arg);

        QCommandLineParser parser;
        parser.addOptions(runjobOptions());
        parser.addPositionalArgument(QStringLiteral("task"), QStringLiteral("x"));
        if (!parser.parse(arguments))
            return; // runjob stops with the parser's error before loading anything

        ConfigLoader loader(runjobTable());
        loader.setEnvironment(env);
        // Never -s from the input: a fuzzer must not read the machine's files (or block on a FIFO).
        if (parts.settings)
            loader.setSettingsFile(settingsFile(*parts.settings));
        applyRunjobCommandLine(parser, loader);

        const auto config = loader.load();
        if (!config) {
            const QString &error = config.error();
            FUZZ_CHECK(error.startsWith(QLatin1String("option '")) || error.startsWith(QLatin1String("settings file '")));
            return;
        }
        checkLoaded(config.value());
    });
}
