// SPDX-License-Identifier: BSD-3-Clause
// The delivery policy every network metrics backend shares: queue, batches, back-off, bound,
// flush, spool. Driven by a fake clock and a sender the test answers by hand: no network, no waiting.
#include "app/backendregistry.h"
#include "fakeclock.h"
#include "metrics/bufferedmetrics.h"
#include "testcontext.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>

using namespace jobslib;
using namespace jobslib::test;

namespace {

/*! A backend whose requests wait for the test's answer. */
class ScriptedBackend : public BufferedMetricsBackend
{
public:
    using BufferedMetricsBackend::BufferedMetricsBackend;
    QString backendName() const override { return QStringLiteral("scripted"); }

    /*! Answers the request in flight. */
    void answer(SendResult::Outcome outcome, const QString &error = {})
    {
        QVERIFY(pending);
        auto done = std::move(pending);
        pending = nullptr;
        SendResult r;
        r.outcome = outcome;
        r.error = error;
        if (outcome == SendResult::Outcome::Delivered)
            delivered += bodies.constLast();
        done(r);
    }

    QList<QByteArray> bodies; ///< every request, in order
    QByteArray delivered;     ///< the bodies answered Delivered, concatenated
    std::function<void(const SendResult &)> pending;

protected:
    void send(const QByteArray &lines, int, std::function<void(const SendResult &)> done) override
    {
        bodies << lines;
        pending = std::move(done);
    }
    QString destination() const override { return QStringLiteral("the test server"); }
};

MetricPoint point(int i, double value = 1.5)
{
    MetricPoint p;
    p.measurement = QStringLiteral("m");
    p.value = value;
    p.tags = {{QStringLiteral("i"), QString::number(i)}};
    p.timestampNs = 1795831560000000000LL + i;
    return p;
}

QByteArray line(int i)
{
    return "m,i=" + QByteArray::number(i) + " value=1.5 " + QByteArray::number(1795831560000000000LL + i) + '\n';
}

QByteArray lines(int from, int to)
{
    QByteArray b;
    for (int i = from; i <= to; ++i)
        b += line(i);
    return b;
}

using Outcome = BufferedMetricsBackend::SendResult::Outcome;

} // namespace

class TestBufferedMetrics : public QObject
{
    Q_OBJECT

    BackendRegistry m_registry = BackendRegistry::builtins();
    std::unique_ptr<Context> m_context;
    FakeClock *m_clock = nullptr;

    std::unique_ptr<ScriptedBackend> make(BufferedMetricsBackend::Settings s = {})
    {
        return std::make_unique<ScriptedBackend>(*m_context, s);
    }

private Q_SLOTS:
    void init()
    {
        m_context = testContext(m_registry);
        auto clock = std::make_unique<FakeClock>();
        m_clock = clock.get();
        m_context->setClock(std::move(clock));
    }

    void pointsOfOneTurnShareOneRequest()
    {
        auto b = make();
        b->push({point(1), point(2)});
        b->push({point(3)});
        QVERIFY(b->bodies.isEmpty()); // push() only queues
        m_clock->advance(0);
        QCOMPARE(b->bodies.size(), 1);
        QCOMPARE(b->bodies.constFirst(), lines(1, 3));
        b->answer(Outcome::Delivered);
        QCOMPARE(b->delivery().delivered, 3);
        QCOMPARE(b->delivery().buffered, 0);
        QVERIFY(b->delivery().healthy);
    }

    void batchesAreBoundedAndSentBackToBack()
    {
        BufferedMetricsBackend::Settings s;
        s.batchSize = 2;
        auto b = make(s);
        b->push({point(1), point(2), point(3), point(4), point(5)});
        m_clock->advance(0);
        for (int i = 0; i < 3; ++i)
            b->answer(Outcome::Delivered); // the next batch goes out without waiting for a timer
        QCOMPARE(b->bodies.size(), 3);
        QCOMPARE(b->bodies.constLast(), line(5));
        QCOMPARE(b->delivered, lines(1, 5));
    }

    void backoffDoublesWithJitterUpToTheCeiling()
    {
        BufferedMetricsBackend::Settings s;
        s.retryBaseMs = 100;
        s.retryMaxMs = 1000;
        auto b = make(s);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Push monitoring metrics into InfluxDb failed: the test server: "
                                                                             "down; 1 points buffered, retrying in")));
        b->push({point(1)});
        m_clock->advance(0);
        const QList<qint64> expected{100, 200, 400, 800, 1000, 1000};
        for (const qint64 wait : expected) {
            b->answer(Outcome::Retry, QStringLiteral("down")); // the same error again is not logged again
            const qint64 due = m_clock->nextDue();
            QVERIFY2(due >= wait / 2 && due <= wait, qPrintable(QStringLiteral("wait %1 for %2").arg(due).arg(wait)));
            m_clock->advance(due);
            QVERIFY(b->pending);
        }
        QCOMPARE(b->delivery().failures, 6);
        QVERIFY(!b->delivery().healthy);
        QCOMPARE(b->delivery().lastError, QStringLiteral("down"));
        QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("the test server accepts metrics again after 6 failed attempts")));
        b->answer(Outcome::Delivered);
        QVERIFY(b->delivery().healthy);
        QCOMPARE(BufferedMetricsBackend::backoffMs(s, 1), 100);
        QCOMPARE(BufferedMetricsBackend::backoffMs(s, 40), 1000);
    }

    void anOutageLosesNothingAndKeepsTheOrder()
    {
        auto b = make();
        b->push({point(1)});
        m_clock->advance(0);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("failed")));
        for (int i = 2; i <= 50; ++i) {
            if (b->pending)
                b->answer(Outcome::Retry, QStringLiteral("connection refused"));
            b->push({point(i)});
            m_clock->advance(m_clock->nextDue() < 0 ? 0 : m_clock->nextDue());
        }
        QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("accepts metrics again")));
        while (b->pending)
            b->answer(Outcome::Delivered);
        m_clock->advance(0);
        while (b->pending)
            b->answer(Outcome::Delivered);
        QCOMPARE(b->delivered, lines(1, 50)); // every point once, oldest first
        QCOMPARE(b->delivery().delivered, 50);
    }

    void theBoundDropsTheOldestCountedAndLoggedOnce()
    {
        BufferedMetricsBackend::Settings s;
        s.capacity = 5;
        auto b = make(s);
        b->push({point(1)});
        m_clock->advance(0);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("failed")));
        b->answer(Outcome::Retry, QStringLiteral("down"));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Metrics buffer is full \\(5 points\\): the oldest points are dropped")));
        for (int i = 2; i <= 12; ++i)
            b->push({point(i)}); // a second warning would fail the test (unexpected message)
        QCOMPARE(b->delivery().dropped, 7);
        QCOMPARE(b->delivery().buffered, 5);
        m_clock->advance(m_clock->nextDue());
        QCOMPARE(b->bodies.constLast(), lines(8, 12));
        QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("7 points were dropped while the buffer was full")));
        b->answer(Outcome::Delivered);
    }

    void pointsDroppedWhileInFlightAreNotAcknowledgedTwice()
    {
        BufferedMetricsBackend::Settings s;
        s.capacity = 3;
        auto b = make(s);
        b->push({point(1), point(2), point(3)});
        m_clock->advance(0);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Metrics buffer is full")));
        b->push({point(4), point(5)}); // drops 1 and 2, which are in flight
        b->answer(Outcome::Delivered);
        QCOMPARE(b->bodies.constLast(), lines(4, 5)); // 3 went out with the first request; 4 and 5 are still queued
        b->answer(Outcome::Delivered);
        QVERIFY(b->queue().isEmpty());
    }

    void refusedPointsAreDroppedAndTheRestGoesOn()
    {
        BufferedMetricsBackend::Settings s;
        s.batchSize = 2;
        auto b = make(s);
        b->push({point(1), point(2), point(3)});
        m_clock->advance(0);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("the test server refused 2 metrics points for good: field type conflict")));
        b->answer(Outcome::Rejected, QStringLiteral("field type conflict"));
        QCOMPARE(b->bodies.constLast(), line(3));
        b->answer(Outcome::Delivered);
        QCOMPARE(b->delivery().rejected, 2);
        QCOMPARE(b->delivery().delivered, 1);
    }

    void aTooLargeRequestIsSplit()
    {
        auto b = make();
        b->push({point(1), point(2), point(3), point(4)});
        m_clock->advance(0);
        QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("sending at most 2 points per request")));
        b->answer(Outcome::TooLarge, QStringLiteral("HTTP 413"));
        QCOMPARE(b->bodies.constLast(), lines(1, 2));
        b->answer(Outcome::Delivered);
        b->answer(Outcome::Delivered);
        QCOMPARE(b->delivered, lines(1, 4));
    }

    void valuesInfluxDbCannotStoreAreNotSent()
    {
        auto b = make();
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Metric m has the value nan, which InfluxDB cannot store")));
        b->push({point(1, std::numeric_limits<double>::quiet_NaN()), point(2), point(3, std::numeric_limits<double>::infinity())});
        m_clock->advance(0);
        QCOMPARE(b->bodies.constFirst(), line(2));
        QCOMPARE(b->delivery().rejected, 2);
    }

    void flushDeliversEverythingFirst()
    {
        auto b = make();
        QSignalSpy flushed(b.get(), &MetricsBackend::flushed);
        b->push({point(1)});
        m_clock->advance(0);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("failed")));
        b->answer(Outcome::Retry, QStringLiteral("down"));
        b->flush(); // no back-off any more: at once
        QVERIFY(b->pending);
        QCOMPARE(b->bodies.size(), 2);
        QVERIFY(flushed.isEmpty());
        b->answer(Outcome::Delivered);
        QCOMPARE(flushed.size(), 1);
    }

    void flushOfAnEmptyQueueIsImmediate()
    {
        auto b = make();
        QSignalSpy flushed(b.get(), &MetricsBackend::flushed);
        b->flush();
        QVERIFY(flushed.wait(1000));
    }

    void aSpooledQueueSurvivesTheProcess()
    {
        QTemporaryDir dir;
        BufferedMetricsBackend::Settings s;
        s.spoolPath = dir.filePath(QStringLiteral("spool/metrics.spool"));
        {
            auto b = make(s);
            QSignalSpy flushed(b.get(), &MetricsBackend::flushed);
            b->push({point(1), point(2)});
            m_clock->advance(0);
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("failed")));
            b->answer(Outcome::Retry, QStringLiteral("down"));
            b->push({point(3)});
            b->flush();
            // Exiting: with a spool the points are safe, so a failing server does not hold the exit up.
            b->answer(Outcome::Retry, QStringLiteral("down"));
            QCOMPARE(flushed.size(), 1);
            QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("3 metrics points kept in .*metrics.spool for the next start")));
        }
        QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral("3 metrics points left undelivered by an earlier run loaded from")));
        auto b = make(s);
        b->push({point(4)});
        m_clock->advance(0);
        b->answer(Outcome::Delivered);
        QCOMPARE(b->delivered, lines(1, 4));
        QVERIFY(b->queue().isEmpty());
    }

    void unspooledPointsLostAtExitAreReported()
    {
        auto b = make();
        b->push({point(1)});
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("1 metrics points were not delivered and are lost")));
        b.reset();
    }
};

QTEST_GUILESS_MAIN(TestBufferedMetrics)
#include "tst_bufferedmetrics.moc"
