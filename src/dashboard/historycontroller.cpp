// SPDX-License-Identifier: BSD-3-Clause
#include "historycontroller.h"

#include "credentialstore.h"
#include "fleet.h"
#include "historychart.h"

#include "metrics/influxdbreader.h"

#include <QNetworkAccessManager>
#include <QUrl>

namespace jobslib::dashboard {

HistoryController::HistoryController(Fleet &fleet, CredentialStore &credentials, QWidget *parentWidget)
    : QObject(parentWidget)
    , m_fleet(fleet)
    , m_credentials(credentials)
    , m_network(new QNetworkAccessManager(this))
    , m_chart(new HistoryChart(parentWidget))
{
    connect(m_chart, &HistoryChart::windowChanged, this, [this](int seconds) {
        m_windowS = seconds;
        load();
    });
    connect(&fleet, &Fleet::started, this, [this] { showJob(m_job < m_fleet.jobCount() ? m_job : -1); });
    m_windowS = m_chart->windowSeconds();
}

HistoryController::~HistoryController() = default;

QWidget *HistoryController::widget() const
{
    return m_chart;
}

void HistoryController::showJob(int job)
{
    m_job = job;
    load();
}

void HistoryController::load()
{
    const quint64 generation = ++m_generation;
    delete m_reader;
    if (m_job < 0 || m_job >= m_fleet.jobCount()) {
        m_chart->setError(tr("Select a job to see its history."));
        finish(false);
        return;
    }
    const JobSettings job = m_fleet.settings().jobs.at(m_job);
    if (job.influxUrl.isEmpty() || job.influxDatabase.isEmpty()) {
        m_chart->setError(tr("No InfluxDB is set for job %1 (Settings, Jobs).").arg(job.name));
        finish(false);
        return;
    }
    m_chart->setLoading();
    m_loading = true;
    m_credentials.read(job.secretKey(), this, [this, job, generation](const Expected<QString> &password) {
        if (generation != m_generation)
            return;
        InfluxDbEndpoint endpoint;
        endpoint.baseUrl = QUrl(job.influxUrl);
        endpoint.database = job.influxDatabase;
        endpoint.username = job.influxUsername;
        endpoint.password = password ? *password : QString();
        m_reader = new InfluxDbReader(m_network, endpoint, this);
        // About 60 buckets whatever the window: bars stay readable.
        const qint64 bucket = qMax<qint64>(60, m_windowS / 60);
        m_reader->jobHistory(job.name, m_windowS, bucket, this, [this, generation](const InfluxDbReader::JobHistory &history) {
            if (generation != m_generation)
                return;
            if (!history.ok()) {
                m_chart->setError(tr("Can't read the history: %1").arg(history.error.describe()));
                finish(false);
                return;
            }
            m_chart->setHistory(history);
            finish(true);
        });
    });
}

void HistoryController::finish(bool ok)
{
    m_loading = false;
    Q_EMIT loaded(ok);
}

} // namespace jobslib::dashboard
