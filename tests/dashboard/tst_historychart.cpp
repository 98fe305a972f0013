// SPDX-License-Identifier: BSD-3-Clause
// HistoryChart (the History tab's charts) on the offscreen platform: the period combobox and its
// signal, a history as series (one per status, its colour, its points; bars per bucket stacked by
// status), the message that replaces the charts (loading, error, no runs, a history's error), the
// note on truncated runs, and retranslation on a language change.
#include "historychart.h"

#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QLabel>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTest>
#include <QTranslator>
#include <QValueAxis>

using jobslib::InfluxDbReader;
using jobslib::dashboard::HistoryChart;

namespace {

constexpr qint64 To = 1700003000;
constexpr qint64 From = To - 3600;

/*! The history InfluxDbReader gives for 7 buckets of 600 s (see tests/metrics/tst_influxdbreader.cpp). */
InfluxDbReader::JobHistory sample()
{
    InfluxDbReader::JobHistory h;
    h.task = QStringLiteral("nightly-export");
    h.from = From;
    h.to = To;
    h.bucketSeconds = 600;
    for (qint64 b = 1699999200; b <= To; b += 600)
        h.buckets << b;
    h.runs.insert(QStringLiteral("succeeded"), {{From + 1, 1.5}, {1700000000, 0.5}, {To - 1, 1.0}});
    h.runs.insert(QStringLiteral("failed"), {{1699999800, 2.25}, {To, 3.0}});
    h.runs.insert(QStringLiteral("killed"), {{1700001000, 60.0}});
    h.runs.insert(QStringLiteral("custom"), {{1700001100, 5.0}});
    h.counts.insert(QStringLiteral("succeeded"), {1, 1, 0, 0, 0, 0, 1});
    h.counts.insert(QStringLiteral("failed"), {0, 1, 0, 0, 0, 0, 1});
    h.counts.insert(QStringLiteral("killed"), {0, 0, 0, 1, 0, 0, 0});
    h.counts.insert(QStringLiteral("custom"), {0, 0, 0, 1, 0, 0, 0});
    return h;
}

template<typename T>
QList<T *> seriesOf(QChart *chart)
{
    QList<T *> out;
    const QList<QAbstractSeries *> all = chart->series();
    for (QAbstractSeries *s : all) {
        if (auto *t = qobject_cast<T *>(s))
            out << t;
    }
    return out;
}

/*! A "language" that writes every text in capitals: shows that every text goes through tr(). */
class ShoutingTranslator : public QTranslator
{
public:
    bool isEmpty() const override { return false; }
    QString translate(const char *context, const char *sourceText, const char *disambiguation, int n) const override
    {
        Q_UNUSED(disambiguation)
        Q_UNUSED(n)
        if (qstrcmp(context, "jobslib::dashboard::HistoryChart") != 0)
            return {};
        return QString::fromUtf8(sourceText).toUpper();
    }
};

} // namespace

class TestHistoryChart : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void window();
    void history();
    void messages();
    void truncatedNote();
    void languageChange();
};

void TestHistoryChart::window()
{
    HistoryChart chart;
    auto *combo = chart.findChild<QComboBox *>(QStringLiteral("window"));
    QVERIFY(combo);
    QCOMPARE(HistoryChart::windowChoices(), (QList<int>{3600, 21600, 86400, 604800}));
    QCOMPARE(combo->count(), 4);
    QCOMPARE(combo->itemText(0), QStringLiteral("Last hour"));
    QCOMPARE(combo->itemText(3), QStringLiteral("Last 7 days"));
    QCOMPARE(chart.windowSeconds(), 3600);
    QVERIFY(!chart.isShowingCharts());

    QSignalSpy spy(&chart, &HistoryChart::windowChanged);
    combo->setCurrentIndex(2); // as the operator picks it
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 86400);
    QCOMPARE(chart.windowSeconds(), 86400);
    chart.setWindowSeconds(604800);
    QCOMPARE(spy.size(), 2);
    QCOMPARE(spy.at(1).at(0).toInt(), 604800);
    chart.setWindowSeconds(604800); // no change
    chart.setWindowSeconds(1234);   // not offered
    QCOMPARE(spy.size(), 2);
    QCOMPARE(chart.windowSeconds(), 604800);
}

void TestHistoryChart::history()
{
    HistoryChart chart;
    chart.resize(800, 600);
    chart.show();
    chart.setLoading();
    chart.setHistory(sample());
    QVERIFY(chart.isShowingCharts());
    QVERIFY(chart.message().isEmpty());

    // Durations: one scatter series per status, runjob's statuses first, in their colours.
    const QList<QScatterSeries *> scatter = seriesOf<QScatterSeries>(chart.durationChart());
    QCOMPARE(scatter.size(), 4);
    QStringList names;
    for (const QScatterSeries *s : scatter)
        names << s->name();
    QCOMPARE(names, (QStringList{QStringLiteral("Succeeded"), QStringLiteral("Failed"), QStringLiteral("Killed"), QStringLiteral("custom")}));
    QCOMPARE(scatter[0]->color(), QColor(0x2e, 0x7d, 0x32));
    QCOMPARE(scatter[1]->color(), QColor(0xc6, 0x28, 0x28));
    QCOMPARE(scatter[2]->color(), HistoryChart::statusColor(QStringLiteral("killed")));
    QCOMPARE(scatter[3]->color(), HistoryChart::statusColor(QStringLiteral("custom")));
    QVERIFY(HistoryChart::statusColor(QStringLiteral("killed")) != HistoryChart::statusColor(QStringLiteral("failed")));
    QVERIFY(HistoryChart::statusColor(QStringLiteral("custom")) != HistoryChart::statusColor(QStringLiteral("succeeded")));
    QCOMPARE(scatter[0]->points(),
             (QList<QPointF>{{double(From + 1) * 1000, 1.5}, {1700000000.0 * 1000, 0.5}, {double(To - 1) * 1000, 1.0}}));
    QCOMPARE(scatter[2]->points(), (QList<QPointF>{{1700001000.0 * 1000, 60.0}}));
    const QList<QAbstractAxis *> xAxes = chart.durationChart()->axes(Qt::Horizontal);
    QCOMPARE(xAxes.size(), 1);
    auto *time = qobject_cast<QDateTimeAxis *>(xAxes.first());
    QVERIFY(time);
    QCOMPARE(time->min().toSecsSinceEpoch(), From);
    QCOMPARE(time->max().toSecsSinceEpoch(), To);
    auto *seconds = qobject_cast<QValueAxis *>(chart.durationChart()->axes(Qt::Vertical).value(0));
    QVERIFY(seconds);
    QCOMPARE(seconds->min(), 0.0);
    QVERIFY(seconds->max() >= 60.0);
    QCOMPARE(scatter[0]->attachedAxes().size(), 2);

    // Counts: one stacked bar series, a set per status, a bar per bucket.
    const QList<QStackedBarSeries *> bars = seriesOf<QStackedBarSeries>(chart.countChart());
    QCOMPARE(bars.size(), 1);
    const QList<QBarSet *> sets = bars[0]->barSets();
    QCOMPARE(sets.size(), 4);
    QCOMPARE(sets[0]->label(), QStringLiteral("Succeeded"));
    QCOMPARE(sets[0]->color(), HistoryChart::statusColor(QStringLiteral("succeeded")));
    QCOMPARE(sets[1]->label(), QStringLiteral("Failed"));
    QCOMPARE(sets[1]->color(), HistoryChart::statusColor(QStringLiteral("failed")));
    QCOMPARE(sets[0]->count(), 7);
    QList<double> succeeded;
    QList<double> failed;
    for (int i = 0; i < 7; ++i) {
        succeeded << sets[0]->at(i);
        failed << sets[1]->at(i);
    }
    QCOMPARE(succeeded, (QList<double>{1, 1, 0, 0, 0, 0, 1}));
    QCOMPARE(failed, (QList<double>{0, 1, 0, 0, 0, 0, 1}));
    QCOMPARE(bars[0]->attachedAxes().size(), 2);
    auto *buckets = qobject_cast<QCategoryAxis *>(chart.countChart()->axes(Qt::Horizontal).value(0));
    QVERIFY(buckets);
    QCOMPARE(buckets->min(), -0.5);
    QCOMPARE(buckets->max(), 6.5);
    QVERIFY(buckets->count() >= 1 && buckets->count() <= 8);
    auto *runs = qobject_cast<QValueAxis *>(chart.countChart()->axes(Qt::Vertical).value(0));
    QVERIFY(runs);
    QCOMPARE(runs->max(), 2.0); // the highest stack (bucket 1: 1 + 1; bucket 3: 1 + 1)

    // Painting it does not crash.
    QVERIFY(!chart.grab().isNull());

    // A second history replaces the series; it does not add to them.
    InfluxDbReader::JobHistory other = sample();
    other.runs.remove(QStringLiteral("custom"));
    other.counts.remove(QStringLiteral("custom"));
    chart.setHistory(other);
    QCOMPARE(seriesOf<QScatterSeries>(chart.durationChart()).size(), 3);
    QCOMPARE(seriesOf<QStackedBarSeries>(chart.countChart()).value(0)->barSets().size(), 3);

    // Sixty buckets (the controller's choice): at most eight labels.
    InfluxDbReader::JobHistory many = sample();
    many.buckets.clear();
    for (int i = 0; i < 60; ++i)
        many.buckets << 1699999200 + i * 60;
    many.counts.insert(QStringLiteral("succeeded"), QList<qint64>(60, 2));
    chart.setHistory(many);
    auto *manyBuckets = qobject_cast<QCategoryAxis *>(chart.countChart()->axes(Qt::Horizontal).value(0));
    QVERIFY(manyBuckets);
    QVERIFY2(manyBuckets->count() <= 8, qPrintable(QString::number(manyBuckets->count())));
}

void TestHistoryChart::messages()
{
    HistoryChart chart;
    chart.setLoading();
    QVERIFY(!chart.isShowingCharts());
    QCOMPARE(chart.message(), QStringLiteral("Loading the history…"));

    chart.setError(QStringLiteral("Can't read the history: HTTP 401: authorization failed"));
    QVERIFY(!chart.isShowingCharts());
    QCOMPARE(chart.message(), QStringLiteral("Can't read the history: HTTP 401: authorization failed"));
    auto *label = chart.findChild<QLabel *>(QStringLiteral("message"));
    QVERIFY(label);
    QCOMPARE(label->textFormat(), Qt::PlainText); // a server's text is no markup

    chart.setHistory(sample());
    QVERIFY(chart.isShowingCharts());
    chart.setError(QStringLiteral("x"));
    QVERIFY(!chart.isShowingCharts());

    // A history with an error shows the error; one without runs says so.
    InfluxDbReader::JobHistory failed;
    failed.task = QStringLiteral("a");
    failed.error.kind = InfluxDbReader::Error::Kind::NotFound;
    failed.error.message = QStringLiteral("database not found: jobs");
    chart.setHistory(failed);
    QVERIFY(!chart.isShowingCharts());
    QCOMPARE(chart.message(), QStringLiteral("Can't read the history: database not found: jobs"));

    InfluxDbReader::JobHistory empty;
    empty.task = QStringLiteral("nightly-export");
    empty.from = From;
    empty.to = To;
    empty.bucketSeconds = 600;
    empty.buckets = {1699999200, 1699999800};
    chart.setHistory(empty);
    QVERIFY(!chart.isShowingCharts());
    QCOMPARE(chart.message(), QStringLiteral("nightly-export has no runs in this period."));
}

void TestHistoryChart::truncatedNote()
{
    HistoryChart chart;
    chart.show();
    auto *note = chart.findChild<QLabel *>(QStringLiteral("note"));
    QVERIFY(note);
    chart.setHistory(sample());
    QVERIFY(!note->isVisible());
    InfluxDbReader::JobHistory truncated = sample();
    truncated.truncated = true;
    chart.setHistory(truncated);
    QVERIFY(note->isVisible());
    QVERIFY(!note->text().isEmpty());
}

void TestHistoryChart::languageChange()
{
    HistoryChart chart;
    chart.setHistory(sample());
    ShoutingTranslator shouting;
    QVERIFY(QCoreApplication::installTranslator(&shouting));
    QCoreApplication::processEvents(); // LanguageChange is posted
    auto *combo = chart.findChild<QComboBox *>(QStringLiteral("window"));
    QCOMPARE(combo->itemText(0), QStringLiteral("LAST HOUR"));
    QCOMPARE(seriesOf<QScatterSeries>(chart.durationChart()).value(0)->name(), QStringLiteral("SUCCEEDED"));
    QCOMPARE(chart.durationChart()->title(), QStringLiteral("DURATION OF EACH RUN"));
    QCOMPARE(seriesOf<QStackedBarSeries>(chart.countChart()).value(0)->barSets().value(1)->label(), QStringLiteral("FAILED"));
    QCOMPARE(chart.windowSeconds(), 3600); // retranslating picks no other period

    chart.setLoading();
    QCOMPARE(chart.message(), QStringLiteral("LOADING THE HISTORY…"));
    QVERIFY(QCoreApplication::removeTranslator(&shouting));
    QCoreApplication::processEvents();
    QCOMPARE(chart.message(), QStringLiteral("Loading the history…"));
    QCOMPARE(combo->itemText(0), QStringLiteral("Last hour"));
}

QTEST_MAIN(TestHistoryChart)
#include "tst_historychart.moc"
