// SPDX-License-Identifier: BSD-3-Clause
#include "metrics/pointqueue.h"
#include "metrics/pointspool.h"
#include "testutil.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <climits>
#include <csignal>
#include <cstdio>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace jobslib;

namespace {

constexpr auto ChildArg = "--spool-child";

/*! count encoded points numbered from `first`, each ending in '\n'. */
QList<QByteArray> points(int first, int count)
{
    QList<QByteArray> lines;
    for (int i = first; i < first + count; ++i)
        lines << "job_duration_seconds,task=hello,n=" + QByteArray::number(i) + " value=" + QByteArray::number(i) + ".5 1700000000"
                + QByteArray::number(i).rightJustified(9, '0') + '\n';
    return lines;
}

QList<QByteArray> contents(const PointQueue &queue)
{
    return queue.peek(INT_MAX, LLONG_MAX);
}

qint64 sizeOf(const QList<QByteArray> &lines)
{
    qint64 total = 0;
    for (const QByteArray &line : lines)
        total += line.size();
    return total;
}

QByteArray header(qint64 head)
{
    return "JOBSLIB-SPOOL 1 " + QByteArray::number(head).rightJustified(20, '0') + '\n';
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

/*! Appends, acknowledges, empties, drops by the bound: all that a spool must replay. Capacity 40. */
void crashScenario(PointQueue &queue)
{
    for (int i = 0; i < 10; ++i)
        queue.append(points(i, 1));
    queue.append(points(10, 20));
    queue.acknowledge(7);
    queue.acknowledge(23); // empty: the file is cut back to its header
    queue.append(points(30, 25));
    queue.acknowledge(5);
    queue.append(points(55, 30)); // beyond capacity: the oldest go
    for (int i = 85; i < 95; ++i)
        queue.append(points(i, 1)); // each one drops one
    queue.acknowledge(12);
}

[[noreturn]] void dieLikeACrash()
{
    // No destructors, no flushing, no unlocking: what kill -9 leaves behind.
    ::kill(::getpid(), SIGKILL);
    ::_exit(99);
}

int childFailed(int step, const QString &what)
{
    std::fprintf(stderr, "child step %d failed: %s\n", step, qPrintable(what));
    return step;
}

/*! The child process of the crash tests: `--spool-child <scenario> <spool path>`. */
int runChild(const QString &scenario, const QString &path)
{
    if (scenario == QLatin1String("crash") || scenario == QLatin1String("crash-compacting")) {
        PointQueue queue(40);
        const QString error = queue.openSpool(path);
        if (!error.isEmpty())
            return childFailed(1, error);
        if (scenario == QLatin1String("crash-compacting"))
            queue.spool()->setCompactThreshold(256);
        crashScenario(queue);
        if (!queue.spoolError().isEmpty())
            return childFailed(2, queue.spoolError());
        dieLikeACrash();
    }
    if (scenario == QLatin1String("write-failure")) {
        // Writing beyond RLIMIT_FSIZE fails with EFBIG (once SIGXFSZ no longer kills): a full disk.
        ::signal(SIGXFSZ, SIG_IGN);
        PointQueue queue(100);
        QString error = queue.openSpool(path);
        if (!error.isEmpty())
            return childFailed(1, error);
        queue.append(points(0, 3));
        if (!queue.spoolError().isEmpty())
            return childFailed(2, queue.spoolError());
        const qint64 fullSize = QFileInfo(path).size();
        struct rlimit limit{};
        ::getrlimit(RLIMIT_FSIZE, &limit);
        const rlim_t unlimited = limit.rlim_cur;
        limit.rlim_cur = rlim_t(fullSize);
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0)
            return childFailed(3, QStringLiteral("setrlimit"));
        queue.append(points(3, 2));
        if (queue.spoolError().isEmpty() || queue.size() != 5)
            return childFailed(4, QStringLiteral("no error, or points lost: %1").arg(queue.size()));
        if (QFileInfo(path).size() != fullSize)
            return childFailed(5, QStringLiteral("a failed write left bytes behind"));
        queue.acknowledge(1); // the head still fits
        limit.rlim_cur = unlimited;
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0)
            return childFailed(6, QStringLiteral("setrlimit"));
        queue.append(points(5, 1));
        if (queue.spoolError().isEmpty() || QFileInfo(path).size() != fullSize)
            return childFailed(7, QStringLiteral("retried before the retry interval"));
        queue.spool()->setRetryInterval(std::chrono::milliseconds(0));
        queue.append(points(6, 1));
        if (!queue.spoolError().isEmpty())
            return childFailed(8, QStringLiteral("did not recover: ") + queue.spoolError());
        queue.acknowledge(1);
        dieLikeACrash();
    }
    return childFailed(100, QStringLiteral("unknown scenario ") + scenario);
}

} // namespace

class TestPointQueue : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void boundDropsOldest();
    void appendLargerThanCapacity();
    void peekByPointsAndBytes();
    void acknowledge();
    void linesAreNormalized();

    void spoolRoundTrip();
    void pointsAppendedBeforeOpenComeAfterSpooled();
    void tornLastLineIsCut();
    void corruptSpoolIsSetAside_data();
    void corruptSpoolIsSetAside();
    void headBeyondEndMeansEmpty();
    void damagedLinesAreSkipped();
    void truncatedWhenEmpty();
    void rewrittenWhenHeadIsFar();
    void secondOpenerIsRefused();
    void capacitySmallerThanSpool();
    void crashKeepsExactlyTheUndelivered_data();
    void crashKeepsExactlyTheUndelivered();
    void writeFailureKeepsPointsInMemory();
    void largeQueueStaysFast();
};

void TestPointQueue::boundDropsOldest()
{
    PointQueue queue(3);
    QCOMPARE(queue.capacity(), 3);
    QCOMPARE(queue.append(points(0, 2)), 0);
    QCOMPARE(queue.append(points(2, 2)), 1);
    QCOMPARE(contents(queue), points(1, 3));
    QCOMPARE(queue.droppedTotal(), 1);
    QCOMPARE(queue.append(points(4, 1)), 1);
    QCOMPARE(contents(queue), points(2, 3));
    QCOMPARE(queue.droppedTotal(), 2);
    QCOMPARE(queue.bytes(), sizeOf(points(2, 3)));
    QCOMPARE(queue.size(), 3);
}

void TestPointQueue::appendLargerThanCapacity()
{
    PointQueue queue(3);
    queue.append(points(0, 2));
    // 5 new: 2 of them never enter, and the 2 old ones go.
    QCOMPARE(queue.append(points(2, 5)), 4);
    QCOMPARE(contents(queue), points(4, 3));
    QCOMPARE(queue.droppedTotal(), 4);
    QCOMPARE(queue.bytes(), sizeOf(points(4, 3)));

    PointQueue none(0);
    QCOMPARE(none.append(points(0, 2)), 2);
    QVERIFY(none.isEmpty());
    QCOMPARE(none.droppedTotal(), 2);
}

void TestPointQueue::peekByPointsAndBytes()
{
    PointQueue queue(100);
    QVERIFY(queue.peek(10, 1000).isEmpty());
    const QList<QByteArray> lines = points(0, 10);
    queue.append(lines);
    QCOMPARE(queue.bytes(), sizeOf(lines));
    QCOMPARE(queue.peek(3, LLONG_MAX), lines.mid(0, 3));
    const qint64 threeAndABit = sizeOf(lines.mid(0, 3)) + 5;
    QCOMPARE(queue.peek(100, threeAndABit), lines.mid(0, 3));
    QCOMPARE(queue.peek(100, sizeOf(lines.mid(0, 4))), lines.mid(0, 4));
    // One point even when it alone is too large, or when asked for none.
    QCOMPARE(queue.peek(100, 1), lines.mid(0, 1));
    QCOMPARE(queue.peek(0, LLONG_MAX), lines.mid(0, 1));
    QCOMPARE(queue.peek(100, LLONG_MAX), lines);
    // Peeking removes nothing.
    QCOMPARE(queue.size(), 10);
}

void TestPointQueue::acknowledge()
{
    PointQueue queue(100);
    queue.append(points(0, 10));
    queue.acknowledge(4);
    QCOMPARE(contents(queue), points(4, 6));
    QCOMPARE(queue.bytes(), sizeOf(points(4, 6)));
    queue.acknowledge(0);
    queue.acknowledge(-3);
    QCOMPARE(queue.size(), 6);
    queue.acknowledge(1000);
    QVERIFY(queue.isEmpty());
    QCOMPARE(queue.bytes(), 0);
    QCOMPARE(queue.droppedTotal(), 0);
}

void TestPointQueue::linesAreNormalized()
{
    PointQueue queue(10);
    QCOMPARE(queue.append({QByteArray("a value=1 1"), QByteArray(), QByteArray("b value=2 2\n")}), 0);
    QCOMPARE(contents(queue), (QList<QByteArray>{"a value=1 1\n", "b value=2 2\n"}));
    QCOMPARE(queue.bytes(), 24);
}

void TestPointQueue::spoolRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // The directories are created, private to the user.
    const QString path = dir.filePath(QStringLiteral("a/b/metrics.spool"));
    {
        PointQueue queue(100);
        QCOMPARE(queue.openSpool(path), QString());
        QVERIFY(queue.isSpooled());
        QCOMPARE(queue.spoolPath(), path);
        QVERIFY(queue.isEmpty());
        QCOMPARE(queue.openSpool(path).isEmpty(), false);
        queue.append(points(0, 3));
        queue.append(points(3, 1));
        queue.append(points(4, 6));
        queue.acknowledge(4);
        queue.syncSpool();
        QCOMPARE(queue.spoolError(), QString());
        const qint64 head = PointSpool::HeaderSize + sizeOf(points(0, 4));
        QCOMPARE(readFile(path), header(head) + points(0, 10).join());
    }
    QCOMPARE(QFileInfo(path).permissions() & 0x7777, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser | QFileDevice::WriteUser);
    struct stat st{};
    QCOMPARE(::stat(QFile::encodeName(dir.filePath(QStringLiteral("a"))).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0700u);
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);

    // Left by a compaction cut short: the spool itself is whole, the copy is thrown away.
    QVERIFY(writeFile(path + QStringLiteral(".tmp"), "JOBSLIB-SPOOL 1 000"));
    PointQueue reopened(100);
    QCOMPARE(reopened.openSpool(path), QString());
    QVERIFY(!QFileInfo::exists(path + QStringLiteral(".tmp")));
    QCOMPARE(contents(reopened), points(4, 6));
    QCOMPARE(reopened.bytes(), sizeOf(points(4, 6)));
    QCOMPARE(reopened.droppedTotal(), 0);
    reopened.acknowledge(2);
    reopened.append(points(10, 1));
    QCOMPARE(contents(reopened), points(6, 5));
}

void TestPointQueue::pointsAppendedBeforeOpenComeAfterSpooled()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    {
        PointQueue queue(100);
        QCOMPARE(queue.openSpool(path), QString());
        queue.append(points(0, 3));
    }
    {
        PointQueue queue(4);
        queue.append(points(3, 2));
        QCOMPARE(queue.openSpool(path), QString());
        // The bound holds for both together: the oldest of the spool go.
        QCOMPARE(contents(queue), points(1, 4));
        QCOMPARE(queue.droppedTotal(), 1);
    }
    PointQueue queue(100);
    QCOMPARE(queue.openSpool(path), QString());
    QCOMPARE(contents(queue), points(1, 4));
}

void TestPointQueue::tornLastLineIsCut()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    const QByteArray whole = header(PointSpool::HeaderSize) + points(0, 2).join();
    QVERIFY(writeFile(path, whole + points(2, 1).constFirst().left(20)));
    {
        PointQueue queue(100);
        QCOMPARE(queue.openSpool(path), QString());
        QCOMPARE(contents(queue), points(0, 2));
        QCOMPARE(readFile(path), whole);
        queue.append(points(2, 1));
    }
    PointQueue queue(100);
    QCOMPARE(queue.openSpool(path), QString());
    QCOMPARE(contents(queue), points(0, 3));
}

void TestPointQueue::corruptSpoolIsSetAside_data()
{
    QTest::addColumn<QByteArray>("content");
    const QByteArray lines = points(0, 2).join();
    QTest::newRow("not a spool") << QByteArray("hello world\nsecond line\n");
    QTest::newRow("short header") << QByteArray("JOBSLIB-SPOOL 1 0000");
    QTest::newRow("newer version") << QByteArray("JOBSLIB-SPOOL 2 00000000000000000037\n") + lines;
    QTest::newRow("letters in head") << QByteArray("JOBSLIB-SPOOL 1 00000000000000000x37\n") + lines;
    QTest::newRow("head inside header") << header(10) + lines;
    QTest::newRow("head inside a line") << header(PointSpool::HeaderSize + 5) + lines;
}

void TestPointQueue::corruptSpoolIsSetAside()
{
    QFETCH(QByteArray, content);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    QVERIFY(writeFile(path, content));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^Metrics spool '.*/spool' .*: moved it to '.*/spool\\.corrupt-\\d+' and started a new one$")));
    {
        PointQueue queue(100);
        QCOMPARE(queue.openSpool(path), QString());
        QVERIFY(queue.isSpooled());
        QVERIFY(queue.isEmpty());
        const QStringList aside = QDir(dir.path()).entryList({QStringLiteral("spool.corrupt-*")}, QDir::Files);
        QCOMPARE(aside.size(), 1);
        QCOMPARE(readFile(dir.filePath(aside.constFirst())), content);
        QCOMPARE(readFile(path), header(PointSpool::HeaderSize));
        queue.append(points(0, 1));
    }
    PointQueue queue(100);
    QCOMPARE(queue.openSpool(path), QString());
    QCOMPARE(contents(queue), points(0, 1));
}

void TestPointQueue::headBeyondEndMeansEmpty()
{
    // A crash between cutting the file and writing the new head.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    QVERIFY(writeFile(path, header(5000)));
    PointQueue queue(100);
    QCOMPARE(queue.openSpool(path), QString());
    QVERIFY(queue.isEmpty());
    QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("spool.corrupt-*")}, QDir::Files), QStringList());
    QCOMPARE(readFile(path), header(PointSpool::HeaderSize));
}

void TestPointQueue::damagedLinesAreSkipped()
{
    // A machine crash can leave blocks of zeros where appended lines were never written.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    const QList<QByteArray> lines = points(0, 4);
    QVERIFY(writeFile(path, header(PointSpool::HeaderSize + lines.at(0).size()) + lines.at(0) + lines.at(1) + QByteArray(64, '\0') + lines.at(2) + lines.at(3)));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^Metrics spool '.*/spool' had 1 damaged lines")));
    {
        PointQueue queue(100);
        QCOMPARE(queue.openSpool(path), QString());
        QCOMPARE(contents(queue), (QList<QByteArray>{lines.at(1), lines.at(3)}));
        // Rewritten, so that the file matches the queue line for line again.
        QCOMPARE(readFile(path), header(PointSpool::HeaderSize) + lines.at(1) + lines.at(3));
        queue.acknowledge(1);
    }
    PointQueue queue(100);
    QCOMPARE(queue.openSpool(path), QString());
    QCOMPARE(contents(queue), lines.mid(3));
}

void TestPointQueue::truncatedWhenEmpty()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    {
        PointQueue queue(100);
        QCOMPARE(queue.openSpool(path), QString());
        queue.append(points(0, 5));
        queue.acknowledge(2);
        QCOMPARE(QFileInfo(path).size(), PointSpool::HeaderSize + sizeOf(points(0, 5)));
        queue.acknowledge(3);
        QCOMPARE(readFile(path), header(PointSpool::HeaderSize));
        queue.append(points(5, 1));
    }
    PointQueue queue(100);
    QCOMPARE(queue.openSpool(path), QString());
    QCOMPARE(contents(queue), points(5, 1));

    // Dropping by the bound empties the file too, before the new point is written.
    const QString tinyPath = dir.filePath(QStringLiteral("tiny"));
    PointQueue tiny(1);
    QCOMPARE(tiny.openSpool(tinyPath), QString());
    tiny.append(points(0, 1));
    QCOMPARE(tiny.append(points(1, 1)), 1);
    QCOMPARE(readFile(tinyPath), header(PointSpool::HeaderSize) + points(1, 1).join());
}

void TestPointQueue::rewrittenWhenHeadIsFar()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    const QList<QByteArray> all = points(0, 20);
    {
        PointQueue queue(100);
        QCOMPARE(queue.openSpool(path), QString());
        QCOMPARE(queue.spool()->compactThreshold(), PointSpool::DefaultCompactThreshold);
        queue.spool()->setCompactThreshold(sizeOf(all.mid(0, 3)));
        queue.append(all);
        struct stat before{};
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &before), 0);
        // Beyond the threshold but not beyond half the file: kept.
        queue.acknowledge(4);
        QCOMPARE(QFileInfo(path).size(), PointSpool::HeaderSize + sizeOf(all));
        // Beyond both: the live part is copied into a new file.
        queue.acknowledge(8);
        QCOMPARE(readFile(path), header(PointSpool::HeaderSize) + all.mid(12).join());
        struct stat after{};
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &after), 0);
        QVERIFY(before.st_ino != after.st_ino);
        QCOMPARE(after.st_mode & 0777, 0600u);
        QVERIFY(!QFileInfo::exists(path + QStringLiteral(".tmp")));
        QCOMPARE(queue.spoolError(), QString());

        // The new file is locked as the old one was, and appending goes on in it.
        PointQueue other(100);
        QVERIFY(other.openSpool(path).contains(QLatin1String("in use by another process")));
        queue.append(points(20, 2));
        queue.acknowledge(1);
        QCOMPARE(readFile(path), header(PointSpool::HeaderSize + all.at(12).size()) + points(12, 10).join());
    }
    PointQueue queue(100);
    QCOMPARE(queue.openSpool(path), QString());
    QCOMPARE(contents(queue), points(13, 9));
}

void TestPointQueue::secondOpenerIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    auto first = std::make_unique<PointQueue>(100);
    QCOMPARE(first->openSpool(path), QString());
    first->append(points(0, 2));

    // OFD locks belong to the open file description: a second one in this process conflicts too.
    PointQueue second(100);
    QCOMPARE(second.openSpool(path), QStringLiteral("metrics spool '%1' is in use by another process").arg(path));
    QVERIFY(!second.isSpooled());
    QCOMPARE(second.spoolPath(), QString());
    QVERIFY(second.isEmpty());
    second.append(points(5, 1)); // in memory
    QCOMPARE(second.size(), 1);

    first.reset();
    PointQueue third(100);
    QCOMPARE(third.openSpool(path), QString());
    QCOMPARE(contents(third), points(0, 2));
}

void TestPointQueue::capacitySmallerThanSpool()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    {
        PointQueue queue(100);
        QCOMPARE(queue.openSpool(path), QString());
        queue.append(points(0, 10));
        queue.acknowledge(1);
    }
    {
        PointQueue queue(4);
        QCOMPARE(queue.openSpool(path), QString());
        QCOMPARE(contents(queue), points(6, 4));
        QCOMPARE(queue.droppedTotal(), 5);
    }
    // The drop is persisted: the head moved past them.
    PointQueue queue(100);
    QCOMPARE(queue.openSpool(path), QString());
    QCOMPARE(contents(queue), points(6, 4));
    QCOMPARE(queue.droppedTotal(), 0);
}

void TestPointQueue::crashKeepsExactlyTheUndelivered_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::newRow("appending") << QStringLiteral("crash");
    QTest::newRow("compacting") << QStringLiteral("crash-compacting");
}

void TestPointQueue::crashKeepsExactlyTheUndelivered()
{
    QFETCH(QString, scenario);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    const auto child = test::run(QCoreApplication::applicationFilePath(), {QString::fromLatin1(ChildArg), scenario, path});
    QVERIFY2(child.crashed, child.err.constData());

    PointQueue expected(40);
    crashScenario(expected);
    QVERIFY(expected.size() > 20);
    PointQueue queue(40);
    QCOMPARE(queue.openSpool(path), QString());
    QCOMPARE(contents(queue), contents(expected));
    QCOMPARE(queue.droppedTotal(), 0);
}

void TestPointQueue::writeFailureKeepsPointsInMemory()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    const auto child = test::run(QCoreApplication::applicationFilePath(), {QString::fromLatin1(ChildArg), QStringLiteral("write-failure"), path});
    QVERIFY2(child.crashed, child.err.constData());
    // Logged once when the trouble began, and once when it was over.
    QCOMPARE(child.err.count("cannot write metrics spool"), 1);
    QCOMPARE(child.err.count("works again"), 1);

    // What failed to be written at first was written once the disk had room again.
    PointQueue queue(100);
    QCOMPARE(queue.openSpool(path), QString());
    QCOMPARE(contents(queue), points(2, 5));
}

void TestPointQueue::largeQueueStaysFast()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("spool"));
    constexpr int Capacity = 100000;
    QElapsedTimer timer;
    timer.start();
    {
        PointQueue queue(Capacity);
        QCOMPARE(queue.openSpool(path), QString());
        // One at a time, as pushes come; the last 20 000 each drop the oldest.
        for (int i = 0; i < Capacity + 20000; ++i)
            queue.append(points(i, 1));
        QCOMPARE(queue.size(), Capacity);
        QCOMPARE(queue.droppedTotal(), 20000);
        for (int i = 0; i < 100; ++i)
            queue.acknowledge(queue.peek(50, LLONG_MAX).size());
        QCOMPARE(queue.spoolError(), QString());
    }
    PointQueue queue(Capacity);
    QCOMPARE(queue.openSpool(path), QString());
    QCOMPARE(queue.size(), Capacity - 100 * 50);
    QCOMPARE(queue.peek(1, LLONG_MAX), points(20000 + 100 * 50, 1));
    // Quadratic work would take minutes; linear takes about a second even on a slow machine.
    QVERIFY2(timer.elapsed() < 20000, qPrintable(QString::number(timer.elapsed())));
}

int main(int argc, char **argv)
{
    if (argc == 4 && qstrcmp(argv[1], ChildArg) == 0)
        return runChild(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    QCoreApplication app(argc, argv);
    TestPointQueue test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_pointqueue.moc"
