// SPDX-License-Identifier: BSD-3-Clause
#include "backendoptions.h"

namespace jobslib {

OptionSpec requiredKeyOption(const QStringList &envNames, const QString &doc)
{
    OptionSpec s = OptionSpec::make(QStringLiteral("key"), OptionType::String, QVariant(), envNames, doc);
    s.required = true;
    return s;
}

QList<OptionSpec> heartbeatOptions(const QString &envPrefix)
{
    OptionSpec prefix = OptionSpec::make(QStringLiteral("heartbeat_prefix"), OptionType::String, QString(), {envPrefix + QStringLiteral("HEARTBEAT_PREFIX")},
                                         QStringLiteral("Prefix of the per-instance heartbeat keys (<prefix><fqdn>:<pid>)."));
    prefix.defaultDoc = QStringLiteral("<key>/instances/");
    OptionSpec interval = OptionSpec::make(QStringLiteral("heartbeat_interval"), OptionType::Double, 30.0,
                                           {envPrefix + QStringLiteral("HEARTBEAT_INTERVAL")},
                                           QStringLiteral("Seconds between heartbeat writes besides those on every state change; 0 turns the heartbeat off."))
                              .withRange(0, 86400);
    return {prefix, interval};
}

} // namespace jobslib
