// SPDX-License-Identifier: BSD-3-Clause
#include "helloworld.h"

#include <QDeadlineTimer>
#include <QThread>

#include <cstdio>

QList<QCommandLineOption> HelloWorld::arguments() const
{
    return {QCommandLineOption(QStringLiteral("name"), QStringLiteral("Whom to greet."), QStringLiteral("name"), QStringLiteral("world")),
            QCommandLineOption(QStringLiteral("work"), QStringLiteral("Seconds of (cancellable) work after the greeting."), QStringLiteral("seconds"),
                               QStringLiteral("0"))};
}

void HelloWorld::declareOptions(jobslib::OptionTable &table) const
{
    // A task's own setting, in the settings file as [helloworld] greeting = ...
    jobslib::OptionSpec greeting;
    greeting.name = QStringLiteral("helloworld.greeting");
    greeting.defaultValue = QStringLiteral("Hello");
    greeting.envNames = {QStringLiteral("JOBSLIB_HELLOWORLD_GREETING")};
    greeting.doc = QStringLiteral("The greeting word.");
    table.add(greeting);
}

void HelloWorld::task()
{
    const QString line = QStringLiteral("%1, %2! (fencing token %3)\n")
                             .arg(config().string(QStringLiteral("helloworld.greeting")), argument(QStringLiteral("name")))
                             .arg(fencingToken());
    std::fputs(line.toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
    bool ok = false;
    const double work = argument(QStringLiteral("work")).toDouble(&ok);
    if (!ok || work < 0)
        throw jobslib::TaskError(QStringLiteral("--work '%1' is not a number of seconds").arg(argument(QStringLiteral("work"))));
    // Long work checks for cancellation (lock lost, runjob stopping) between small steps.
    QDeadlineTimer deadline(qint64(work * 1000));
    while (!deadline.hasExpired() && !isCancellationRequested())
        QThread::msleep(10);
}

void HelloWorldPlugin::registerTasks(jobslib::TaskRegistry &registry)
{
    registry.add<HelloWorld>(QStringLiteral("HelloWorld"));
}
