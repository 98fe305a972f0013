// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "config/optionspec.h"
#include "consultypes.h"
#include "util/expected.h"

#include <QList>

namespace jobslib {

class Config;

/*!
 * The connection options every Consul backend has, declared once: Python's host, port,
 * timeout, retry_max_attempts, retry_wait_multiplier, and the CONSUL_HTTP_* variables python-consul
 * honours (address, token, ssl, ssl_verify), plus ca_file, token_file and datacenter.
 * envPrefix is "JOBSLIB_ONE_INSTANCE_CONSUL_" or "JOBSLIB_LIVENESS_CONSUL_".
 */
JOBSLIB_EXPORT QList<OptionSpec> consulConnectionOptions(const QString &envPrefix);

/*! The endpoint from a group's effective options ("one_instance.consul", "liveness.consul"). */
JOBSLIB_EXPORT Expected<ConsulEndpoint> consulEndpoint(const Config &config, const QString &group);

/*! Python's retry policy: max(attempts, 1) tries, waiting multiplier * 2^n ms after try n. */
struct JOBSLIB_EXPORT RetryPolicy
{
    int attempts = 1;
    qint64 multiplierMs = 50;
    qint64 waitAfter(int attempt) const { return multiplierMs << qMin(attempt, 20); }
    static RetryPolicy fromConfig(const Config &config, const QString &group);
};

} // namespace jobslib
