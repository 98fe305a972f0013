// SPDX-License-Identifier: BSD-3-Clause
#include "processstate.h"

#include <QDir>
#include <QFile>
#include <QTest>

namespace jobslib::test {

namespace {

QByteArray readProcFile(const QString &path)
{
    QFile f(path);
    // /proc files report size 0: read until the end, not size() bytes.
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

char processState(qint64 pid)
{
    const QByteArray stat = readProcFile(QStringLiteral("/proc/%1/stat").arg(pid));
    // "PID (comm) S ...": comm may contain spaces and parentheses, the last ')' ends it.
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0 || stat.size() <= close + 2)
        return 0;
    return stat.at(close + 2);
}

bool waitUntilStopped(qint64 pid, int timeoutMs)
{
    return QTest::qWaitFor([pid] { return processState(pid) == 'T' || processState(pid) == 0; }, timeoutMs) && processState(pid) == 'T';
}

QString processName(qint64 pid)
{
    return QString::fromLocal8Bit(readProcFile(QStringLiteral("/proc/%1/comm").arg(pid))).trimmed();
}

QList<qint64> childProcesses(qint64 pid)
{
    QList<qint64> children;
    const QString taskDir = QStringLiteral("/proc/%1/task").arg(pid);
    const QStringList threads = QDir(taskDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    bool childrenFiles = false;
    for (const QString &tid : threads) {
        const QString path = taskDir + QLatin1Char('/') + tid + QStringLiteral("/children");
        if (!QFile::exists(path))
            continue;
        childrenFiles = true;
        const QList<QByteArray> pids = readProcFile(path).simplified().split(' ');
        for (const QByteArray &p : pids) {
            bool ok = false;
            const qint64 child = p.toLongLong(&ok);
            if (ok && !children.contains(child))
                children << child;
        }
    }
    if (childrenFiles)
        return children;
    // Kernels without CONFIG_PROC_CHILDREN: every process's parent, from its stat line.
    const QStringList processes = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : processes) {
        bool ok = false;
        const qint64 candidate = entry.toLongLong(&ok);
        if (!ok)
            continue;
        const QByteArray stat = readProcFile(QStringLiteral("/proc/%1/stat").arg(candidate));
        const qsizetype close = stat.lastIndexOf(')');
        if (close < 0)
            continue;
        // After ") ": state, then the parent's pid.
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        if (fields.size() > 1 && fields.at(1).toLongLong() == pid)
            children << candidate;
    }
    return children;
}

qint64 childNamed(qint64 pid, const QString &name)
{
    const QList<qint64> children = childProcesses(pid);
    for (qint64 child : children) {
        if (processName(child) == name)
            return child;
    }
    return 0;
}

} // namespace jobslib::test
