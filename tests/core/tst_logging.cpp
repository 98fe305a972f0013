// SPDX-License-Identifier: BSD-3-Clause
#include "app/backendregistry.h"
#include "config/configloader.h"
#include "config/logsettings.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QTest>

#include <ctime>

using namespace jobslib;

class TestLogging : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void formatLine_data();
    void formatLine();
    void processId();
    void levelFromName_data();
    void levelFromName();
    void fromConfig_data();
    void fromConfig();
    void fromConfigErrors_data();
    void fromConfigErrors();

private:
    static Expected<Config> load(const QStringList &env);
};

static constexpr qint64 kEpochMs = 1795831560000; // 2026-11-28 02:06:00 UTC

void TestLogging::initTestCase()
{
    qputenv("TZ", "UTC");
    tzset();
}

Expected<Config> TestLogging::load(const QStringList &env)
{
    OptionTable table = OptionTable::core();
    BackendRegistry::builtins().declareOptions(table);
    ConfigLoader loader(table);
    QProcessEnvironment e;
    for (const QString &a : env)
        e.insert(a.section(QLatin1Char('='), 0, 0), a.section(QLatin1Char('='), 1));
    loader.setEnvironment(e);
    return loader.load();
}

void TestLogging::formatLine_data()
{
    QTest::addColumn<QString>("format"); // empty: the default
    QTest::addColumn<QString>("dateFormat"); // empty: the default
    QTest::addColumn<QString>("category");
    QTest::addColumn<int>("level");
    QTest::addColumn<QString>("message");
    QTest::addColumn<qint64>("epochMs");
    QTest::addColumn<QString>("expected");

    const QString none;
    const QString runner = QStringLiteral("jobslib.runner");
    // The sample line of Python jobslib's BASE_LOGGING.
    QTest::newRow("default INFO") << none << none << runner << 20 << QStringLiteral("Run task") << kEpochMs
                                  << QStringLiteral("2026-11-28 02:06:00 jobslib.runner INFO Run task");
    QTest::newRow("DEBUG") << none << none << QStringLiteral("jobslib.lock") << 10 << QStringLiteral("x") << kEpochMs
                           << QStringLiteral("2026-11-28 02:06:00 jobslib.lock DEBUG x");
    QTest::newRow("WARNING") << none << none << runner << 30 << QStringLiteral("Can't acquire lock") << kEpochMs
                             << QStringLiteral("2026-11-28 02:06:00 jobslib.runner WARNING Can't acquire lock");
    QTest::newRow("ERROR") << none << none << runner << 40 << QStringLiteral("echo task failed") << kEpochMs
                           << QStringLiteral("2026-11-28 02:06:00 jobslib.runner ERROR echo task failed");
    QTest::newRow("CRITICAL") << none << none << runner << 50 << QStringLiteral("boom") << kEpochMs
                              << QStringLiteral("2026-11-28 02:06:00 jobslib.runner CRITICAL boom");
    QTest::newRow("milliseconds do not show") << none << none << runner << 20 << QStringLiteral("Task done") << kEpochMs + 999
                                              << QStringLiteral("2026-11-28 02:06:00 jobslib.runner INFO Task done");
    QTest::newRow("custom datefmt") << none << QStringLiteral("%d.%m.%Y %H:%M") << runner << 20 << QStringLiteral("m") << kEpochMs
                                    << QStringLiteral("28.11.2026 02:06 jobslib.runner INFO m");
    QTest::newRow("levelno") << QStringLiteral("%(levelno)s:%(levelname)s:%(message)s") << none << runner << 30 << QStringLiteral("m")
                             << kEpochMs << QStringLiteral("30:WARNING:m");
    QTest::newRow("created") << QStringLiteral("%(created)f %(message)s") << none << runner << 20 << QStringLiteral("m") << kEpochMs + 123
                             << QStringLiteral("1795831560.123000 m");
    QTest::newRow("msecs") << QStringLiteral("%(asctime)s.%(msecs)d %(message)s") << none << runner << 20 << QStringLiteral("m")
                           << kEpochMs + 456 << QStringLiteral("2026-11-28 02:06:00.456 m");
    QTest::newRow("literal text around") << QStringLiteral("[%(name)s] <%(message)s>") << none << runner << 20 << QStringLiteral("Run task")
                                         << kEpochMs << QStringLiteral("[jobslib.runner] <Run task>");
    QTest::newRow("message with percent") << none << none << runner << 20 << QStringLiteral("100% done %(name)s") << kEpochMs
                                          << QStringLiteral("2026-11-28 02:06:00 jobslib.runner INFO 100% done %(name)s");
    QTest::newRow("non-ASCII message") << QStringLiteral("%(message)s") << none << runner << 20 << QStringLiteral("h\u00f3st \u2713") << kEpochMs
                                       << QStringLiteral("h\u00f3st \u2713");
}

void TestLogging::formatLine()
{
    QFETCH(QString, format);
    QFETCH(QString, dateFormat);
    QFETCH(QString, category);
    QFETCH(int, level);
    QFETCH(QString, message);
    QFETCH(qint64, epochMs);
    QFETCH(QString, expected);

    LogSettings settings;
    if (!format.isEmpty())
        settings.format = format;
    if (!dateFormat.isEmpty())
        settings.dateFormat = dateFormat;
    QCOMPARE(formatLogLine(settings, category, level, message, epochMs), expected);
}

void TestLogging::processId()
{
    LogSettings settings;
    settings.format = QStringLiteral("%(process)d %(name)s %(message)s");
    QCOMPARE(formatLogLine(settings, QStringLiteral("jobslib"), 20, QStringLiteral("hi"), kEpochMs),
             QStringLiteral("%1 jobslib hi").arg(QCoreApplication::applicationPid()));
    settings.format = QStringLiteral("%(thread)d");
    bool ok = false;
    QVERIFY(formatLogLine(settings, QStringLiteral("jobslib"), 20, QString(), kEpochMs).toULongLong(&ok) > 0);
    QVERIFY(ok);
}

void TestLogging::levelFromName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("expected"); // -1: not a level

    QTest::newRow("DEBUG") << QStringLiteral("DEBUG") << 10;
    QTest::newRow("info") << QStringLiteral("info") << 20;
    QTest::newRow("WARNING") << QStringLiteral("WARNING") << 30;
    QTest::newRow("WARN") << QStringLiteral("WARN") << 30;
    QTest::newRow("Error") << QStringLiteral("Error") << 40;
    QTest::newRow("CRITICAL") << QStringLiteral("CRITICAL") << 50;
    QTest::newRow("FATAL") << QStringLiteral("FATAL") << 50;
    QTest::newRow("NOTSET") << QStringLiteral("NOTSET") << 0;
    QTest::newRow("number") << QStringLiteral("15") << 15;
    QTest::newRow("padded") << QStringLiteral(" debug ") << 10;
    QTest::newRow("bogus") << QStringLiteral("LOUD") << -1;
    QTest::newRow("empty") << QString() << -1;
}

void TestLogging::levelFromName()
{
    QFETCH(QString, name);
    QFETCH(int, expected);
    const auto level = LogSettings::levelFromName(name);
    QCOMPARE(level.has_value(), expected >= 0);
    if (level)
        QCOMPARE(*level, expected);
}

void TestLogging::fromConfig_data()
{
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<int>("level");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("dateFormat");
    QTest::addColumn<QStringList>("categoryLevels"); // "name=level"

    const QString defaultFormat = QStringLiteral("%(asctime)s %(name)s %(levelname)s %(message)s");
    const QString defaultDate = QStringLiteral("%Y-%m-%d %H:%M:%S");
    QTest::newRow("defaults") << QStringList() << 20 << defaultFormat << defaultDate << QStringList();
    QTest::newRow("plain options") << QStringList{QStringLiteral("JOBSLIB_LOGGING_LEVEL=debug"), QStringLiteral("JOBSLIB_LOGGING_FORMAT=%(message)s"),
                                                  QStringLiteral("JOBSLIB_LOGGING_DATEFMT=%H:%M")}
                                   << 10 << QStringLiteral("%(message)s") << QStringLiteral("%H:%M") << QStringList();
    QTest::newRow("dict_config") << QStringList{QStringLiteral(
        "JOBSLIB_LOGGING={\"version\": 1, \"disable_existing_loggers\": false,"
        " \"formatters\": {\"plain\": {\"format\": \"%(message)s\"}, \"verbose\": {\"format\": \"%(asctime)s [%(name)s] %(message)s\", \"datefmt\": \"%H:%M:%S\"}},"
        " \"handlers\": {\"console\": {\"class\": \"logging.StreamHandler\", \"formatter\": \"verbose\"}},"
        " \"root\": {\"level\": \"WARNING\", \"handlers\": [\"console\"]},"
        " \"loggers\": {\"jobslib.lock\": {\"level\": \"DEBUG\"}, \"jobslib.metrics\": {\"handlers\": []}}}")}
                                 << 30 << QStringLiteral("%(asctime)s [%(name)s] %(message)s") << QStringLiteral("%H:%M:%S")
                                 << QStringList{QStringLiteral("jobslib.lock=10")};
    QTest::newRow("dict_config wins over the plain options")
        << QStringList{QStringLiteral("JOBSLIB_LOGGING_LEVEL=debug"), QStringLiteral("JOBSLIB_LOGGING_FORMAT=%(message)s"),
                       QStringLiteral("JOBSLIB_LOGGING={\"root\": {\"level\": \"ERROR\"}, \"formatters\": {\"only\": {\"format\": \"%(levelname)s %(message)s\"}}}")}
        << 40 << QStringLiteral("%(levelname)s %(message)s") << defaultDate << QStringList();
    QTest::newRow("dict_config without root keeps the plain level")
        << QStringList{QStringLiteral("JOBSLIB_LOGGING_LEVEL=error"),
                       QStringLiteral("JOBSLIB_LOGGING={\"loggers\": {\"jobslib.runner\": {\"level\": \"INFO\"}, \"myapp\": {\"level\": 10}}}")}
        << 40 << defaultFormat << defaultDate << QStringList{QStringLiteral("jobslib.runner=20"), QStringLiteral("myapp=10")};
}

void TestLogging::fromConfig()
{
    QFETCH(QStringList, env);
    QFETCH(int, level);
    QFETCH(QString, format);
    QFETCH(QString, dateFormat);
    QFETCH(QStringList, categoryLevels);

    const auto config = load(env);
    QVERIFY2(config.ok(), qPrintable(config.error()));
    const auto settings = logSettingsFromConfig(config.value());
    QVERIFY2(settings.ok(), qPrintable(settings.error()));
    QCOMPARE(settings->level, level);
    QCOMPARE(settings->format, format);
    QCOMPARE(settings->dateFormat, dateFormat);
    QStringList levels;
    for (auto it = settings->categoryLevels.cbegin(); it != settings->categoryLevels.cend(); ++it)
        levels << QStringLiteral("%1=%2").arg(it.key()).arg(it.value());
    levels.sort();
    QCOMPARE(levels, categoryLevels);
}

void TestLogging::fromConfigErrors_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("error");

    QTest::newRow("bad root level") << QStringLiteral("{\"root\": {\"level\": \"LOUD\"}}")
                                    << QStringLiteral("option 'logging.dict_config' from env JOBSLIB_LOGGING: unknown root level 'LOUD' "
                                                      "(expected DEBUG, INFO, WARNING, ERROR or CRITICAL)");
    QTest::newRow("bad logger level") << QStringLiteral("{\"loggers\": {\"jobslib.lock\": {\"level\": \"chatty\"}}}")
                                      << QStringLiteral("option 'logging.dict_config' from env JOBSLIB_LOGGING: unknown level 'chatty' of logger 'jobslib.lock'");
}

void TestLogging::fromConfigErrors()
{
    QFETCH(QString, json);
    QFETCH(QString, error);
    const auto config = load({QStringLiteral("JOBSLIB_LOGGING=") + json});
    QVERIFY2(config.ok(), qPrintable(config.error()));
    const auto settings = logSettingsFromConfig(config.value());
    QVERIFY(!settings.ok());
    QCOMPARE(settings.error(), error);
}

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
