// SPDX-License-Identifier: BSD-3-Clause
// CredentialStore against a real Secret Service (run by ctest inside dbus-run-session with an
// unlocked gnome-keyring, JOBSLIB_TEST_KEYRING=1), and without any session bus: then a clear
// message and secrets kept for the session only.
#include "credentialstore.h"

#include <QSignalSpy>
#include <QTest>
#include <QUuid>

#include <optional>

using namespace jobslib;
using namespace jobslib::dashboard;

namespace {
bool withKeyring()
{
    return qEnvironmentVariableIntValue("JOBSLIB_TEST_KEYRING") == 1;
}

/*! Waits (event loop running) for a read's answer. */
std::optional<Expected<QString>> readNow(CredentialStore &store, const QString &key)
{
    std::optional<Expected<QString>> out;
    QObject context;
    store.read(key, &context, [&out](const Expected<QString> &r) { out = r; });
    if (!QTest::qWaitFor([&out] { return out.has_value(); }, 20000))
        return std::nullopt;
    return out;
}

std::optional<QString> writeNow(CredentialStore &store, const QString &key, const QString &secret)
{
    std::optional<QString> out;
    QObject context;
    store.write(key, secret, &context, [&out](const QString &error) { out = error; });
    if (!QTest::qWaitFor([&out] { return out.has_value(); }, 20000))
        return std::nullopt;
    return out;
}
} // namespace

class TestCredentialStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTripThroughTheKeychain();
    void noKeychainFallsBackToTheSession();
};

void TestCredentialStore::roundTripThroughTheKeychain()
{
    if (!withKeyring())
        QSKIP("needs the Secret Service (the -keyring variant of this test runs it)");
    const QString service = QStringLiteral("jobslib-test-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString key = QStringLiteral("datacenter/prague");
    {
        CredentialStore store(service);
        const auto missing = readNow(store, key);
        QVERIFY(missing && missing->ok());
        QCOMPARE(missing->value(), QString()); // never stored: empty, not an error
        const auto written = writeNow(store, key, QStringLiteral("t0ken-ä€"));
        QVERIFY(written);
        QCOMPARE(*written, QString());
        QVERIFY2(!store.sessionOnly(), qPrintable(store.keychainProblem()));
    }
    {
        // A new store (as after a restart) reads it back from the keychain, not from memory.
        CredentialStore store(service);
        const auto read = readNow(store, key);
        QVERIFY(read && read->ok());
        QCOMPARE(read->value(), QStringLiteral("t0ken-ä€"));
        QCOMPARE(writeNow(store, key, QString()).value_or(QStringLiteral("timeout")), QString()); // removes it
    }
    {
        CredentialStore store(service);
        const auto read = readNow(store, key);
        QVERIFY(read && read->ok());
        QCOMPARE(read->value(), QString());
    }
}

void TestCredentialStore::noKeychainFallsBackToTheSession()
{
    if (withKeyring())
        QSKIP("runs without a session bus (the plain variant of this test)");
    CredentialStore store(QStringLiteral("jobslib-test"));
    QSignalSpy unavailable(&store, &CredentialStore::keychainUnavailable);
    const auto written = writeNow(store, QStringLiteral("job/x/influxdb"), QStringLiteral("pw"));
    QVERIFY(written);
    QVERIFY(!written->isEmpty()); // the keychain's error, shown to the operator
    QCOMPARE(unavailable.size(), 1);
    QVERIFY(store.sessionOnly());
    QVERIFY(!store.keychainProblem().isEmpty());
    // Nothing is lost for this session.
    const auto read = readNow(store, QStringLiteral("job/x/influxdb"));
    QVERIFY(read && read->ok());
    QCOMPARE(read->value(), QStringLiteral("pw"));
    // And the message is given once, not on every secret.
    QVERIFY(writeNow(store, QStringLiteral("job/y/influxdb"), QStringLiteral("pw2")));
    QCOMPARE(unavailable.size(), 1);
}

QTEST_GUILESS_MAIN(TestCredentialStore)
#include "tst_credentialstore.moc"
