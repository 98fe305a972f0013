// SPDX-License-Identifier: BSD-3-Clause
// runjob with bad input: every mistake is one line on stderr, exit code 2, and nothing runs.
#include "jobslib_version.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace jobslib::test;

class TestBadInput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rejected_data();
    void rejected();
    void emptyEnvironmentIsUnset_data();
    void emptyEnvironmentIsUnset();
    void markerDetectsARun();
    void compactSettingsOption();
    void version();
    void help_data();
    void help();

private:
    /*!
     * A fresh directory with an empty plugin directory (plugins/), a directory holding an empty
     * "plugin" file (broken/libbroken.so) and one with a non-ELF one (garbage/libgarbage.so).
     */
    static bool prepare(const QTemporaryDir &dir);
    static QString expand(QString text, const QTemporaryDir &dir);
};

// The command task of every row that needs a task: it would leave a trace if it ever ran.
static QStringList command()
{
    return {QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo started >> %MARKER%")};
}

static QStringList withCommand(QStringList args)
{
    return args + command();
}

void TestBadInput::initTestCase()
{
    QVERIFY2(QFile::exists(binary(QStringLiteral("runjob"))), qPrintable(binary(QStringLiteral("runjob"))));
}

bool TestBadInput::prepare(const QTemporaryDir &dir)
{
    if (!dir.isValid())
        return false;
    QDir d(dir.path());
    if (!d.mkdir(QStringLiteral("plugins")) || !d.mkdir(QStringLiteral("broken")) || !d.mkdir(QStringLiteral("garbage")))
        return false;
    QFile empty(d.filePath(QStringLiteral("broken/libbroken.so")));
    if (!empty.open(QIODevice::WriteOnly))
        return false;
    QFile garbage(d.filePath(QStringLiteral("garbage/libgarbage.so")));
    return garbage.open(QIODevice::WriteOnly) && garbage.write("this is not an ELF shared object\n") > 0;
}

QString TestBadInput::expand(QString text, const QTemporaryDir &dir)
{
    return text.replace(QStringLiteral("%MARKER%"), dir.filePath(QStringLiteral("marker")))
        .replace(QStringLiteral("%SETTINGS%"), dir.filePath(QStringLiteral("settings.ini")))
        .replace(QStringLiteral("%DIR%"), dir.path());
}

void TestBadInput::rejected_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("env");         // "K=V"
    QTest::addColumn<QByteArray>("settings");     // non-empty: written to %SETTINGS% and passed with -s
    QTest::addColumn<QStringList>("fragments");   // each must appear in the error line

    // %MARKER%, %SETTINGS% and %DIR% are replaced by the row's paths in args, env and fragments.
    const QStringList noEnv;
    const QByteArray noFile;
    const QString numberRange = QStringLiteral("expected a number from 0 to 31536000");
    const QString boolean = QStringLiteral("expected a boolean (1/0, true/false, yes/no, on/off)");

    // The command line.
    QTest::newRow("unknown option") << withCommand({QStringLiteral("--bogus")}) << noEnv << noFile
                                    << QStringList{QStringLiteral("Unknown option 'bogus'")};
    QTest::newRow("unknown short option") << withCommand({QStringLiteral("-x")}) << noEnv << noFile
                                          << QStringList{QStringLiteral("Unknown option 'x'")};
    QTest::newRow("missing value of -s") << withCommand({QStringLiteral("--run-once"), QStringLiteral("-s")}) << noEnv << noFile
                                         << QStringList{QStringLiteral("Missing value after '-s'")};
    QTest::newRow("missing value of --sleep-interval") << withCommand({QStringLiteral("--sleep-interval")}) << noEnv << noFile
                                                       << QStringList{QStringLiteral("Missing value after '--sleep-interval'")};
    QTest::newRow("value given to a flag") << withCommand({QStringLiteral("--run-once=1")}) << noEnv << noFile
                                           << QStringList{QStringLiteral("Unexpected value after '--run-once'")};
    QTest::newRow("sleep and run interval together")
        << withCommand({QStringLiteral("--sleep-interval"), QStringLiteral("5"), QStringLiteral("--run-interval"), QStringLiteral("10")}) << noEnv
        << noFile << QStringList{QStringLiteral("--sleep-interval and --run-interval may not be used together")};
    QTest::newRow("no task at all") << QStringList{QStringLiteral("--run-once")} << noEnv << noFile
                                    << QStringList{QStringLiteral("no task given"), QStringLiteral("set task.command")};
    QTest::newRow("-- without a command") << QStringList{QStringLiteral("--run-once"), QStringLiteral("--")} << noEnv << noFile
                                          << QStringList{QStringLiteral("'--' must be followed by the command to run")};
    QTest::newRow("task name and a command") << withCommand({QStringLiteral("MyTask")}) << noEnv << noFile
                                             << QStringList{QStringLiteral("give either a task name ('MyTask') or a command after '--', not both")};

    // Intervals from each source.
    QTest::newRow("cli sleep interval not a number") << withCommand({QStringLiteral("--sleep-interval"), QStringLiteral("abc")}) << noEnv << noFile
                                                     << QStringList{QStringLiteral("option 'sleep_interval'"), QStringLiteral("value 'abc'"),
                                                                    QStringLiteral("from cli --sleep-interval"), numberRange};
    QTest::newRow("cli run interval negative") << withCommand({QStringLiteral("--run-interval"), QStringLiteral("-5")}) << noEnv << noFile
                                               << QStringList{QStringLiteral("option 'run_interval'"), QStringLiteral("value '-5'"),
                                                              QStringLiteral("from cli --run-interval"), numberRange};
    QTest::newRow("cli sleep interval with =") << withCommand({QStringLiteral("--sleep-interval=-0.5")}) << noEnv << noFile
                                               << QStringList{QStringLiteral("value '-0.5'"), QStringLiteral("from cli --sleep-interval"), numberRange};
    QTest::newRow("env sleep interval not a number") << command() << QStringList{QStringLiteral("JOBSLIB_SLEEP_INTERVAL=soon")} << noFile
                                                     << QStringList{QStringLiteral("option 'sleep_interval'"), QStringLiteral("value 'soon'"),
                                                                    QStringLiteral("from env JOBSLIB_SLEEP_INTERVAL"), numberRange};
    QTest::newRow("env sleep interval negative") << command() << QStringList{QStringLiteral("JOBSLIB_SLEEP_INTERVAL=-1")} << noFile
                                                 << QStringList{QStringLiteral("value '-1'"), QStringLiteral("from env JOBSLIB_SLEEP_INTERVAL"), numberRange};
    QTest::newRow("env run interval infinite") << command() << QStringList{QStringLiteral("JOBSLIB_RUN_INTERVAL=inf")} << noFile
                                               << QStringList{QStringLiteral("option 'run_interval'"), QStringLiteral("value 'inf'"),
                                                              QStringLiteral("from env JOBSLIB_RUN_INTERVAL"), numberRange};
    QTest::newRow("env run interval too large") << command() << QStringList{QStringLiteral("JOBSLIB_RUN_INTERVAL=31536001")} << noFile
                                                << QStringList{QStringLiteral("value '31536001'"), numberRange};
    QTest::newRow("file sleep interval negative") << command() << noEnv << QByteArray("# intervals\n\nsleep_interval = -3\n")
                                                  << QStringList{QStringLiteral("option 'sleep_interval'"), QStringLiteral("value '-3'"),
                                                                 QStringLiteral("from file %SETTINGS%:3"), numberRange};
    QTest::newRow("file run interval not a number") << command() << noEnv << QByteArray("RUN_INTERVAL = 1 minute\n")
                                                    << QStringList{QStringLiteral("option 'run_interval'"), QStringLiteral("value '1 minute'"),
                                                                   QStringLiteral("from file %SETTINGS%:1"), numberRange};
    QTest::newRow("cli wins over a good file value, and is checked")
        << withCommand({QStringLiteral("--run-interval"), QStringLiteral("x")}) << noEnv << QByteArray("run_interval = 5\n")
        << QStringList{QStringLiteral("value 'x' from cli --run-interval")};

    // Booleans.
    QTest::newRow("env run_once maybe") << command() << QStringList{QStringLiteral("JOBSLIB_RUN_ONCE=maybe")} << noFile
                                        << QStringList{QStringLiteral("option 'run_once'"), QStringLiteral("value 'maybe'"),
                                                       QStringLiteral("from env JOBSLIB_RUN_ONCE"), boolean};
    QTest::newRow("env keep_lock 2x") << command() << QStringList{QStringLiteral("JOBSLIB_KEEP_LOCK=2x")} << noFile
                                      << QStringList{QStringLiteral("option 'keep_lock'"), QStringLiteral("value '2x'"),
                                                     QStringLiteral("from env JOBSLIB_KEEP_LOCK"), boolean};
    QTest::newRow("file release_on_error") << command() << noEnv << QByteArray("release_on_error = sometimes\n")
                                           << QStringList{QStringLiteral("option 'release_on_error'"), QStringLiteral("value 'sometimes'"),
                                                          QStringLiteral("from file %SETTINGS%:1"), boolean};

    // Backends.
    QTest::newRow("unknown backend by env") << command() << QStringList{QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND=redis")} << noFile
                                            << QStringList{QStringLiteral("option 'one_instance.backend'"), QStringLiteral("value 'redis'"),
                                                           QStringLiteral("from env JOBSLIB_ONE_INSTANCE_BACKEND"),
                                                           QStringLiteral("expected one of: dummy, file")};
    QTest::newRow("unknown backend in file") << command() << noEnv << QByteArray("run_once = 1\n[liveness]\nbackend = consul2\n")
                                             << QStringList{QStringLiteral("option 'liveness.backend'"), QStringLiteral("value 'consul2'"),
                                                            QStringLiteral("from file %SETTINGS%:3"), QStringLiteral("expected one of: dummy, file")};
    QTest::newRow("python consul lock by env")
        << command() << QStringList{QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND=jobslib.oneinstance.consul.ConsulLock")} << noFile
        << QStringList{QStringLiteral("option 'one_instance.consul.key' is required when one_instance.backend = consul"),
                       QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_KEY")};
    QTest::newRow("python influxdb metrics without database")
        << command() << noEnv << QByteArray("[metrics]\nbackend = jobslib.metrics.influxdb.InfluxDBMetrics\n")
        << QStringList{QStringLiteral("option 'metrics.influxdb.database' is required for the InfluxDB 1.x API"),
                       QStringLiteral("JOBSLIB_METRICS_INFLUXDB_DBNAME")};
    QTest::newRow("influxdb v2 without token")
        << command() << noEnv << QByteArray("[metrics]\nbackend = influxdb\n[metrics.influxdb]\napi = v2\norg = o\nbucket = b\n")
        << QStringList{QStringLiteral("option 'metrics.influxdb.token' is required with api = v2"), QStringLiteral("JOBSLIB_METRICS_INFLUXDB_TOKEN")};
    QTest::newRow("influxdb api unknown")
        << command() << noEnv << QByteArray("[metrics]\nbackend = influxdb\n[metrics.influxdb]\ndatabase = d\napi = v3\n")
        << QStringList{QStringLiteral("metrics.influxdb.api"), QStringLiteral("v3"), QStringLiteral("v1, v2")};
    QTest::newRow("influxdb buffer_size zero")
        << command() << noEnv << QByteArray("[metrics]\nbackend = influxdb\n[metrics.influxdb]\ndatabase = d\nbuffer_size = 0\n")
        << QStringList{QStringLiteral("metrics.influxdb.buffer_size"), QStringLiteral("from 1 to 10000000")};
    QTest::newRow("status port out of range")
        << command() << noEnv << QByteArray("[status]\nenabled = true\nport = 70000\n")
        << QStringList{QStringLiteral("status.port"), QStringLiteral("70000"), QStringLiteral("from 0 to 65535")};
    QTest::newRow("etcd endpoint not a URL")
        << command() << noEnv << QByteArray("[one_instance]\nbackend = etcd\n[one_instance.etcd]\nkey = k\nendpoints = http://a:2379,ftp://b\n")
        << QStringList{QStringLiteral("option 'one_instance.etcd.endpoints': value 'ftp://b'"), QStringLiteral("expected http(s)://host:port")};
    QTest::newRow("etcd key missing")
        << command() << noEnv << QByteArray("[one_instance]\nbackend = etcd\n")
        << QStringList{QStringLiteral("option 'one_instance.etcd.key' is required when one_instance.backend = etcd"),
                       QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_KEY")};
    QTest::newRow("etcd ttl too short")
        << command() << noEnv << QByteArray("[one_instance]\nbackend = etcd\n[one_instance.etcd]\nkey = k\nttl = 1\n")
        << QStringList{QStringLiteral("one_instance.etcd.ttl"), QStringLiteral("from 9 to 86400")};
    // A C++ task cannot be killed at the lease deadline: the loss must come its kill grace earlier,
    // and Consul's shortest TTL leaves no time for that with the default grace of 10 s.
    QTest::newRow("lease too short for a C++ task's kill grace")
        << QStringList{QStringLiteral("helloworld.HelloWorld")} << noEnv
        << QByteArray("[one_instance]\nbackend = consul\n[one_instance.consul]\nkey = k\nttl = 10\n")
        << QStringList{QStringLiteral("option 'one_instance.consul.ttl': value 10 from file %SETTINGS%:5 is too short"),
                       QStringLiteral("lost 16 s before the TTL ends"), QStringLiteral("kill grace of 10 s"), QStringLiteral("at least 19 s"),
                       QStringLiteral("or a shorter task.kill_grace")};
    QTest::newRow("etcd user without password")
        << command() << noEnv << QByteArray("[liveness]\nbackend = etcd\n[liveness.etcd]\nkey = k\nusername = u\n")
        << QStringList{QStringLiteral("options 'liveness.etcd.username' and 'liveness.etcd.password' go together")};
    QTest::newRow("status address not an address")
        << command() << noEnv << QByteArray("[status]\nenabled = true\naddress = localhost:80\n")
        << QStringList{QStringLiteral("option 'status.address': value 'localhost:80' from file %SETTINGS%:3"), QStringLiteral("expected an IP address")};
    QTest::newRow("active backend option bad")
        << command() << QStringList{QStringLiteral("JOBSLIB_METRICS_BACKEND=file"), QStringLiteral("JOBSLIB_METRICS_FILE_FORMAT=xml")} << noFile
        << QStringList{QStringLiteral("option 'metrics.file.format'"), QStringLiteral("value 'xml'"),
                       QStringLiteral("from env JOBSLIB_METRICS_FILE_FORMAT"), QStringLiteral("expected one of: influx, json")};

    // The settings file itself.
    QTest::newRow("file line without =") << command() << noEnv << QByteArray("run_once = 1\nsleep_interval 5\n")
                                         << QStringList{QStringLiteral("settings file '%SETTINGS%' line 2"),
                                                        QStringLiteral("expected 'key = value' or '[section]'"), QStringLiteral("sleep_interval 5")};
    // Issue 15: with no task on the command line the task may come from the file (task.command):
    // a broken file is what to report, not "no task given".
    QTest::newRow("file line without =, no task given") << QStringList{QStringLiteral("--run-once")} << noEnv
                                                        << QByteArray("run_once = 1\nsleep_interval 5\n")
                                                        << QStringList{QStringLiteral("settings file '%SETTINGS%' line 2"),
                                                                       QStringLiteral("expected 'key = value' or '[section]'")};
    QTest::newRow("unreadable settings file, no task given") << QStringList{QStringLiteral("--run-once"), QStringLiteral("-s"), QStringLiteral("%DIR%/missing.ini")}
                                                             << noEnv << noFile
                                                             << QStringList{QStringLiteral("settings file '%DIR%/missing.ini': cannot read it")};
    QTest::newRow("file missing ]") << command() << noEnv << QByteArray("[one_instance\nbackend = file\n")
                                    << QStringList{QStringLiteral("settings file '%SETTINGS%' line 1"), QStringLiteral("lacks the closing ']'")};
    QTest::newRow("file duplicate key") << command() << noEnv << QByteArray("run_once = 1\nkeep_lock = 1\nRUN_ONCE = 0\n")
                                        << QStringList{QStringLiteral("settings file '%SETTINGS%' line 3"), QStringLiteral("'run_once' is set twice")};
    QTest::newRow("file not UTF-8") << command() << noEnv << QByteArray("fqdn = h\xe9st\n")
                                    << QStringList{QStringLiteral("settings file '%SETTINGS%'"), QStringLiteral("not valid UTF-8")};
    QTest::newRow("file unknown top-level key") << command() << noEnv << QByteArray("run_once = 1\nsleep_intervall = 5\n")
                                                << QStringList{QStringLiteral("settings file '%SETTINGS%' line 2"),
                                                               QStringLiteral("unknown option 'sleep_intervall' at the top level"),
                                                               QStringLiteral("sleep_interval")};
    QTest::newRow("file unknown key in a section") << command() << noEnv << QByteArray("[one_instance]\nbakend = file\n")
                                                   << QStringList{QStringLiteral("line 2"), QStringLiteral("unknown option 'bakend' in section [one_instance]"),
                                                                  QStringLiteral("known there: backend")};
    QTest::newRow("file unknown section") << command() << noEnv << QByteArray("[consul]\nhost = localhost\n")
                                          << QStringList{QStringLiteral("line 2"), QStringLiteral("unknown option 'host' in section [consul]")};
    QTest::newRow("settings file missing") << withCommand({QStringLiteral("-s"), QStringLiteral("%DIR%/missing.ini")}) << noEnv << noFile
                                           << QStringList{QStringLiteral("settings file '%DIR%/missing.ini'"), QStringLiteral("cannot read it")};
    QTest::newRow("settings file is a directory") << withCommand({QStringLiteral("--settings"), QStringLiteral("%DIR%")}) << noEnv << noFile
                                                  << QStringList{QStringLiteral("settings file '%DIR%'"), QStringLiteral("cannot read it")};
    QTest::newRow("JOBSLIB_SETTINGS missing") << command() << QStringList{QStringLiteral("JOBSLIB_SETTINGS=%DIR%/nope.ini")} << noFile
                                              << QStringList{QStringLiteral("settings file '%DIR%/nope.ini'"), QStringLiteral("cannot read it")};
    QTest::newRow("python settings module") << command() << QStringList{QStringLiteral("JOBSLIB_SETTINGS_MODULE=myapp.settings")} << noFile
                                            << QStringList{QStringLiteral("JOBSLIB_SETTINGS_MODULE='myapp.settings'"),
                                                           QStringLiteral("looks like a Python module name")};

    // Task and logging options.
    QTest::newRow("kill grace out of range") << command() << QStringList{QStringLiteral("JOBSLIB_TASK_KILL_GRACE=5000")} << noFile
                                             << QStringList{QStringLiteral("option 'task.kill_grace'"), QStringLiteral("value '5000'"),
                                                            QStringLiteral("from env JOBSLIB_TASK_KILL_GRACE"),
                                                            QStringLiteral("expected a number from 0 to 3600")};
    QTest::newRow("kill grace negative in file") << command() << noEnv << QByteArray("[task]\nkill_grace = -1\n")
                                                 << QStringList{QStringLiteral("option 'task.kill_grace'"), QStringLiteral("from file %SETTINGS%:2"),
                                                                QStringLiteral("expected a number from 0 to 3600")};
    QTest::newRow("logging level bogus") << command() << QStringList{QStringLiteral("JOBSLIB_LOGGING_LEVEL=loud")} << noFile
                                         << QStringList{QStringLiteral("option 'logging.level'"), QStringLiteral("value 'loud'"),
                                                        QStringLiteral("from env JOBSLIB_LOGGING_LEVEL"),
                                                        QStringLiteral("expected one of: debug, info, warning, error, critical")};
    QTest::newRow("logging level bogus in file") << command() << noEnv << QByteArray("[logging]\nlevel = verbose\n")
                                                 << QStringList{QStringLiteral("value 'verbose'"), QStringLiteral("from file %SETTINGS%:2")};
    QTest::newRow("JOBSLIB_LOGGING not JSON") << command() << QStringList{QStringLiteral("JOBSLIB_LOGGING=level=debug")} << noFile
                                              << QStringList{QStringLiteral("option 'logging.dict_config'"), QStringLiteral("value 'level=debug'"),
                                                             QStringLiteral("from env JOBSLIB_LOGGING"), QStringLiteral("expected a JSON object (")};
    QTest::newRow("JOBSLIB_LOGGING an array") << command() << QStringList{QStringLiteral("JOBSLIB_LOGGING=[1, 2]")} << noFile
                                              << QStringList{QStringLiteral("option 'logging.dict_config'"), QStringLiteral("value '[1, 2]'"),
                                                             QStringLiteral("from env JOBSLIB_LOGGING"), QStringLiteral("expected a JSON object")};
    QTest::newRow("JOBSLIB_LOGGING bad root level")
        << command() << QStringList{QStringLiteral("JOBSLIB_LOGGING={\"version\": 1, \"root\": {\"level\": \"LOUD\"}}")} << noFile
        << QStringList{QStringLiteral("option 'logging.dict_config'"), QStringLiteral("from env JOBSLIB_LOGGING"),
                       QStringLiteral("unknown root level 'LOUD'"), QStringLiteral("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")};
    QTest::newRow("JOBSLIB_LOGGING bad logger level")
        << command() << QStringList{QStringLiteral("JOBSLIB_LOGGING={\"loggers\": {\"jobslib.lock\": {\"level\": \"x\"}}}")} << noFile
        << QStringList{QStringLiteral("from env JOBSLIB_LOGGING"), QStringLiteral("unknown level 'x' of logger 'jobslib.lock'")};

    // Tasks and plugins.
    QTest::newRow("unknown task name") << QStringList{QStringLiteral("--run-once"), QStringLiteral("NoSuchTask")}
                                       << QStringList{QStringLiteral("JOBSLIB_PLUGIN_PATH=%DIR%/plugins")} << noFile
                                       << QStringList{QStringLiteral("unknown task 'NoSuchTask'"), QStringLiteral("%DIR%/plugins")};
    QTest::newRow("no such plugin") << QStringList{QStringLiteral("--run-once"), QStringLiteral("nosuch.Task")}
                                    << QStringList{QStringLiteral("JOBSLIB_PLUGIN_PATH=%DIR%/plugins")} << noFile
                                    << QStringList{QStringLiteral("task 'nosuch.Task'"), QStringLiteral("no plugin 'nosuch' (libnosuch.so)"),
                                                   QStringLiteral("%DIR%/plugins")};
    QTest::newRow("plugin path from the settings file") << QStringList{QStringLiteral("nosuch.Task")} << noEnv
                                                        << QByteArray("plugin_path = /nonexistent/jobslib-plugins\n")
                                                        << QStringList{QStringLiteral("no plugin 'nosuch'"), QStringLiteral("/nonexistent/jobslib-plugins")};
    QTest::newRow("empty plugin file") << QStringList{QStringLiteral("--run-once"), QStringLiteral("broken.Task")}
                                       << QStringList{QStringLiteral("JOBSLIB_PLUGIN_PATH=%DIR%/broken")} << noFile
                                       << QStringList{QStringLiteral("task 'broken.Task'"), QStringLiteral("cannot load plugin '%DIR%/broken/libbroken.so'")};
    QTest::newRow("plugin file that is not ELF") << QStringList{QStringLiteral("--run-once"), QStringLiteral("garbage.Task")}
                                                 << QStringList{QStringLiteral("JOBSLIB_PLUGIN_PATH=%DIR%/garbage")} << noFile
                                                 << QStringList{QStringLiteral("task 'garbage.Task'"),
                                                                QStringLiteral("cannot load plugin '%DIR%/garbage/libgarbage.so'")};

    // Built-in commands.
    QTest::newRow("check-liveness without --max-age") << QStringList{QStringLiteral("check-liveness")} << noEnv << noFile
                                                      << QStringList{QStringLiteral("check-liveness: --max-age is required")};
    QTest::newRow("check-liveness --max-age 0") << QStringList{QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("0")}
                                                << noEnv << noFile
                                                << QStringList{QStringLiteral("--max-age '0'"), QStringLiteral("expected a whole number of seconds > 0")};
    QTest::newRow("check-liveness --max-age -5") << QStringList{QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("-5")}
                                                 << noEnv << noFile
                                                 << QStringList{QStringLiteral("--max-age '-5'"), QStringLiteral("expected a whole number of seconds > 0")};
    QTest::newRow("check-liveness --max-age abc") << QStringList{QStringLiteral("check-liveness"), QStringLiteral("--max-age=abc")} << noEnv << noFile
                                                  << QStringList{QStringLiteral("--max-age 'abc'"), QStringLiteral("expected a whole number of seconds > 0")};
    QTest::newRow("check-liveness --max-age 1.5") << QStringList{QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("1.5")}
                                                  << noEnv << noFile << QStringList{QStringLiteral("--max-age '1.5'")};
    QTest::newRow("check-liveness bad settings") << QStringList{QStringLiteral("check-liveness"), QStringLiteral("--max-age"), QStringLiteral("60")}
                                                 << QStringList{QStringLiteral("JOBSLIB_LIVENESS_BACKEND=consul")} << noFile
                                                 << QStringList{QStringLiteral("option 'liveness.consul.key' is required")};
    QTest::newRow("lock-info with a positional") << QStringList{QStringLiteral("lock-info"), QStringLiteral("extra")} << noEnv << noFile
                                                 << QStringList{QStringLiteral("lock-info takes no positional arguments, got 'extra'")};
    QTest::newRow("release-lock with an unknown option") << QStringList{QStringLiteral("release-lock"), QStringLiteral("--force")} << noEnv << noFile
                                                         << QStringList{QStringLiteral("Unknown option 'force'")};
}

void TestBadInput::rejected()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, env);
    QFETCH(QByteArray, settings);
    QFETCH(QStringList, fragments);

    QTemporaryDir dir;
    QVERIFY(prepare(dir));
    const QString marker = dir.filePath(QStringLiteral("marker"));

    QStringList arguments;
    if (!settings.isEmpty()) {
        QFile f(dir.filePath(QStringLiteral("settings.ini")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(settings), settings.size());
        f.close();
        arguments << QStringLiteral("-s") << f.fileName();
    }
    for (const QString &a : std::as_const(args))
        arguments << expand(a, dir);
    QProcessEnvironment environment = cleanEnvironment();
    for (const QString &e : std::as_const(env)) {
        const auto eq = e.indexOf(QLatin1Char('='));
        environment.insert(e.left(eq), expand(e.mid(eq + 1), dir));
    }

    const ProcessResult r = run(binary(QStringLiteral("runjob")), arguments, environment);
    const QString err = QString::fromLocal8Bit(r.err);
    QVERIFY2(!r.timedOut && !r.crashed, r.err.constData());
    QVERIFY2(r.exitCode == 2, qPrintable(QStringLiteral("exit code %1, stderr: %2").arg(r.exitCode).arg(err)));
    QVERIFY2(r.out.isEmpty(), r.out.constData());

    const QStringList lines = err.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(!lines.isEmpty(), "no error on stderr");
    QVERIFY2(err.endsWith(QLatin1Char('\n')), qPrintable(err));
    // The error is the last line; nothing else may be printed.
    const QString line = lines.constLast();
    QVERIFY2(line.startsWith(QStringLiteral("runjob: error: ")), qPrintable(err));
    for (const QString &f : std::as_const(fragments)) {
        const QString fragment = expand(f, dir);
        QVERIFY2(line.contains(fragment), qPrintable(QStringLiteral("'%1' not in: %2").arg(fragment, line)));
    }
    QVERIFY2(lines.size() == 1, qPrintable(QStringLiteral("stderr has %1 lines:\n%2").arg(lines.size()).arg(err)));

    // Nothing was started.
    QVERIFY2(!QFile::exists(marker), "the task ran");
}

void TestBadInput::emptyEnvironmentIsUnset_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QStringList>("stdoutLines"); // each must be a line of stdout

    QTest::newRow("run once, lock disabled")
        << QStringList{QStringLiteral("--run-once"), QStringLiteral("--disable-one-instance"), QStringLiteral("--"), QStringLiteral("true")}
        << QStringList{QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH=")} << QStringList();
    QTest::newRow("print-config shows defaults")
        << QStringList{QStringLiteral("--print-config"), QStringLiteral("--"), QStringLiteral("true")}
        << QStringList{QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH="), QStringLiteral("JOBSLIB_SLEEP_INTERVAL="), QStringLiteral("JOBSLIB_RUN_ONCE="),
                       QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND="), QStringLiteral("JOBSLIB_LOGGING="), QStringLiteral("JOBSLIB_SETTINGS_MODULE=")}
        << QStringList{QStringLiteral("one_instance.file.path = (auto: $XDG_RUNTIME_DIR/jobslib/<task>.lock, else /tmp/jobslib-<uid>/<task>.lock)  (default)"), QStringLiteral("sleep_interval = 0  (default)"),
                       QStringLiteral("run_once = false  (default)"), QStringLiteral("one_instance.backend = file  (default)"),
                       QStringLiteral("logging.dict_config = (unset)  (default)")};
    QTest::newRow("run once with the file lock at its default path")
        << QStringList{QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("true")}
        << QStringList{QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH="), QStringLiteral("JOBSLIB_JOB_NAME=badinput-empty-env"),
                       QStringLiteral("XDG_RUNTIME_DIR=%DIR%")}
        << QStringList();
}

void TestBadInput::emptyEnvironmentIsUnset()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, env);
    QFETCH(QStringList, stdoutLines);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcessEnvironment environment = cleanEnvironment();
    for (const QString &e : std::as_const(env)) {
        const auto eq = e.indexOf(QLatin1Char('='));
        environment.insert(e.left(eq), expand(e.mid(eq + 1), dir));
    }
    const ProcessResult r = run(binary(QStringLiteral("runjob")), args, environment);
    QVERIFY2(!r.timedOut && !r.crashed, r.err.constData());
    QVERIFY2(r.exitCode == 0, qPrintable(QStringLiteral("exit code %1, stderr: %2").arg(r.exitCode).arg(QString::fromLocal8Bit(r.err))));
    QVERIFY2(!r.err.contains("error"), r.err.constData());
    const QStringList out = QString::fromLocal8Bit(r.out).split(QLatin1Char('\n'));
    for (const QString &l : std::as_const(stdoutLines))
        QVERIFY2(out.contains(l), qPrintable(QStringLiteral("'%1' not a line of:\n%2").arg(l, QString::fromLocal8Bit(r.out))));
}

void TestBadInput::markerDetectsARun()
{
    // The control for rejected(): the same command, given valid input, does leave its marker.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStringList args{QStringLiteral("--run-once"), QStringLiteral("--disable-one-instance")};
    for (const QString &a : command())
        args << expand(a, dir);
    const ProcessResult r = run(binary(QStringLiteral("runjob")), args);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QFile marker(dir.filePath(QStringLiteral("marker")));
    QVERIFY(marker.open(QIODevice::ReadOnly));
    QCOMPARE(marker.readAll(), QByteArray("started\n"));
}

void TestBadInput::compactSettingsOption()
{
    // QCommandLineParser accepts "-sFILE", but runjob's first pass (which picks the settings file
    // before the full parse) only knows "-s FILE", "--settings FILE" and "--settings=FILE".
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile f(dir.filePath(QStringLiteral("settings.ini")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.write("sleep_interval = 7\n") > 0);
    f.close();
    const ProcessResult r = run(binary(QStringLiteral("runjob")),
                                {QStringLiteral("-s") + f.fileName(), QStringLiteral("--print-config"), QStringLiteral("--"), QStringLiteral("true")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("sleep_interval = 7  (file "), r.out.constData());
}

void TestBadInput::version()
{
    const ProcessResult r = run(binary(QStringLiteral("runjob")), {QStringLiteral("--version")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("runjob " JOBSLIB_VERSION_STRING "\n"));
    QVERIFY(QRegularExpression(QStringLiteral("^runjob \\d+\\.\\d+\\.\\d+\n$")).match(QString::fromLatin1(r.out)).hasMatch());
    QVERIFY2(r.err.isEmpty(), r.err.constData());
}

void TestBadInput::help_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("fragments");

    QTest::newRow("--help") << QStringList{QStringLiteral("--help")}
                            << QStringList{QStringLiteral("--sleep-interval"), QStringLiteral("--run-interval"), QStringLiteral("--run-once"),
                                           QStringLiteral("--disable-one-instance"), QStringLiteral("--settings")};
    QTest::newRow("-h") << QStringList{QStringLiteral("-h")} << QStringList{QStringLiteral("--sleep-interval")};
    QTest::newRow("check-liveness --help") << QStringList{QStringLiteral("check-liveness"), QStringLiteral("--help")}
                                           << QStringList{QStringLiteral("--max-age"), QStringLiteral("check-liveness:")};
}

void TestBadInput::help()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, fragments);
    const ProcessResult r = run(binary(QStringLiteral("runjob")), args);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), r.err.constData());
    const QString out = QString::fromLocal8Bit(r.out);
    for (const QString &f : std::as_const(fragments))
        QVERIFY2(out.contains(f), qPrintable(QStringLiteral("'%1' not in:\n%2").arg(f, out)));
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
