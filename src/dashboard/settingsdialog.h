// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "dashboardsettings.h"

#include <QDialog>

#include <memory>

namespace Ui {
class SettingsDialog;
}

namespace jobslib::dashboard {

class CredentialStore;

/*!
 * Datacenters and jobs, edited in two tables. Secrets are typed into a password dialog and go
 * straight to the CredentialStore (keychain), never into the settings. OK is refused, with the
 * reason shown, while the settings are not valid.
 */
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(const DashboardSettings &settings, CredentialStore &credentials, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    DashboardSettings settings() const;
    /*! Adds the job of a runjob settings file (and its datacenter if new); "" or the error. */
    QString importRunjobFile(const QString &path);

private:
    void setRows(const DashboardSettings &settings);
    void addDatacenterRow(const DatacenterSettings &dc);
    void addJobRow(const JobSettings &job);
    void askSecret(const QString &key, const QString &label);
    void accept() override;
    void changeEvent(QEvent *event) override;
    void showKeychainState();

    std::unique_ptr<Ui::SettingsDialog> m_ui;
    CredentialStore &m_credentials;
};

} // namespace jobslib::dashboard
