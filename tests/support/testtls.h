// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QSslConfiguration>
#include <QString>

namespace jobslib::test {

/*!
 * A self-signed certificate for 127.0.0.1 (CN and subjectAltName IP:127.0.0.1), made by openssl
 * for a test: certFile is also the CA file a client is given to trust it.
 */
struct TestCertificate
{
    QString certFile; ///< PEM; the CA file of the clients
    QString keyFile;  ///< PEM, RSA 2048, unencrypted
    QString error;    ///< why it could not be made; empty on success

    bool isValid() const { return error.isEmpty(); }
    /*! The server side: QSslConfiguration::defaultConfiguration() with this key and certificate. */
    QSslConfiguration serverConfiguration() const;
};

/*! Makes cert.pem and key.pem in dir (which must exist and outlive the certificate's use). */
TestCertificate makeTestCertificate(const QString &dir);

} // namespace jobslib::test
