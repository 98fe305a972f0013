// SPDX-License-Identifier: BSD-3-Clause
// Freeze anywhere (issue 15) on the etcd lock, against a real etcd member (Debian's etcd-server;
// skipped without it). The scenarios and what each checks are described in freezescenario.cpp.
#include "etcdcluster.h"
#include "freezescenario.h"
#include "testcontext.h"

#include "app/backendregistry.h"
#include "lock/etcdlock.h"

#include <QTemporaryDir>
#include <QTest>

using namespace jobslib;
using namespace jobslib::test;
using namespace jobslib::test::freeze;

class TestFreezeEtcd : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyStateAtOnce();
};

void TestFreezeEtcd::everyStateAtOnce()
{
    if (!EtcdCluster::isAvailable())
        QSKIP("etcd is not installed: install Debian's package etcd-server");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    EtcdCluster cluster;
    QString error;
    QVERIFY2(cluster.start(1, &error), qPrintable(error));

    Backend backend;
    backend.kind = Backend::Kind::Etcd;
    backend.etcdEndpoints = cluster.endpoints();
    // As in tst_etcdhandover: the shortest TTL runjob accepts, keep-alive every 1 s, local deadline
    // 3 s after the last one was sent (the TTL less 1 s for the kill and the 5 s margin).
    backend.ttlS = 9;
    // etcd expires a lease TTL after the last keep-alive it received, looking every 0.5 s: a
    // freeze of 2 x TTL is past that with room for the standby's takeover.
    backend.freezeMs = 2 * qint64(backend.ttlS) * 1000;
    // The first keep-alive is due 1 s after the acquisition: the holder's 0.3 s sleep (after a
    // 0.1 s run) ends before it.
    backend.holderSleep = QStringLiteral("0.3");
    const BackendRegistry registry = BackendRegistry::builtins();
    const Config config = testConfig(registry, {{QStringLiteral("one_instance.backend"), QStringLiteral("etcd")},
                                                {QStringLiteral("one_instance.etcd.key"), QStringLiteral("freeze")},
                                                {QStringLiteral("one_instance.etcd.ttl"), QString::number(backend.ttlS)},
                                                {QStringLiteral("task.kill_grace"), QStringLiteral("2")}});
    backend.fenceMs = EtcdLock::fenceSeconds(config, 2) * 1000 + 500;

    const QList<Outcome> outcomes = runConcurrently(backend, selectedScenarios(backend), dir.path());
    const QStringList failures = report(outcomes);
    if (!failures.isEmpty())
        qInfo().noquote() << "--- etcd:\n" << cluster.outputs();
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestFreezeEtcd)
#include "tst_freezeetcd.moc"
