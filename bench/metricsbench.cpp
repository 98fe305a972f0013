// SPDX-License-Identifier: BSD-3-Clause
// Metrics benchmarks against a real InfluxDB 1.x (Debian influxdb), started here on loopback:
//   overhead  what one loop iteration pays for its metrics (Python's 2 points + the 7 extended
//             series): the synchronous push, and the process CPU time including delivery
//   memory    RSS of 100 000 points buffered while InfluxDB is down
//   drain     how fast those 100 000 points reach InfluxDB once it is back (points/s), checked
//             by counting them in InfluxDB
// Usage: jobslib-metricsbench [ITERATIONS=2000] [POINTS=100000]
#include "app/backendregistry.h"
#include "app/context.h"
#include "influxdbprocess.h"
#include "metrics/influxdbmetrics.h"
#include "testcontext.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <QFile>
#include <QTest>

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

using namespace jobslib;
using namespace jobslib::test;

namespace {

double rssMb()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = f.readAll().split(' ');
    return double(fields.value(1).toLongLong() * sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/*! One iteration's points as the runner and RunMonitor push them. */
QList<MetricPoint> pythonPoints(double duration)
{
    MetricPoint d;
    d.measurement = QStringLiteral("job_duration_seconds");
    d.value = duration;
    d.tags = {{QStringLiteral("status"), QStringLiteral("succeeded")}, {QStringLiteral("type"), QStringLiteral("task")}};
    MetricPoint l;
    l.measurement = QStringLiteral("last_successful_run_timestamp");
    l.value = 1795831560.0;
    return {d, l};
}

QList<MetricPoint> extendedPoints(int i)
{
    QList<MetricPoint> p;
    for (const char *name : {"jobslib_lock_held", "jobslib_lock_acquisitions_total", "jobslib_lock_losses_total", "jobslib_lock_acquire_seconds",
                             "jobslib_lock_renew_failures_total", "jobslib_lock_fencing_token"}) {
        MetricPoint m;
        m.measurement = QLatin1String(name);
        m.value = i;
        p << m;
    }
    MetricPoint runs;
    runs.measurement = QStringLiteral("jobslib_task_runs_total");
    runs.value = i;
    runs.tags = {{QStringLiteral("status"), QStringLiteral("succeeded")}};
    p << runs;
    return p;
}

std::unique_ptr<InfluxDbMetrics> backend(Context &context, const InfluxDbProcess &influx, qint64 capacity)
{
    InfluxDbEndpoint e;
    e.baseUrl = QUrl(influx.url());
    e.database = QStringLiteral("bench");
    BufferedMetricsBackend::Settings s;
    s.capacity = capacity;
    s.retryMaxMs = 200; // come back quickly once InfluxDB is up again
    return std::make_unique<InfluxDbMetrics>(context, e, s);
}

/*!
 * Runs the event loop (as runjob's is: never asleep while there is work) until nothing is buffered.
 * Not QTest::qWaitFor: it sleeps 10 ms between turns, and Qt's HTTP thread hands each 16 KB of a
 * request body over through this thread, so it would throttle the upload to ~1.5 MB/s.
 */
bool waitDrained(const InfluxDbMetrics &m, int timeoutMs)
{
    QEventLoop loop;
    QTimer check;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (m.delivery().buffered == 0)
            loop.quit();
    });
    check.start(1);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return m.delivery().buffered == 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int iterations = argc > 1 ? atoi(argv[1]) : 2000;
    const int points = argc > 2 ? atoi(argv[2]) : 100000;
    qputenv("QT_LOGGING_RULES", "jobslib.metrics.warning=false;jobslib.metrics.info=false");

    InfluxDbProcess influx;
    QString error;
    if (!influx.start(false, &error) || !influx.createDatabase(QStringLiteral("bench"), &error)) {
        std::fprintf(stderr, "cannot start influxd: %s\n", qPrintable(error));
        return 2;
    }
    const BackendRegistry registry = BackendRegistry::builtins();

    {
        auto context = testContext(registry, {}, QStringLiteral("bench"));
        auto metrics = backend(*context, influx, 1000000);
        context->setMetrics(metrics.release());
        QElapsedTimer push;
        qint64 pushNs = 0;
        const double cpu0 = cpuSeconds();
        QElapsedTimer wall;
        wall.start();
        for (int i = 0; i < iterations; ++i) {
            push.start();
            context->pushPoints(pythonPoints(0.001 * i));
            context->pushPoints(extendedPoints(i));
            pushNs += push.nsecsElapsed();
            QCoreApplication::processEvents(); // the loop goes on; deliveries happen in between
        }
        if (!waitDrained(*static_cast<InfluxDbMetrics *>(context->metrics()), 60000)) {
            std::fprintf(stderr, "overhead: not drained\n");
            return 1;
        }
        const double cpu = cpuSeconds() - cpu0;
        std::printf("metrics per iteration (9 points): push %.1f us (synchronous, in the loop), %.1f us CPU incl. delivery to InfluxDB; "
                    "%d iterations in %.2f s\n",
                    double(pushNs) / iterations / 1000.0, cpu * 1e6 / iterations, iterations, double(wall.elapsed()) / 1000.0);
    }

    {
        auto context = testContext(registry, {}, QStringLiteral("bench"));
        influx.stop();
        const double before = rssMb();
        auto metrics = backend(*context, influx, qint64(points) * 2);
        const qint64 base = 1795831560000000000LL;
        for (int i = 0; i < points; i += 1000) {
            QList<MetricPoint> batch;
            for (int j = i; j < qMin(points, i + 1000); ++j) {
                MetricPoint p = pythonPoints(0.5628845691680908).constFirst();
                p.tags.insert(QStringLiteral("task"), QStringLiteral("bench"));
                p.timestampNs = base + qint64(j) * 1000000000LL; // distinct points, as 100 000 iterations would make
                batch << p;
            }
            metrics->push(batch);
        }
        QCoreApplication::processEvents();
        const double after = rssMb();
        std::printf("memory: %d points buffered: RSS +%.1f MB (%.0f bytes per point), %lld bytes of line protocol\n", points, after - before,
                    (after - before) * 1024 * 1024 / points, qint64(metrics->queue().bytes()));

        if (!influx.start(false, &error)) {
            std::fprintf(stderr, "cannot restart influxd: %s\n", qPrintable(error));
            return 2;
        }
        QElapsedTimer drain;
        drain.start();
        if (!waitDrained(*metrics, 300000)) {
            std::fprintf(stderr, "drain: not drained\n");
            return 1;
        }
        const double s = double(drain.elapsed()) / 1000.0;
        const auto rows = influx.select(QStringLiteral("bench"), QStringLiteral("SELECT count(value) FROM job_duration_seconds WHERE time >= %1").arg(base));
        const qint64 stored = rows.isEmpty() ? -1 : rows.constFirst().value(QStringLiteral("count")).toLongLong();
        std::printf("drain after outage: %d points in %.2f s = %.0f points/s (first attempt after restart included); %lld stored in InfluxDB\n",
                    points, s, points / s, stored);
        if (stored != points)
            return 1;
    }
    return 0;
}
