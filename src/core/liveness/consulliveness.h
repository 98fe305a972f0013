// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "consul/consulclient.h"
#include "consul/consulsettings.h"
#include "heartbeatliveness.h"

namespace jobslib {

/*!
 * Liveness in Consul, as Python jobslib: after each success `PUT /v1/kv/<key>` with the
 * Python record, so `runjob check-liveness` and existing Python checks read it. Beyond Python:
 *
 * - a per-instance heartbeat `<heartbeat_prefix><instance id>` (JSON: state, datacenter, host,
 *   pid, version, last success, last error, fencing token, next run, timestamp), written on every
 *   state change and every heartbeat_interval, for the dashboard;
 * - optionally an agent TTL check (check_id): passing after a success, warning while standby,
 *   critical after a failure, so Consul's UI, DNS and alerting see the job's health.
 */
class JOBSLIB_EXPORT ConsulLiveness : public HeartbeatLiveness
{
    Q_OBJECT
public:
    ConsulLiveness(Context &context, const ConsulEndpoint &endpoint, QObject *parent = nullptr);

    QString backendName() const override { return QStringLiteral("consul"); }
    void write(const OwnerRecord &state) override;
    void read() override;

protected:
    void putHeartbeat(const QString &key, const QByteArray &record) override;
    void listHeartbeats(const QString &prefix, std::function<void(bool ok, const QList<StoredHeartbeat> &)> done) override;
    void removeHeartbeat(const QString &key) override;
    /*! Updates the agent TTL check on a state change, and refreshes it with every periodic heartbeat. */
    void stateReported(const InstanceState &state, Reason reason) override;

private:
    void updateCheck(const InstanceState &state);

    ConsulClient m_client;
    QString m_checkId;
    qint64 m_checkTtlS;
    RetryPolicy m_retry;
    bool m_checkRegistered = false;
};

} // namespace jobslib
