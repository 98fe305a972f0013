// SPDX-License-Identifier: BSD-3-Clause
// Several real runjob processes on one file lock with a shared journal. The task takes a second,
// independent lock (flock -n) around its work and writes OVERLAP when that fails, so the journal
// proves that no two task executions ever overlapped, whatever the test does to the holders.
#include "runjobprocess.h"
#include "taskjournal.h"
#include "testutil.h"

#include <QDateTime>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

using namespace jobslib::test;

using Entry = JournalEntry;

class TestFileLockHandover : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void standbysTakeOverWithinOneSecond();
    void contendingInstancesNeverOverlap();

private:
    std::unique_ptr<RunjobProcess> startInstance(const QString &name, const QStringList &loopArgs, const QString &work);
    QList<Entry> journal() const;
    static void verifyNoOverlapAndGrowingTokens(const QList<Entry> &entries);
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestFileLockHandover::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

std::unique_ptr<RunjobProcess> TestFileLockHandover::startInstance(const QString &name, const QStringList &loopArgs, const QString &work)
{
    QProcessEnvironment env = cleanEnvironment();
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH"), m_dir->filePath(QStringLiteral("job.lock")));
    env.insert(QStringLiteral("INSTANCE"), name);
    auto p = std::make_unique<RunjobProcess>(env);
    p->start(loopArgs + QStringList{QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"), TaskJournal(m_dir->path()).workScript(work)});
    return p;
}

QList<Entry> TestFileLockHandover::journal() const
{
    return TaskJournal(m_dir->path()).entries();
}

void TestFileLockHandover::verifyNoOverlapAndGrowingTokens(const QList<Entry> &entries)
{
    const QString violation = TaskJournal::checkNoOverlapAndGrowingTokens(entries);
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
}

void TestFileLockHandover::standbysTakeOverWithinOneSecond()
{
    // keep_lock with a long sleep: the holder keeps the lock for 30 s between runs; standbys
    // would retry only after 30 s if they did not watch the lock.
    const QStringList loop{QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QStringLiteral("30")};
    QMap<QString, std::shared_ptr<RunjobProcess>> instances;
    for (const QString &n : {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")})
        instances.insert(n, startInstance(n, loop, QStringLiteral("0.05")));

    const auto startsOf = [this] {
        QList<Entry> s;
        for (const Entry &e : journal()) {
            if (e.what == QLatin1String("start"))
                s << e;
        }
        return s;
    };
    QVERIFY(QTest::qWaitFor([&] { return startsOf().size() == 1; }, 10000));
    QString holder = startsOf().constLast().instance;
    QVERIFY(instances.value(holder)->waitForOutput(QStringLiteral("lock is kept")));

    // Graceful: SIGTERM releases; a standby notices through its watch.
    instances.value(holder)->signal(SIGTERM);
    QVERIFY(instances.value(holder)->waitForExit());
    QCOMPARE(instances.value(holder)->exitCode(), 143);
    const qint64 releasedAt = QDateTime::currentMSecsSinceEpoch();
    instances.remove(holder);
    QVERIFY(QTest::qWaitFor([&] { return startsOf().size() == 2; }, 5000));
    const qint64 gracefulMs = startsOf().constLast().ms - releasedAt;
    qInfo("graceful takeover after %lld ms", gracefulMs);
    QVERIFY2(gracefulMs <= 1000, qPrintable(QStringLiteral("took %1 ms").arg(gracefulMs)));

    // Crash: kill -9 of the new holder; the kernel frees the lock.
    holder = startsOf().constLast().instance;
    QVERIFY(instances.value(holder)->waitForOutput(QStringLiteral("lock is kept")));
    const qint64 killedAt = QDateTime::currentMSecsSinceEpoch();
    instances.value(holder)->signal(SIGKILL);
    QVERIFY(instances.value(holder)->waitForExit());
    instances.remove(holder);
    QVERIFY(QTest::qWaitFor([&] { return startsOf().size() == 3; }, 5000));
    const qint64 crashMs = startsOf().constLast().ms - killedAt;
    qInfo("crash takeover after %lld ms", crashMs);
    QVERIFY2(crashMs <= 1000, qPrintable(QStringLiteral("took %1 ms").arg(crashMs)));

    for (const auto &p : std::as_const(instances)) {
        p->signal(SIGTERM);
        QVERIFY(p->waitForExit());
    }
    const QList<Entry> starts = startsOf();
    QCOMPARE(starts.at(0).token, 1u);
    QCOMPARE(starts.at(1).token, 2u);
    QCOMPARE(starts.at(2).token, 3u);
    verifyNoOverlapAndGrowingTokens(journal());
}

void TestFileLockHandover::contendingInstancesNeverOverlap()
{
    // Without keep_lock every iteration is a fresh contest, here every 0.2 s for a 0.15 s task.
    const QStringList loop{QStringLiteral("--run-interval"), QStringLiteral("0.2")};
    std::unique_ptr<RunjobProcess> a = startInstance(QStringLiteral("a"), loop, QStringLiteral("0.15"));
    std::unique_ptr<RunjobProcess> b = startInstance(QStringLiteral("b"), loop, QStringLiteral("0.15"));
    const auto runs = [this] {
        int n = 0;
        for (const Entry &e : journal())
            n += e.what == QLatin1String("end");
        return n;
    };
    QVERIFY(QTest::qWaitFor([&] { return runs() >= 15; }, 30000));
    a->signal(SIGTERM);
    b->signal(SIGTERM);
    QVERIFY(a->waitForExit());
    QVERIFY(b->waitForExit());
    QVERIFY2(a->output().contains(QStringLiteral("Can't acquire lock (lock owner is ")) || b->output().contains(QStringLiteral("Can't acquire lock (lock owner is ")),
             "the two instances never contended");
    const QList<Entry> entries = journal();
    verifyNoOverlapAndGrowingTokens(entries);
    // Every run had its own acquisition: tokens strictly grow from one start to the next.
    quint64 last = 0;
    for (const Entry &e : entries) {
        if (e.what == QLatin1String("start")) {
            QVERIFY(e.token > last);
            last = e.token;
        }
    }
}

QTEST_GUILESS_MAIN(TestFileLockHandover)
#include "tst_filelockhandover.moc"
