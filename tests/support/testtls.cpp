// SPDX-License-Identifier: BSD-3-Clause
#include "testtls.h"

#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>

namespace jobslib::test {

TestCertificate makeTestCertificate(const QString &dir)
{
    TestCertificate c;
    c.keyFile = QDir(dir).filePath(QStringLiteral("key.pem"));
    c.certFile = QDir(dir).filePath(QStringLiteral("cert.pem"));
    const ProcessResult r = run(QStringLiteral("openssl"),
                                {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                                 QStringLiteral("-keyout"), c.keyFile, QStringLiteral("-out"), c.certFile, QStringLiteral("-days"), QStringLiteral("1"),
                                 QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                                 QStringLiteral("subjectAltName=IP:127.0.0.1")});
    if (r.exitCode != 0)
        c.error = QStringLiteral("openssl req failed (exit %1): %2").arg(r.exitCode).arg(QString::fromLocal8Bit(r.err).trimmed());
    else if (QSslCertificate::fromPath(c.certFile).isEmpty())
        c.error = QStringLiteral("openssl made no readable certificate in %1").arg(c.certFile);
    return c;
}

QSslConfiguration TestCertificate::serverConfiguration() const
{
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    QFile k(keyFile);
    if (k.open(QIODevice::ReadOnly))
        ssl.setPrivateKey(QSslKey(k.readAll(), QSsl::Rsa));
    const QList<QSslCertificate> certs = QSslCertificate::fromPath(certFile);
    if (!certs.isEmpty())
        ssl.setLocalCertificate(certs.constFirst());
    return ssl;
}

} // namespace jobslib::test
