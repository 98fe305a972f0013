// SPDX-License-Identifier: BSD-3-Clause
#include "app/backendregistry.h"
#include "app/context.h"
#include "metrics/filemetrics.h"
#include "metrics/lineprotocol.h"
#include "testcontext.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace jobslib;

namespace {

/*! A context for the task "hello" whose metrics go to the file backend; values add metrics.file.* options. */
std::unique_ptr<Context> makeContext(const BackendRegistry &registry, QHash<QString, QString> values = {})
{
    values.insert(QStringLiteral("metrics.backend"), QStringLiteral("file"));
    return test::testContext(registry, values, QStringLiteral("hello"));
}

QList<MetricPoint> samplePoints(qint64 ns)
{
    MetricPoint duration;
    duration.measurement = QStringLiteral("job_duration_seconds");
    duration.value = 0.5628845691680908;
    duration.tags = {{QStringLiteral("status"), QStringLiteral("succeeded")}, {QStringLiteral("task"), QStringLiteral("hello")},
                     {QStringLiteral("type"), QStringLiteral("task")}};
    duration.timestampNs = ns;
    MetricPoint last;
    last.measurement = QStringLiteral("last_successful_run_timestamp");
    last.value = 1795831560.0;
    last.tags = {{QStringLiteral("task"), QStringLiteral("hello")}};
    last.timestampNs = ns;
    return {duration, last};
}

QByteArray fileContent(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestFileMetrics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void defaults();
    void influx();
    void json();
    void pushMetricsThroughContext();
    void unwritableDropsPoints();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    BackendRegistry m_registry = BackendRegistry::builtins();
};

void TestFileMetrics::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestFileMetrics::cleanup()
{
    m_dir.reset();
}

void TestFileMetrics::defaults()
{
    auto context = makeContext(m_registry);
    std::unique_ptr<MetricsBackend> made(m_registry.createMetrics(*context));
    auto *file = qobject_cast<FileMetrics *>(made.get());
    QVERIFY(file);
    QCOMPARE(file->backendName(), QStringLiteral("file"));
    QCOMPARE(file->path(), QStringLiteral("-"));
    QCOMPARE(file->format(), FileMetrics::Format::Influx);
}

void TestFileMetrics::influx()
{
    const QString path = m_dir->filePath(QStringLiteral("metrics.txt"));
    auto context = makeContext(m_registry, {{QStringLiteral("metrics.file.path"), path},
                                            {QStringLiteral("metrics.file.format"), QStringLiteral("influx")}});
    FileMetrics metrics(*context);
    metrics.push(samplePoints(1795831560000000000LL));
    // Written at once, not on some later event loop turn.
    const QByteArray first = "job_duration_seconds,status=succeeded,task=hello,type=task value=0.5628845691680908 1795831560000000000\n"
                             "last_successful_run_timestamp,task=hello value=1795831560.0 1795831560000000000\n";
    QCOMPARE(fileContent(path), first);
    metrics.push(samplePoints(1795831620000000000LL));
    QCOMPARE(fileContent(path), first + toLineProtocol(samplePoints(1795831620000000000LL)));
    metrics.push({});
    QCOMPARE(fileContent(path).count('\n'), 4);
}

void TestFileMetrics::json()
{
    const QString path = m_dir->filePath(QStringLiteral("metrics.jsonl"));
    auto context = makeContext(m_registry, {{QStringLiteral("metrics.file.path"), path},
                                            {QStringLiteral("metrics.file.format"), QStringLiteral("json")}});
    FileMetrics metrics(*context);
    QCOMPARE(metrics.format(), FileMetrics::Format::Json);
    metrics.push(samplePoints(5));
    metrics.push(samplePoints(6));
    QCOMPARE(fileContent(path), toJsonLines(samplePoints(5)) + toJsonLines(samplePoints(6)));
    QVERIFY(fileContent(path).startsWith("{\"measurement\":\"job_duration_seconds\",\"tags\":{\"status\":\"succeeded\""));
}

void TestFileMetrics::pushMetricsThroughContext()
{
    const QString path = m_dir->filePath(QStringLiteral("metrics.txt"));
    auto context = makeContext(m_registry, {{QStringLiteral("metrics.file.path"), path}});
    QVERIFY(context->pushMetrics({{QStringLiteral("items"), QVariantMap{{QStringLiteral("value"), 3}}}}));
    const QByteArray out = fileContent(path);
    QVERIFY2(out.startsWith("items,task=hello value=3.0 "), out.constData());
    QVERIFY(out.endsWith("000000000\n"));
}

void TestFileMetrics::unwritableDropsPoints()
{
    {
        QFile f(m_dir->filePath(QStringLiteral("plain")));
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    const QString path = m_dir->filePath(QStringLiteral("plain/metrics.txt"));
    auto context = makeContext(m_registry, {{QStringLiteral("metrics.file.path"), path}});
    FileMetrics metrics(*context);
    // One warning for the same failure, however often it happens.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^cannot open metrics file '.*plain/metrics.txt'")));
    metrics.push(samplePoints(1));
    metrics.push(samplePoints(2));
    metrics.push(samplePoints(3));
    QVERIFY(!QFile::exists(path));
}

QTEST_GUILESS_MAIN(TestFileMetrics)
#include "tst_filemetrics.moc"
