// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "metrics/influxdbreader.h"

#include <QColor>
#include <QList>
#include <QString>
#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QStackedWidget;

namespace jobslib::dashboard {

/*!
 * The History tab's charts of one job (an InfluxDbReader::JobHistory): the duration of every
 * run, one scatter series per status, and the runs per bucket stacked by status; above them the
 * period to show. Colours are the same in both charts: succeeded green, failed red, interrupted
 * and killed orange, the rest grey.
 *
 * It only shows: it asks for nothing. The period combobox emits windowChanged(), and whoever
 * reads InfluxDB (HistoryController) answers with setLoading(), then setHistory() or setError().
 * While there is nothing to chart (loading, an error, no runs) a message takes the charts' place,
 * so an empty or stale chart is never mistaken for the answer.
 */
class HistoryChart : public QWidget
{
    Q_OBJECT
public:
    explicit HistoryChart(QWidget *parent = nullptr);
    ~HistoryChart() override;

    /*! The periods offered, in seconds: 1 h, 6 h, 24 h, 7 d. */
    static QList<int> windowChoices();
    /*! The period chosen (1 h at first). */
    int windowSeconds() const;
    /*! Chooses one of windowChoices() (others are ignored); emits windowChanged() when it changes. */
    void setWindowSeconds(int seconds);

    /*! Shows a history; one with an error shows the error, one without runs says so. */
    void setHistory(const InfluxDbReader::JobHistory &history);
    /*! Shows message (already translated, it may hold a server's text) instead of the charts. */
    void setError(const QString &message);
    /*! Says a history is on its way, instead of the charts. */
    void setLoading();

    /*! Whether the charts are shown (else the message). */
    bool isShowingCharts() const;
    /*! The text shown instead of the charts. */
    QString message() const;
    QChart *durationChart() const;
    QChart *countChart() const;

    /*! The colour of a status in both charts. */
    static QColor statusColor(const QString &status);
    /*! A status as the operator reads it ("succeeded": "Succeeded", translated). */
    static QString statusText(const QString &status);
    /*! The statuses of a history in the order of legends and stacks: runjob's first, others sorted. */
    static QStringList orderedStatuses(const InfluxDbReader::JobHistory &history);

Q_SIGNALS:
    /*! The operator picked another period: load it. */
    void windowChanged(int seconds);

protected:
    void changeEvent(QEvent *event) override;

private:
    /*! What is shown; History: whatever m_history makes (charts, its error, "no runs"), redone on a language change. */
    enum class Mode { Nothing, Loading, Error, History };

    void retranslate();
    /*! Shows m_history (or its error, or its emptiness) anew: on a new history and on a language change. */
    void showHistory();
    void showMessage(Mode mode, const QString &text);
    QChart *buildDurationChart() const;
    QChart *buildCountChart() const;
    /*! Time labels: hours and minutes up to a day, with the date beyond. */
    QString timeFormat() const;

    QLabel *m_windowLabel;
    QComboBox *m_window;
    QStackedWidget *m_pages;
    QLabel *m_message;
    QChartView *m_durationView;
    QChartView *m_countView;
    QLabel *m_note;
    Mode m_mode = Mode::Nothing;
    InfluxDbReader::JobHistory m_history;
};

} // namespace jobslib::dashboard
