// SPDX-License-Identifier: BSD-3-Clause
#include "mainwindow.h"
#include "ui_mainwindow.h"

#include "actiontexts.h"
#include "credentialstore.h"
#include "datacenterlink.h"
#include "eventlogmodel.h"
#include "fleet.h"
#include "fleetmodel.h"
#include "historycontroller.h"
#include "jobmonitor.h"
#include "languagemanager.h"
#include "lockactions.h"
#include "runjobimport.h"
#include "settingsdialog.h"

#include "jobslib_version.h"

#include <QActionGroup>
#include <QCloseEvent>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>

namespace jobslib::dashboard {

namespace {
QSettings layoutSettings()
{
    return QSettings(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("jobslib"), QStringLiteral("jobslib-dashboard-layout"));
}
} // namespace

MainWindow::MainWindow(Fleet &fleet, CredentialStore &credentials, LanguageManager &languages, const QString &settingsPath, QWidget *parent)
    : QMainWindow(parent)
    , m_ui(std::make_unique<Ui::MainWindow>())
    , m_fleet(fleet)
    , m_credentials(credentials)
    , m_languages(languages)
    , m_settingsPath(settingsPath)
    , m_fleetModel(new FleetModel(fleet, this))
    , m_eventModel(new EventLogModel(fleet, this))
    , m_actions(new LockActions(fleet, this))
{
    m_ui->setupUi(this);
    setWindowIcon(QIcon(QStringLiteral(":/icons/jobslib-dashboard.png")));
    m_ui->fleetView->setModel(m_fleetModel);
    m_ui->eventView->setModel(m_eventModel);
    m_ui->fleetView->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_ui->fleetView->header()->setStretchLastSection(true);
    m_ui->eventView->horizontalHeader()->setStretchLastSection(true);
    m_ui->eventView->verticalHeader()->hide();
    m_history = new HistoryController(fleet, credentials, m_ui->historyTab);
    m_ui->historyLayout->addWidget(m_history->widget());
    m_ui->splitter->setStretchFactor(0, 3);
    m_ui->splitter->setStretchFactor(1, 2);

    connect(m_ui->actionReleaseLock, &QAction::triggered, this, &MainWindow::releaseSelectedLock);
    connect(m_ui->actionRequestHandover, &QAction::triggered, this, &MainWindow::requestHandoverOfSelected);
    connect(m_ui->actionSettings, &QAction::triggered, this, &MainWindow::openSettings);
    connect(m_ui->actionAddJobFromFile, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("runjob settings file"), QString(), tr("Settings (*.ini *.conf);;All files (*)"));
        if (path.isEmpty())
            return;
        const QString error = addJobFromFile(path);
        if (!error.isEmpty())
            showOutcome(false, error);
    });
    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionAbout, &QAction::triggered, this, &MainWindow::showAbout);
    connect(m_ui->actionExpandAll, &QAction::toggled, this, [this](bool on) {
        if (on)
            m_ui->fleetView->expandAll();
        else
            m_ui->fleetView->collapseAll();
    });
    connect(m_fleetModel, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &jobIndex) {
        if (m_ui->actionExpandAll->isChecked() && jobIndex.isValid())
            m_ui->fleetView->expand(jobIndex);
    });
    connect(m_fleetModel, &QAbstractItemModel::modelReset, this, [this] {
        if (m_ui->actionExpandAll->isChecked())
            m_ui->fleetView->expandAll();
    });
    connect(m_ui->fleetView->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        updateActions();
        m_history->showJob(currentJob());
    });
    connect(&fleet, &Fleet::jobChanged, this, [this](int job) {
        if (job == currentJob())
            updateActions();
    });
    connect(&fleet, &Fleet::datacenterChanged, this, &MainWindow::updateStatusBar);
    connect(&fleet, &Fleet::started, this, &MainWindow::updateStatusBar);
    connect(&fleet, &Fleet::started, this, [this] {
        // The model was reset: select a job again, so its history shows.
        if (currentJob() < 0 && m_fleet.jobCount() > 0)
            selectJob(0);
    });
    connect(m_actions, &LockActions::finished, this, &MainWindow::showOutcome);
    connect(&credentials, &CredentialStore::keychainUnavailable, this, [this](const QString &problem) {
        m_ui->messageLabel->setText(tr("The system keychain is not available (%1): tokens and passwords are kept until the dashboard quits.").arg(problem));
        m_ui->messageLabel->show();
    });

    setupLanguageMenu();
    restoreLayout();
    updateActions();
    updateStatusBar();
    if (m_fleet.jobCount() > 0)
        selectJob(0);
}

MainWindow::~MainWindow() = default;

int MainWindow::currentJob() const
{
    const QModelIndex current = m_ui->fleetView->currentIndex();
    return current.isValid() ? current.data(FleetModel::JobIndexRole).toInt() : -1;
}

void MainWindow::selectJob(int job)
{
    const QModelIndex index = m_fleetModel->index(job, 0);
    if (index.isValid())
        m_ui->fleetView->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

int MainWindow::lockDatacenter(int job) const
{
    if (job < 0 || job >= m_fleet.jobCount())
        return -1;
    const QString dc = m_fleetModel->summary(job).lockDatacenter;
    for (int d = 0; d < m_fleet.datacenterCount(); ++d)
        if (m_fleet.settings().datacenters.at(d).name == dc)
            return d;
    return -1;
}

void MainWindow::updateActions()
{
    const int job = currentJob();
    const bool held = job >= 0 && m_fleetModel->summary(job).lock == LockState::Held;
    const bool busy = m_actions->isBusy();
    m_ui->actionReleaseLock->setEnabled(held && !busy);
    m_ui->actionRequestHandover->setEnabled(held && !busy && !m_fleetModel->summary(job).lockView.handover);
}

void MainWindow::updateStatusBar()
{
    // One label per datacenter, green when its store answers, red (with the error) when not.
    while (m_datacenterLabels.size() > m_fleet.datacenterCount())
        delete m_datacenterLabels.takeLast();
    while (m_datacenterLabels.size() < m_fleet.datacenterCount()) {
        auto *label = new QLabel(this);
        statusBar()->addPermanentWidget(label);
        m_datacenterLabels << label;
    }
    for (int d = 0; d < m_fleet.datacenterCount(); ++d) {
        const QString name = m_fleet.settings().datacenters.at(d).name;
        const QString error = m_fleet.datacenterError(d);
        const bool reachable = error.isEmpty();
        QLabel *label = m_datacenterLabels.at(d);
        label->setObjectName(QStringLiteral("datacenter-") + name);
        label->setText(reachable ? QStringLiteral("● %1").arg(name) : tr("● %1: unreachable").arg(name));
        // A style sheet re-polishes and relays out the status bar: only when it changes.
        const QString style = reachable ? QStringLiteral("color: #208020;") : QStringLiteral("color: #c02020; font-weight: bold;");
        if (label->styleSheet() != style)
            label->setStyleSheet(style);
        label->setToolTip(reachable ? tr("%1 answers (%2)").arg(name, m_fleet.settings().datacenters.at(d).address)
                                    : tr("%1 cannot be read: %2").arg(name, error));
        label->setProperty("reachable", reachable);
    }
}

void MainWindow::showOutcome(bool ok, const QString &message)
{
    m_lastOutcome = message;
    statusBar()->showMessage(message, 30000);
    m_ui->messageLabel->setText(message);
    m_ui->messageLabel->setStyleSheet(ok ? QString() : QStringLiteral("color: #c02020;"));
    m_ui->messageLabel->show();
    updateActions();
}

void MainWindow::releaseSelectedLock()
{
    const int job = currentJob();
    const int dc = lockDatacenter(job);
    if (job < 0 || dc < 0)
        return;
    const JobSummary summary = m_fleetModel->summary(job);
    const QString name = m_fleet.settings().jobs.at(job).name;
    // open(), not exec(): the window keeps updating (and tests can answer the dialog).
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Release lock"),
                                ActionTexts::releaseConfirmation(name, summary, m_fleet.settings().datacenters.at(dc).backend),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("releaseConfirmation"));
    box->addButton(tr("Release lock"), QMessageBox::AcceptRole);
    box->setDefaultButton(box->addButton(QMessageBox::Cancel));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, job, dc, summary] {
        if (box->buttonRole(box->clickedButton()) != QMessageBox::AcceptRole)
            return;
        showOutcome(true, tr("Releasing the lock…"));
        m_actions->releaseLock(job, dc, summary.lockView.fencingToken, ActionTexts::holder(summary));
        updateActions();
    });
    box->open();
}

void MainWindow::requestHandoverOfSelected()
{
    const int job = currentJob();
    const int dc = lockDatacenter(job);
    if (job < 0 || dc < 0)
        return;
    const JobSummary summary = m_fleetModel->summary(job);
    auto *box = new QMessageBox(QMessageBox::Question, tr("Request handover"),
                                ActionTexts::handoverConfirmation(m_fleet.settings().jobs.at(job).name, summary), QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("handoverConfirmation"));
    box->addButton(tr("Request handover"), QMessageBox::AcceptRole);
    box->setDefaultButton(box->addButton(QMessageBox::Cancel));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, job, dc, summary] {
        if (box->buttonRole(box->clickedButton()) != QMessageBox::AcceptRole)
            return;
        m_actions->requestHandover(job, dc, ActionTexts::holder(summary));
        updateActions();
    });
    box->open();
}

QString MainWindow::addJobFromFile(const QString &path)
{
    const Expected<ImportedJob> imported = importRunjobSettings(path);
    if (!imported)
        return imported.error();
    DashboardSettings settings = m_fleet.settings();
    const QString name = addImportedJob(settings, *imported);
    applySettings(settings);
    for (int j = 0; j < m_fleet.jobCount(); ++j)
        if (m_fleet.settings().jobs.at(j).name == name)
            selectJob(j);
    showOutcome(true, tr("Added job %1 from %2.").arg(name, path));
    return QString();
}

void MainWindow::applySettings(const DashboardSettings &settings)
{
    const QString error = settings.save(m_settingsPath);
    if (!error.isEmpty())
        showOutcome(false, tr("The settings were not saved: %1").arg(error));
    m_fleet.setSettings(settings);
}

void MainWindow::openSettings()
{
    auto *dialog = new SettingsDialog(m_fleet.settings(), m_credentials, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { applySettings(dialog->settings()); });
    dialog->open();
}

void MainWindow::setupLanguageMenu()
{
    m_languageGroup = new QActionGroup(this);
    auto add = [this](const QString &code, const QString &text) {
        QAction *action = m_ui->menuLanguage->addAction(text);
        action->setCheckable(true);
        action->setData(code);
        action->setChecked(m_languages.language() == code);
        m_languageGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, code] {
            m_languages.setLanguage(code);
            layoutSettings().setValue(QStringLiteral("language"), code);
        });
        return action;
    };
    QAction *system = add(QString(), tr("System language"));
    system->setObjectName(QStringLiteral("languageSystem"));
    m_ui->menuLanguage->addSeparator();
    for (const QString &code : LanguageManager::availableLanguages())
        add(code, LanguageManager::nativeName(code))->setObjectName(QStringLiteral("language-") + code);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About jobslib dashboard"),
                       tr("<h3>jobslib dashboard %1</h3><p>Watches periodic jobs that run with one active instance across "
                          "datacenters: who holds each lock, the liveness of every instance, and the history of their runs.</p>"
                          "<p>BSD-3-Clause licence.</p>")
                           .arg(QStringLiteral(JOBSLIB_VERSION_STRING)));
}

void MainWindow::restoreLayout()
{
    QSettings s = layoutSettings();
    if (!restoreGeometry(s.value(QStringLiteral("geometry")).toByteArray()))
        resize(1280, 800);
    restoreState(s.value(QStringLiteral("state")).toByteArray());
    m_ui->splitter->restoreState(s.value(QStringLiteral("splitter")).toByteArray());
    if (!m_ui->fleetView->header()->restoreState(s.value(QStringLiteral("fleetHeader")).toByteArray())) {
        // Sensible at 1280 px: the free text (last failure) last, taking what is left.
        const int widths[] = {230, 110, 255, 105, 95, 135, 125, 90, 75, 200};
        for (int c = 0; c < FleetModel::ColumnCount; ++c)
            m_ui->fleetView->setColumnWidth(c, widths[c]);
    }
    m_ui->eventView->horizontalHeader()->restoreState(s.value(QStringLiteral("eventHeader")).toByteArray());
    m_ui->actionExpandAll->setChecked(s.value(QStringLiteral("expandAll"), true).toBool());
}

void MainWindow::saveLayout() const
{
    QSettings s = layoutSettings();
    s.setValue(QStringLiteral("geometry"), saveGeometry());
    s.setValue(QStringLiteral("state"), saveState());
    s.setValue(QStringLiteral("splitter"), m_ui->splitter->saveState());
    s.setValue(QStringLiteral("fleetHeader"), m_ui->fleetView->header()->saveState());
    s.setValue(QStringLiteral("eventHeader"), m_ui->eventView->horizontalHeader()->saveState());
    s.setValue(QStringLiteral("expandAll"), m_ui->actionExpandAll->isChecked());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        m_ui->retranslateUi(this);
        if (auto *system = findChild<QAction *>(QStringLiteral("languageSystem")))
            system->setText(tr("System language"));
        updateStatusBar();
    }
    QMainWindow::changeEvent(event);
}

} // namespace jobslib::dashboard
