// SPDX-License-Identifier: BSD-3-Clause
#include "runnerfixture.h"

#include "testcontext.h"

#include <QCoreApplication>

namespace jobslib::test {

RunnerFixture::RunnerFixture(const QHash<QString, QString> &settings)
{
    context = testContext(registry, settings, QStringLiteral("manual"));
    auto fake = std::make_unique<FakeClock>();
    clock = fake.get();
    context->setClock(std::move(fake));
    lock = new FakeLock(*context);
    liveness = new FakeLiveness(*context);
    metrics = new FakeMetrics(*context);
    context->setLock(lock);
    context->setLiveness(liveness);
    context->setMetrics(metrics);
    task.attach(context.get(), nullptr);
    runner = std::make_unique<Runner>(*context, task, RunnerSettings::fromConfig(context->config()));
    finished = std::make_unique<QSignalSpy>(runner.get(), &Runner::finished);
}

RunnerFixture::~RunnerFixture() = default;

void RunnerFixture::settle()
{
    for (int i = 0; i < 20; ++i)
        QCoreApplication::sendPostedEvents();
}

void RunnerFixture::startAndSettle()
{
    runner->start();
    clock->advance(0);
    settle();
}

void RunnerFixture::advance(qint64 ms)
{
    clock->advance(ms);
    settle();
}

} // namespace jobslib::test
