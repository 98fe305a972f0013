// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "app/backendregistry.h"
#include "app/context.h"
#include "fakebackends.h"
#include "fakeclock.h"
#include "runner/runner.h"

#include <QSignalSpy>

#include <memory>

namespace jobslib::test {

/*!
 * A Runner over fake backends, a fake clock and a task finished by hand: the state machine
 * without real time or network. Settings are option name -> text, as on the command line.
 */
struct RunnerFixture
{
    explicit RunnerFixture(const QHash<QString, QString> &settings = {});
    virtual ~RunnerFixture();

    /*! Delivers every deferred backend answer (they are queued, as real ones are). */
    void settle();
    void startAndSettle();
    void advance(qint64 ms);
    int exitCode() const { return finished->isEmpty() ? -1 : finished->constFirst().constFirst().toInt(); }

    BackendRegistry registry = BackendRegistry::builtins();
    std::unique_ptr<Context> context;
    FakeClock *clock = nullptr;
    FakeLock *lock = nullptr;
    FakeLiveness *liveness = nullptr;
    FakeMetrics *metrics = nullptr;
    ManualTask task;
    std::unique_ptr<Runner> runner;
    std::unique_ptr<QSignalSpy> finished;
};

} // namespace jobslib::test
