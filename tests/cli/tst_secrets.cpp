// SPDX-License-Identifier: BSD-3-Clause
// Secret options by reference: a token from a file (mode checked) or from the system keychain,
// used against a Consul that requires it, and never shown in logs or --print-config.
#include "consulsimulator.h"
#include "runjobprocess.h"
#include "testutil.h"

#include <qt6keychain/keychain.h>

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace jobslib::test;
using jobslib::consulsim::ConsulSimulator;

namespace {
const QString Token = QStringLiteral("t0k3n-that-must-not-leak");
}

class TestSecrets : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void tokenFromFile();
    void tokenFileOpenToOthersIsRefused();
    void tokenFromKeychain();
    void missingKeychainEntryIsAClearError();
    void secretNeverShown();

private:
    QProcessEnvironment env(const QString &tokenValue) const;
    int runOnce(const QProcessEnvironment &e, QByteArray *output = nullptr);
    std::unique_ptr<ConsulSimulator> m_sim;
    QTemporaryDir m_dir;
};

void TestSecrets::initTestCase()
{
    ConsulSimulator::Options o;
    o.aclMasterToken = Token;
    m_sim = std::make_unique<ConsulSimulator>(o);
    QVERIFY(m_sim->start());
}

QProcessEnvironment TestSecrets::env(const QString &tokenValue) const
{
    QProcessEnvironment e = cleanEnvironment();
    e.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND"), QStringLiteral("consul"));
    e.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_ADDRESS"), m_sim->address());
    e.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_KEY"), QStringLiteral("jobs/secret/lock"));
    e.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_TTL"), QStringLiteral("10"));
    e.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_TOKEN"), tokenValue);
    return e;
}

int TestSecrets::runOnce(const QProcessEnvironment &e, QByteArray *output)
{
    // The simulator lives in this process: keep the event loop running while runjob works.
    RunjobProcess p(e);
    p.start({QStringLiteral("-v"), QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("true")});
    if (!p.waitForExit(30000))
        return -1;
    if (output)
        *output = p.output().toUtf8();
    return p.exitCode();
}

void TestSecrets::tokenFromFile()
{
    const QString path = m_dir.filePath(QStringLiteral("token"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(Token.toUtf8() + '\n');
    f.close();
    QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QByteArray out;
    QCOMPARE(runOnce(env(QStringLiteral("file:") + path), &out), 0);
    QVERIFY(!out.contains(Token.toUtf8()));
    // Without it Consul refuses: the file really was what made it work.
    QVERIFY(runOnce(env(QStringLiteral("wrong"))) != 0);
}

void TestSecrets::tokenFileOpenToOthersIsRefused()
{
    const QString path = m_dir.filePath(QStringLiteral("open-token"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(Token.toUtf8());
    f.close();
    QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    const ProcessResult r = run(binary(QStringLiteral("runjob")), {QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("true")},
                                env(QStringLiteral("file:") + path));
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("accessible by group or others"), r.err.constData());
}

void TestSecrets::tokenFromKeychain()
{
    auto *write = new QKeychain::WritePasswordJob(QStringLiteral("jobslib-test"));
    write->setKey(QStringLiteral("consul-token"));
    write->setTextData(Token);
    QSignalSpy written(write, &QKeychain::Job::finished);
    write->start();
    QVERIFY(written.wait(10000));
    QVERIFY2(write->error() == QKeychain::NoError, qPrintable(write->errorString()));
    QByteArray out;
    QCOMPARE(runOnce(env(QStringLiteral("keychain:jobslib-test/consul-token")), &out), 0);
    QVERIFY2(out.contains("Run task"), out.constData());
    QVERIFY(!out.contains(Token.toUtf8()));
}

void TestSecrets::missingKeychainEntryIsAClearError()
{
    QByteArray out;
    QCOMPARE(runOnce(env(QStringLiteral("keychain:jobslib-test/no-such-entry")), &out), 2);
    QVERIFY2(out.contains("runjob: error: option 'one_instance.consul.token'") && out.contains("system keychain"), out.constData());
}

void TestSecrets::secretNeverShown()
{
    const ProcessResult r = run(binary(QStringLiteral("runjob")), {QStringLiteral("--print-config"), QStringLiteral("--"), QStringLiteral("true")}, env(Token));
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("one_instance.consul.token = ********  (env JOBSLIB_ONE_INSTANCE_CONSUL_TOKEN)"));
    QVERIFY(!r.out.contains(Token.toUtf8()));
    QByteArray out;
    QCOMPARE(runOnce(env(Token), &out), 0); // -v: debug logging of every request
    QVERIFY(!out.contains(Token.toUtf8()));
}

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"
