// SPDX-License-Identifier: BSD-3-Clause
// LeaseKeeper on a fake clock: where the local deadline falls against the server's TTL (the
// margin that keeps the old task dead 5 s before anybody else can start), and that renewals keep
// the lease through slow, hung and failed requests (issue 15).
#include "fakeclock.h"
#include "lock/leasekeeper.h"
#include "lock/lockbackend.h"

#include <QSignalSpy>
#include <QTest>

using namespace jobslib;
using jobslib::test::FakeClock;

namespace {

using Outcome = LeaseKeeper::RenewOutcome;
using Answer = std::function<void(Outcome, const QString &)>;

/*! The server's side: every renewal request, answered when the test says. */
struct Server
{
    QList<qint64> sentAt;  ///< when each renewal was sent
    QList<Answer> pending; ///< their answers, in the order sent; null once given

    LeaseKeeper::RenewFn renewFn(const FakeClock &clock)
    {
        return [this, &clock](Answer answer) {
            sentAt << clock.monotonicMs();
            pending << std::move(answer);
        };
    }
    void answer(int i, Outcome outcome, const QString &error = {})
    {
        Answer a = std::exchange(pending[i], nullptr);
        QVERIFY(a);
        a(outcome, error);
    }
};

/*! A lease of TTL 10 s granted at 0 on a fake clock, with its server and a spy on lost(). */
struct Lease
{
    FakeClock clock;
    Server server;
    LeaseKeeper keeper{clock};
    QSignalSpy lost{&keeper, &LeaseKeeper::lost};
    Lease() { keeper.start(10000, 0, server.renewFn(clock)); }
};

} // namespace

class TestLeaseKeeper : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void marginIsTheStopAndFiveSeconds();
    void deadlineFallsTheMarginBeforeTheTtl();
    void aTaskThatCannotBeKilledLosesItsKillGraceEarlier();
    void renewalsKeepTheLeaseWhenAnsweredLate();
    void aHungRenewalDoesNotHoldUpTheNext();
    void failedRenewalsAreRetriedWithinTheWindow();
    void anOlderAnswerNeverShortensTheDeadline();
    void goneIsLostAtOnce();
    void aFrozenProcessFindsItsLeaseLostOnWaking();
};

void TestLeaseKeeper::marginIsTheStopAndFiveSeconds()
{
    // The old task is gone FenceMarginS before the server could expire the lease: it is killed
    // (or runjob exits) up to StopLatenessMs after the deadline plus the time it is given to stop.
    QCOMPARE(LeaseKeeper::marginMs(0), LockBackend::FenceMarginS * 1000 + LeaseKeeper::StopLatenessMs);
    QCOMPARE(LeaseKeeper::marginMs(0), qint64(6000));
    QCOMPARE(LeaseKeeper::marginMs(10000), qint64(16000));
    QCOMPARE(LeaseKeeper::windowMs(10000, 0), qint64(4000));
    QCOMPARE(LeaseKeeper::renewIntervalMs(10000, 0), qint64(1333));
    QCOMPARE(LeaseKeeper::renewIntervalMs(30000, 10000), qint64(4666));
}

void TestLeaseKeeper::deadlineFallsTheMarginBeforeTheTtl()
{
    FakeClock clock;
    clock.advance(1000);
    Server server;
    LeaseKeeper keeper(clock);
    QSignalSpy lost(&keeper, &LeaseKeeper::lost);
    // Granted by a request sent at 500 ms; the server counts its TTL of 10 s from later.
    keeper.start(10000, 500, server.renewFn(clock));
    QCOMPARE(keeper.deadlineMs(), qint64(500 + 10000 - 6000));
    // Nothing answers: lost exactly at the deadline, 6 s before the server's TTL could end.
    clock.advance(3499);
    QVERIFY(lost.isEmpty());
    QVERIFY(!keeper.expired());
    clock.advance(1);
    QCOMPARE(lost.size(), 1);
    QVERIFY(!keeper.isActive());
    QCOMPARE(keeper.deadlineMs(), qint64(-1));
    // Renewals were tried every 1.33 s from the grant, none answered.
    QCOMPARE(server.sentAt, (QList<qint64>{1833, 3166, 4499}));
}

void TestLeaseKeeper::aTaskThatCannotBeKilledLosesItsKillGraceEarlier()
{
    FakeClock clock;
    Server server;
    LeaseKeeper keeper(clock);
    keeper.setTaskStopMs(10000);
    QSignalSpy lost(&keeper, &LeaseKeeper::lost);
    keeper.start(30000, 0, server.renewFn(clock));
    // A C++ task asked to stop at the deadline may run for its kill grace: lost 16 s before the TTL.
    QCOMPARE(keeper.deadlineMs(), qint64(14000));
    clock.advance(14000);
    QCOMPARE(lost.size(), 1);
}

void TestLeaseKeeper::renewalsKeepTheLeaseWhenAnsweredLate()
{
    // TTL 10 s: a window of 4 s renewed every 1.33 s. Every answer comes 1.5 s late (longer than
    // the interval): renewals go on an interval after the previous one was sent, so each
    // confirmed renewal still lands well before the deadline.
    Lease lease;
    auto &[clock, server, keeper, lost] = lease;
    int answered = 0;
    for (qint64 t = 0; t < 60000; t += 100) {
        clock.advance(100);
        for (int i = answered; i < server.sentAt.size(); ++i) {
            if (server.pending[i] && clock.monotonicMs() >= server.sentAt[i] + 1500) {
                server.answer(i, Outcome::Renewed);
                answered = i + 1;
            }
        }
        QVERIFY2(lost.isEmpty(), qPrintable(QStringLiteral("lost at %1 ms").arg(clock.monotonicMs())));
    }
    QVERIFY(server.sentAt.size() >= 40);
    // Never more than a few requests in flight.
    QVERIFY(server.sentAt.size() - answered <= LeaseKeeper::MaxInFlight);
}

void TestLeaseKeeper::aHungRenewalDoesNotHoldUpTheNext()
{
    // A renewal stuck on a dead connection until its timeout (5 s, longer than the window of 4 s):
    // the next ones go out anyway and keep the lease.
    Lease lease;
    auto &[clock, server, keeper, lost] = lease;
    clock.advance(1333);
    QCOMPARE(server.sentAt.size(), 1); // hangs
    clock.advance(1333);
    QCOMPARE(server.sentAt.size(), 2);
    server.answer(1, Outcome::Renewed);
    QCOMPARE(keeper.deadlineMs(), qint64(2666 + 4000));
    // The others are answered at once; the hung one times out 5 s after it was sent.
    for (int step = 0; step < 200; ++step) {
        clock.advance(100);
        if (server.pending[0] && clock.monotonicMs() >= 1333 + 5000)
            server.answer(0, Outcome::Failed, QStringLiteral("timeout"));
        for (int i = 2; i < server.sentAt.size(); ++i) {
            if (server.pending[i])
                server.answer(i, Outcome::Renewed);
        }
        QVERIFY2(lost.isEmpty(), qPrintable(QStringLiteral("lost at %1 ms").arg(clock.monotonicMs())));
    }
    QVERIFY(!server.pending[0]);
    QVERIFY(keeper.isActive());
}

void TestLeaseKeeper::failedRenewalsAreRetriedWithinTheWindow()
{
    FakeClock clock;
    Server server;
    LeaseKeeper keeper(clock);
    QSignalSpy lost(&keeper, &LeaseKeeper::lost);
    QSignalSpy failed(&keeper, &LeaseKeeper::renewFailed);
    keeper.start(10000, 0, server.renewFn(clock));
    clock.advance(1333);
    server.answer(0, Outcome::Failed, QStringLiteral("HTTP 500: No cluster leader"));
    QCOMPARE(failed.size(), 1);
    // Retried a tenth of the window (0.4 s) later, not an interval later.
    clock.advance(399);
    QCOMPARE(server.sentAt.size(), 1);
    clock.advance(1);
    QCOMPARE(server.sentAt.size(), 2);
    server.answer(1, Outcome::Failed, QStringLiteral("HTTP 500: No cluster leader"));
    clock.advance(400);
    QCOMPARE(server.sentAt.size(), 3);
    server.answer(2, Outcome::Renewed);
    QCOMPARE(keeper.deadlineMs(), qint64(2133 + 4000));
    QVERIFY(lost.isEmpty());
    // Failing for the whole window: lost at the deadline of the last confirmed renewal.
    for (int i = 0; i < 100 && lost.isEmpty(); ++i) {
        clock.advance(100);
        for (int j = 3; j < server.sentAt.size(); ++j) {
            if (server.pending[j])
                server.answer(j, Outcome::Failed, QStringLiteral("HTTP 500: No cluster leader"));
        }
    }
    QCOMPARE(lost.size(), 1);
    QCOMPARE(clock.monotonicMs(), qint64(2133 + 4000));
    QVERIFY2(lost.constFirst().constFirst().toString().contains(QStringLiteral("No cluster leader")), qPrintable(lost.constFirst().constFirst().toString()));
}

void TestLeaseKeeper::anOlderAnswerNeverShortensTheDeadline()
{
    FakeClock clock;
    Server server;
    LeaseKeeper keeper(clock);
    keeper.start(10000, 0, server.renewFn(clock));
    clock.advance(1333);
    clock.advance(1333);
    QCOMPARE(server.sentAt.size(), 2);
    server.answer(1, Outcome::Renewed);
    QCOMPARE(keeper.deadlineMs(), qint64(2666 + 4000));
    server.answer(0, Outcome::Renewed);
    QCOMPARE(keeper.deadlineMs(), qint64(2666 + 4000));
}

void TestLeaseKeeper::goneIsLostAtOnce()
{
    Lease lease;
    auto &[clock, server, keeper, lost] = lease;
    clock.advance(1333);
    server.answer(0, Outcome::Gone);
    QCOMPARE(lost.size(), 1);
    QVERIFY(!keeper.isActive());
    QCOMPARE(clock.pendingTimers(), 0);
}

void TestLeaseKeeper::aFrozenProcessFindsItsLeaseLostOnWaking()
{
    Lease lease;
    auto &[clock, server, keeper, lost] = lease;
    clock.freeze(25000);
    QVERIFY(keeper.expired());
    clock.advance(0); // the overdue renewal timer fires first: it must not renew a lease past its deadline
    QCOMPARE(lost.size(), 1);
    QVERIFY(server.sentAt.isEmpty());
    QVERIFY2(lost.constFirst().constFirst().toString().contains(QStringLiteral("frozen")), qPrintable(lost.constFirst().constFirst().toString()));
}

QTEST_GUILESS_MAIN(TestLeaseKeeper)
#include "tst_leasekeeper.moc"
