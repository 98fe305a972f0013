// SPDX-License-Identifier: BSD-3-Clause
// The hello-world task plugin: what a task author writes (see README.md beside it).
#pragma once

#include <jobslib/jobslib.h>

#include <QObject>

/*! Greets somebody, optionally taking its time (and stopping early when asked to). */
class HelloWorld : public jobslib::BaseTask
{
    Q_OBJECT
public:
    QString name() const override { return QStringLiteral("helloworld"); }
    QString description() const override { return QStringLiteral("Print a greeting, the fencing token and the lock key."); }
    QList<QCommandLineOption> arguments() const override;
    void declareOptions(jobslib::OptionTable &table) const override;
    void task() override;
};

class HelloWorldPlugin : public QObject, public jobslib::TaskPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID JOBSLIB_TASK_PLUGIN_IID)
    Q_INTERFACES(jobslib::TaskPlugin)
public:
    void registerTasks(jobslib::TaskRegistry &registry) override;
};
