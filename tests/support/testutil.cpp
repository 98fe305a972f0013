// SPDX-License-Identifier: BSD-3-Clause
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QProcess>

#include <signal.h>

namespace jobslib::test {

QString binary(const QString &name)
{
    return QStringLiteral(JOBSLIB_BINARY_DIR "/bin/") + name;
}

QString dataFile(const QString &name)
{
    return QStringLiteral(JOBSLIB_SOURCE_DIR "/tests/data/") + name;
}

QProcessEnvironment cleanEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const auto keys = env.keys();
    for (const QString &k : keys) {
        if (k.startsWith(QLatin1String("JOBSLIB_")) || k.startsWith(QLatin1String("CONSUL_")))
            env.remove(k);
    }
    env.insert(QStringLiteral("TZ"), QStringLiteral("UTC"));
    return env;
}

ProcessResult run(const QString &program, const QStringList &args, const QProcessEnvironment &env, int timeoutMs, const QByteArray &input)
{
    ProcessResult r;
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForStarted(timeoutMs)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        r.timedOut = true;
        p.kill();
        p.waitForFinished(5000);
    }
    r.crashed = p.exitStatus() == QProcess::CrashExit;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

bool processAlive(qint64 pid)
{
    if (::kill(pid_t(pid), 0) != 0)
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray s = stat.readAll();
    const auto close = s.lastIndexOf(')');
    return !(close > 0 && s.size() > close + 2 && s.at(close + 2) == 'Z');
}

} // namespace jobslib::test
