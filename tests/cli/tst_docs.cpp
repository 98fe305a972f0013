// SPDX-License-Identifier: BSD-3-Clause
// docs/configuration.md is generated from the option table: this fails when it is stale.
#include "testutil.h"

#include <QFile>
#include <QTest>

using namespace jobslib::test;

class TestDocs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void configurationReferenceIsCurrent()
    {
        const ProcessResult r = run(binary(QStringLiteral("runjob")), {QStringLiteral("--config-reference")});
        QCOMPARE(r.exitCode, 0);
        QFile doc(QStringLiteral(JOBSLIB_SOURCE_DIR "/docs/configuration.md"));
        QVERIFY(doc.open(QIODevice::ReadOnly));
        QVERIFY2(doc.readAll() == r.out,
                 "docs/configuration.md is stale: regenerate it with `cmake --build build --target docs-config`");
    }
};

QTEST_GUILESS_MAIN(TestDocs)
#include "tst_docs.moc"
