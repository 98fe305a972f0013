// SPDX-License-Identifier: BSD-3-Clause
#include "historychart.h"

#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QScatterSeries>
#include <QStackedBarSeries>
#include <QStackedWidget>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

namespace jobslib::dashboard {

namespace {

// The statuses runjob (and Python jobslib) reports, in the order of legends and stacks.
const char *const KnownStatuses[] = {"succeeded", "failed", "interrupted", "killed", "pending", "unknown"};

// Most time labels under the bars: more would overlap.
constexpr int MaxBarLabels = 8;

/*! Replaces a view's chart; the view does not delete the one it had. */
void replaceChart(QChartView *view, QChart *chart)
{
    QChart *old = view->chart();
    view->setChart(chart);
    delete old;
}

} // namespace

HistoryChart::HistoryChart(QWidget *parent)
    : QWidget(parent)
    , m_windowLabel(new QLabel(this))
    , m_window(new QComboBox(this))
    , m_pages(new QStackedWidget(this))
    , m_message(new QLabel(m_pages))
    , m_durationView(new QChartView(new QChart, m_pages))
    , m_countView(new QChartView(new QChart, m_pages))
    , m_note(new QLabel(m_pages))
{
    m_window->setObjectName(QStringLiteral("window"));
    m_message->setObjectName(QStringLiteral("message"));
    m_durationView->setObjectName(QStringLiteral("durations"));
    m_countView->setObjectName(QStringLiteral("counts"));
    m_note->setObjectName(QStringLiteral("note"));

    for (int seconds : windowChoices())
        m_window->addItem(QString(), seconds);
    m_windowLabel->setBuddy(m_window);

    auto *top = new QHBoxLayout;
    top->addWidget(m_windowLabel);
    top->addWidget(m_window);
    top->addStretch(1);

    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText); // a server's error text is no markup
    m_note->setWordWrap(true);
    m_note->hide();
    m_durationView->setRenderHint(QPainter::Antialiasing);
    m_countView->setRenderHint(QPainter::Antialiasing);

    auto *charts = new QWidget(m_pages);
    // Side by side: the detail pane is wide and short, and a chart needs height to be read.
    auto *chartsLayout = new QVBoxLayout(charts);
    chartsLayout->setContentsMargins(0, 0, 0, 0);
    auto *row = new QHBoxLayout;
    row->addWidget(m_durationView, 1);
    row->addWidget(m_countView, 1);
    chartsLayout->addLayout(row, 1);
    chartsLayout->addWidget(m_note);
    m_pages->addWidget(m_message);
    m_pages->addWidget(charts);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_pages, 1);

    connect(m_window, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT windowChanged(windowSeconds()); });
    retranslate();
    showMessage(Mode::Nothing, QString());
}

HistoryChart::~HistoryChart() = default;

QList<int> HistoryChart::windowChoices()
{
    return {3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600};
}

int HistoryChart::windowSeconds() const
{
    return m_window->currentData().toInt();
}

void HistoryChart::setWindowSeconds(int seconds)
{
    const int index = m_window->findData(seconds);
    if (index >= 0)
        m_window->setCurrentIndex(index);
}

void HistoryChart::setHistory(const InfluxDbReader::JobHistory &history)
{
    m_history = history;
    showHistory();
}

void HistoryChart::setError(const QString &message)
{
    showMessage(Mode::Error, message);
}

void HistoryChart::setLoading()
{
    showMessage(Mode::Loading, tr("Loading the history…"));
}

bool HistoryChart::isShowingCharts() const
{
    return m_pages->currentWidget() != m_message;
}

QString HistoryChart::message() const
{
    return isShowingCharts() ? QString() : m_message->text();
}

QChart *HistoryChart::durationChart() const
{
    return m_durationView->chart();
}

QChart *HistoryChart::countChart() const
{
    return m_countView->chart();
}

QColor HistoryChart::statusColor(const QString &status)
{
    if (status == QLatin1String("succeeded"))
        return QColor(0x2e, 0x7d, 0x32); // green
    if (status == QLatin1String("failed"))
        return QColor(0xc6, 0x28, 0x28); // red
    if (status == QLatin1String("interrupted"))
        return QColor(0xef, 0x6c, 0x00); // orange
    if (status == QLatin1String("killed"))
        return QColor(0xff, 0xa0, 0x00); // amber
    if (status == QLatin1String("pending"))
        return QColor(0x9e, 0x9e, 0x9e); // light grey
    return QColor(0x61, 0x61, 0x61);     // grey: unknown, and what runjob does not write
}

QString HistoryChart::statusText(const QString &status)
{
    if (status == QLatin1String("succeeded"))
        return tr("Succeeded");
    if (status == QLatin1String("failed"))
        return tr("Failed");
    if (status == QLatin1String("interrupted"))
        return tr("Interrupted");
    if (status == QLatin1String("killed"))
        return tr("Killed");
    if (status == QLatin1String("pending"))
        return tr("Pending");
    if (status == QLatin1String("unknown"))
        return tr("Unknown");
    if (status.isEmpty())
        return tr("No status");
    return status; // written by someone else: shown as written
}

QStringList HistoryChart::orderedStatuses(const InfluxDbReader::JobHistory &history)
{
    QStringList all = history.counts.keys();
    for (auto it = history.runs.cbegin(); it != history.runs.cend(); ++it) {
        if (!all.contains(it.key()))
            all << it.key();
    }
    QStringList ordered;
    for (const char *known : KnownStatuses) {
        if (all.removeAll(QLatin1String(known)) > 0)
            ordered << QLatin1String(known);
    }
    std::sort(all.begin(), all.end());
    return ordered + all;
}

void HistoryChart::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void HistoryChart::retranslate()
{
    m_windowLabel->setText(tr("&Period:"));
    const QStringList labels{tr("Last hour"), tr("Last 6 hours"), tr("Last 24 hours"), tr("Last 7 days")};
    for (int i = 0; i < m_window->count() && i < labels.size(); ++i)
        m_window->setItemText(i, labels.at(i));
    switch (m_mode) {
    case Mode::Nothing:
        break;
    case Mode::Loading:
        setLoading();
        break;
    case Mode::Error:
        // Translated by whoever set it; shown as it is.
        break;
    case Mode::History:
        showHistory();
        break;
    }
}

void HistoryChart::showMessage(Mode mode, const QString &text)
{
    m_mode = mode;
    m_message->setText(text);
    m_pages->setCurrentWidget(m_message);
}

void HistoryChart::showHistory()
{
    const InfluxDbReader::JobHistory &h = m_history;
    if (!h.ok()) {
        showMessage(Mode::History, tr("Can't read the history: %1").arg(h.error.describe()));
        return;
    }
    if (h.runs.isEmpty() && h.counts.isEmpty()) {
        showMessage(Mode::History, tr("%1 has no runs in this period.").arg(h.task));
        return;
    }
    replaceChart(m_durationView, buildDurationChart());
    replaceChart(m_countView, buildCountChart());
    m_note->setText(tr("There are too many runs to show each one: the durations show the newest, the counts all of them."));
    m_note->setVisible(h.truncated);
    m_mode = Mode::History;
    m_pages->setCurrentIndex(1);
}

QString HistoryChart::timeFormat() const
{
    const qint64 window = m_history.to - m_history.from;
    return window <= 24 * 3600 ? locale().timeFormat(QLocale::ShortFormat) : locale().dateTimeFormat(QLocale::ShortFormat);
}

QChart *HistoryChart::buildDurationChart() const
{
    const InfluxDbReader::JobHistory &h = m_history;
    auto *chart = new QChart;
    chart->setTitle(tr("Duration of each run"));
    chart->legend()->setAlignment(Qt::AlignBottom);

    auto *x = new QDateTimeAxis(chart);
    x->setFormat(timeFormat());
    x->setRange(QDateTime::fromSecsSinceEpoch(h.from), QDateTime::fromSecsSinceEpoch(h.to));
    x->setTickCount(7);
    auto *y = new QValueAxis(chart);
    y->setTitleText(tr("Duration (s)"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);

    double longest = 0;
    for (const QString &status : orderedStatuses(h)) {
        const QList<InfluxDbReader::Run> runs = h.runs.value(status);
        if (runs.isEmpty())
            continue;
        auto *series = new QScatterSeries(chart);
        series->setName(statusText(status));
        series->setColor(statusColor(status));
        series->setBorderColor(statusColor(status));
        series->setMarkerSize(8);
        for (const InfluxDbReader::Run &run : runs) {
            series->append(double(run.time) * 1000.0, run.seconds);
            longest = std::max(longest, run.seconds);
        }
        chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
    }
    y->setRange(0, longest > 0 ? longest * 1.1 : 1.0);
    y->applyNiceNumbers();
    return chart;
}

QChart *HistoryChart::buildCountChart() const
{
    const InfluxDbReader::JobHistory &h = m_history;
    auto *chart = new QChart;
    chart->setTitle(tr("Runs per interval"));
    chart->legend()->setAlignment(Qt::AlignBottom);

    auto *bars = new QStackedBarSeries(chart);
    bars->setBarWidth(0.9);
    QList<qint64> stacked(h.buckets.size(), 0);
    for (const QString &status : orderedStatuses(h)) {
        const QList<qint64> counts = h.counts.value(status);
        if (counts.isEmpty())
            continue;
        auto *set = new QBarSet(statusText(status), bars);
        set->setColor(statusColor(status));
        set->setBorderColor(statusColor(status));
        for (qsizetype i = 0; i < h.buckets.size(); ++i) {
            const qint64 n = counts.value(i);
            set->append(double(n));
            stacked[i] += n;
        }
        bars->append(set);
    }
    chart->addSeries(bars);

    // A value axis with labels at some buckets (QBarCategoryAxis would label every bar: with 60
    // buckets, an unreadable row of "...").
    auto *x = new QCategoryAxis(chart);
    x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    x->setRange(-0.5, double(h.buckets.size()) - 0.5);
    x->setStartValue(-0.5);
    const qsizetype step = std::max<qsizetype>(1, (h.buckets.size() + MaxBarLabels - 1) / MaxBarLabels);
    const QString format = timeFormat();
    for (qsizetype i = 0; i < h.buckets.size(); i += step)
        x->append(locale().toString(QDateTime::fromSecsSinceEpoch(h.buckets.at(i)), format), double(i));
    x->setGridLineVisible(false);
    auto *y = new QValueAxis(chart);
    y->setTitleText(tr("Runs"));
    y->setLabelFormat(QStringLiteral("%d"));
    const qint64 highest = stacked.isEmpty() ? 0 : *std::max_element(stacked.cbegin(), stacked.cend());
    if (highest <= 5) {
        // Whole numbers only: 0..1 in fifths would repeat "0" and "1" under "%d".
        y->setRange(0, double(std::max<qint64>(highest, 1)));
        y->setTickCount(int(std::max<qint64>(highest, 1)) + 1);
    } else {
        y->setRange(0, double(highest));
        y->applyNiceNumbers();
    }
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    bars->attachAxis(x);
    bars->attachAxis(y);
    return chart;
}

} // namespace jobslib::dashboard
