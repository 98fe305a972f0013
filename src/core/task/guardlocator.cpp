// SPDX-License-Identifier: BSD-3-Clause
#include "guardlocator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace jobslib {

namespace {

bool isExecutableFile(const QString &path)
{
    const QFileInfo info(path);
    return info.isFile() && info.isExecutable();
}

} // namespace

QString guardExecutable()
{
    const QString fromEnv = qEnvironmentVariable("JOBSLIB_GUARD");
    if (!fromEnv.isEmpty())
        return fromEnv;

    const QString guard = QStringLiteral("jobslib-guard");
    // Without an application object (a library user's early code) only the install path is known.
    if (QCoreApplication::instance()) {
        const QString appDir = QCoreApplication::applicationDirPath();
        const QString candidates[] = {
            appDir + QLatin1Char('/') + guard,
            QDir::cleanPath(appDir + QStringLiteral("/../libexec/jobslib/") + guard),
        };
        for (const QString &path : candidates) {
            if (isExecutableFile(path))
                return path;
        }
    }
    const QString installed = QStringLiteral(JOBSLIB_INSTALL_LIBEXECDIR "/") + guard;
    if (isExecutableFile(installed))
        return installed;
    return {};
}

} // namespace jobslib
