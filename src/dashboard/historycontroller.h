// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QObject>
#include <QPointer>

class QNetworkAccessManager;
class QWidget;

namespace jobslib {
class InfluxDbReader;
}

namespace jobslib::dashboard {

class CredentialStore;
class Fleet;
class HistoryChart;

/*!
 * The History tab: reads the selected job's runs from its InfluxDB (InfluxDbReader) for the
 * window the operator picked and hands them to the chart. One request at a time; a selection or
 * window change supersedes the one under way (its answer is dropped).
 */
class HistoryController : public QObject
{
    Q_OBJECT
public:
    HistoryController(Fleet &fleet, CredentialStore &credentials, QWidget *parentWidget);
    ~HistoryController() override;

    QWidget *widget() const;
    HistoryChart *chart() const { return m_chart; }
    /*! Shows job's history (-1: none selected). */
    void showJob(int job);
    /*! A history request is under way. */
    bool isLoading() const { return m_loading; }

Q_SIGNALS:
    /*! A history was shown or failed (tests). */
    void loaded(bool ok);

private:
    void load();

    Fleet &m_fleet;
    CredentialStore &m_credentials;
    QNetworkAccessManager *m_network;
    HistoryChart *m_chart;
    QPointer<InfluxDbReader> m_reader;
    void finish(bool ok);

    int m_job = -1;
    bool m_loading = false;
    int m_windowS = 3600;
    quint64 m_generation = 0;
};

} // namespace jobslib::dashboard
