// SPDX-License-Identifier: BSD-3-Clause
#include "handoverscenario.h"

#include <QDateTime>
#include <QTest>

#include <csignal>

namespace jobslib::test::HandoverScenario {

QString waitForHolderAndStandbys(const Instances &instances, const TaskJournal &journal, int starts, int timeoutMs, QString *error)
{
    const auto startLines = [&journal] { return journal.entries(QStringLiteral("start")); };
    if (!QTest::qWaitFor([&] { return startLines().size() >= starts; }, timeoutMs)) {
        *error = QStringLiteral("%1 task start(s) expected, %2 in the journal").arg(starts).arg(startLines().size());
        return {};
    }
    const QString holder = startLines().constLast().instance;
    const auto holderProcess = instances.value(holder);
    if (!holderProcess || !holderProcess->waitForOutput(QStringLiteral("lock is kept"))) {
        *error = QStringLiteral("the holder %1 did not keep the lock").arg(holder);
        return {};
    }
    // A network lock's owner record comes with the key, so every standby that lost names the holder.
    for (auto it = instances.cbegin(); it != instances.cend(); ++it) {
        if (it.key() != holder && !it.value()->waitForOutput(QStringLiteral("Can't acquire lock (lock owner is %1.test").arg(holder))) {
            *error = QStringLiteral("the standby %1 did not see %2 holding the lock").arg(it.key(), holder);
            return {};
        }
    }
    if (startLines().size() != starts) {
        *error = QStringLiteral("%1 task starts where %2 were expected: more than one instance ran").arg(startLines().size()).arg(starts);
        return {};
    }
    return holder;
}

std::optional<qint64> takeover(Instances &instances, const QString &holder, int signal, const TaskJournal &journal, int starts, int timeoutMs, QString *error)
{
    const auto process = instances.take(holder);
    const qint64 signalledAt = QDateTime::currentMSecsSinceEpoch();
    process->signal(signal);
    if (!process->waitForExit()) {
        *error = QStringLiteral("the holder %1 did not exit").arg(holder);
        return std::nullopt;
    }
    if (signal == SIGTERM && process->exitCode() != 128 + SIGTERM) {
        *error = QStringLiteral("the holder %1 exited with %2 after SIGTERM, not 143").arg(holder).arg(process->exitCode());
        return std::nullopt;
    }
    const auto startLines = [&journal] { return journal.entries(QStringLiteral("start")); };
    if (!QTest::qWaitFor([&] { return startLines().size() >= starts; }, timeoutMs)) {
        *error = QStringLiteral("nobody took over within %1 ms of the holder's exit").arg(timeoutMs);
        return std::nullopt;
    }
    return startLines().at(starts - 1).ms - signalledAt;
}

} // namespace jobslib::test::HandoverScenario
