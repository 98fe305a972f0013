// SPDX-License-Identifier: BSD-3-Clause
// What an operator sees of a run (/status, /livez, /readyz, /metrics and the extended metrics),
// followed through the runner's real state machine with fake backends and a fake clock.
#include "runnerfixture.h"
#include "status/runmonitor.h"

#include <QJsonArray>
#include <QTest>

#include <csignal>

using namespace jobslib;
using namespace jobslib::test;

namespace {

/*! The runner's fixture with a RunMonitor watching it. */
struct Fixture : RunnerFixture
{
    explicit Fixture(const QHash<QString, QString> &settings = {{QStringLiteral("sleep_interval"), QStringLiteral("60")}}, bool extended = true)
        : RunnerFixture(settings)
        , monitor(std::make_unique<RunMonitor>(*context, *runner, extended))
    {
    }
    void start() { startAndSettle(); }
    QJsonObject status() const { return monitor->status(); }
    QJsonObject lockStatus() const { return status().value(QStringLiteral("lock")).toObject(); }
    QStringList measurements() const
    {
        QStringList m;
        for (const MetricPoint &p : metrics->pushed)
            m << p.measurement;
        return m;
    }

    std::unique_ptr<RunMonitor> monitor;
};

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

} // namespace

class TestRunMonitor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statusFollowsAnIteration()
    {
        Fixture f;
        QCOMPARE(str(f.status(), "state"), QStringLiteral("idle"));
        QVERIFY(f.status().value(QStringLiteral("last_run")).isNull());
        f.start();
        QCOMPARE(str(f.status(), "state"), QStringLiteral("running"));
        QCOMPARE(str(f.status(), "task"), QStringLiteral("manual"));
        QCOMPARE(str(f.status(), "instance"), f.context->instanceId());
        QVERIFY(f.lockStatus().value(QStringLiteral("held")).toBool());
        QCOMPARE(f.lockStatus().value(QStringLiteral("fencing_token")).toInt(), 1);
        QCOMPARE(f.lockStatus().value(QStringLiteral("holder")).toObject().value(QStringLiteral("self")).toBool(), true);
        QCOMPARE(str(f.lockStatus(), "key"), QStringLiteral("fake/key"));

        f.advance(1500);
        f.task.complete(true);
        f.settle();
        const QJsonObject s = f.status();
        QCOMPARE(str(s, "state"), QStringLiteral("sleeping"));
        const QJsonObject last = s.value(QStringLiteral("last_run")).toObject();
        QCOMPARE(str(last, "status"), QStringLiteral("succeeded"));
        QCOMPARE(last.value(QStringLiteral("duration_seconds")).toDouble(), 1.5);
        QCOMPARE(str(last, "started_utc"), QStringLiteral("2026-11-28T02:06:00.000Z"));
        QCOMPARE(str(last, "finished_utc"), QStringLiteral("2026-11-28T02:06:01.500Z"));
        QCOMPARE(str(s, "last_success_utc"), QStringLiteral("2026-11-28T02:06:01.500Z"));
        QCOMPARE(str(s, "next_run_utc"), QStringLiteral("2026-11-28T02:07:01.500Z")); // sleep_interval 60
        QCOMPARE(s.value(QStringLiteral("runs")).toObject().value(QStringLiteral("succeeded")).toInt(), 1);
        QVERIFY(s.value(QStringLiteral("last_error")).isNull());
        QVERIFY(!f.lockStatus().value(QStringLiteral("held")).toBool());
        QVERIFY(f.lockStatus().value(QStringLiteral("fencing_token")).isNull());
    }

    void theOtherHolderIsShown()
    {
        Fixture f;
        f.lock->answer = FakeLock::Answer::Busy;
        f.lock->owner.fqdn = QStringLiteral("other.example.com");
        f.lock->owner.timeUtc = QStringLiteral("2026-11-28 02:00:00");
        f.lock->owner.pid = 4242;
        f.start();
        const QJsonObject holder = f.lockStatus().value(QStringLiteral("holder")).toObject();
        QCOMPARE(holder.value(QStringLiteral("self")).toBool(), false);
        QCOMPARE(str(holder, "fqdn"), QStringLiteral("other.example.com"));
        QCOMPARE(str(holder, "locked_at_utc"), QStringLiteral("2026-11-28 02:00:00"));
        QCOMPARE(holder.value(QStringLiteral("pid")).toInt(), 4242);
        QCOMPARE(str(holder, "id"), QStringLiteral("other"));
        QCOMPARE(f.status().value(QStringLiteral("runs")).toObject().value(QStringLiteral("pending")).toInt(), 1);
    }

    void aFailureIsTheLastErrorUntilASuccess()
    {
        Fixture f;
        f.start();
        f.task.complete(false, QStringLiteral("database gone"));
        f.settle();
        QCOMPARE(str(f.status(), "last_error"), QStringLiteral("database gone"));
        QCOMPARE(str(f.status().value(QStringLiteral("last_run")).toObject(), "status"), QStringLiteral("failed"));
        f.advance(60000);
        f.task.complete(true);
        f.settle();
        QVERIFY(f.status().value(QStringLiteral("last_error")).isNull());
    }

    void lockCountersAndReadiness()
    {
        Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}, {QStringLiteral("keep_lock"), QStringLiteral("1")}});
        HealthReport ready = f.monitor->readyz();
        QVERIFY(!ready.ok); // nothing answered yet
        QCOMPARE(ready.detail.value(QStringLiteral("lock")).toObject().value(QStringLiteral("error")).toString(), QStringLiteral("no answer yet"));
        f.start();
        QVERIFY(f.monitor->readyz().ok);
        f.task.complete(true);
        f.settle();
        f.advance(60000); // kept: acquiring again answers with the same token
        f.task.complete(true);
        f.settle();
        QCOMPARE(f.lockStatus().value(QStringLiteral("acquisitions")).toInt(), 1);

        Q_EMIT f.lock->renewFailed(QStringLiteral("HTTP 500: no cluster leader"));
        ready = f.monitor->readyz();
        QVERIFY(!ready.ok);
        QCOMPARE(ready.detail.value(QStringLiteral("lock")).toObject().value(QStringLiteral("error")).toString(), QStringLiteral("HTTP 500: no cluster leader"));
        QCOMPARE(f.lockStatus().value(QStringLiteral("renew_failures")).toInt(), 1);
        Q_EMIT f.lock->leaseDeadlineChanged(10000); // a renewal worked
        QVERIFY(f.monitor->readyz().ok);

        f.lock->loseLock(QStringLiteral("session invalidated"));
        QCOMPARE(f.lockStatus().value(QStringLiteral("losses")).toInt(), 1);
        QVERIFY(!f.monitor->readyz().ok);
        f.advance(60000); // the next iteration acquires anew
        QVERIFY(f.monitor->readyz().ok);
        QCOMPARE(f.lockStatus().value(QStringLiteral("acquisitions")).toInt(), 2);
    }

    void failingBackendsMakeItUnready()
    {
        Fixture f;
        f.start();
        f.metrics->deliveryState.healthy = false;
        f.metrics->deliveryState.lastError = QStringLiteral("network: Connection refused");
        HealthReport ready = f.monitor->readyz();
        QVERIFY(!ready.ok);
        QCOMPARE(ready.detail.value(QStringLiteral("metrics")).toObject().value(QStringLiteral("error")).toString(),
                 QStringLiteral("network: Connection refused"));
        f.metrics->deliveryState = {};
        f.liveness->fail = true;
        f.task.complete(true);
        f.settle();
        ready = f.monitor->readyz();
        QVERIFY(!ready.ok);
        QCOMPARE(ready.detail.value(QStringLiteral("liveness")).toObject().value(QStringLiteral("error")).toString(), QStringLiteral("disk full"));
    }

    void livenessEndsWithTheLoop()
    {
        Fixture f;
        f.start();
        QVERIFY(f.monitor->livez().ok);
        f.runner->terminate(SIGTERM);
        f.settle();
        QVERIFY(f.monitor->livez().ok); // stopping the task is still the loop at work
        f.task.complete(false);
        f.settle();
        QVERIFY(f.runner->state() == Runner::State::Finishing || f.runner->state() == Runner::State::Finished);
        QVERIFY(!f.monitor->livez().ok);
        QCOMPARE(f.monitor->livez().detail.value(QStringLiteral("error")).toString(), QStringLiteral("runjob is shutting down"));
    }

    void extendedSeriesArePushedWithEveryIteration()
    {
        Fixture f;
        f.start();
        f.task.complete(true);
        f.settle();
        const QStringList m = f.measurements();
        for (const char *name : {"job_duration_seconds", "last_successful_run_timestamp", "jobslib_lock_held", "jobslib_lock_acquisitions_total",
                                 "jobslib_lock_losses_total", "jobslib_lock_acquire_seconds", "jobslib_lock_renew_failures_total",
                                 "jobslib_lock_fencing_token", "jobslib_task_runs_total"})
            QVERIFY2(m.contains(QLatin1String(name)), name);
        for (const MetricPoint &p : f.metrics->pushed) {
            QCOMPARE(p.tags.value(QStringLiteral("task")), QStringLiteral("manual"));
            // Ours carry the host (InfluxDB keeps one point per series and second); Python's do not.
            QCOMPARE(p.tags.value(QStringLiteral("host")), p.measurement.startsWith(QLatin1String("jobslib_")) ? f.context->fqdn() : QString());
            if (p.measurement == QLatin1String("jobslib_task_runs_total"))
                QCOMPARE(p.tags.value(QStringLiteral("status")), QStringLiteral("succeeded"));
            if (p.measurement == QLatin1String("jobslib_lock_acquisitions_total"))
                QCOMPARE(p.value, 1.0);
        }
    }

    void withoutExtendedMetricsOnlyPythonsArePushed()
    {
        Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}}, false);
        f.start();
        f.task.complete(true);
        f.settle();
        QCOMPARE(f.measurements(), (QStringList{QStringLiteral("job_duration_seconds"), QStringLiteral("last_successful_run_timestamp")}));
        // /metrics still shows the series: they are exposed, just not pushed.
        QVERIFY(f.monitor->prometheusText().contains("jobslib_lock_acquisitions_total{task=\"manual\"} 1\n"));
    }

    void aTasksOwnMetricsShowInPrometheusText()
    {
        Fixture f;
        QVERIFY(f.context->pushMetrics({{QStringLiteral("rows_copied"),
                                         QVariantMap{{QStringLiteral("value"), 1234},
                                                     {QStringLiteral("tags"), QVariantMap{{QStringLiteral("table"), QStringLiteral("users")}}}}}}));
        f.settle();
        QVERIFY(f.measurements().contains(QStringLiteral("rows_copied")));
        QVERIFY(f.monitor->prometheusText().contains("rows_copied{table=\"users\",task=\"manual\"} 1234\n"));
    }

    void prometheusTextHasPythonsAndOurSeries()
    {
        Fixture f;
        f.start();
        f.advance(250);
        f.task.complete(true);
        f.settle();
        f.metrics->deliveryState.buffered = 7;
        const QByteArray text = f.monitor->prometheusText();
        QVERIFY2(text.contains("# TYPE jobslib_lock_acquisitions_total counter\n"), text.constData());
        QVERIFY(text.contains("job_duration_seconds{status=\"succeeded\",task=\"manual\",type=\"task\"} 0.25\n"));
        QVERIFY(text.contains("jobslib_task_runs_total{status=\"succeeded\",task=\"manual\"} 1\n"));
        QVERIFY(text.contains("jobslib_metrics_buffered_points{task=\"manual\"} 7\n"));
        QVERIFY(text.contains("jobslib_lock_held{task=\"manual\"} 0\n"));
    }
};

QTEST_GUILESS_MAIN(TestRunMonitor)
#include "tst_runmonitor.moc"
