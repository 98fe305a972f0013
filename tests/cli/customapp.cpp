// SPDX-License-Identifier: BSD-3-Clause
// An application built on libjobslib: it adds an option, subclasses Context to hold a resource
// of its own, registers its task, and gets runjob's whole command line through Launcher.
#include <jobslib/jobslib.h>

#include <QCoreApplication>

#include <cstdio>
#include <stdexcept>

namespace {

class AppContext : public jobslib::Context
{
    Q_OBJECT
public:
    using Context::Context;
    void initialize() override
    {
        // Where a real application would connect to its database, and could fail.
        if (config().string(QStringLiteral("app.greeting")) == QLatin1String("fail"))
            throw std::runtime_error("cannot reach the greeting service");
        m_greeting = config().string(QStringLiteral("app.greeting")) + QLatin1Char('!');
    }
    QString greeting() const { return m_greeting; }

private:
    QString m_greeting; // stands for a database connection or similar shared resource
};

class AppTask : public jobslib::BaseTask
{
    Q_OBJECT
public:
    QString name() const override { return QStringLiteral("apptask"); }
    QString description() const override { return QStringLiteral("The application's own task."); }
    void task() override
    {
        const auto &ctx = static_cast<const AppContext &>(context());
        std::printf("%s token %llu\n", qPrintable(ctx.greeting()), static_cast<unsigned long long>(fencingToken()));
        std::fflush(stdout);
    }
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    jobslib::Launcher launcher;
    jobslib::OptionSpec greeting;
    greeting.name = QStringLiteral("app.greeting");
    greeting.defaultValue = QStringLiteral("hi");
    greeting.envNames = {QStringLiteral("JOBSLIB_APP_GREETING")};
    greeting.doc = QStringLiteral("What the application says.");
    launcher.options().add(greeting);
    launcher.tasks().add<AppTask>(QStringLiteral("AppTask"));
    launcher.setContextFactory([](const jobslib::Config &config, const jobslib::BackendRegistry &backends) {
        return std::make_unique<AppContext>(config, backends);
    });
    return launcher.exec(QCoreApplication::arguments());
}

#include "customapp.moc"
