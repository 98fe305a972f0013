// SPDX-License-Identifier: BSD-3-Clause
#include "runjobprocess.h"

#include "testutil.h"

#include <QTest>

#include <signal.h>

namespace jobslib::test {

RunjobProcess::RunjobProcess(const QProcessEnvironment &env, QObject *parent)
    : QObject(parent)
{
    m_process.setProcessEnvironment(env);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    connect(&m_process, &QProcess::readyRead, this, [this] { m_out += m_process.readAll(); });
}

RunjobProcess::~RunjobProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

void RunjobProcess::start(const QStringList &args)
{
    m_process.start(binary(QStringLiteral("runjob")), args);
    m_process.waitForStarted(10000);
}

bool RunjobProcess::waitForOutput(const QString &text, int timeoutMs)
{
    return QTest::qWaitFor([&] { return output().contains(text); }, timeoutMs);
}

bool RunjobProcess::waitForExit(int timeoutMs)
{
    const bool done = QTest::qWaitFor([&] { return m_process.state() == QProcess::NotRunning; }, timeoutMs);
    m_out += m_process.readAll();
    return done;
}

void RunjobProcess::signal(int signo)
{
    ::kill(pid_t(m_process.processId()), signo);
}

int RunjobProcess::exitCode() const
{
    return m_process.exitCode();
}

} // namespace jobslib::test
