// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "livenessbackend.h"

namespace jobslib {

/*!
 * What the key-value liveness backends (Consul, etcd) share: the options `<group>.key`,
 * `heartbeat_prefix` and `heartbeat_interval`, and the per-instance heartbeat
 * `<heartbeat_prefix><fqdn>:<pid>` (heartbeat.h), written on every state change and every
 * heartbeat_interval so a dashboard can tell a live instance from a dead one by its age.
 * Subclasses store it with putHeartbeat().
 */
class JOBSLIB_EXPORT HeartbeatLiveness : public LivenessBackend
{
    Q_OBJECT
public:
    /*! group: "liveness.consul", "liveness.etcd". */
    HeartbeatLiveness(Context &context, const QString &group, QObject *parent = nullptr);

    void reportState(const InstanceState &state) override;
    QString key() const { return m_key; }
    QString heartbeatKey() const;
    qint64 heartbeatIntervalMs() const { return m_heartbeatMs; }

protected:
    enum class Reason { StateChanged, SameState, Periodic };
    /*! Stores one heartbeat; fire and forget (a failure is only worth a debug line). */
    virtual void putHeartbeat(const QString &key, const QByteArray &record) = 0;
    /*! After every reportState() and every periodic heartbeat (even with heartbeats off). */
    virtual void stateReported(const InstanceState &state, Reason reason);
    /*! Ends a read(): the record stored at key() (nullopt: absent), or the error that kept it from us. */
    void finishRead(const std::optional<QByteArray> &value, const QString &error);

private:
    void writeHeartbeat();

    QString m_key;
    QString m_prefix;
    qint64 m_heartbeatMs;
    InstanceState m_state;
    int m_timer = 0;
};

} // namespace jobslib
