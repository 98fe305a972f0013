// SPDX-License-Identifier: BSD-3-Clause
// The third source of tasks: an application that links libjobslib and registers its own.
#include "testutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace jobslib::test;

class TestCustomApp : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void runsItsOwnTaskWithItsOwnContext()
    {
        QTemporaryDir dir;
        QProcessEnvironment env = cleanEnvironment();
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH"), dir.filePath(QStringLiteral("lock")));
        const QString app = QStringLiteral(JOBSLIB_BINARY_DIR "/tests/jobslib-customapp");
        ProcessResult r = run(app, {QStringLiteral("--run-once"), QStringLiteral("AppTask")}, env);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("hi! token 1"), r.err.constData());

        env.insert(QStringLiteral("JOBSLIB_APP_GREETING"), QStringLiteral("ahoj"));
        r = run(app, {QStringLiteral("--run-once"), QStringLiteral("apptask")}, env);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("ahoj! token 2"), r.err.constData());

        r = run(app, {QStringLiteral("--print-config"), QStringLiteral("AppTask")}, env);
        QVERIFY2(r.out.contains("app.greeting = ahoj  (env JOBSLIB_APP_GREETING)"), r.out.constData());

        r = run(app, {QStringLiteral("AppTask"), QStringLiteral("--help")}, env);
        QVERIFY(r.out.contains("AppTask: The application's own task."));
    }

    // An exception from initialize() is a failed start (exit 1, a line saying why), not an abort.
    void anExceptionFromInitializeIsAFailedStart()
    {
        QTemporaryDir dir;
        QProcessEnvironment env = cleanEnvironment();
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH"), dir.filePath(QStringLiteral("lock")));
        env.insert(QStringLiteral("JOBSLIB_APP_GREETING"), QStringLiteral("fail"));
        const ProcessResult r = run(QStringLiteral(JOBSLIB_BINARY_DIR "/tests/jobslib-customapp"), {QStringLiteral("--run-once"), QStringLiteral("AppTask")}, env);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("Context initialization failed: cannot reach the greeting service"), r.err.constData());
        QVERIFY(!r.out.contains("token"));
    }
};

QTEST_GUILESS_MAIN(TestCustomApp)
#include "tst_customapp.moc"
