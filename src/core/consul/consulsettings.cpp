// SPDX-License-Identifier: BSD-3-Clause
#include "consulsettings.h"

#include "config/config.h"
#include "config/secretresolver.h"

#include <QFileInfo>

namespace jobslib {

QList<OptionSpec> consulConnectionOptions(const QString &envPrefix)
{
    QList<OptionSpec> o;
    o << OptionSpec::make(QStringLiteral("host"), OptionType::String, QStringLiteral("127.0.0.1"), {envPrefix + QStringLiteral("HOST")},
                QStringLiteral("Consul agent host."));
    OptionSpec port = OptionSpec::make(QStringLiteral("port"), OptionType::Int, 8500, {envPrefix + QStringLiteral("PORT")}, QStringLiteral("Consul agent port."));
    port.minimum = 1;
    port.maximum = 65535;
    o << port;
    OptionSpec timeout = OptionSpec::make(QStringLiteral("timeout"), OptionType::Double, 5.0, {envPrefix + QStringLiteral("TIMEOUT")},
                                QStringLiteral("HTTP timeout of every request, seconds (blocking queries add their wait)."));
    timeout.minimum = 0.1;
    timeout.maximum = 600;
    o << timeout;
    OptionSpec attempts = OptionSpec::make(QStringLiteral("retry_max_attempts"), OptionType::Int, 0, {envPrefix + QStringLiteral("RETRY_MAX_ATTEMPTS")},
                                 QStringLiteral("Tries of a failed request, as Python: 0 and 1 mean one try."));
    attempts.minimum = 0;
    attempts.maximum = 100;
    o << attempts;
    OptionSpec mult = OptionSpec::make(QStringLiteral("retry_wait_multiplier"), OptionType::Int, 50, {envPrefix + QStringLiteral("RETRY_WAIT_MULTIPLIER")},
                             QStringLiteral("Wait before retry n is multiplier * 2^n ms."));
    mult.minimum = 0;
    mult.maximum = 60000;
    o << mult;
    OptionSpec address = OptionSpec::make(QStringLiteral("address"), OptionType::String, QString(), {envPrefix + QStringLiteral("ADDRESS"), QStringLiteral("CONSUL_HTTP_ADDR")},
                                QStringLiteral("host:port or scheme://host:port; overrides host, port and scheme (python-consul's CONSUL_HTTP_ADDR)."));
    o << address;
    o << OptionSpec::make(QStringLiteral("ssl"), OptionType::Bool, false, {envPrefix + QStringLiteral("SSL"), QStringLiteral("CONSUL_HTTP_SSL")},
                QStringLiteral("Use https."));
    o << OptionSpec::make(QStringLiteral("ssl_verify"), OptionType::Bool, true, {envPrefix + QStringLiteral("SSL_VERIFY"), QStringLiteral("CONSUL_HTTP_SSL_VERIFY")},
                QStringLiteral("Verify the server certificate."));
    o << OptionSpec::make(QStringLiteral("ca_file"), OptionType::Path, QString(), {envPrefix + QStringLiteral("CA_FILE"), QStringLiteral("CONSUL_CACERT")},
                QStringLiteral("PEM file of the CA(s) that signed the Consul server certificate."));
    OptionSpec token = OptionSpec::make(QStringLiteral("token"), OptionType::String, QString(), {envPrefix + QStringLiteral("TOKEN"), QStringLiteral("CONSUL_HTTP_TOKEN")},
                              QStringLiteral("ACL token, sent as X-Consul-Token. May be file:PATH or keychain:SERVICE/KEY instead of the token itself."));
    token.secret = true;
    o << token;
    o << OptionSpec::make(QStringLiteral("token_file"), OptionType::Path, QString(),
                {envPrefix + QStringLiteral("TOKEN_FILE"), QStringLiteral("CONSUL_HTTP_TOKEN_FILE")},
                QStringLiteral("File holding the ACL token (must not be readable by others); used when token is empty."));
    o << OptionSpec::make(QStringLiteral("datacenter"), OptionType::String, QString(), {envPrefix + QStringLiteral("DATACENTER")},
                QStringLiteral("Send every request to this datacenter (?dc=): the home datacenter of a lock shared across datacenters. "
                               "Needs a server agent or direct server address (see docs/operations.md)."));
    return o;
}

Expected<ConsulEndpoint> consulEndpoint(const Config &config, const QString &group)
{
    using R = Expected<ConsulEndpoint>;
    const auto v = [&](const char *key) { return config.value(group + QLatin1Char('.') + QLatin1String(key)); };
    ConsulEndpoint e;
    QString scheme = v("ssl").toBool() ? QStringLiteral("https") : QStringLiteral("http");
    QString host = v("host").toString();
    int port = v("port").toInt();
    const QString address = v("address").toString();
    if (!address.isEmpty()) {
        QString rest = address;
        if (const auto sep = rest.indexOf(QLatin1String("://")); sep > 0) {
            scheme = rest.left(sep).toLower();
            rest = rest.mid(sep + 3);
        }
        const auto colon = rest.lastIndexOf(QLatin1Char(':'));
        bool ok = colon > 0;
        const int p = ok ? rest.mid(colon + 1).toInt(&ok) : 0;
        if (!ok || p <= 0 || p > 65535 || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
            return R::failure(QStringLiteral("option '%1.address': value '%2' from %3: expected host:port or http(s)://host:port")
                                  .arg(group, address, config.origin(group + QStringLiteral(".address"))));
        host = rest.left(colon);
        port = p;
    }
    e.baseUrl.setScheme(scheme);
    e.baseUrl.setHost(host);
    e.baseUrl.setPort(port);
    e.timeoutMs = int(v("timeout").toDouble() * 1000);
    e.verifyTls = v("ssl_verify").toBool();
    e.caFile = v("ca_file").toString();
    if (!e.caFile.isEmpty() && !QFileInfo(e.caFile).isReadable())
        return R::failure(QStringLiteral("option '%1.ca_file': cannot read '%2'").arg(group, e.caFile));
    e.datacenter = v("datacenter").toString();
    e.token = v("token").toString().toUtf8();
    const QString tokenFile = v("token_file").toString();
    if (e.token.isEmpty() && !tokenFile.isEmpty()) {
        const auto secret = readSecretFile(tokenFile);
        if (!secret)
            return R::failure(QStringLiteral("option '%1.token_file': %2").arg(group, secret.error()));
        e.token = secret.value();
    }
    return e;
}

RetryPolicy RetryPolicy::fromConfig(const Config &config, const QString &group)
{
    RetryPolicy p;
    p.attempts = qMax(1, int(config.integer(group + QStringLiteral(".retry_max_attempts"))));
    p.multiplierMs = config.integer(group + QStringLiteral(".retry_wait_multiplier"));
    return p;
}

} // namespace jobslib
