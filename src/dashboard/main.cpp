// SPDX-License-Identifier: BSD-3-Clause
// jobslib-dashboard: the operator's window onto every job's lock, instances and history.
#include "credentialstore.h"
#include "dashboardsettings.h"
#include "fleet.h"
#include "languagemanager.h"
#include "mainwindow.h"
#include "screenshot.h"

#include "jobslib_version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLoggingCategory>
#include <QSettings>

#include <cstdio>

using namespace jobslib::dashboard;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("jobslib-dashboard"));
    QApplication::setOrganizationName(QStringLiteral("jobslib"));
    QApplication::setApplicationVersion(QStringLiteral(JOBSLIB_VERSION_STRING));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/jobslib-dashboard.png")));
    // The desktop file's id: Wayland matches the window to it (icon, name) by this.
    QGuiApplication::setDesktopFileName(QStringLiteral("org.jobslib.Dashboard"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Watch every datacenter: who holds each jobslib lock, the instances' liveness, the job history."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption settingsOption({QStringLiteral("s"), QStringLiteral("settings")},
                                            QStringLiteral("Dashboard settings file (default: %1).").arg(DashboardSettings::defaultPath()), QStringLiteral("FILE"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              QStringLiteral("Wait until the first data arrived (or the timeout), write a PNG of the main window to FILE and exit."),
                                              QStringLiteral("FILE"));
    const QCommandLineOption timeoutOption(QStringLiteral("screenshot-timeout"), QStringLiteral("Seconds --screenshot waits for data at most (default 10)."),
                                           QStringLiteral("SECONDS"), QStringLiteral("10"));
    const QCommandLineOption languageOption(QStringLiteral("language"), QStringLiteral("Language (en, cs, de); default: the remembered choice or the system's."),
                                            QStringLiteral("CODE"));
    const QCommandLineOption noKeychainOption(QStringLiteral("no-keychain"), QStringLiteral("Keep tokens and passwords for this session only."));
    const QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("Window size WIDTHxHEIGHT (screenshots)."), QStringLiteral("SIZE"));
    const QCommandLineOption verboseOption(QStringLiteral("verbose"), QStringLiteral("Log every request and watch round (jobslib's debug categories)."));
    parser.addOptions({settingsOption, screenshotOption, timeoutOption, languageOption, noKeychainOption, sizeOption, verboseOption});
    parser.process(app);
    // The library logs each request at debug level: useful for runjob -v, noise (and cost) here.
    if (!parser.isSet(verboseOption))
        QLoggingCategory::setFilterRules(QStringLiteral("jobslib.*.debug=false"));

    auto fail = [](const QString &message) {
        std::fprintf(stderr, "jobslib-dashboard: %s\n", qPrintable(message));
        return 2;
    };
    bool timeoutOk = false;
    const double timeoutS = parser.value(timeoutOption).toDouble(&timeoutOk);
    if (!timeoutOk || timeoutS <= 0 || timeoutS > 3600)
        return fail(QStringLiteral("--screenshot-timeout: \"%1\" is not a number of seconds between 0 and 3600").arg(parser.value(timeoutOption)));
    QSize size;
    if (parser.isSet(sizeOption)) {
        const QStringList parts = parser.value(sizeOption).split(QLatin1Char('x'));
        if (parts.size() == 2)
            size = QSize(parts.at(0).toInt(), parts.at(1).toInt());
        if (size.width() < 320 || size.height() < 200)
            return fail(QStringLiteral("--size: \"%1\" is not WIDTHxHEIGHT (at least 320x200)").arg(parser.value(sizeOption)));
    }

    LanguageManager languages;
    const QSettings layout(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("jobslib"), QStringLiteral("jobslib-dashboard-layout"));
    const QString language = parser.isSet(languageOption) ? parser.value(languageOption) : layout.value(QStringLiteral("language")).toString();
    if (!language.isEmpty() && !LanguageManager::availableLanguages().contains(language))
        return fail(QStringLiteral("--language: \"%1\" is not one of %2").arg(language, LanguageManager::availableLanguages().join(QStringLiteral(", "))));
    languages.setLanguage(language);

    const QString settingsPath = parser.isSet(settingsOption) ? parser.value(settingsOption) : DashboardSettings::defaultPath();
    const auto settings = DashboardSettings::load(settingsPath);
    if (!settings)
        return fail(settings.error());

    CredentialStore credentials(QStringLiteral("jobslib-dashboard"));
    if (parser.isSet(noKeychainOption))
        credentials.useSessionOnly(QStringLiteral("--no-keychain"));
    Fleet fleet(credentials);
    MainWindow window(fleet, credentials, languages, settingsPath);
    if (size.isValid())
        window.resize(size);
    fleet.setSettings(*settings);
    window.show();

    if (parser.isSet(screenshotOption)) {
        auto *shot = new Screenshot(window, fleet, parser.value(screenshotOption), qint64(timeoutS * 1000), &app);
        QObject::connect(shot, &Screenshot::finished, &app, [&fail](const QString &error) {
            if (!error.isEmpty()) {
                fail(error);
                QApplication::exit(1);
                return;
            }
            QApplication::exit(0);
        });
        shot->start();
    }
    return QApplication::exec();
}
