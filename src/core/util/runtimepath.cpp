// SPDX-License-Identifier: BSD-3-Clause
#include "runtimepath.h"

#include "util/logcategories.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace jobslib {

QString runtimeFileStem(const QString &taskName)
{
    QString stem = taskName;
    for (QChar &c : stem) {
        const char16_t u = c.unicode();
        const bool allowed = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'.' || u == u'_'
            || u == u'-';
        if (!allowed)
            c = QLatin1Char('_');
    }
    // "." and ".." would name the directory itself or its parent, not a file in it.
    if (stem.isEmpty() || stem == QLatin1String(".") || stem == QLatin1String(".."))
        stem = QStringLiteral("default");
    return stem;
}

static void ensurePrivateDirectory(const QString &dir)
{
    const QByteArray native = QFile::encodeName(dir);
    if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST) {
        qCWarning(lcConfig) << "Cannot create directory" << dir << ":" << strerror(errno);
        return;
    }
    // In /tmp anybody may have created the directory first; a foreign one must not hold our lock
    // files, so say so loudly (the path stays the same: a silent switch would split the lock).
    struct stat st{};
    if (::lstat(native.constData(), &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::getuid())
        qCWarning(lcConfig) << "Directory" << dir << "is not a directory owned by this user; configure an explicit path";
}

QString defaultRuntimeFile(const QString &taskName, const QString &suffix)
{
    const QString runtimeDir = qEnvironmentVariable("XDG_RUNTIME_DIR");
    QString dir;
    if (!runtimeDir.isEmpty())
        dir = runtimeDir + QStringLiteral("/jobslib");
    else
        dir = QStringLiteral("/tmp/jobslib-") + QString::number(::getuid());
    ensurePrivateDirectory(dir);
    return dir + QLatin1Char('/') + runtimeFileStem(taskName) + suffix;
}

} // namespace jobslib
