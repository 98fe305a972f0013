// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "etcd/etcdclient.h"
#include "livenessbackend.h"

namespace jobslib {

/*!
 * Liveness in etcd, with the records of the Consul backend: after each success the Python
 * liveness record at `key` (read by `runjob check-liveness`), and a per-instance heartbeat
 * `<heartbeat_prefix><fqdn>:<pid>` (heartbeat.h) written on every state change and every
 * heartbeat_interval, for the dashboard.
 */
class JOBSLIB_EXPORT EtcdLiveness : public LivenessBackend
{
    Q_OBJECT
public:
    EtcdLiveness(Context &context, const EtcdEndpoint &endpoint, QObject *parent = nullptr);

    QString backendName() const override { return QStringLiteral("etcd"); }
    void write(const OwnerRecord &state) override;
    void read() override;
    void reportState(const InstanceState &state) override;

    QString heartbeatKey() const;

private:
    void writeHeartbeat();

    EtcdClient m_client;
    QString m_key;
    QString m_prefix;
    qint64 m_heartbeatMs;
    InstanceState m_state;
    int m_timer = 0;
};

} // namespace jobslib
