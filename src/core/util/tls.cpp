// SPDX-License-Identifier: BSD-3-Clause
#include "tls.h"

#include <QSslCertificate>

namespace jobslib {

QSslConfiguration clientTlsConfiguration(const QString &caFile, bool verify)
{
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!caFile.isEmpty())
        ssl.setCaCertificates(QSslCertificate::fromPath(caFile));
    if (!verify)
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
    return ssl;
}

} // namespace jobslib
