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
    OptionSpec retention = OptionSpec::make(QStringLiteral("heartbeat_retention"), OptionType::Int, 86400,
                                            {envPrefix + QStringLiteral("HEARTBEAT_RETENTION")},
                                            QStringLiteral("Seconds after which the heartbeat of a silent instance (crashed or stopped) is deleted "
                                                           "by the live ones; 0 keeps them forever."))
                               .withRange(0, 31536000);
    return {prefix, interval, retention};
}

} // namespace jobslib
