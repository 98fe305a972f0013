// SPDX-License-Identifier: BSD-3-Clause
#include "app/backendregistry.h"
#include "config/configdoc.h"
#include "config/configloader.h"
#include "config/valueparser.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace jobslib;

class TestConfigLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void defaults_data();
    void defaults();
    void precedence_data();
    void precedence();
    void legacyEnvFallback_data();
    void legacyEnvFallback();
    void booleans_data();
    void booleans();
    void intervals_data();
    void intervals();
    void backendNames_data();
    void backendNames();
    void inactiveBackendOptionsIgnored_data();
    void inactiveBackendOptionsIgnored();
    void settingsFileErrors_data();
    void settingsFileErrors();
    void requiredOption_data();
    void requiredOption();
    void requiredTypedOption_data();
    void requiredTypedOption();
    void secretMasked();
    void describeShowsOrigins();
    void markdownListsEveryOption();

private:
    static OptionTable fullTable();
    static QProcessEnvironment environment(const QStringList &assignments);
    QString writeSettings(const QByteArray &text);

    QTemporaryDir m_dir;
    int m_files = 0;
};

OptionTable TestConfigLoader::fullTable()
{
    OptionTable table = OptionTable::core();
    BackendRegistry::builtins().declareOptions(table);
    return table;
}

QProcessEnvironment TestConfigLoader::environment(const QStringList &assignments)
{
    QProcessEnvironment env; // empty: nothing from the developer's shell
    for (const QString &a : assignments) {
        const auto eq = a.indexOf(QLatin1Char('='));
        env.insert(a.left(eq), a.mid(eq + 1));
    }
    return env;
}

QString TestConfigLoader::writeSettings(const QByteArray &text)
{
    const QString path = m_dir.filePath(QStringLiteral("settings-%1.ini").arg(++m_files));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TestConfigLoader::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestConfigLoader::defaults_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QVariant>("expected");

    QTest::newRow("run_once") << QStringLiteral("run_once") << QVariant(false);
    QTest::newRow("sleep_interval") << QStringLiteral("sleep_interval") << QVariant(0.0);
    QTest::newRow("run_interval") << QStringLiteral("run_interval") << QVariant(0.0);
    QTest::newRow("keep_lock") << QStringLiteral("keep_lock") << QVariant(false);
    QTest::newRow("release_on_error") << QStringLiteral("release_on_error") << QVariant(false);
    QTest::newRow("one_instance.backend") << QStringLiteral("one_instance.backend") << QVariant(QStringLiteral("file"));
    QTest::newRow("liveness.backend") << QStringLiteral("liveness.backend") << QVariant(QStringLiteral("dummy"));
    QTest::newRow("metrics.backend") << QStringLiteral("metrics.backend") << QVariant(QStringLiteral("dummy"));
    QTest::newRow("one_instance.file.path") << QStringLiteral("one_instance.file.path") << QVariant(QString());
    QTest::newRow("task.kill_grace") << QStringLiteral("task.kill_grace") << QVariant(10.0);
    QTest::newRow("task.command") << QStringLiteral("task.command") << QVariant(QString());
    QTest::newRow("logging.level") << QStringLiteral("logging.level") << QVariant(QStringLiteral("info"));
    QTest::newRow("logging.format") << QStringLiteral("logging.format") << QVariant(QStringLiteral("%(asctime)s %(name)s %(levelname)s %(message)s"));
    QTest::newRow("logging.datefmt") << QStringLiteral("logging.datefmt") << QVariant(QStringLiteral("%Y-%m-%d %H:%M:%S"));
    QTest::newRow("logging.dict_config (no default)") << QStringLiteral("logging.dict_config") << QVariant();
}

void TestConfigLoader::defaults()
{
    QFETCH(QString, option);
    QFETCH(QVariant, expected);
    ConfigLoader loader(fullTable());
    loader.setEnvironment(QProcessEnvironment());
    const auto config = loader.load();
    QVERIFY2(config.ok(), qPrintable(config.error()));
    QVERIFY(config->has(option));
    QCOMPARE(config->value(option), expected);
    QCOMPARE(toString(config->source(option)), toString(ConfigSource::Default));
    QCOMPARE(config->origin(option), QStringLiteral("default"));

    // The typed accessors read the same values.
    QCOMPARE(config->runOnce(), false);
    QCOMPARE(config->sleepInterval(), 0.0);
    QCOMPARE(config->lockBackend(), QStringLiteral("file"));
    // Options of backends that are not selected have no value at all.
    QVERIFY(!config->has(QStringLiteral("liveness.file.path")));
    QVERIFY(!config->has(QStringLiteral("metrics.file.format")));
}

void TestConfigLoader::precedence_data()
{
    QTest::addColumn<QByteArray>("settings"); // empty: no settings file
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QStringList>("cli"); // {option, text, flag} or empty
    QTest::addColumn<QString>("option");
    QTest::addColumn<QVariant>("expected");
    QTest::addColumn<ConfigSource>("source");
    QTest::addColumn<QString>("origin"); // %FILE% is the settings file

    const QStringList none;
    const QByteArray noFile;
    QTest::newRow("file overrides default") << QByteArray("sleep_interval = 30\n") << none << none << QStringLiteral("sleep_interval")
                                            << QVariant(30.0) << ConfigSource::File << QStringLiteral("file %FILE%:1");
    QTest::newRow("env overrides file") << QByteArray("sleep_interval = 30\n") << QStringList{QStringLiteral("JOBSLIB_SLEEP_INTERVAL=40")}
                                        << none << QStringLiteral("sleep_interval") << QVariant(40.0) << ConfigSource::Env
                                        << QStringLiteral("env JOBSLIB_SLEEP_INTERVAL");
    QTest::newRow("cli overrides env") << QByteArray("sleep_interval = 30\n") << QStringList{QStringLiteral("JOBSLIB_SLEEP_INTERVAL=40")}
                                       << QStringList{QStringLiteral("sleep_interval"), QStringLiteral("50"), QStringLiteral("--sleep-interval")}
                                       << QStringLiteral("sleep_interval") << QVariant(50.0) << ConfigSource::Cli
                                       << QStringLiteral("cli --sleep-interval");
    QTest::newRow("cli overrides file") << QByteArray("run_interval = 30\n") << none
                                        << QStringList{QStringLiteral("run_interval"), QStringLiteral("7"), QStringLiteral("--run-interval")}
                                        << QStringLiteral("run_interval") << QVariant(7.0) << ConfigSource::Cli << QStringLiteral("cli --run-interval");
    QTest::newRow("env overrides default") << noFile << QStringList{QStringLiteral("JOBSLIB_KEEP_LOCK=1")} << none << QStringLiteral("keep_lock")
                                           << QVariant(true) << ConfigSource::Env << QStringLiteral("env JOBSLIB_KEEP_LOCK");
    QTest::newRow("empty env falls back to the file") << QByteArray("sleep_interval = 30\n") << QStringList{QStringLiteral("JOBSLIB_SLEEP_INTERVAL=")}
                                                      << none << QStringLiteral("sleep_interval") << QVariant(30.0) << ConfigSource::File
                                                      << QStringLiteral("file %FILE%:1");
    QTest::newRow("empty env falls back to the default") << noFile << QStringList{QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND=")} << none
                                                         << QStringLiteral("one_instance.backend") << QVariant(QStringLiteral("file"))
                                                         << ConfigSource::Default << QStringLiteral("default");
    QTest::newRow("file line number") << QByteArray("# comment\n\n; another\nrun_once = yes\n") << none << none << QStringLiteral("run_once")
                                      << QVariant(true) << ConfigSource::File << QStringLiteral("file %FILE%:4");
    QTest::newRow("section option") << QByteArray("run_once = 0\n[one_instance]\nbackend = dummy\n") << none << none
                                    << QStringLiteral("one_instance.backend") << QVariant(QStringLiteral("dummy")) << ConfigSource::File
                                    << QStringLiteral("file %FILE%:3");
    QTest::newRow("python upper-case key") << QByteArray("RUN_ONCE = 1\n") << none << none << QStringLiteral("run_once") << QVariant(true)
                                           << ConfigSource::File << QStringLiteral("file %FILE%:1");
    QTest::newRow("python upper-case section and value") << QByteArray("[LOGGING]\nLEVEL = DEBUG\n") << none << none
                                                         << QStringLiteral("logging.level") << QVariant(QStringLiteral("debug"))
                                                         << ConfigSource::File << QStringLiteral("file %FILE%:2");
    QTest::newRow("backend option in file") << QByteArray("[one_instance]\nbackend = file\n[one_instance.file]\npath = /x/y.lock\n") << none
                                            << none << QStringLiteral("one_instance.file.path") << QVariant(QStringLiteral("/x/y.lock"))
                                            << ConfigSource::File << QStringLiteral("file %FILE%:4");
    QTest::newRow("backend option by env beats file")
        << QByteArray("[one_instance.file]\npath = /x/y.lock\n") << QStringList{QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH=/z.lock")} << none
        << QStringLiteral("one_instance.file.path") << QVariant(QStringLiteral("/z.lock")) << ConfigSource::Env
        << QStringLiteral("env JOBSLIB_ONE_INSTANCE_FILE_PATH");
    QTest::newRow("cli selects dummy, file options inactive")
        << QByteArray("[one_instance]\nbackend = file\n") << none
        << QStringList{QStringLiteral("one_instance.backend"), QStringLiteral("dummy"), QStringLiteral("--disable-one-instance")}
        << QStringLiteral("one_instance.backend") << QVariant(QStringLiteral("dummy")) << ConfigSource::Cli
        << QStringLiteral("cli --disable-one-instance");
    QTest::newRow("dotted key in a section") << QByteArray("[one_instance]\nfile.path = /d.lock\n") << none << none
                                             << QStringLiteral("one_instance.file.path") << QVariant(QStringLiteral("/d.lock")) << ConfigSource::File
                                             << QStringLiteral("file %FILE%:2");
    QTest::newRow("quoted value") << QByteArray("task.command = \"sh -c true\"\n") << none << none << QStringLiteral("task.command")
                                  << QVariant(QStringLiteral("sh -c true")) << ConfigSource::File << QStringLiteral("file %FILE%:1");
    QTest::newRow("json by env") << noFile << QStringList{QStringLiteral("JOBSLIB_LOGGING={\"root\": {\"level\": \"DEBUG\"}}")} << none
                                 << QStringLiteral("logging.dict_config")
                                 << QVariant(QVariantMap{{QStringLiteral("root"), QVariantMap{{QStringLiteral("level"), QStringLiteral("DEBUG")}}}})
                                 << ConfigSource::Env << QStringLiteral("env JOBSLIB_LOGGING");
}

void TestConfigLoader::precedence()
{
    QFETCH(QByteArray, settings);
    QFETCH(QStringList, env);
    QFETCH(QStringList, cli);
    QFETCH(QString, option);
    QFETCH(QVariant, expected);
    QFETCH(ConfigSource, source);
    QFETCH(QString, origin);

    ConfigLoader loader(fullTable());
    loader.setEnvironment(environment(env));
    QString file;
    if (!settings.isEmpty()) {
        file = writeSettings(settings);
        loader.setSettingsFile(file);
    }
    if (!cli.isEmpty())
        loader.setCliValue(cli.at(0), CliValue{cli.at(1), cli.at(2)});
    const auto config = loader.load();
    QVERIFY2(config.ok(), qPrintable(config.error()));
    QCOMPARE(config->value(option), expected);
    QCOMPARE(toString(config->source(option)), toString(source));
    QCOMPARE(config->origin(option), QString(origin).replace(QStringLiteral("%FILE%"), file));
}

void TestConfigLoader::legacyEnvFallback_data()
{
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QByteArray>("settings");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("origin");

    QTest::newRow("neither set") << QStringList() << QByteArray() << QStringLiteral("dflt") << QStringLiteral("default");
    QTest::newRow("only the new name") << QStringList{QStringLiteral("JOBSLIB_TEST_KEY=new")} << QByteArray() << QStringLiteral("new")
                                       << QStringLiteral("env JOBSLIB_TEST_KEY");
    QTest::newRow("only the legacy name") << QStringList{QStringLiteral("JOBSLIB_TEST_OPTIONS_KEY=old")} << QByteArray() << QStringLiteral("old")
                                          << QStringLiteral("env JOBSLIB_TEST_OPTIONS_KEY");
    QTest::newRow("both: the first name wins")
        << QStringList{QStringLiteral("JOBSLIB_TEST_OPTIONS_KEY=old"), QStringLiteral("JOBSLIB_TEST_KEY=new")} << QByteArray()
        << QStringLiteral("new") << QStringLiteral("env JOBSLIB_TEST_KEY");
    QTest::newRow("empty first name counts as unset")
        << QStringList{QStringLiteral("JOBSLIB_TEST_KEY="), QStringLiteral("JOBSLIB_TEST_OPTIONS_KEY=old")} << QByteArray()
        << QStringLiteral("old") << QStringLiteral("env JOBSLIB_TEST_OPTIONS_KEY");
    QTest::newRow("both empty") << QStringList{QStringLiteral("JOBSLIB_TEST_KEY="), QStringLiteral("JOBSLIB_TEST_OPTIONS_KEY=")} << QByteArray()
                                << QStringLiteral("dflt") << QStringLiteral("default");
    QTest::newRow("legacy env beats the file") << QStringList{QStringLiteral("JOBSLIB_TEST_OPTIONS_KEY=old")} << QByteArray("[test]\nkey = f\n")
                                               << QStringLiteral("old") << QStringLiteral("env JOBSLIB_TEST_OPTIONS_KEY");
    QTest::newRow("empty env names leave the file") << QStringList{QStringLiteral("JOBSLIB_TEST_KEY="), QStringLiteral("JOBSLIB_TEST_OPTIONS_KEY=")}
                                                    << QByteArray("[test]\nkey = f\n") << QStringLiteral("f") << QStringLiteral("file %FILE%:2");
}

void TestConfigLoader::legacyEnvFallback()
{
    QFETCH(QStringList, env);
    QFETCH(QByteArray, settings);
    QFETCH(QString, expected);
    QFETCH(QString, origin);

    OptionTable table = fullTable();
    OptionSpec spec;
    spec.name = QStringLiteral("test.key");
    spec.defaultValue = QStringLiteral("dflt");
    spec.envNames = {QStringLiteral("JOBSLIB_TEST_KEY"), QStringLiteral("JOBSLIB_TEST_OPTIONS_KEY")};
    table.add(spec);
    QCOMPARE(table.findByEnv(QStringLiteral("JOBSLIB_TEST_OPTIONS_KEY")), table.find(QStringLiteral("test.key")));

    ConfigLoader loader(table);
    loader.setEnvironment(environment(env));
    QString file;
    if (!settings.isEmpty()) {
        file = writeSettings(settings);
        loader.setSettingsFile(file);
    }
    const auto config = loader.load();
    QVERIFY2(config.ok(), qPrintable(config.error()));
    QCOMPARE(config->string(QStringLiteral("test.key")), expected);
    QCOMPARE(config->origin(QStringLiteral("test.key")), QString(origin).replace(QStringLiteral("%FILE%"), file));
}

void TestConfigLoader::booleans_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("expected");

    // Python: bool(int(x)); jobslib also takes the words.
    QTest::newRow("0") << QStringLiteral("0") << true << false;
    QTest::newRow("1") << QStringLiteral("1") << true << true;
    QTest::newRow("2") << QStringLiteral("2") << true << true;
    QTest::newRow("-1") << QStringLiteral("-1") << true << true;
    QTest::newRow("00") << QStringLiteral("00") << true << false;
    QTest::newRow("true") << QStringLiteral("true") << true << true;
    QTest::newRow("True") << QStringLiteral("True") << true << true;
    QTest::newRow("false") << QStringLiteral("false") << true << false;
    QTest::newRow("yes") << QStringLiteral("yes") << true << true;
    QTest::newRow("no") << QStringLiteral("no") << true << false;
    QTest::newRow("on") << QStringLiteral("on") << true << true;
    QTest::newRow("OFF") << QStringLiteral("OFF") << true << false;
    QTest::newRow("padded") << QStringLiteral(" 1 ") << true << true;
    QTest::newRow("maybe") << QStringLiteral("maybe") << false << false;
    QTest::newRow("2x") << QStringLiteral("2x") << false << false;
    QTest::newRow("1.0") << QStringLiteral("1.0") << false << false;
    QTest::newRow("y") << QStringLiteral("y") << false << false;
}

void TestConfigLoader::booleans()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(bool, expected);

    const auto parsed = parseBool(text);
    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(*parsed, expected);

    ConfigLoader loader(fullTable());
    loader.setEnvironment(environment({QStringLiteral("JOBSLIB_RUN_ONCE=") + text}));
    const auto config = loader.load();
    QCOMPARE(config.ok(), valid);
    if (valid) {
        QCOMPARE(config->runOnce(), expected);
        QCOMPARE(config->value(QStringLiteral("run_once")).typeId(), QMetaType::Bool);
    } else {
        QCOMPARE(config.error(), QStringLiteral("option 'run_once': value '%1' from env JOBSLIB_RUN_ONCE: expected a boolean (1/0, true/false, yes/no, on/off)")
                                     .arg(text));
    }
}

void TestConfigLoader::intervals_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<double>("expected");

    // Python rejects floats (SLEEP_INTERVAL = 60.0 in its own docs fails); jobslib takes them.
    QTest::newRow("sleep 60.0") << QStringLiteral("sleep_interval") << QStringLiteral("60.0") << true << 60.0;
    QTest::newRow("sleep 0.5") << QStringLiteral("sleep_interval") << QStringLiteral("0.5") << true << 0.5;
    QTest::newRow("sleep 60") << QStringLiteral("sleep_interval") << QStringLiteral("60") << true << 60.0;
    QTest::newRow("sleep 0") << QStringLiteral("sleep_interval") << QStringLiteral("0") << true << 0.0;
    QTest::newRow("sleep maximum") << QStringLiteral("sleep_interval") << QStringLiteral("31536000") << true << 31536000.0;
    QTest::newRow("run 0.25") << QStringLiteral("run_interval") << QStringLiteral("0.25") << true << 0.25;
    QTest::newRow("run 1e2") << QStringLiteral("run_interval") << QStringLiteral("1e2") << true << 100.0;
    QTest::newRow("sleep negative") << QStringLiteral("sleep_interval") << QStringLiteral("-1") << false << 0.0;
    QTest::newRow("sleep above maximum") << QStringLiteral("sleep_interval") << QStringLiteral("31536001") << false << 0.0;
    QTest::newRow("sleep words") << QStringLiteral("sleep_interval") << QStringLiteral("sixty") << false << 0.0;
    QTest::newRow("sleep inf") << QStringLiteral("sleep_interval") << QStringLiteral("inf") << false << 0.0;
    QTest::newRow("sleep nan") << QStringLiteral("sleep_interval") << QStringLiteral("nan") << false << 0.0;
    QTest::newRow("sleep unit") << QStringLiteral("sleep_interval") << QStringLiteral("5s") << false << 0.0;
    QTest::newRow("run negative fraction") << QStringLiteral("run_interval") << QStringLiteral("-0.5") << false << 0.0;
}

void TestConfigLoader::intervals()
{
    QFETCH(QString, option);
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(double, expected);

    ConfigLoader loader(fullTable());
    loader.setEnvironment(QProcessEnvironment());
    const QString file = writeSettings(option.toUtf8() + " = " + text.toUtf8() + '\n');
    loader.setSettingsFile(file);
    const auto config = loader.load();
    QCOMPARE(config.ok(), valid);
    if (valid) {
        QCOMPARE(config->number(option), expected);
    } else {
        QCOMPARE(config.error(), QStringLiteral("option '%1': value '%2' from file %3:1: expected a number from 0 to 31536000").arg(option, text, file));
    }
}

void TestConfigLoader::backendNames_data()
{
    QTest::addColumn<QString>("envName");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("expected"); // empty: an error
    QTest::addColumn<QStringList>("errorFragments");

    QTest::newRow("python DummyLock") << QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND") << QStringLiteral("jobslib.oneinstance.dummy.DummyLock")
                                      << QStringLiteral("one_instance.backend") << QStringLiteral("dummy") << QStringList();
    QTest::newRow("python DummyLiveness") << QStringLiteral("JOBSLIB_LIVENESS_BACKEND") << QStringLiteral("jobslib.liveness.dummy.DummyLiveness")
                                          << QStringLiteral("liveness.backend") << QStringLiteral("dummy") << QStringList();
    QTest::newRow("python DummyMetrics") << QStringLiteral("JOBSLIB_METRICS_BACKEND") << QStringLiteral("jobslib.metrics.dummy.DummyMetrics")
                                         << QStringLiteral("metrics.backend") << QStringLiteral("dummy") << QStringList();
    QTest::newRow("short name") << QStringLiteral("JOBSLIB_LIVENESS_BACKEND") << QStringLiteral("file") << QStringLiteral("liveness.backend")
                                << QStringLiteral("file") << QStringList();
    QTest::newRow("short name, upper case") << QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND") << QStringLiteral("DUMMY")
                                            << QStringLiteral("one_instance.backend") << QStringLiteral("dummy") << QStringList();
    QTest::newRow("python ConsulLock") << QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND") << QStringLiteral("jobslib.oneinstance.consul.ConsulLock")
                                       << QStringLiteral("one_instance.backend") << QString()
                                       // Python's name selects the Consul lock, which then wants its key.
                                       << QStringList{QStringLiteral("option 'one_instance.consul.key' is required when one_instance.backend = consul"),
                                                      QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_KEY")};
    QTest::newRow("python ConsulLiveness") << QStringLiteral("JOBSLIB_LIVENESS_BACKEND") << QStringLiteral("jobslib.liveness.consul.ConsulLiveness")
                                           << QStringLiteral("liveness.backend") << QString()
                                           << QStringList{QStringLiteral("option 'liveness.consul.key' is required when liveness.backend = consul")};
    QTest::newRow("python InfluxDBMetrics") << QStringLiteral("JOBSLIB_METRICS_BACKEND") << QStringLiteral("jobslib.metrics.influxdb.InfluxDBMetrics")
                                            << QStringLiteral("metrics.backend") << QStringLiteral("influxdb") << QStringList{};
    QTest::newRow("python name of another group") << QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND") << QStringLiteral("jobslib.liveness.dummy.DummyLiveness")
                                                  << QStringLiteral("one_instance.backend") << QString()
                                                  << QStringList{QStringLiteral("expected one of: dummy, file")};
    QTest::newRow("unknown") << QStringLiteral("JOBSLIB_METRICS_BACKEND") << QStringLiteral("statsd") << QStringLiteral("metrics.backend") << QString()
                             << QStringList{QStringLiteral("option 'metrics.backend': value 'statsd' from env JOBSLIB_METRICS_BACKEND: expected one of: dummy, file")};
}

void TestConfigLoader::backendNames()
{
    QFETCH(QString, envName);
    QFETCH(QString, text);
    QFETCH(QString, option);
    QFETCH(QString, expected);
    QFETCH(QStringList, errorFragments);

    ConfigLoader loader(fullTable());
    loader.setEnvironment(environment({envName + QLatin1Char('=') + text}));
    const auto config = loader.load();
    if (!expected.isEmpty()) {
        QVERIFY2(config.ok(), qPrintable(config.error()));
        QCOMPARE(config->string(option), expected);
        return;
    }
    QVERIFY(!config.ok());
    for (const QString &f : errorFragments)
        QVERIFY2(config.error().contains(f), qPrintable(QStringLiteral("'%1' not in: %2").arg(f, config.error())));
}

void TestConfigLoader::inactiveBackendOptionsIgnored_data()
{
    QTest::addColumn<QByteArray>("settings");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QString>("option");

    QTest::newRow("lock file path while dummy") << QByteArray("[one_instance]\nbackend = dummy\n[one_instance.file]\npath = /x/y.lock\n")
                                                << QStringList() << QStringLiteral("one_instance.file.path");
    QTest::newRow("lock file path while dummy by env") << QByteArray("[one_instance.file]\npath = /x/y.lock\n")
                                                       << QStringList{QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND=dummy")}
                                                       << QStringLiteral("one_instance.file.path");
    QTest::newRow("bad metrics format while dummy") << QByteArray("[metrics.file]\nformat = xml\n") << QStringList()
                                                    << QStringLiteral("metrics.file.format");
    QTest::newRow("bad metrics format by env while dummy") << QByteArray("run_once = 1\n")
                                                           << QStringList{QStringLiteral("JOBSLIB_METRICS_FILE_FORMAT=xml")}
                                                           << QStringLiteral("metrics.file.format");
    QTest::newRow("liveness path while dummy") << QByteArray("[liveness.file]\npath = /x/live.json\n") << QStringList()
                                               << QStringLiteral("liveness.file.path");
}

void TestConfigLoader::inactiveBackendOptionsIgnored()
{
    QFETCH(QByteArray, settings);
    QFETCH(QStringList, env);
    QFETCH(QString, option);

    ConfigLoader loader(fullTable());
    loader.setEnvironment(environment(env));
    loader.setSettingsFile(writeSettings(settings));
    const auto config = loader.load();
    QVERIFY2(config.ok(), qPrintable(config.error()));
    QVERIFY(!config->has(option));
    QVERIFY(!config->value(option).isValid());
    QVERIFY(!config->describe().contains(option + QStringLiteral(" =")));
}

void TestConfigLoader::settingsFileErrors_data()
{
    QTest::addColumn<QByteArray>("settings");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QStringList>("fragments"); // %FILE% is the settings file

    QTest::newRow("unknown top-level key") << QByteArray("run_once = 1\nbogus = 1\n") << QStringList()
                                           << QStringList{QStringLiteral("settings file '%FILE%' line 2: unknown option 'bogus' at the top level"),
                                                          QStringLiteral("run_once, sleep_interval")};
    QTest::newRow("unknown key in a section") << QByteArray("[one_instance]\nbakend = file\n") << QStringList()
                                              << QStringList{QStringLiteral("line 2: unknown option 'bakend' in section [one_instance] (known there: backend)")};
    QTest::newRow("unknown section") << QByteArray("[nosuch]\nx = 1\n") << QStringList()
                                     << QStringList{QStringLiteral("line 2: unknown option 'x' in section [nosuch]"), QStringLiteral("known there: none")};
    QTest::newRow("syntax error") << QByteArray("a\n") << QStringList()
                                  << QStringList{QStringLiteral("settings file '%FILE%' line 1: expected 'key = value'")};
    QTest::newRow("bad value with line") << QByteArray("\n\nkeep_lock = perhaps\n") << QStringList()
                                         << QStringList{QStringLiteral("option 'keep_lock': value 'perhaps' from file %FILE%:3: expected a boolean")};
    QTest::newRow("bad active backend option") << QByteArray("[metrics]\nbackend = file\n[metrics.file]\nformat = xml\n") << QStringList()
                                               << QStringList{QStringLiteral("option 'metrics.file.format': value 'xml' from file %FILE%:4: expected one of: influx, json")};
    QTest::newRow("kill grace out of range") << QByteArray("[task]\nkill_grace = 3601\n") << QStringList()
                                             << QStringList{QStringLiteral("option 'task.kill_grace': value '3601' from file %FILE%:2: expected a number from 0 to 3600")};
    QTest::newRow("bad json") << QByteArray("[logging]\ndict_config = {nope\n") << QStringList()
                              << QStringList{QStringLiteral("option 'logging.dict_config': value '{nope' from file %FILE%:2: expected a JSON object (")};
    QTest::newRow("json array") << QByteArray() << QStringList{QStringLiteral("JOBSLIB_LOGGING=[1, 2]")}
                                << QStringList{QStringLiteral("option 'logging.dict_config': value '[1, 2]' from env JOBSLIB_LOGGING: expected a JSON object")};
}

void TestConfigLoader::settingsFileErrors()
{
    QFETCH(QByteArray, settings);
    QFETCH(QStringList, env);
    QFETCH(QStringList, fragments);

    ConfigLoader loader(fullTable());
    loader.setEnvironment(environment(env));
    QString file;
    if (!settings.isEmpty()) {
        file = writeSettings(settings);
        loader.setSettingsFile(file);
    }
    const auto config = loader.load();
    QVERIFY(!config.ok());
    QVERIFY(!config.error().contains(QLatin1Char('\n')));
    for (QString f : std::as_const(fragments)) {
        f.replace(QStringLiteral("%FILE%"), file);
        QVERIFY2(config.error().contains(f), qPrintable(QStringLiteral("'%1' not in: %2").arg(f, config.error())));
    }
}

void TestConfigLoader::requiredOption_data()
{
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QByteArray>("settings");
    QTest::addColumn<QString>("error"); // empty: loads

    QTest::newRow("missing") << QStringList() << QByteArray() << QStringLiteral("option 'test.key' is required: set 'key' in section [test] or JOBSLIB_TEST_KEY");
    QTest::newRow("empty env") << QStringList{QStringLiteral("JOBSLIB_TEST_KEY=")} << QByteArray()
                               << QStringLiteral("option 'test.key' is required: set 'key' in section [test] or JOBSLIB_TEST_KEY");
    QTest::newRow("empty in file") << QStringList() << QByteArray("[test]\nkey =\n")
                                   << QStringLiteral("option 'test.key' is required: set 'key' in section [test] or JOBSLIB_TEST_KEY");
    QTest::newRow("set by env") << QStringList{QStringLiteral("JOBSLIB_TEST_KEY=k")} << QByteArray() << QString();
    QTest::newRow("set in file") << QStringList() << QByteArray("[test]\nkey = k\n") << QString();
    QTest::newRow("backend option, backend selected") << QStringList{QStringLiteral("JOBSLIB_TEST_KEY=k")} << QByteArray()
                                                      << QStringLiteral("option 'one_instance.file.token' is required when one_instance.backend = file: "
                                                                        "set 'token' in section [one_instance.file]");
    QTest::newRow("backend option, other backend")
        << QStringList{QStringLiteral("JOBSLIB_TEST_KEY=k"), QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND=dummy")} << QByteArray() << QString();
}

void TestConfigLoader::requiredOption()
{
    QFETCH(QStringList, env);
    QFETCH(QByteArray, settings);
    QFETCH(QString, error);

    OptionTable table = fullTable();
    OptionSpec key;
    key.name = QStringLiteral("test.key");
    key.required = true;
    key.envNames = {QStringLiteral("JOBSLIB_TEST_KEY")};
    table.add(key);
    if (QByteArray(QTest::currentDataTag()).startsWith("backend option")) {
        OptionSpec token;
        token.name = QStringLiteral("one_instance.file.token");
        token.required = true;
        token.activeWhenOption = QStringLiteral("one_instance.backend");
        token.activeWhenValue = QStringLiteral("file");
        table.add(token);
    }

    ConfigLoader loader(table);
    loader.setEnvironment(environment(env));
    if (!settings.isEmpty())
        loader.setSettingsFile(writeSettings(settings));
    const auto config = loader.load();
    if (error.isEmpty()) {
        QVERIFY2(config.ok(), qPrintable(config.error()));
        QCOMPARE(config->string(QStringLiteral("test.key")), QStringLiteral("k"));
    } else {
        QVERIFY(!config.ok());
        QCOMPARE(config.error(), error);
    }
}

void TestConfigLoader::requiredTypedOption_data()
{
    QTest::addColumn<int>("type"); // OptionType
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");

    QTest::newRow("string list, two items") << int(OptionType::StringList) << QStringLiteral("a:2379,b:2379") << true;
    QTest::newRow("string list, one item") << int(OptionType::StringList) << QStringLiteral("a:2379") << true;
    QTest::newRow("string list, only commas") << int(OptionType::StringList) << QStringLiteral(",,") << false;
    QTest::newRow("json object") << int(OptionType::Json) << QStringLiteral("{\"a\": 1}") << true;
    QTest::newRow("empty json object") << int(OptionType::Json) << QStringLiteral("{}") << false;
    QTest::newRow("integer zero") << int(OptionType::Int) << QStringLiteral("0") << true;
    QTest::newRow("bool false") << int(OptionType::Bool) << QStringLiteral("0") << true;
}

void TestConfigLoader::requiredTypedOption()
{
    QFETCH(int, type);
    QFETCH(QString, text);
    QFETCH(bool, valid);

    OptionTable table = fullTable();
    OptionSpec spec;
    spec.name = QStringLiteral("test.value");
    spec.type = OptionType(type);
    spec.required = true;
    spec.envNames = {QStringLiteral("JOBSLIB_TEST_VALUE")};
    table.add(spec);
    ConfigLoader loader(table);
    loader.setEnvironment(environment({QStringLiteral("JOBSLIB_TEST_VALUE=") + text}));
    const auto config = loader.load();
    QVERIFY2(config.ok() == valid, qPrintable(config.error()));
    if (!valid)
        QCOMPARE(config.error(), QStringLiteral("option 'test.value' is required: set 'value' in section [test] or JOBSLIB_TEST_VALUE"));
}

void TestConfigLoader::secretMasked()
{
    OptionTable table = fullTable();
    OptionSpec password;
    password.name = QStringLiteral("test.password");
    password.secret = true;
    password.envNames = {QStringLiteral("JOBSLIB_TEST_PASSWORD")};
    table.add(password);
    OptionSpec pin;
    pin.name = QStringLiteral("test.pin");
    pin.type = OptionType::Int;
    pin.secret = true;
    pin.minimum = 0;
    pin.envNames = {QStringLiteral("JOBSLIB_TEST_PIN")};
    table.add(pin);

    {
        ConfigLoader loader(table);
        loader.setEnvironment(environment({QStringLiteral("JOBSLIB_TEST_PASSWORD=hunter2"), QStringLiteral("JOBSLIB_TEST_PIN=1234")}));
        const auto config = loader.load();
        QVERIFY2(config.ok(), qPrintable(config.error()));
        QCOMPARE(config->string(QStringLiteral("test.password")), QStringLiteral("hunter2")); // the value itself is usable
        const QString described = config->describe();
        QVERIFY2(described.contains(QStringLiteral("test.password = ********  (env JOBSLIB_TEST_PASSWORD)\n")), qPrintable(described));
        QVERIFY2(described.contains(QStringLiteral("test.pin = ********  (env JOBSLIB_TEST_PIN)\n")), qPrintable(described));
        QVERIFY(!described.contains(QStringLiteral("hunter2")));
        QVERIFY(!described.contains(QStringLiteral("1234")));
    }
    {
        // A bad secret value is not echoed in the error either.
        ConfigLoader loader(table);
        loader.setEnvironment(environment({QStringLiteral("JOBSLIB_TEST_PIN=s3cr3t-value")}));
        const auto config = loader.load();
        QVERIFY(!config.ok());
        QCOMPARE(config.error(), QStringLiteral("option 'test.pin': value '********' from env JOBSLIB_TEST_PIN: expected an integer >= 0"));
    }
    {
        // Unset secrets are shown as unset, not as a mask.
        ConfigLoader loader(table);
        loader.setEnvironment(QProcessEnvironment());
        const auto config = loader.load();
        QVERIFY2(config.ok(), qPrintable(config.error()));
        QVERIFY(config->describe().contains(QStringLiteral("test.password = (unset)  (default)\n")));
    }
}

void TestConfigLoader::describeShowsOrigins()
{
    ConfigLoader loader(fullTable());
    loader.setEnvironment(environment({QStringLiteral("JOBSLIB_SLEEP_INTERVAL=2.5")}));
    const QString file = writeSettings("keep_lock = on\n");
    loader.setSettingsFile(file);
    loader.setCliValue(QStringLiteral("run_once"), CliValue{QStringLiteral("1"), QStringLiteral("--run-once")});
    const auto config = loader.load();
    QVERIFY2(config.ok(), qPrintable(config.error()));
    const QStringList lines = config->describe().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.contains(QStringLiteral("run_once = true  (cli --run-once)")));
    QVERIFY(lines.contains(QStringLiteral("sleep_interval = 2.5  (env JOBSLIB_SLEEP_INTERVAL)")));
    QVERIFY(lines.contains(QStringLiteral("keep_lock = true  (file %1:1)").arg(file)));
    QVERIFY(lines.contains(QStringLiteral("run_interval = 0  (default)")));
    QVERIFY(lines.contains(QStringLiteral("one_instance.backend = file  (default)")));
    QCOMPARE(toString(config->source(QStringLiteral("run_once"))), toString(ConfigSource::Cli));
    QCOMPARE(toString(config->source(QStringLiteral("sleep_interval"))), toString(ConfigSource::Env));
    QCOMPARE(toString(config->source(QStringLiteral("keep_lock"))), toString(ConfigSource::File));
    QCOMPARE(toString(config->source(QStringLiteral("run_interval"))), toString(ConfigSource::Default));
    QCOMPARE(toString(ConfigSource::Default), QStringLiteral("default"));
    QCOMPARE(toString(ConfigSource::File), QStringLiteral("file"));
    QCOMPARE(toString(ConfigSource::Env), QStringLiteral("env"));
    QCOMPARE(toString(ConfigSource::Cli), QStringLiteral("cli"));
}

void TestConfigLoader::markdownListsEveryOption()
{
    const OptionTable table = fullTable();
    const QString md = configurationMarkdown(table);
    QVERIFY(table.options().size() > 15);
    for (const OptionSpec &spec : table.options()) {
        const QString row = QStringLiteral("| `%1` |").arg(spec.key());
        QVERIFY2(md.contains(row), qPrintable(spec.name));
        if (!spec.section().isEmpty())
            QVERIFY2(md.contains(QStringLiteral("## [%1]\n").arg(spec.section())), qPrintable(spec.name));
        for (const QString &env : spec.envNames)
            QVERIFY2(md.contains(QStringLiteral("`%1`").arg(env)), qPrintable(env));
        if (!spec.cliFlag.isEmpty())
            QVERIFY2(md.contains(QStringLiteral("`--%1`").arg(spec.cliFlag)), qPrintable(spec.cliFlag));
    }
    QVERIFY(md.contains(QStringLiteral("## Top level\n")));
    QVERIFY(md.contains(QStringLiteral("Read when `one_instance.backend = file`.")));
    QVERIFY(md.contains(QStringLiteral("`jobslib.oneinstance.consul.ConsulLock` = consul")));
}

QTEST_GUILESS_MAIN(TestConfigLoader)
#include "tst_configloader.moc"
