// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QProcess>
#include <QProcessEnvironment>

namespace jobslib::test {

/*! A runjob started in the background by a test, with what it printed collected as it comes. */
class RunjobProcess : public QObject
{
    Q_OBJECT
public:
    explicit RunjobProcess(const QProcessEnvironment &env, QObject *parent = nullptr);
    ~RunjobProcess() override;

    void start(const QStringList &args);
    /*! Waits (event loop running) until stdout+stderr contain text. */
    bool waitForOutput(const QString &text, int timeoutMs = 10000);
    bool waitForExit(int timeoutMs = 10000);
    void signal(int signo);
    qint64 pid() const { return m_process.processId(); }
    int exitCode() const;
    bool exitedBySignal() const { return m_process.exitStatus() == QProcess::CrashExit; }
    QString output() const { return QString::fromLocal8Bit(m_out); }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_out;
};

} // namespace jobslib::test
