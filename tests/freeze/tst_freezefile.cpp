// SPDX-License-Identifier: BSD-3-Clause
// Freeze anywhere (issue 15) on the file lock. An OS lock has no TTL: the kernel keeps a frozen
// holder's lock (the process is alive and has the file open), and its task, which has no deadline,
// runs on. So where the frozen instance holds the lock the right outcome is the opposite of the
// network locks': nobody else runs during the freeze (the standby is refused by the frozen
// holder), and the holder goes on when continued. Where it does not hold it (released, sleeping
// without keep_lock, standby), the others take the lock as usual. No handover and no fence here:
// those need a key-value store. The scenarios are described in freezescenario.cpp.
#include "freezescenario.h"

#include <QTemporaryDir>
#include <QTest>

using namespace jobslib::test::freeze;

class TestFreezeFile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyStateAtOnce();
};

void TestFreezeFile::everyStateAtOnce()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Backend backend;
    backend.kind = Backend::Kind::File;
    // No TTL to outlast: long enough for several refusals of the standby (it tries every second)
    // and for a frozen holder's short task to end unobserved.
    backend.freezeMs = 5000;
    const QList<Outcome> outcomes = runConcurrently(backend, selectedScenarios(backend), dir.path());
    const QStringList failures = report(outcomes);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestFreezeFile)
#include "tst_freezefile.moc"
