// SPDX-License-Identifier: BSD-3-Clause
// Every transition of the runner's state machine, driven by fake backends and a fake clock:
// no real waiting for intervals, no network.
#include "app/backendregistry.h"
#include "app/context.h"
#include "launcher/launcher.h"
#include "runner/runner.h"
#include "runnerfixture.h"
#include "testcontext.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <csignal>

using namespace jobslib;
using namespace jobslib::test;

namespace {

using Fixture = RunnerFixture;

const QString yes = QStringLiteral("1");

} // namespace

class TestRunner : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void runOnceSucceeded();
    void runOncePending();
    void runOnceFailed();
    void runOnceAcquireFailed();
    void sleepInterval();
    void runIntervalRestOfPeriod();
    void runIntervalOverrun();
    void bothIntervalsZeroNoBusyLoop();
    void keepLockKeepsItBetweenIterations();
    void keepLockReleaseOnErrorReleasesAndDoubles();
    void releaseOnErrorReleasesOnce();
    void fencingTokenReachesTask();
    void livenessFailureDoesNotStopLoop();
    void standbyTakesOverWhenFreed();
    void standbyWithoutKeepLockDoesNotWatch();
    void terminateWhileRunning();
    void terminateWhileRunningTaskIgnoresIt();
    void secondSignalSkipsGrace();
    void terminateWhileSleepingReleasesKeptLock();
    void terminateWhileAcquiringGivesLockBack();
    void terminateWhileSleepingWithoutLock();
    void lockLostWhileRunning();
    void lockLostTaskDoesNotStopSelfFences();
    void lockLostWhileSleepingReacquires();
    void holderThatLostTheLockWatchesWithKeepLock();
    void realThreadTaskCancels();
    void killedAtLeaseDeadlineIsInterrupted();
    void staleKeptLockDoesNotStartARun();
    void leaseLockWithoutDeadlineDoesNotStartARun();
    void runGetsTheLeaseDeadline();
    void lateAcquiredAfterLossDoesNotStartARun();
    void lostWhileWritingLivenessMakesAHotStandby();
    void tokenGoingBackwardsIsReported();
};

void TestRunner::runOnceSucceeded()
{
    Fixture f({{QStringLiteral("run_once"), yes}});
    QSignalSpy states(f.runner.get(), &Runner::stateChanged);
    f.startAndSettle();
    QCOMPARE(f.runner->state(), Runner::State::Running);
    QCOMPARE(f.task.starts, 1);
    f.advance(1500);
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.exitCode(), 0);
    QCOMPARE(f.lock->releases, 1);
    QCOMPARE(f.liveness->writes.size(), 1);
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("succeeded")});
    QCOMPARE(f.metrics->pushed.size(), 2);
    const MetricPoint &d = f.metrics->pushed.at(0);
    QCOMPARE(d.value, 1.5);
    QCOMPARE(d.tags.value(QStringLiteral("type")), QStringLiteral("task"));
    QCOMPARE(d.tags.value(QStringLiteral("task")), QStringLiteral("manual"));
    QCOMPARE(f.metrics->pushed.at(1).measurement, QStringLiteral("last_successful_run_timestamp"));
    QCOMPARE(f.metrics->pushed.at(1).value, double(f.clock->utcNow().toSecsSinceEpoch()));
    // Acquire -> Run -> Release -> Liveness -> Finishing -> Finished, nothing else.
    QList<Runner::State> seen;
    for (const auto &s : std::as_const(states))
        seen << s.constFirst().value<Runner::State>();
    QCOMPARE(seen,
             (QList<Runner::State>{Runner::State::Acquiring, Runner::State::Running, Runner::State::Releasing, Runner::State::WritingLiveness,
                                   Runner::State::Finishing, Runner::State::Finished}));
}

void TestRunner::runOncePending()
{
    Fixture f({{QStringLiteral("run_once"), yes}});
    f.lock->answer = FakeLock::Answer::Busy;
    f.lock->owner.fqdn = QStringLiteral("other.example.com");
    f.startAndSettle();
    QCOMPARE(f.exitCode(), 0);
    QCOMPARE(f.task.starts, 0);
    QCOMPARE(f.liveness->writes.size(), 0);
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("pending")});
}

void TestRunner::runOnceFailed()
{
    Fixture f({{QStringLiteral("run_once"), yes}});
    f.startAndSettle();
    f.task.complete(false, QStringLiteral("boom"));
    f.settle();
    QCOMPARE(f.exitCode(), 1);
    QCOMPARE(f.lock->releases, 1);
    QCOMPARE(f.liveness->writes.size(), 0);
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("failed")});
}

void TestRunner::runOnceAcquireFailed()
{
    Fixture f({{QStringLiteral("run_once"), yes}});
    f.lock->answer = FakeLock::Answer::Fail;
    f.startAndSettle();
    QCOMPARE(f.exitCode(), 1);
    QCOMPARE(f.task.starts, 0);
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("failed")});
}

void TestRunner::sleepInterval()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.advance(20000);
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QCOMPARE(f.runner->nextRunAtMs(), f.clock->monotonicMs() + 60000);
    f.advance(59999);
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    f.advance(1);
    QCOMPARE(f.runner->state(), Runner::State::Running);
    QCOMPARE(f.task.starts, 2);
    QVERIFY(f.finished->isEmpty());
}

void TestRunner::runIntervalRestOfPeriod()
{
    Fixture f({{QStringLiteral("run_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.advance(20000);
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.runner->nextRunAtMs(), 60000);
    f.advance(39999);
    QCOMPARE(f.task.starts, 1);
    f.advance(1);
    QCOMPARE(f.task.starts, 2);
}

void TestRunner::runIntervalOverrun()
{
    Fixture f({{QStringLiteral("run_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.advance(70000);
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.runner->nextRunAtMs(), 70000);
    f.advance(0);
    QCOMPARE(f.task.starts, 2);
}

void TestRunner::bothIntervalsZeroNoBusyLoop()
{
    Fixture f;
    f.lock->answer = FakeLock::Answer::Busy;
    f.startAndSettle();
    // Pending iterations take no time: without the floor they would spin.
    QCOMPARE(f.lock->acquires, 1);
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    f.advance(999);
    QCOMPARE(f.lock->acquires, 1);
    f.advance(1);
    QCOMPARE(f.lock->acquires, 2);
    for (int i = 0; i < 10; ++i)
        f.advance(1000);
    QCOMPARE(f.lock->acquires, 12);
}

void TestRunner::keepLockKeepsItBetweenIterations()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("10")}});
    f.startAndSettle();
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.lock->releases, 0);
    QCOMPARE(f.lock->refreshes, 1);
    QVERIFY(f.lock->held);
    f.advance(10000);
    QCOMPARE(f.task.starts, 2);
    QCOMPARE(f.lock->token, 1u); // the same acquisition, no new one
    QCOMPARE(f.task.tokenAtStart, 1u);
}

void TestRunner::keepLockReleaseOnErrorReleasesAndDoubles()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("release_on_error"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("10")}});
    f.startAndSettle();
    f.task.complete(false, QStringLiteral("boom"));
    f.settle();
    QCOMPARE(f.lock->releases, 1);
    QVERIFY(!f.lock->held);
    QCOMPARE(f.runner->nextRunAtMs(), f.clock->monotonicMs() + 20000);
}

void TestRunner::releaseOnErrorReleasesOnce()
{
    Fixture f({{QStringLiteral("release_on_error"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("10")}});
    f.startAndSettle();
    f.task.complete(false, QStringLiteral("boom"));
    f.settle();
    // Python releases twice here, the second time with a bare PUT that wipes another holder's value.
    QCOMPARE(f.lock->releases, 1);
    QCOMPARE(f.runner->nextRunAtMs(), f.clock->monotonicMs() + 20000);
    f.advance(20000);
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.runner->nextRunAtMs(), f.clock->monotonicMs() + 10000);
}

void TestRunner::fencingTokenReachesTask()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("1")}});
    f.lock->token = 41;
    f.startAndSettle();
    QCOMPARE(f.task.tokenAtStart, 42u);
    QCOMPARE(f.task.fencingToken(), 42u);
}

void TestRunner::livenessFailureDoesNotStopLoop()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("1")}});
    f.liveness->fail = true;
    f.startAndSettle();
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("succeeded")});
}

void TestRunner::standbyTakesOverWhenFreed()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("3600")}});
    f.lock->answer = FakeLock::Answer::Busy;
    f.startAndSettle();
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QVERIFY(f.lock->watching);
    f.lock->answer = FakeLock::Answer::Grant;
    Q_EMIT f.lock->freed();
    f.settle();
    QCOMPARE(f.runner->state(), Runner::State::Running);
    QVERIFY(!f.lock->watching);
    QCOMPARE(f.clock->monotonicMs(), 0); // at once, not after the hour
}

void TestRunner::standbyWithoutKeepLockDoesNotWatch()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.lock->answer = FakeLock::Answer::Busy;
    f.startAndSettle();
    QVERIFY(!f.lock->watching);
}

void TestRunner::terminateWhileRunning()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.runner->terminate(SIGTERM);
    QCOMPARE(f.task.stopRequests, 1);
    QVERIFY(f.task.isCancellationRequested());
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.exitCode(), 128 + SIGTERM);
    QCOMPARE(f.lock->releases, 1);
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("killed")});
    QCOMPARE(f.liveness->writes.size(), 0);
}

void TestRunner::terminateWhileRunningTaskIgnoresIt()
{
    Fixture f({{QStringLiteral("task.kill_grace"), QStringLiteral("5")}});
    f.task.forceStopWorks = false; // a C++ task that does not look at isCancellationRequested()
    f.startAndSettle();
    f.runner->terminate(SIGTERM);
    f.advance(4999);
    QVERIFY(f.finished->isEmpty());
    f.advance(1);
    QCOMPARE(f.task.forceStops, 1);
    QCOMPARE(f.exitCode(), 128 + SIGTERM);
    // It must not release a lock while its task may still be working under it.
    QCOMPARE(f.lock->releases, 0);
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("killed")});
}

void TestRunner::secondSignalSkipsGrace()
{
    Fixture f({{QStringLiteral("task.kill_grace"), QStringLiteral("30")}});
    f.startAndSettle();
    f.runner->terminate(SIGTERM);
    QCOMPARE(f.task.forceStops, 0);
    f.runner->terminate(SIGINT);
    QCOMPARE(f.task.forceStops, 1);
    f.settle();
    QCOMPARE(f.exitCode(), 128 + SIGTERM);
    QCOMPARE(f.lock->releases, 1);
}

void TestRunner::terminateWhileSleepingReleasesKeptLock()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.task.complete(true);
    f.settle();
    QVERIFY(f.lock->held);
    f.runner->terminate(SIGINT);
    f.settle();
    QCOMPARE(f.exitCode(), 128 + SIGINT);
    QCOMPARE(f.lock->releases, 1);
    QCOMPARE(f.metrics->statuses(), (QStringList{QStringLiteral("succeeded"), QStringLiteral("killed")}));
}

void TestRunner::terminateWhileAcquiringGivesLockBack()
{
    Fixture f;
    f.lock->answer = FakeLock::Answer::Silent;
    f.startAndSettle();
    QCOMPARE(f.runner->state(), Runner::State::Acquiring);
    f.runner->terminate(SIGTERM);
    f.lock->answerPendingAcquire(FakeLock::Answer::Grant);
    f.settle();
    QCOMPARE(f.task.starts, 0);
    QCOMPARE(f.lock->releases, 1);
    QCOMPARE(f.exitCode(), 128 + SIGTERM);
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("killed")});
}

void TestRunner::terminateWhileSleepingWithoutLock()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.task.complete(true);
    f.settle();
    f.runner->terminate(SIGTERM);
    f.settle();
    QCOMPARE(f.exitCode(), 128 + SIGTERM);
    QCOMPARE(f.lock->releases, 1); // the one after the run, none more
}

void TestRunner::lockLostWhileRunning()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}, {QStringLiteral("task.kill_grace"), QStringLiteral("5")}});
    f.startAndSettle();
    f.lock->loseLock(QStringLiteral("session invalidated"));
    QCOMPARE(f.task.stopRequests, 1);
    f.advance(5000); // a command ignoring SIGTERM gets SIGKILL
    QCOMPARE(f.task.forceStops, 1);
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("interrupted")});
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QVERIFY(f.finished->isEmpty());
}

void TestRunner::lockLostTaskDoesNotStopSelfFences()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}, {QStringLiteral("task.kill_grace"), QStringLiteral("2")}});
    f.task.forceStopWorks = false;
    f.startAndSettle();
    f.lock->loseLock(QStringLiteral("session invalidated"));
    f.advance(2000);
    QCOMPARE(f.exitCode(), ExitCode::SelfFenced);
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("interrupted")});
}

void TestRunner::lockLostWhileSleepingReacquires()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("10")}});
    f.startAndSettle();
    f.task.complete(true);
    f.settle();
    f.lock->loseLock(QStringLiteral("expired"));
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QVERIFY(f.lock->watching); // a hot standby from now on
    f.advance(10000);
    QCOMPARE(f.task.starts, 2);
    QCOMPARE(f.task.tokenAtStart, 2u); // a new acquisition, a larger token
}

void TestRunner::holderThatLostTheLockWatchesWithKeepLock()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("3600")}});
    f.startAndSettle();
    f.lock->loseLock(QStringLiteral("session invalidated"));
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("interrupted")});
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QVERIFY(f.lock->watching); // takes the lock back as soon as it is free, not in an hour
}

namespace {
class CooperativeTask : public BaseTask
{
public:
    QString name() const override { return QStringLiteral("coop"); }
    void task() override
    {
        started.store(true);
        while (!isCancellationRequested())
            QThread::yieldCurrentThread();
    }
    std::atomic<bool> started{false};
};
} // namespace

void TestRunner::realThreadTaskCancels()
{
    // The real BaseTask::start(): task() on a worker thread, the event loop free meanwhile.
    const BackendRegistry registry = BackendRegistry::builtins();
    Context context(testConfig(registry, {{QStringLiteral("one_instance.backend"), QStringLiteral("dummy")}}), registry);
    CooperativeTask task;
    task.attach(&context, nullptr);
    Runner runner(context, task, RunnerSettings::fromConfig(context.config()));
    QSignalSpy finished(&runner, &Runner::finished);
    runner.start();
    QTRY_VERIFY_WITH_TIMEOUT(task.started.load(), 10000);
    QCOMPARE(runner.state(), Runner::State::Running);
    runner.terminate(SIGTERM);
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.constFirst().constFirst().toInt(), 128 + SIGTERM);
    QVERIFY(!task.isRunning());
}

void TestRunner::killedAtLeaseDeadlineIsInterrupted()
{
    // jobslib-guard kills a command at the lease deadline a moment before the lock reports the
    // loss: the run counts as interrupted (the lock was lost), not as a failed task.
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.task.setLockDeadline(0);
    f.task.complete(false, QStringLiteral("command killed by signal 9"));
    f.settle();
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("interrupted")});
    QCOMPARE(f.lock->releases, 1); // not kept: the backend must prove the lock again
}

// Issue 15: frozen while sleeping with keep_lock, past the lease; on waking, the overdue sleep
// timer asks the backend for the lock it "holds" and the answer is a stale acquired().
void TestRunner::staleKeptLockDoesNotStartARun()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("run_interval"), QStringLiteral("1")}});
    f.lock->leased = true;
    f.lock->leaseRemaining = 9000;
    f.startAndSettle();
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    f.lock->leaseRemaining = 0; // the deadline passed while frozen; the backend has not said so yet
    f.advance(1000);
    QCOMPARE(f.task.starts, 1);
    QCOMPARE(f.lock->releases, 1); // whatever is left of it is given back
    QCOMPARE(f.metrics->statuses(), (QStringList{QStringLiteral("succeeded"), QStringLiteral("interrupted")}));
    QVERIFY(f.runner->lastError().contains(QStringLiteral("lease deadline passed")));
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QVERIFY(f.lock->watching); // back in normal contention, as a hot standby
    // A real acquisition later starts runs again, with a new token.
    f.lock->leaseRemaining = 9000;
    f.advance(1000);
    QCOMPARE(f.task.starts, 2);
    QCOMPARE(f.task.tokenAtStart, 2u);
}

void TestRunner::leaseLockWithoutDeadlineDoesNotStartARun()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.lock->leased = true; // leaseRemaining -1: "no limit", which a lease lock can never have
    f.startAndSettle();
    QCOMPARE(f.task.starts, 0);
    QCOMPARE(f.metrics->statuses(), QStringList{QStringLiteral("interrupted")});
    QVERIFY(f.runner->lastError().contains(QStringLiteral("no lease deadline")));
    QCOMPARE(f.lock->releases, 1);
}

void TestRunner::runGetsTheLeaseDeadline()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.lock->leased = true;
    f.lock->leaseRemaining = 9000;
    f.startAndSettle();
    QCOMPARE(f.task.starts, 1);
    const qint64 remaining = f.task.lockRemainingMs();
    QVERIFY2(remaining > 8000 && remaining <= 9000 - Runner::DeadlineSafetyMs, qPrintable(QString::number(remaining)));
}

// A backend's acquired() that arrives after the lock was lost (queued before the loss) is stale.
void TestRunner::lateAcquiredAfterLossDoesNotStartARun()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.lock->answer = FakeLock::Answer::Silent;
    f.startAndSettle();
    QCOMPARE(f.runner->state(), Runner::State::Acquiring);
    Q_EMIT f.lock->acquired(7); // not held: nothing proves it
    f.settle();
    QCOMPARE(f.task.starts, 0);
    QCOMPARE(f.runner->state(), Runner::State::Sleeping); // the loop goes on, it does not hang
    f.runner->terminate(SIGTERM);
    f.settle();
    QCOMPARE(f.exitCode(), 128 + SIGTERM);
}

void TestRunner::lostWhileWritingLivenessMakesAHotStandby()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("3600")}});
    f.startAndSettle();
    f.liveness->hold = true;
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.runner->state(), Runner::State::WritingLiveness);
    f.lock->loseLock(QStringLiteral("session invalidated"));
    f.liveness->answerHeld();
    f.settle();
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QVERIFY(f.lock->watching); // takes the lock back as soon as it is free, not in an hour
}

void TestRunner::tokenGoingBackwardsIsReported()
{
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("1")}});
    f.lock->token = 41;
    f.startAndSettle();
    f.task.complete(true);
    f.settle();
    f.lock->token = 0; // the store lost its state: LockIndex starts again at 1
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("fencing token went backwards \\(1 after 42\\)")));
    f.advance(1000);
    QCOMPARE(f.task.starts, 2); // reported, not refused: the lock itself is proven
}

QTEST_GUILESS_MAIN(TestRunner)
#include "tst_runner.moc"
