// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "etcd/etcdclient.h"
#include "heartbeatliveness.h"

namespace jobslib {

/*!
 * Liveness in etcd, with the records of the Consul backend: after each success the Python
 * liveness record at `key` (read by `runjob check-liveness`), and the per-instance heartbeat
 * (HeartbeatLiveness) for the dashboard.
 */
class JOBSLIB_EXPORT EtcdLiveness : public HeartbeatLiveness
{
    Q_OBJECT
public:
    EtcdLiveness(Context &context, const EtcdEndpoint &endpoint, QObject *parent = nullptr);

    QString backendName() const override { return QStringLiteral("etcd"); }
    void write(const OwnerRecord &state) override;
    void read() override;

protected:
    void putHeartbeat(const QString &key, const QByteArray &record) override;
    void listHeartbeats(const QString &prefix, std::function<void(bool ok, const QList<StoredHeartbeat> &)> done) override;
    void removeHeartbeat(const QString &key) override;

private:
    EtcdClient m_client;
};

} // namespace jobslib
