// SPDX-License-Identifier: BSD-3-Clause
// The runner's side of "Request handover", on the fake lock, the fake clock and an in-memory
// key-value store: when the lock is released, the yield, the take-back, stale and withdrawn
// requests, run_once, and a store that does not answer. No real waiting.
#include "kv/actionlog.h"
#include "memorykvstore.h"
#include "runner/handoverlistener.h"
#include "runner/runner.h"
#include "runnerfixture.h"

#include <QTest>

#include <csignal>

using namespace jobslib;
using namespace jobslib::test;

namespace {

const QString yes = QStringLiteral("1");
const QString Lock = QStringLiteral("fake/key"); // FakeLock::lockKey()

/*! A RunnerFixture whose context has an in-memory store beside the lock. */
struct Fixture : RunnerFixture
{
    explicit Fixture(const QHash<QString, QString> &settings)
        : RunnerFixture(settings)
        , store(std::make_shared<MemoryKvStore>())
    {
        context->setKvStore(store);
        // The runner looks for the store when it is made.
        finished.reset();
        runner = std::make_unique<Runner>(*context, task, RunnerSettings::fromConfig(context->config()));
        finished = std::make_unique<QSignalSpy>(runner.get(), &Runner::finished);
    }

    /*! What the dashboard writes, made `ageMs` ago on the fake clock. */
    void request(qint64 ageMs = 0, const QString &by = QStringLiteral("alice@ops"))
    {
        HandoverRequest r;
        r.requestedBy = by;
        r.timeMs = clock->utcNow().toMSecsSinceEpoch() - ageMs;
        r.reason = QStringLiteral("maintenance");
        store->set(handoverKey(Lock), r.toJson());
        settle();
    }

    QList<ActionRecord> actions() const
    {
        QList<ActionRecord> r;
        for (const KvItem &item : store->under(eventsPrefix(Lock)))
            r << ActionRecord::fromJson(item.value).value();
        return r;
    }

    std::shared_ptr<MemoryKvStore> store;
};

} // namespace

class TestRunnerHandover : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void requestWhileRunningReleasesAfterTheRun();
    void takesTheLockBackWhenNobodyTookIt();
    void requestBetweenRunsReleasesAtOnce();
    void withoutKeepLockTheYieldAddsToTheSleep();
    void requestWhileNotHoldingIsIgnored();
    void staleAndUnreadableRequestsAreDeleted();
    void withdrawnRequestKeepsTheLock();
    void runOnceHonoursItAtTheEnd();
    void terminateDuringTheYield();
    void storeThatDoesNotAnswerDoesNotStopTheLoop();
    void noStoreNoHandover();
};

void TestRunnerHandover::requestWhileRunningReleasesAfterTheRun()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    QCOMPARE(f.runner->state(), Runner::State::Running);
    f.request();
    QVERIFY(f.runner->isHandoverPending());
    // The run is not cut short.
    QCOMPARE(f.task.stopRequests, 0);
    QVERIFY(f.lock->held);
    QVERIFY(f.store->contains(handoverKey(Lock)));

    f.task.complete(true);
    f.settle();
    QCOMPARE(f.lock->releases, 1);
    QVERIFY(!f.store->contains(handoverKey(Lock)));
    QCOMPARE(f.liveness->writes.size(), 1); // the run's success is still recorded
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QVERIFY(f.runner->isYielding());
    QVERIFY(!f.runner->isHandoverPending());
    QCOMPARE(f.runner->yieldMs(), HandoverListener::MaxYieldMs);
    QCOMPARE(f.runner->nextRunAtMs(), f.clock->monotonicMs() + HandoverListener::MaxYieldMs);
    QVERIFY(!f.lock->watching); // not even a standby during the yield

    const QList<ActionRecord> actions = f.actions();
    QCOMPARE(actions.size(), 1);
    QCOMPARE(actions.at(0).action, QStringLiteral("handover"));
    QCOMPARE(actions.at(0).outcome, QStringLiteral("done"));
    QCOMPARE(actions.at(0).detail, QStringLiteral("released after run 1"));
    QCOMPARE(actions.at(0).job, Lock);
    QVERIFY2(actions.at(0).who.startsWith(QLatin1String("runjob@") + f.context->instanceId()), qPrintable(actions.at(0).who));
    QVERIFY2(actions.at(0).target.startsWith(f.context->fqdn() + QLatin1String(" pid ")), qPrintable(actions.at(0).target));
    QVERIFY2(actions.at(0).target.endsWith(QLatin1String(", token 1")), qPrintable(actions.at(0).target));

    // Somebody took it: after the yield this instance is a standby like any other.
    f.lock->answer = FakeLock::Answer::Busy;
    f.advance(HandoverListener::MaxYieldMs - 1);
    QCOMPARE(f.lock->acquires, 1);
    f.advance(1);
    QCOMPARE(f.lock->acquires, 2);
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QVERIFY(!f.runner->isYielding());
    QVERIFY(f.lock->watching);
    QCOMPARE(f.actions().size(), 1); // no take-back
}

void TestRunnerHandover::takesTheLockBackWhenNobodyTookIt()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.request();
    f.task.complete(true);
    f.settle();
    QVERIFY(f.runner->isYielding());
    f.advance(HandoverListener::MaxYieldMs);
    QCOMPARE(f.lock->acquires, 2);
    QCOMPARE(f.runner->state(), Runner::State::Running);
    QCOMPARE(f.task.starts, 2);
    const QList<ActionRecord> actions = f.actions();
    QCOMPARE(actions.size(), 2);
    QCOMPARE(actions.at(1).action, QStringLiteral("take-back"));
    QCOMPARE(actions.at(1).outcome, QStringLiteral("done"));
    QVERIFY(actions.at(1).target.endsWith(QLatin1String(", token 2")));

    // Holding again, it listens again: a new request is honoured.
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.lock->releases, 1); // kept
    f.advance(1000); // the action log is in time order; same-ms entries are in random order
    f.request();
    QCOMPARE(f.lock->releases, 2);
    QCOMPARE(f.actions().constLast().detail, QStringLiteral("released between runs, after run 2"));
}

void TestRunnerHandover::requestBetweenRunsReleasesAtOnce()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QVERIFY(f.lock->held);
    const int pushes = int(f.metrics->pushed.size());
    f.advance(5000);
    f.request();
    QCOMPARE(f.lock->releases, 1);
    QVERIFY(f.runner->isYielding());
    QVERIFY(!f.store->contains(handoverKey(Lock)));
    QCOMPARE(f.metrics->pushed.size(), pushes); // no iteration of its own
    QCOMPARE(f.actions().constFirst().detail, QStringLiteral("released between runs, after run 1"));
    QCOMPARE(f.runner->nextRunAtMs(), f.clock->monotonicMs() + HandoverListener::MaxYieldMs);
}

void TestRunnerHandover::withoutKeepLockTheYieldAddsToTheSleep()
{
    // Without keep_lock every run releases anyway; the handover only keeps this instance out of
    // the contest for the yield, or for the usual sleep when that is longer.
    Fixture f({{QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.request();
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.lock->releases, 1);
    QVERIFY(f.runner->isYielding());
    f.advance(HandoverListener::MaxYieldMs);
    QVERIFY(!f.runner->isYielding());
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QCOMPARE(f.lock->acquires, 1);
    f.advance(60000 - HandoverListener::MaxYieldMs - 1);
    QCOMPARE(f.lock->acquires, 1);
    f.advance(1);
    QCOMPARE(f.lock->acquires, 2);
    QCOMPARE(f.actions().size(), 2);
    QCOMPARE(f.actions().constLast().action, QStringLiteral("take-back"));
}

void TestRunnerHandover::requestWhileNotHoldingIsIgnored()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.lock->answer = FakeLock::Answer::Busy;
    f.startAndSettle();
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    f.request();
    QVERIFY(!f.runner->isHandoverPending());
    QVERIFY(f.store->contains(handoverKey(Lock))); // the holder's to handle
    QCOMPARE(f.store->removes, 0);
    QVERIFY(f.actions().isEmpty());

    // It becomes the holder: the request is now addressed to it.
    f.lock->answer = FakeLock::Answer::Grant;
    Q_EMIT f.lock->freed();
    f.settle();
    QCOMPARE(f.runner->state(), Runner::State::Running);
    QVERIFY(f.runner->isHandoverPending());
}

void TestRunnerHandover::staleAndUnreadableRequestsAreDeleted()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.request(HandoverListener::StaleAfterMs + 1000, QStringLiteral("bob@old"));
    QVERIFY(!f.runner->isHandoverPending());
    QVERIFY(!f.store->contains(handoverKey(Lock)));
    QList<ActionRecord> actions = f.actions();
    QCOMPARE(actions.size(), 1);
    QCOMPARE(actions.at(0).outcome, QStringLiteral("failed"));
    QVERIFY2(actions.at(0).detail.contains(QLatin1String("stale handover request by bob@old")), qPrintable(actions.at(0).detail));

    f.advance(1); // the action log is in time order; same-ms entries are in random order
    f.store->set(handoverKey(Lock), "hand it over please");
    f.settle();
    QVERIFY(!f.runner->isHandoverPending());
    QVERIFY(!f.store->contains(handoverKey(Lock)));
    actions = f.actions();
    QCOMPARE(actions.size(), 2);
    QVERIFY2(actions.at(1).detail.contains(QLatin1String("unreadable handover request")), qPrintable(actions.at(1).detail));

    f.task.complete(true);
    f.settle();
    QCOMPARE(f.lock->releases, 0); // kept as usual
    QVERIFY(!f.runner->isYielding());

    // Just under the limit: obeyed.
    f.request(HandoverListener::StaleAfterMs - 1000);
    QCOMPARE(f.lock->releases, 1);
}

void TestRunnerHandover::withdrawnRequestKeepsTheLock()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.request();
    QVERIFY(f.runner->isHandoverPending());
    bool removed = false;
    f.store->remove(handoverKey(Lock), f.store.get(), [&removed](const Expected<bool> &) { removed = true; });
    f.settle();
    QVERIFY(removed);
    QVERIFY(!f.runner->isHandoverPending());
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.lock->releases, 0);
    QVERIFY(!f.runner->isYielding());
    QVERIFY(f.actions().isEmpty());
}

void TestRunnerHandover::runOnceHonoursItAtTheEnd()
{
    Fixture f({{QStringLiteral("run_once"), yes}});
    f.startAndSettle();
    f.request();
    QVERIFY(f.runner->isHandoverPending());
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.exitCode(), 0);
    QCOMPARE(f.lock->releases, 1);
    QVERIFY(!f.store->contains(handoverKey(Lock)));
    QCOMPARE(f.actions().size(), 1);
    QCOMPARE(f.actions().constFirst().outcome, QStringLiteral("done"));
    QVERIFY(!f.runner->isYielding());
}

void TestRunnerHandover::terminateDuringTheYield()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.request();
    f.task.complete(true);
    f.settle();
    QVERIFY(f.runner->isYielding());
    f.runner->terminate(SIGTERM);
    f.settle();
    QCOMPARE(f.exitCode(), 128 + SIGTERM);
    QVERIFY(!f.runner->isYielding());
    QCOMPARE(f.lock->acquires, 1);
}

void TestRunnerHandover::storeThatDoesNotAnswerDoesNotStopTheLoop()
{
    Fixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    f.startAndSettle();
    f.request();
    f.store->silent = true;
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.runner->state(), Runner::State::Releasing); // deleting the request first
    QCOMPARE(f.lock->releases, 0);
    f.advance(HandoverListener::StepTimeoutMs);
    QCOMPARE(f.lock->releases, 1);
    QCOMPARE(f.runner->state(), Runner::State::Releasing); // recording the action
    f.advance(HandoverListener::StepTimeoutMs);
    QVERIFY(f.runner->isYielding());
}

void TestRunnerHandover::noStoreNoHandover()
{
    // The file lock (the fixture's configuration) has no store: the runner works as before.
    RunnerFixture f({{QStringLiteral("keep_lock"), yes}, {QStringLiteral("sleep_interval"), QStringLiteral("60")}});
    QVERIFY(!f.context->kvStore());
    f.startAndSettle();
    f.task.complete(true);
    f.settle();
    QCOMPARE(f.runner->state(), Runner::State::Sleeping);
    QVERIFY(f.lock->held);
}

QTEST_GUILESS_MAIN(TestRunnerHandover)
#include "tst_runnerhandover.moc"
