// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace jobslib::test {

/*! A program built by the project: runjob, jobslib-guard. */
QString binary(const QString &name);
/*! The test helper scripts in tests/data. */
QString dataFile(const QString &name);

struct ProcessResult
{
    int exitCode = -1;
    bool crashed = false;
    bool timedOut = false;
    QByteArray out;
    QByteArray err;
};

/*! The environment of the test without JOBSLIB_* variables, so the developer's shell cannot leak in. */
QProcessEnvironment cleanEnvironment();
/*! Runs a program to its end (with a deadline) and returns what it printed. */
ProcessResult run(const QString &program, const QStringList &args, const QProcessEnvironment &env = cleanEnvironment(),
                  int timeoutMs = 30000, const QByteArray &input = {});
/*! Whether a process exists (kill(pid, 0)); zombies count as gone. */
bool processAlive(qint64 pid);

} // namespace jobslib::test
