// SPDX-License-Identifier: BSD-3-Clause
// runjob: the headless supervisor. Everything but the application object lives in
// jobslib::Launcher, so applications that link libjobslib get the same command.
#include "launcher/launcher.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("runjob"));
    jobslib::Launcher launcher;
    return launcher.exec(QCoreApplication::arguments());
}
