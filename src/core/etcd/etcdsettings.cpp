// SPDX-License-Identifier: BSD-3-Clause
#include "etcdsettings.h"

#include "config/config.h"

#include <QFileInfo>

#include <cmath>

namespace jobslib {

QList<OptionSpec> etcdConnectionOptions(const QString &envPrefix)
{
    using T = OptionType;
    const auto env = [&envPrefix](const char *name) { return QStringList{envPrefix + QLatin1String(name)}; };
    QList<OptionSpec> o;
    o << OptionSpec::make(QStringLiteral("endpoints"), T::StringList, QStringList{QStringLiteral("http://127.0.0.1:2379")},
                          env("ENDPOINTS") << QStringLiteral("ETCDCTL_ENDPOINTS"),
                          QStringLiteral("Comma-separated client URLs of the etcd members (http:// or https://); a request that gets no answer "
                                         "from one is sent to the next."));
    o << OptionSpec::make(QStringLiteral("timeout"), T::Double, 5.0, env("TIMEOUT"),
                          QStringLiteral("HTTP timeout of every request to one member, seconds."))
             .withRange(0.1, 600);
    o << OptionSpec::make(QStringLiteral("ssl_verify"), T::Bool, true, env("SSL_VERIFY"), QStringLiteral("Verify the members' certificates (https endpoints)."));
    o << OptionSpec::make(QStringLiteral("ca_file"), T::Path, QString(), env("CA_FILE") << QStringLiteral("ETCDCTL_CACERT"),
                          QStringLiteral("PEM file of the CA(s) that signed the members' certificates."));
    o << OptionSpec::make(QStringLiteral("username"), T::String, QString(), env("USERNAME"),
                          QStringLiteral("etcd user (with auth enabled); runjob fetches a token with it and password."));
    o << OptionSpec::make(QStringLiteral("password"), T::String, QString(), env("PASSWORD"),
                          QStringLiteral("Password of username. May be file:PATH (mode 600) or keychain:SERVICE/KEY instead of the password itself."))
             .asSecret();
    return o;
}

Expected<EtcdEndpoint> etcdEndpoint(const Config &config, const QString &group)
{
    using R = Expected<EtcdEndpoint>;
    const auto name = [&group](const char *key) -> QString { return group + QLatin1Char('.') + QLatin1String(key); };
    EtcdEndpoint e;
    e.endpoints.clear();
    const QStringList urls = config.value(name("endpoints")).toStringList();
    for (const QString &u : urls) {
        const QUrl url(u.contains(QLatin1String("://")) ? u : QStringLiteral("http://") + u);
        if (!url.isValid() || url.host().isEmpty() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
            return R::failure(QStringLiteral("option '%1': value '%2' from %3: expected http(s)://host:port, comma-separated")
                                  .arg(name("endpoints"), u, config.origin(name("endpoints"))));
        e.endpoints << url;
    }
    if (e.endpoints.isEmpty())
        return R::failure(QStringLiteral("option '%1' from %2: no endpoint given").arg(name("endpoints"), config.origin(name("endpoints"))));
    e.timeoutMs = int(std::lround(config.number(name("timeout")) * 1000.0));
    e.verifyTls = config.flag(name("ssl_verify"));
    e.caFile = config.string(name("ca_file"));
    if (!e.caFile.isEmpty() && !QFileInfo(e.caFile).isReadable())
        return R::failure(QStringLiteral("option '%1': cannot read '%2'").arg(name("ca_file"), e.caFile));
    e.username = config.string(name("username"));
    e.password = config.string(name("password"));
    if (e.username.isEmpty() != e.password.isEmpty())
        return R::failure(QStringLiteral("options '%1' and '%2' go together: give both or neither").arg(name("username"), name("password")));
    return e;
}

} // namespace jobslib
