// SPDX-License-Identifier: BSD-3-Clause
// End-to-end: the real runjob with the InfluxDB metrics backend against a real influxd 1.x
// (Debian package "influxdb"): Python's points (names, tags, float fields, whole seconds), points
// Python wrote before ours, a 30 s outage, the spool across restarts and kill -9, and wrong
// credentials.
#include "influxdbprocess.h"
#include "runjobprocess.h"
#include "testutil.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

#include <signal.h>

using namespace jobslib::test;

namespace {

const QString Db = QStringLiteral("jobs");
/*! Python's log message for a failed push; alerts match it. */
const QString PushFailed = QStringLiteral("Push monitoring metrics into InfluxDb failed");

QStringList linesContaining(const QString &text, const QString &needle)
{
    QStringList lines;
    const QStringList all = text.split(QLatin1Char('\n'));
    for (const QString &line : all) {
        if (line.contains(needle))
            lines << line;
    }
    return lines;
}

/*! Waits (event loop running) until the wall clock is in a later second than now. */
bool waitForNextSecond()
{
    const qint64 s = QDateTime::currentSecsSinceEpoch();
    return QTest::qWaitFor([s] { return QDateTime::currentSecsSinceEpoch() > s; }, 5000);
}

QString text(const ProcessResult &r)
{
    return QString::fromLocal8Bit(r.out + r.err);
}

} // namespace

class TestRunjobInfluxDb : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void pointsArriveWithPythonsNamesTagsAndTypes();
    void pythonWrittenPointsFirstThenOursNoTypeConflict();
    void anOutageOf30sLosesNothing();
    void spooledPointsSurviveARestartOfRunjob();
    void wrongCredentialsOneClearErrorLoopGoesOn();

private:
    bool startInflux(bool auth = false);
    /*! runjob's environment: none of the caller's JOBSLIB_*, the influxdb backend on our server. */
    QProcessEnvironment env(const QString &db = Db) const;
    /*! runjob --run-once --disable-one-instance -- command... */
    ProcessResult runOnce(const QStringList &command, const QProcessEnvironment &e);
    /*! A looping runjob (dummy lock) running command, its output kept for a failure report. */
    std::shared_ptr<RunjobProcess> startLoop(const QStringList &loopArgs, const QStringList &command, const QProcessEnvironment &e);
    /*! The "count" of SELECT COUNT(...); 0 when there is no such series; -1 on error (and a warning). */
    qint64 count(const QString &influxQl, const QString &db = Db, const QString &user = {}, const QString &password = {});
    /*! One column of every row of a query (SHOW MEASUREMENTS: "name"; SHOW TAG KEYS: "tagKey"...). */
    QStringList column(const QString &influxQl, const QString &name, const QString &db = Db);
    QString path(const QString &name) const { return m_dir->filePath(name); }
    /*! sh -c script of a task that appends "run" to a journal file. */
    static QStringList journalTask(const QString &journal);
    static int journalLines(const QString &journal);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<InfluxDbProcess> m_influx;
    QList<std::shared_ptr<RunjobProcess>> m_loops;
    QStringList m_logs;
};

void TestRunjobInfluxDb::initTestCase()
{
    if (InfluxDbProcess::program().isEmpty())
        QSKIP("influxd is not installed (Debian package \"influxdb\": apt-get install influxdb)");
}

void TestRunjobInfluxDb::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_logs.clear();
    m_loops.clear();
}

void TestRunjobInfluxDb::cleanup()
{
    for (const auto &p : std::as_const(m_loops))
        m_logs << QStringLiteral("--- looping runjob:\n") + p->output();
    // JOBSLIB_TEST_VERBOSE=1 shows what runjob logged even when the test passes.
    if (QTest::currentTestFailed() || qEnvironmentVariableIntValue("JOBSLIB_TEST_VERBOSE")) {
        for (const QString &log : std::as_const(m_logs))
            qInfo().noquote() << log;
        if (m_influx)
            qInfo().noquote() << "--- influxd:\n" << m_influx->output().right(4000);
    }
    m_loops.clear(); // kills what still runs
    m_influx.reset();
    m_dir.reset();
}

bool TestRunjobInfluxDb::startInflux(bool auth)
{
    if (!m_influx)
        m_influx = std::make_unique<InfluxDbProcess>();
    QString error;
    if (!m_influx->start(auth, &error)) {
        qWarning().noquote() << "influxd did not start:" << error;
        return false;
    }
    return true;
}

QProcessEnvironment TestRunjobInfluxDb::env(const QString &db) const
{
    QProcessEnvironment e = cleanEnvironment();
    e.insert(QStringLiteral("JOBSLIB_METRICS_BACKEND"), QStringLiteral("influxdb"));
    e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_HOST"), m_influx->host());
    e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_PORT"), QString::number(m_influx->port()));
    e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_DBNAME"), db);
    return e;
}

ProcessResult TestRunjobInfluxDb::runOnce(const QStringList &command, const QProcessEnvironment &e)
{
    const QStringList args = QStringList{QStringLiteral("--run-once"), QStringLiteral("--disable-one-instance"), QStringLiteral("--")} + command;
    const ProcessResult r = run(binary(QStringLiteral("runjob")), args, e);
    m_logs << QStringLiteral("--- runjob %1: exit %2%3\n%4")
                  .arg(args.join(QLatin1Char(' ')))
                  .arg(r.exitCode)
                  .arg(r.crashed ? QStringLiteral(" (crashed)") : r.timedOut ? QStringLiteral(" (timed out)") : QString())
                  .arg(text(r));
    return r;
}

std::shared_ptr<RunjobProcess> TestRunjobInfluxDb::startLoop(const QStringList &loopArgs, const QStringList &command, const QProcessEnvironment &e)
{
    auto p = std::make_shared<RunjobProcess>(e);
    p->start(QStringList{QStringLiteral("--disable-one-instance")} + loopArgs + QStringList{QStringLiteral("--")} + command);
    m_loops << p;
    return p;
}

qint64 TestRunjobInfluxDb::count(const QString &influxQl, const QString &db, const QString &user, const QString &password)
{
    QString error;
    const QList<QVariantMap> rows = m_influx->select(db, influxQl, user, password, &error);
    if (!error.isEmpty()) {
        qWarning().noquote() << influxQl << "failed:" << error;
        return -1;
    }
    return rows.isEmpty() ? 0 : rows.first().value(QStringLiteral("count")).toLongLong();
}

QStringList TestRunjobInfluxDb::column(const QString &influxQl, const QString &name, const QString &db)
{
    QString error;
    const QList<QVariantMap> rows = m_influx->select(db, influxQl, {}, {}, &error);
    if (!error.isEmpty())
        qWarning().noquote() << influxQl << "failed:" << error;
    QStringList values;
    for (const QVariantMap &row : rows)
        values << row.value(name).toString();
    return values;
}

QStringList TestRunjobInfluxDb::journalTask(const QString &journal)
{
    return {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo run >> '%1'").arg(journal)};
}

int TestRunjobInfluxDb::journalLines(const QString &journal)
{
    QFile f(journal);
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    return int(f.readAll().count('\n'));
}

// 1. Python's measurement names, tags, float field and whole-second timestamps; the dotted
//    backend name and Python's env names; with metrics.extended off only Python's two series.
void TestRunjobInfluxDb::pointsArriveWithPythonsNamesTagsAndTypes()
{
    QVERIFY(startInflux());
    QString error;
    QVERIFY2(m_influx->createDatabase(Db, &error), qPrintable(error));

    QProcessEnvironment e = env();
    // Python's backend name and env names (..._DBNAME, not ..._DATABASE).
    e.insert(QStringLiteral("JOBSLIB_METRICS_BACKEND"), QStringLiteral("jobslib.metrics.influxdb.InfluxDBMetrics"));
    const qint64 before = QDateTime::currentSecsSinceEpoch();
    const ProcessResult r = runOnce({QStringLiteral("true")}, e);
    const qint64 after = QDateTime::currentSecsSinceEpoch();
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(!text(r).contains(PushFailed), qPrintable(text(r)));

    // runjob delivers before it exits: the points are there now.
    QList<QVariantMap> rows = m_influx->select(Db, QStringLiteral("SELECT * FROM job_duration_seconds GROUP BY *"), {}, {}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 1);
    const QVariantMap duration = rows.first();
    QCOMPARE(duration.value(QStringLiteral("status")).toString(), QStringLiteral("succeeded"));
    QCOMPARE(duration.value(QStringLiteral("task")).toString(), QStringLiteral("true"));
    QCOMPARE(duration.value(QStringLiteral("type")).toString(), QStringLiteral("task"));
    const double seconds = duration.value(QStringLiteral("value")).toDouble();
    QVERIFY2(seconds >= 0 && seconds < 30, qPrintable(QString::number(seconds)));
    const qint64 ns = duration.value(QStringLiteral("time")).toLongLong();
    QCOMPARE(ns % 1000000000LL, 0LL);
    QVERIFY2(ns / 1000000000LL >= before && ns / 1000000000LL <= after, qPrintable(QString::number(ns)));
    QStringList tagKeys = column(QStringLiteral("SHOW TAG KEYS FROM job_duration_seconds"), QStringLiteral("tagKey"));
    tagKeys.sort();
    QCOMPARE(tagKeys, (QStringList{QStringLiteral("status"), QStringLiteral("task"), QStringLiteral("type")}));

    rows = m_influx->select(Db, QStringLiteral("SELECT * FROM last_successful_run_timestamp GROUP BY *"), {}, {}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 1);
    const QVariantMap last = rows.first();
    QCOMPARE(last.value(QStringLiteral("task")).toString(), QStringLiteral("true"));
    // One push: the same timestamp on both lines, the value is that time in seconds.
    QCOMPARE(last.value(QStringLiteral("time")).toLongLong(), ns);
    QCOMPARE(last.value(QStringLiteral("value")).toDouble(), double(ns / 1000000000LL));
    QCOMPARE(column(QStringLiteral("SHOW TAG KEYS FROM last_successful_run_timestamp"), QStringLiteral("tagKey")), QStringList{QStringLiteral("task")});

    for (const char *m : {"job_duration_seconds", "last_successful_run_timestamp"}) {
        const QString q = QStringLiteral("SHOW FIELD KEYS FROM ") + QLatin1String(m);
        QCOMPARE(column(q, QStringLiteral("fieldKey")), QStringList{QStringLiteral("value")});
        QCOMPARE(column(q, QStringLiteral("fieldType")), QStringList{QStringLiteral("float")});
    }

    // metrics.extended (default on): jobslib_* series besides, floats as well, same whole seconds.
    const QStringList measurements = column(QStringLiteral("SHOW MEASUREMENTS"), QStringLiteral("name"));
    QVERIFY2(measurements.contains(QStringLiteral("job_duration_seconds")) && measurements.contains(QStringLiteral("last_successful_run_timestamp")),
             qPrintable(measurements.join(QLatin1Char(' '))));
    QVERIFY2(std::any_of(measurements.cbegin(), measurements.cend(), [](const QString &m) { return m.startsWith(QLatin1String("jobslib_")); }),
             qPrintable(measurements.join(QLatin1Char(' '))));
    const QStringList types = column(QStringLiteral("SHOW FIELD KEYS"), QStringLiteral("fieldType"));
    QCOMPARE(types.size(), measurements.size());
    QVERIFY2(std::all_of(types.cbegin(), types.cend(), [](const QString &t) { return t == QLatin1String("float"); }), qPrintable(types.join(QLatin1Char(' '))));
    rows = m_influx->select(Db, QStringLiteral("SELECT * FROM /^jobslib_/"), {}, {}, &error);
    QVERIFY2(error.isEmpty() && !rows.isEmpty(), qPrintable(error));
    for (const QVariantMap &row : std::as_const(rows))
        QCOMPARE(row.value(QStringLiteral("time")).toLongLong() % 1000000000LL, 0LL);
    // Each instance writes its own jobslib_* series (tag host): in one second, a standby's
    // lock_held 0 must not overwrite the holder's 1. Python's measurements keep Python's tags.
    QStringList extendedTags = column(QStringLiteral("SHOW TAG KEYS FROM jobslib_lock_held"), QStringLiteral("tagKey"));
    extendedTags.sort();
    QCOMPARE(extendedTags, (QStringList{QStringLiteral("host"), QStringLiteral("task")}));
    QProcessEnvironment other = env();
    other.insert(QStringLiteral("JOBSLIB_FQDN"), QStringLiteral("other.example.com"));
    QCOMPARE(runOnce({QStringLiteral("true")}, other).exitCode, 0);
    QStringList hosts = column(QStringLiteral("SHOW TAG VALUES FROM jobslib_lock_held WITH KEY = \"host\""), QStringLiteral("value"));
    QCOMPARE(hosts.size(), 2);
    QVERIFY2(hosts.contains(QStringLiteral("other.example.com")), qPrintable(hosts.join(QLatin1Char(' '))));

    // Python parity: with metrics.extended off, Python's two measurements and nothing else
    // (and the short backend name).
    const QString plainDb = QStringLiteral("jobs_python_only");
    QVERIFY2(m_influx->createDatabase(plainDb, &error), qPrintable(error));
    QProcessEnvironment plain = env(plainDb);
    plain.insert(QStringLiteral("JOBSLIB_METRICS_EXTENDED"), QStringLiteral("0"));
    const ProcessResult p = runOnce({QStringLiteral("true")}, plain);
    QCOMPARE(p.exitCode, 0);
    QCOMPARE(column(QStringLiteral("SHOW MEASUREMENTS"), QStringLiteral("name"), plainDb),
             (QStringList{QStringLiteral("job_duration_seconds"), QStringLiteral("last_successful_run_timestamp")}));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM job_duration_seconds"), plainDb), 1);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM last_successful_run_timestamp"), plainDb), 1);
}

// 2. A database Python jobslib already writes to: its points first, in the shard ours land in;
//    ours are accepted next to them (float fields, no type conflict).
void TestRunjobInfluxDb::pythonWrittenPointsFirstThenOursNoTypeConflict()
{
    QVERIFY(startInflux());
    QString error;
    QVERIFY2(m_influx->createDatabase(Db, &error), qPrintable(error));

    // Field types are fixed per shard; the default retention policy's shard groups span 7 days
    // from multiples of 7 days since the epoch. Python's points a few seconds in the past must
    // be in the shard of "now": not within the first seconds of a shard group.
    constexpr qint64 Week = 7 * 24 * 3600;
    QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentSecsSinceEpoch() % Week >= 10, 15000);
    const qint64 pythonSecs = QDateTime::currentSecsSinceEpoch() - 3;
    const QByteArray ns = QByteArray::number(pythonSecs) + "000000000";
    // Byte for byte what Python jobslib (influxdb-python) sends for task "true".
    const QByteArray python = "job_duration_seconds,status=succeeded,task=true,type=task value=0.5628845691680908 " + ns + "\n"
                              "last_successful_run_timestamp,task=true value="
        + QByteArray::number(pythonSecs) + ".0 " + ns + "\n";
    const InfluxDbProcess::Reply w = m_influx->write(Db, python);
    QVERIFY2(w.status == 204, qPrintable(QString::number(w.status) + QLatin1Char(' ') + QString::fromUtf8(w.body) + w.error));

    const ProcessResult r = runOnce({QStringLiteral("true")}, env());
    QCOMPARE(r.exitCode, 0);
    const QString log = text(r);
    QVERIFY2(!log.contains(QLatin1String("failed"), Qt::CaseInsensitive) && !log.contains(QLatin1String("refused"), Qt::CaseInsensitive),
             qPrintable(log));

    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM job_duration_seconds")), 2);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM last_successful_run_timestamp")), 2);
    // Python's point is untouched, ours is the other one.
    const QList<QVariantMap> rows = m_influx->select(Db, QStringLiteral("SELECT value FROM job_duration_seconds"), {}, {}, &error);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].value(QStringLiteral("time")).toLongLong(), pythonSecs * 1000000000LL);
    QCOMPARE(rows[0].value(QStringLiteral("value")).toDouble(), 0.5628845691680908);
    QVERIFY(rows[1].value(QStringLiteral("time")).toLongLong() > pythonSecs * 1000000000LL);

    const QStringList types = column(QStringLiteral("SHOW FIELD KEYS"), QStringLiteral("fieldType"));
    QVERIFY(!types.isEmpty());
    QVERIFY2(std::all_of(types.cbegin(), types.cend(), [](const QString &t) { return t == QLatin1String("float"); }), qPrintable(types.join(QLatin1Char(' '))));

    // The control: this shard does pin "value" to float, an integer point would have been refused.
    const QByteArray earlier = QByteArray::number(pythonSecs - 1) + "000000000";
    const InfluxDbProcess::Reply conflict = m_influx->write(Db, "job_duration_seconds,status=succeeded,task=true,type=task value=1i " + earlier);
    QCOMPARE(conflict.status, 400);
    QVERIFY2(conflict.body.contains("field type conflict"), conflict.body.constData());
}

// 3. InfluxDB down for 30 s while runjob loops: the task goes on, one warning, one "again"
//    line, and afterwards every iteration's points are in the database.
void TestRunjobInfluxDb::anOutageOf30sLosesNothing()
{
    QVERIFY(startInflux());
    QString error;
    QVERIFY2(m_influx->createDatabase(Db, &error), qPrintable(error));

    const QString journal = path(QStringLiteral("journal"));
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_RETRY_MAX_WAIT"), QStringLiteral("2"));
    const auto runjob = startLoop({QStringLiteral("--sleep-interval"), QStringLiteral("1")}, journalTask(journal), e);
    QTRY_VERIFY_WITH_TIMEOUT(journalLines(journal) >= 3, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(count(QStringLiteral("SELECT COUNT(value) FROM job_duration_seconds")) >= 3, 10000);

    m_influx->stop();
    QElapsedTimer outage;
    outage.start();
    const int linesAtStop = journalLines(journal);
    QVERIFY2(runjob->waitForOutput(PushFailed, 10000), qPrintable(runjob->output()));
    // The outage itself is what is tested: the issue fixes its length at 30 s. Nothing to wait
    // for but the time passing (runjob retries meanwhile); the event loop runs, so runjob's
    // output keeps being collected.
    QTest::qWait(int(qMax<qint64>(0, 30000 - outage.elapsed())));
    QVERIFY(outage.elapsed() >= 30000);
    // The loop never waits for metrics: ~28 iterations in 30 s with a 1 s sleep.
    const int runsDuringOutage = journalLines(journal) - linesAtStop;
    QVERIFY2(runsDuringOutage >= 20, qPrintable(QString::number(runsDuringOutage)));

    QVERIFY2(m_influx->start(false, &error), qPrintable(error));
    QVERIFY2(runjob->waitForOutput(QStringLiteral("accepts metrics again"), 15000), qPrintable(runjob->output()));
    const int linesAtRestart = journalLines(journal);
    QTRY_VERIFY_WITH_TIMEOUT(journalLines(journal) >= linesAtRestart + 3, 15000);

    // Stop it while it sleeps (just after "Sleep for"), so that no run is cut in half.
    const qsizetype sleeps = runjob->output().count(QLatin1String("Sleep for"));
    QTRY_VERIFY_WITH_TIMEOUT(runjob->output().count(QLatin1String("Sleep for")) > sleeps, 5000);
    runjob->signal(SIGTERM);
    QVERIFY(runjob->waitForExit(15000));
    QVERIFY(!runjob->exitedBySignal());
    QCOMPARE(runjob->exitCode(), 143);
    const QString log = runjob->output();

    const int runs = journalLines(journal);
    qInfo("%d runs, %d during the outage", runs, runsDuringOutage);
    // Every run arrived, each at a second of its own (1 s sleep between them).
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM job_duration_seconds WHERE status = 'succeeded' AND task = 'sh'")), qint64(runs));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM last_successful_run_timestamp WHERE task = 'sh'")), qint64(runs));
    // SIGTERM while sleeping pushes one "killed" iteration of duration 0 (docs/operations.md).
    const QList<QVariantMap> killed =
        m_influx->select(Db, QStringLiteral("SELECT value FROM job_duration_seconds WHERE status = 'killed'"), {}, {}, &error);
    QCOMPARE(killed.size(), 1);
    QVERIFY2(killed.first().value(QStringLiteral("value")).toDouble() < 0.5, qPrintable(killed.first().value(QStringLiteral("value")).toString()));
    // Nothing else (no failed, unknown...): one point per iteration.
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM job_duration_seconds")), qint64(runs + 1));
    // The extended counter agrees.
    const QList<QVariantMap> counter =
        m_influx->select(Db, QStringLiteral("SELECT LAST(value) FROM jobslib_task_runs_total WHERE status = 'succeeded'"), {}, {}, &error);
    QCOMPARE(counter.size(), 1);
    QCOMPARE(counter.first().value(QStringLiteral("last")).toLongLong(), qint64(runs));

    // Python's message once (twice if the error changed, e.g. refused -> timeout), not per retry
    // (about 15 of them with a 2 s back-off ceiling); then one line when InfluxDB is back.
    const QStringList failures = linesContaining(log, PushFailed);
    QVERIFY2(failures.size() >= 1 && failures.size() <= 2, qPrintable(failures.join(QLatin1Char('\n'))));
    // A server that is down is no configuration error: a warning.
    for (const QString &line : failures)
        QVERIFY2(line.contains(QLatin1String(" jobslib.metrics WARNING ")), qPrintable(line));
    QCOMPARE(linesContaining(log, QStringLiteral("accepts metrics again")).size(), 1);
    QVERIFY2(!log.contains(QLatin1String("not delivered")) && !log.contains(QLatin1String("dropped")), qPrintable(log));
}

// 4. Points undelivered at exit are kept in the spool and delivered by a later runjob, after a
//    normal exit and after kill -9.
void TestRunjobInfluxDb::spooledPointsSurviveARestartOfRunjob()
{
    QVERIFY(startInflux());
    QString error;
    QVERIFY2(m_influx->createDatabase(Db, &error), qPrintable(error));
    m_influx->stop();

    const QString spool = path(QStringLiteral("spool"));
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_SPOOL"), spool);

    // Two runs while InfluxDB is down: each succeeds (exit 0) and leaves its points in the spool.
    const ProcessResult first = runOnce({QStringLiteral("true")}, e);
    QCOMPARE(first.exitCode, 0);
    QVERIFY2(text(first).contains(QStringLiteral("kept in %1 for the next start").arg(spool)), qPrintable(text(first)));
    QVERIFY(waitForNextSecond()); // points of the same series in the same second would overwrite each other
    const ProcessResult second = runOnce({QStringLiteral("true")}, e);
    QCOMPARE(second.exitCode, 0);
    QVERIFY2(text(second).contains(QStringLiteral("left undelivered by an earlier run loaded from %1").arg(spool)), qPrintable(text(second)));
    QVERIFY2(text(second).contains(QStringLiteral("kept in %1 for the next start").arg(spool)), qPrintable(text(second)));
    QVERIFY(waitForNextSecond());

    QVERIFY2(m_influx->start(false, &error), qPrintable(error));
    const ProcessResult third = runOnce({QStringLiteral("true")}, e);
    QCOMPARE(third.exitCode, 0);
    QVERIFY2(text(third).contains(QStringLiteral("loaded from")), qPrintable(text(third)));
    QVERIFY2(!text(third).contains(PushFailed) && !text(third).contains(QLatin1String("kept in")), qPrintable(text(third)));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM job_duration_seconds WHERE status = 'succeeded' AND task = 'true'")), 3);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM last_successful_run_timestamp WHERE task = 'true'")), 3);

    // Delivered means gone from the spool: the next run has nothing to load.
    QVERIFY(waitForNextSecond());
    const ProcessResult fourth = runOnce({QStringLiteral("true")}, e);
    QCOMPARE(fourth.exitCode, 0);
    QVERIFY2(!text(fourth).contains(QLatin1String("loaded from")), qPrintable(text(fourth)));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM job_duration_seconds WHERE status = 'succeeded' AND task = 'true'")), 4);

    // kill -9: the spool is written as points are pushed, not at exit.
    m_influx->stop();
    const QString journal = path(QStringLiteral("journal"));
    QProcessEnvironment e2 = env();
    e2.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_SPOOL"), path(QStringLiteral("spool2")));
    const auto looping = startLoop({QStringLiteral("--sleep-interval"), QStringLiteral("1")}, journalTask(journal), e2);
    // Killed while sleeping after its second run: both runs have pushed their points.
    QTRY_VERIFY_WITH_TIMEOUT(looping->output().count(QLatin1String("Sleep for")) >= 2, 20000);
    looping->signal(SIGKILL);
    QVERIFY(looping->waitForExit(5000));
    QVERIFY(looping->exitedBySignal());
    const int killedRuns = journalLines(journal);
    QCOMPARE(killedRuns, 2);
    QVERIFY2(looping->output().contains(PushFailed), qPrintable(looping->output()));

    QVERIFY(waitForNextSecond());
    QVERIFY2(m_influx->start(false, &error), qPrintable(error));
    const ProcessResult after = runOnce(journalTask(journal), e2);
    QCOMPARE(after.exitCode, 0);
    QVERIFY2(text(after).contains(QStringLiteral("loaded from")), qPrintable(text(after)));
    QCOMPARE(journalLines(journal), killedRuns + 1);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM job_duration_seconds WHERE status = 'succeeded' AND task = 'sh'")), qint64(killedRuns + 1));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM last_successful_run_timestamp WHERE task = 'sh'")), qint64(killedRuns + 1));
}

// 5. Wrong credentials: one critical line that says what to fix (never the password), the task
//    keeps running, SIGTERM still exits promptly.
void TestRunjobInfluxDb::wrongCredentialsOneClearErrorLoopGoesOn()
{
    QVERIFY(startInflux(true));
    QString error;
    const QString admin = QStringLiteral("admin");
    const QString adminPassword = QStringLiteral("Adm1n-Secret");
    QVERIFY2(m_influx->createAdmin(admin, adminPassword, &error), qPrintable(error));
    QVERIFY2(m_influx->createDatabase(Db, &error), qPrintable(error));

    const QString wrong = QStringLiteral("Wr0ng-Passw0rd-4711");
    const QString journal = path(QStringLiteral("journal"));
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_USERNAME"), admin);
    e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_PASSWORD"), wrong);
    const auto runjob = startLoop({QStringLiteral("--sleep-interval"), QStringLiteral("0.5")}, journalTask(journal), e);

    QVERIFY2(runjob->waitForOutput(QStringLiteral("HTTP 401"), 15000), qPrintable(runjob->output()));
    const int linesAtError = journalLines(journal);
    // The loop goes on regardless.
    QTRY_VERIFY_WITH_TIMEOUT(journalLines(journal) >= qMax(4, linesAtError + 3), 20000);

    QElapsedTimer stopping;
    stopping.start();
    runjob->signal(SIGTERM);
    QVERIFY(runjob->waitForExit(20000));
    const qint64 exitMs = stopping.elapsed();
    qInfo("exit %lld ms after SIGTERM", exitMs);
    QVERIFY(!runjob->exitedBySignal());
    QCOMPARE(runjob->exitCode(), 143);
    // Undeliverable points hold the exit up for the flush timeout (5 s) at most.
    QVERIFY2(exitMs < 8000, qPrintable(QString::number(exitMs)));

    const QString log = runjob->output();
    const QStringList unauthorized = linesContaining(log, QStringLiteral("HTTP 401"));
    QVERIFY2(unauthorized.size() == 1, qPrintable(unauthorized.join(QLatin1Char('\n'))));
    const QString line = unauthorized.first();
    // A configuration problem: logged at Python's ERROR level (Qt's critical), where a server
    // that is down only gets a WARNING.
    QVERIFY2(line.contains(QLatin1String(" jobslib.metrics ERROR ")), qPrintable(line));
    QVERIFY2(line.contains(PushFailed), qPrintable(line));
    QVERIFY2(line.contains(QLatin1String("check metrics.influxdb.username and password")), qPrintable(line));
    QCOMPARE(linesContaining(log, PushFailed).size(), 1);
    QVERIFY(!log.contains(wrong));
    // Nothing got in.
    QCOMPARE(count(QStringLiteral("SELECT COUNT(value) FROM job_duration_seconds"), Db, admin, adminPassword), 0);
    // influxd's reason, readable. (It answers errors in MessagePack when asked with
    // "Accept: application/x-msgpack", as Python's client and runjob ask; the text is also in
    // its X-Influxdb-Error header.)
    QVERIFY2(line.contains(QLatin1String("HTTP 401: authorization failed (check")), qPrintable(line));
}

QTEST_GUILESS_MAIN(TestRunjobInfluxDb)
#include "tst_runjobinfluxdb.moc"
