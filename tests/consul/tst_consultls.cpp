// SPDX-License-Identifier: BSD-3-Clause
// https to Consul with a CA file: a TLS proxy (QSslServer, a certificate made by openssl for the
// test) in front of the simulator.
#include "app/backendregistry.h"
#include "app/context.h"
#include "consulsimulator.h"
#include "lock/lockbackend.h"
#include "testcontext.h"
#include "testutil.h"

#include <QSignalSpy>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace jobslib;
using namespace jobslib::test;

class TestConsulTls : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void verifiedWithCaFile();
    void unknownCaIsRefused();
    void verificationOff();

private:
    QString acquire(const QHash<QString, QString> &extra);
    std::unique_ptr<consulsim::ConsulSimulator> m_sim;
    QSslServer m_proxy;
    QTemporaryDir m_dir;
    BackendRegistry m_registry = BackendRegistry::builtins();
};

void TestConsulTls::initTestCase()
{
    m_sim = std::make_unique<consulsim::ConsulSimulator>();
    QVERIFY(m_sim->start());
    const QString key = m_dir.filePath(QStringLiteral("key.pem"));
    const QString cert = m_dir.filePath(QStringLiteral("cert.pem"));
    const ProcessResult r = run(QStringLiteral("openssl"),
                                {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                                 QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("1"),
                                 QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                                 QStringLiteral("subjectAltName=IP:127.0.0.1")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    QFile k(key), c(cert);
    QVERIFY(k.open(QIODevice::ReadOnly) && c.open(QIODevice::ReadOnly));
    ssl.setPrivateKey(QSslKey(k.readAll(), QSsl::Rsa));
    ssl.setLocalCertificate(QSslCertificate(c.readAll()));
    m_proxy.setSslConfiguration(ssl);
    // Each TLS connection is piped to the plain simulator.
    connect(&m_proxy, &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *client = m_proxy.nextPendingConnection()) {
            auto *upstream = new QTcpSocket(client);
            upstream->connectToHost(QHostAddress::LocalHost, m_sim->port());
            connect(client, &QIODevice::readyRead, upstream, [client, upstream] { upstream->write(client->readAll()); });
            connect(upstream, &QIODevice::readyRead, client, [client, upstream] { client->write(upstream->readAll()); });
            connect(client, &QAbstractSocket::disconnected, client, &QObject::deleteLater);
            connect(upstream, &QAbstractSocket::disconnected, client, [client] { client->disconnectFromHost(); });
        }
    });
    QVERIFY(m_proxy.listen(QHostAddress::LocalHost));
}

QString TestConsulTls::acquire(const QHash<QString, QString> &extra)
{
    QHash<QString, QString> v{{QStringLiteral("one_instance.backend"), QStringLiteral("consul")},
                              {QStringLiteral("one_instance.consul.address"), QStringLiteral("https://127.0.0.1:%1").arg(m_proxy.serverPort())},
                              {QStringLiteral("one_instance.consul.key"), QStringLiteral("jobs/tls/lock")},
                              {QStringLiteral("one_instance.consul.ttl"), QStringLiteral("10")}};
    for (auto it = extra.cbegin(); it != extra.cend(); ++it)
        v.insert(it.key(), it.value());
    auto ctx = testContext(m_registry, v);
    QSignalSpy acquired(ctx->lock(), &LockBackend::acquired);
    QSignalSpy failed(ctx->lock(), &LockBackend::acquireFailed);
    ctx->lock()->acquire();
    if (!QTest::qWaitFor([&] { return !acquired.isEmpty() || !failed.isEmpty(); }, 10000))
        return QStringLiteral("no answer");
    if (!acquired.isEmpty()) {
        QSignalSpy released(ctx->lock(), &LockBackend::released);
        ctx->lock()->release();
        released.wait(5000);
        return QString();
    }
    return failed.constFirst().constFirst().toString();
}

void TestConsulTls::verifiedWithCaFile()
{
    QCOMPARE(acquire({{QStringLiteral("one_instance.consul.ca_file"), m_dir.filePath(QStringLiteral("cert.pem"))}}), QString());
}

void TestConsulTls::unknownCaIsRefused()
{
    const QString error = acquire({});
    QVERIFY2(!error.isEmpty(), "a certificate nobody vouches for was accepted");
    QVERIFY2(error.contains(QStringLiteral("network")), qPrintable(error));
}

void TestConsulTls::verificationOff()
{
    QCOMPARE(acquire({{QStringLiteral("one_instance.consul.ssl_verify"), QStringLiteral("0")}}), QString());
}

QTEST_GUILESS_MAIN(TestConsulTls)
#include "tst_consultls.moc"
