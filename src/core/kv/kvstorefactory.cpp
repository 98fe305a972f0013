// SPDX-License-Identifier: BSD-3-Clause
#include "consul/consulsettings.h"
#include "consulkvstore.h"
#include "etcd/etcdsettings.h"
#include "etcdkvstore.h"
#include "kvstore.h"

namespace jobslib {

Expected<std::shared_ptr<KvStore>> makeKvStore(QNetworkAccessManager *network, const Config &config, const QString &group)
{
    using R = Expected<std::shared_ptr<KvStore>>;
    // The groups whose options declare a connection (consulConnectionOptions, etcdConnectionOptions).
    if (group == QLatin1String("one_instance.consul") || group == QLatin1String("liveness.consul")) {
        const auto endpoint = consulEndpoint(config, group);
        if (!endpoint)
            return R::failure(endpoint.error());
        return R(std::make_shared<ConsulKvStore>(network, endpoint.value()));
    }
    if (group == QLatin1String("one_instance.etcd") || group == QLatin1String("liveness.etcd")) {
        const auto endpoint = etcdEndpoint(config, group);
        if (!endpoint)
            return R::failure(endpoint.error());
        return R(std::make_shared<EtcdKvStore>(network, endpoint.value()));
    }
    return R::failure(QStringLiteral("no key-value store for the options of '%1': only one_instance.consul, liveness.consul, "
                                     "one_instance.etcd and liveness.etcd have one")
                          .arg(group));
}

} // namespace jobslib
