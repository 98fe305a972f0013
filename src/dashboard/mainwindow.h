// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "dashboardsettings.h"

#include <QMainWindow>

#include <memory>

class QLabel;
class QActionGroup;
class QMessageBox;

namespace Ui {
class MainWindow;
}

namespace jobslib::dashboard {

class CredentialStore;
class EventLogModel;
class Fleet;
class FleetModel;
class HistoryController;
class LanguageManager;
class LockActions;

/*!
 * The operator's window: the fleet tree (jobs, their locks, their instances), the selected job's
 * history and the action log below it, the datacenters' reachability in the status bar, and the
 * actions on the selected job's lock. Nothing here waits on the network: every answer arrives
 * as a signal, so an unreachable datacenter never freezes the window.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(Fleet &fleet, CredentialStore &credentials, LanguageManager &languages, const QString &settingsPath, QWidget *parent = nullptr);
    ~MainWindow() override;

    FleetModel *fleetModel() const { return m_fleetModel; }
    EventLogModel *eventModel() const { return m_eventModel; }
    HistoryController *historyController() const { return m_history; }
    /*! The job of the current row, -1 when none. */
    int currentJob() const;
    /*! Selects a job's row (tests, keyboard). */
    void selectJob(int job);
    /*! The last action's outcome as shown to the operator. */
    QString lastOutcome() const { return m_lastOutcome; }

    /*! Adds the job of a runjob settings file, saves, and watches it; "" or the error. */
    QString addJobFromFile(const QString &path);
    void releaseSelectedLock();
    void requestHandoverOfSelected();

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void setupLanguageMenu();
    void updateActions();
    void updateStatusBar();
    void showOutcome(bool ok, const QString &message);
    void openSettings();
    void applySettings(const DashboardSettings &settings);
    void showAbout();
    void restoreLayout();
    void saveLayout() const;
    /*! The datacenter whose store holds the selected job's lock (-1 when none). */
    int lockDatacenter(int job) const;

    std::unique_ptr<Ui::MainWindow> m_ui;
    Fleet &m_fleet;
    CredentialStore &m_credentials;
    LanguageManager &m_languages;
    QString m_settingsPath;
    FleetModel *m_fleetModel;
    EventLogModel *m_eventModel;
    LockActions *m_actions;
    HistoryController *m_history;
    QList<QLabel *> m_datacenterLabels;
    QActionGroup *m_languageGroup = nullptr;
    QString m_lastOutcome;
};

} // namespace jobslib::dashboard
