// SPDX-License-Identifier: BSD-3-Clause
// Schedule math: pure arithmetic on given times, so no clock and no waiting.
#include "app/backendregistry.h"
#include "config/configloader.h"
#include "runner/schedule.h"

#include <QTest>

using namespace jobslib;

class TestSchedule : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sleepAfter_data();
    void sleepAfter();
    void precedence_data();
    void precedence();
};

void TestSchedule::sleepAfter_data()
{
    QTest::addColumn<qint64>("sleepMs");
    QTest::addColumn<qint64>("runMs");
    QTest::addColumn<qint64>("startMs");
    QTest::addColumn<qint64>("nowMs");
    QTest::addColumn<bool>("failedAndRelease");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("sleep interval counts from the end") << 60000LL << 0LL << 1000LL << 21000LL << false << 60000LL;
    QTest::newRow("sleep interval wins over run interval") << 5000LL << 60000LL << 0LL << 1000LL << false << 5000LL;
    QTest::newRow("run interval: rest of the period") << 0LL << 60000LL << 1000LL << 21000LL << false << 40000LL;
    QTest::newRow("run interval: exact period end") << 0LL << 60000LL << 0LL << 60000LL << false << 0LL;
    QTest::newRow("run interval: overrun starts at once") << 0LL << 60000LL << 0LL << 70000LL << false << 0LL;
    QTest::newRow("both zero: at most once per second") << 0LL << 0LL << 5000LL << 5200LL << false << 800LL;
    QTest::newRow("both zero, long run: at once") << 0LL << 0LL << 5000LL << 9000LL << false << 0LL;
    QTest::newRow("release on error doubles sleep") << 10000LL << 0LL << 0LL << 3000LL << true << 20000LL;
    QTest::newRow("release on error doubles the rest of the period") << 0LL << 60000LL << 0LL << 20000LL << true << 80000LL;
    QTest::newRow("fractional seconds") << 500LL << 0LL << 0LL << 10LL << false << 500LL;
}

void TestSchedule::sleepAfter()
{
    QFETCH(qint64, sleepMs);
    QFETCH(qint64, runMs);
    QFETCH(qint64, startMs);
    QFETCH(qint64, nowMs);
    QFETCH(bool, failedAndRelease);
    QFETCH(qint64, expected);
    Schedule s;
    s.sleepIntervalMs = sleepMs;
    s.runIntervalMs = runMs;
    // Both set can only come from Schedule::fromConfig resolving them; sleepAfter keeps Python's rule.
    QCOMPARE(s.sleepAfter(startMs, nowMs, failedAndRelease), expected);
}

void TestSchedule::precedence_data()
{
    QTest::addColumn<QString>("sleepEnv");
    QTest::addColumn<QString>("runEnv");
    QTest::addColumn<QString>("runCli");
    QTest::addColumn<qint64>("expectedSleep");
    QTest::addColumn<qint64>("expectedRun");
    QTest::addColumn<bool>("sleepOverrode");
    QTest::newRow("only sleep") << QStringLiteral("30") << QString() << QString() << 30000LL << 0LL << false;
    QTest::newRow("only run") << QString() << QStringLiteral("60") << QString() << 0LL << 60000LL << false;
    QTest::newRow("both in env: sleep wins as in Python") << QStringLiteral("30") << QStringLiteral("60") << QString() << 30000LL << 0LL << true;
    QTest::newRow("run on the command line beats sleep in env") << QStringLiteral("30") << QString() << QStringLiteral("60") << 0LL << 60000LL << false;
}

void TestSchedule::precedence()
{
    QFETCH(QString, sleepEnv);
    QFETCH(QString, runEnv);
    QFETCH(QString, runCli);
    QFETCH(qint64, expectedSleep);
    QFETCH(qint64, expectedRun);
    QFETCH(bool, sleepOverrode);
    OptionTable table = OptionTable::core();
    BackendRegistry::builtins().declareOptions(table);
    ConfigLoader loader(table);
    QProcessEnvironment env;
    if (!sleepEnv.isEmpty())
        env.insert(QStringLiteral("JOBSLIB_SLEEP_INTERVAL"), sleepEnv);
    if (!runEnv.isEmpty())
        env.insert(QStringLiteral("JOBSLIB_RUN_INTERVAL"), runEnv);
    loader.setEnvironment(env);
    if (!runCli.isEmpty())
        loader.setCliValue(QStringLiteral("run_interval"), CliValue{runCli, QStringLiteral("--run-interval")});
    const auto config = loader.load();
    QVERIFY2(config.ok(), qPrintable(config.error()));
    bool overrode = false;
    const Schedule s = Schedule::fromConfig(config.value(), &overrode);
    QCOMPARE(s.sleepIntervalMs, expectedSleep);
    QCOMPARE(s.runIntervalMs, expectedRun);
    QCOMPARE(overrode, sleepOverrode);
}

QTEST_GUILESS_MAIN(TestSchedule)
#include "tst_schedule.moc"
