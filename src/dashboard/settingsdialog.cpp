// SPDX-License-Identifier: BSD-3-Clause
#include "settingsdialog.h"
#include "ui_settingsdialog.h"

#include "credentialstore.h"
#include "runjobimport.h"

#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QInputDialog>
#include <QLineEdit>

namespace jobslib::dashboard {

namespace {
enum DcColumn { DcName, DcBackend, DcAddress, DcConsulDc, DcCaFile, DcVerify, DcUser };
enum JobColumn { JobName, JobLockKey, JobLivenessKey, JobHeartbeatPrefix, JobInfluxUrl, JobInfluxDb, JobInfluxUser };

QString cell(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

void setCell(QTableWidget *table, int row, int column, const QString &text)
{
    table->setItem(row, column, new QTableWidgetItem(text));
}
} // namespace

SettingsDialog::SettingsDialog(const DashboardSettings &settings, CredentialStore &credentials, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::SettingsDialog>())
    , m_credentials(credentials)
{
    m_ui->setupUi(this);
    m_ui->datacenterTable->horizontalHeader()->setStretchLastSection(true);
    m_ui->jobTable->horizontalHeader()->setStretchLastSection(true);
    setRows(settings);
    showKeychainState();

    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_ui->addDatacenter, &QPushButton::clicked, this, [this] {
        DatacenterSettings dc;
        dc.name = tr("datacenter %1").arg(m_ui->datacenterTable->rowCount() + 1);
        dc.address = QStringLiteral("http://127.0.0.1:8500");
        addDatacenterRow(dc);
        m_ui->datacenterTable->setCurrentCell(m_ui->datacenterTable->rowCount() - 1, DcName);
    });
    connect(m_ui->removeDatacenter, &QPushButton::clicked, this, [this] { m_ui->datacenterTable->removeRow(m_ui->datacenterTable->currentRow()); });
    connect(m_ui->datacenterSecret, &QPushButton::clicked, this, [this] {
        const int row = m_ui->datacenterTable->currentRow();
        if (row < 0)
            return;
        DatacenterSettings dc;
        dc.name = cell(m_ui->datacenterTable, row, DcName);
        askSecret(dc.secretKey(), tr("Consul token or etcd password of datacenter %1:").arg(dc.name));
    });
    connect(m_ui->addJob, &QPushButton::clicked, this, [this] {
        JobSettings job;
        job.name = tr("job %1").arg(m_ui->jobTable->rowCount() + 1);
        addJobRow(job);
        m_ui->jobTable->setCurrentCell(m_ui->jobTable->rowCount() - 1, JobName);
    });
    connect(m_ui->importJob, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("runjob settings file"), QString(), tr("Settings (*.ini *.conf);;All files (*)"));
        if (path.isEmpty())
            return;
        m_ui->errorLabel->setText(importRunjobFile(path));
    });
    connect(m_ui->removeJob, &QPushButton::clicked, this, [this] { m_ui->jobTable->removeRow(m_ui->jobTable->currentRow()); });
    connect(m_ui->jobSecret, &QPushButton::clicked, this, [this] {
        const int row = m_ui->jobTable->currentRow();
        if (row < 0)
            return;
        JobSettings job;
        job.name = cell(m_ui->jobTable, row, JobName);
        askSecret(job.secretKey(), tr("InfluxDB password of job %1:").arg(job.name));
    });
    connect(&m_credentials, &CredentialStore::keychainUnavailable, this, &SettingsDialog::showKeychainState);
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::showKeychainState()
{
    m_ui->keychainLabel->setText(m_credentials.sessionOnly()
                                     ? tr("The system keychain is not available (%1): tokens and passwords are kept until the dashboard quits.")
                                           .arg(m_credentials.keychainProblem())
                                     : tr("Tokens and passwords are stored in the system keychain, never in the settings file."));
}

void SettingsDialog::setRows(const DashboardSettings &settings)
{
    m_ui->datacenterTable->setRowCount(0);
    m_ui->jobTable->setRowCount(0);
    for (const DatacenterSettings &dc : settings.datacenters)
        addDatacenterRow(dc);
    for (const JobSettings &job : settings.jobs)
        addJobRow(job);
}

void SettingsDialog::addDatacenterRow(const DatacenterSettings &dc)
{
    QTableWidget *t = m_ui->datacenterTable;
    const int row = t->rowCount();
    t->insertRow(row);
    setCell(t, row, DcName, dc.name);
    auto *backend = new QComboBox(t);
    backend->addItems({QStringLiteral("consul"), QStringLiteral("etcd")});
    backend->setCurrentText(dc.backend);
    t->setCellWidget(row, DcBackend, backend);
    setCell(t, row, DcAddress, dc.address);
    setCell(t, row, DcConsulDc, dc.consulDatacenter);
    setCell(t, row, DcCaFile, dc.caFile);
    auto *verify = new QTableWidgetItem;
    verify->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    verify->setCheckState(dc.verifyTls ? Qt::Checked : Qt::Unchecked);
    t->setItem(row, DcVerify, verify);
    setCell(t, row, DcUser, dc.username);
}

void SettingsDialog::addJobRow(const JobSettings &job)
{
    QTableWidget *t = m_ui->jobTable;
    const int row = t->rowCount();
    t->insertRow(row);
    setCell(t, row, JobName, job.name);
    setCell(t, row, JobLockKey, job.lockKey);
    setCell(t, row, JobLivenessKey, job.livenessKey);
    setCell(t, row, JobHeartbeatPrefix, job.heartbeatPrefix);
    setCell(t, row, JobInfluxUrl, job.influxUrl);
    setCell(t, row, JobInfluxDb, job.influxDatabase);
    setCell(t, row, JobInfluxUser, job.influxUsername);
}

DashboardSettings SettingsDialog::settings() const
{
    DashboardSettings s;
    const QTableWidget *dcs = m_ui->datacenterTable;
    for (int row = 0; row < dcs->rowCount(); ++row) {
        DatacenterSettings dc;
        dc.name = cell(dcs, row, DcName);
        if (const auto *backend = qobject_cast<const QComboBox *>(dcs->cellWidget(row, DcBackend)))
            dc.backend = backend->currentText();
        dc.address = cell(dcs, row, DcAddress);
        dc.consulDatacenter = cell(dcs, row, DcConsulDc);
        dc.caFile = cell(dcs, row, DcCaFile);
        dc.verifyTls = !dcs->item(row, DcVerify) || dcs->item(row, DcVerify)->checkState() == Qt::Checked;
        dc.username = cell(dcs, row, DcUser);
        s.datacenters << dc;
    }
    const QTableWidget *jobs = m_ui->jobTable;
    for (int row = 0; row < jobs->rowCount(); ++row) {
        JobSettings job;
        job.name = cell(jobs, row, JobName);
        job.lockKey = cell(jobs, row, JobLockKey);
        job.livenessKey = cell(jobs, row, JobLivenessKey);
        job.heartbeatPrefix = cell(jobs, row, JobHeartbeatPrefix);
        job.influxUrl = cell(jobs, row, JobInfluxUrl);
        job.influxDatabase = cell(jobs, row, JobInfluxDb);
        job.influxUsername = cell(jobs, row, JobInfluxUser);
        s.jobs << job;
    }
    return s;
}

QString SettingsDialog::importRunjobFile(const QString &path)
{
    const Expected<ImportedJob> imported = importRunjobSettings(path);
    if (!imported)
        return imported.error();
    DashboardSettings current = settings();
    addImportedJob(current, *imported);
    setRows(current);
    m_ui->tabs->setCurrentWidget(m_ui->jobTab);
    m_ui->jobTable->setCurrentCell(m_ui->jobTable->rowCount() - 1, JobName);
    return QString();
}

void SettingsDialog::askSecret(const QString &key, const QString &label)
{
    bool ok = false;
    const QString secret = QInputDialog::getText(this, tr("Secret"), label, QLineEdit::Password, QString(), &ok);
    if (!ok)
        return;
    m_credentials.write(key, secret, this, [this](const QString &error) {
        m_ui->errorLabel->setText(error.isEmpty() ? QString() : tr("Not stored in the keychain (%1); kept until the dashboard quits.").arg(error));
        showKeychainState();
    });
}

void SettingsDialog::accept()
{
    const QString problem = settings().validate();
    if (!problem.isEmpty()) {
        m_ui->errorLabel->setText(problem);
        return;
    }
    QDialog::accept();
}

void SettingsDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        m_ui->retranslateUi(this);
        showKeychainState();
    }
    QDialog::changeEvent(event);
}

} // namespace jobslib::dashboard
