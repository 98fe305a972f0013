// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "app/backendregistry.h"
#include "config/optiontable.h"
#include "runner/exitcode.h"
#include "task/taskregistry.h"

#include <QProcessEnvironment>
#include <QStringList>

#include <functional>
#include <memory>

namespace jobslib {

class Context;

/*!
 * The runjob command: command line, settings, task lookup, context, runner. runjob's main() is
 * a few lines around it; an application that links libjobslib uses it the same way, after
 * registering its own tasks, options, backends or context class:
 *
 * \code
 * QCoreApplication app(argc, argv);
 * jobslib::Launcher launcher;
 * launcher.tasks().add<MyTask>(QStringLiteral("MyTask"));
 * launcher.setContextFactory([](const jobslib::Config &c, const jobslib::BackendRegistry &b) {
 *     return std::make_unique<MyContext>(c, b); });
 * return launcher.exec(app.arguments());
 * \endcode
 */
class JOBSLIB_EXPORT Launcher
{
public:
    /*! Makes the application's Context subclass from the effective settings and the backend registry. */
    using ContextFactory = std::function<std::unique_ptr<Context>(const Config &, const BackendRegistry &)>;

    /*! A launcher with the built-in backends (BackendRegistry::builtins()) and no task registered. */
    Launcher();
    ~Launcher();

    /*! Register the application's own tasks here; plugins on the plugin path are found anyway. */
    TaskRegistry &tasks() { return m_tasks; }
    /*! Add or replace backends here before exec(). */
    BackendRegistry &backends() { return m_backends; }
    /*! The application's own options; backends and the task add theirs when exec() runs. */
    OptionTable &options() { return m_options; }
    /*! Makes exec() build the application's Context subclass; without one a plain Context is made. */
    void setContextFactory(ContextFactory factory) { m_contextFactory = std::move(factory); }
    /*! The environment the `JOBSLIB_*` variables are read from; the process's own by default (tests set another). */
    void setEnvironment(const QProcessEnvironment &env) { m_env = env; }

    /*! Runs the command (arguments()[0] is the program) to the end and returns the exit code. */
    int exec(const QStringList &arguments);

private:
    struct Run;
    /*! Builds the context and starts the command or runner: -1 while it runs, else the exit code. */
    int start(const Config &config);
    /*! The event loop until the run ends (and self-fencing if a C++ task would not stop). */
    int runEventLoop();

    std::unique_ptr<Run> m_run;
    TaskRegistry m_tasks;
    BackendRegistry m_backends;
    OptionTable m_options;
    ContextFactory m_contextFactory;
    QProcessEnvironment m_env = QProcessEnvironment::systemEnvironment();
};

} // namespace jobslib
