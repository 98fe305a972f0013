// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "config/optionspec.h"
#include "etcdclient.h"
#include "util/expected.h"

#include <QList>

namespace jobslib {

class Config;

/*!
 * The connection options every etcd backend has, declared once, in the scheme of the Consul ones:
 * endpoints (also etcdctl's ETCDCTL_ENDPOINTS), timeout, ssl_verify, ca_file (ETCDCTL_CACERT),
 * username and password (a secret). envPrefix is "JOBSLIB_ONE_INSTANCE_ETCD_" or "JOBSLIB_LIVENESS_ETCD_".
 */
JOBSLIB_EXPORT QList<OptionSpec> etcdConnectionOptions(const QString &envPrefix);

/*! The endpoint from a group's effective options ("one_instance.etcd", "liveness.etcd"), or why not. */
JOBSLIB_EXPORT Expected<EtcdEndpoint> etcdEndpoint(const Config &config, const QString &group);

} // namespace jobslib
