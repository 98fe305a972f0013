// SPDX-License-Identifier: BSD-3-Clause
// Freeze anywhere (issue 15) on the Consul lock, against the standalone simulator. The scenarios
// and what each checks are described in freezescenario.cpp.
#include "consulsimprocess.h"
#include "freezescenario.h"
#include "testcontext.h"

#include "app/backendregistry.h"
#include "lock/consullock.h"

#include <QTemporaryDir>
#include <QTest>

using namespace jobslib;
using namespace jobslib::test;
using namespace jobslib::test::freeze;

class TestFreezeConsul : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyStateAtOnce();
};

void TestFreezeConsul::everyStateAtOnce()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Multiplier 1: the simulator expires a session exactly TTL after its last renewal, the earliest
    // Consul's contract allows (a real Consul takes TTL to 2 x TTL). So the shortest honest freeze
    // "past 2 x TTL" is one past TTL x 1 + the lock-delay: then a standby can really take over.
    constexpr int Multiplier = 1;
    ConsulSimProcess sim;
    QString error;
    QVERIFY2(sim.start({QStringLiteral("--ttl-multiplier"), QString::number(Multiplier)}, &error), qPrintable(error));

    Backend backend;
    backend.kind = Backend::Kind::Consul;
    backend.consulAddress = sim.address();
    backend.ttlS = 10;     // Consul's smallest session TTL, and the smallest runjob accepts
    backend.lockDelayS = 1; // Python's and runjob's default
    // The expiry, the lock-delay, and a second for the standby's back-off after a refusal in it.
    backend.freezeMs = qint64(backend.ttlS) * 1000 * Multiplier + backend.lockDelayS * 1000 + 1000;
    // The renewal is due 1.33 s after the acquisition (a third of the 4 s the 6 s margin leaves of
    // the TTL): the holder's 0.5 s sleep after its short run ends before.
    backend.holderSleep = QStringLiteral("0.5");
    // release-lock's fence session, as runjob computes it for the scenarios' kill grace of 2 s.
    const BackendRegistry registry = BackendRegistry::builtins();
    const Config config = testConfig(registry, {{QStringLiteral("one_instance.backend"), QStringLiteral("consul")},
                                                {QStringLiteral("one_instance.consul.key"), QStringLiteral("freeze")},
                                                {QStringLiteral("task.kill_grace"), QStringLiteral("2")}});
    backend.fenceMs = ConsulLock::fenceSeconds(config, 2) * 1000 * Multiplier;

    const QList<Outcome> outcomes = runConcurrently(backend, selectedScenarios(backend), dir.path());
    const QStringList failures = report(outcomes);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestFreezeConsul)
#include "tst_freezeconsul.moc"
