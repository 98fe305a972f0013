// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "heartbeat.h"
#include "livenessbackend.h"

#include <functional>

namespace jobslib {

/*!
 * What the key-value liveness backends (Consul, etcd) share: the options `<group>.key`,
 * `heartbeat_prefix` and `heartbeat_interval`, and the per-instance heartbeat
 * `<heartbeat_prefix><fqdn>:<pid>` (heartbeat.h), written on every state change and every
 * heartbeat_interval so a dashboard can tell a live instance from a dead one by its age.
 * Subclasses store it with putHeartbeat(). Every process start writes a new key, so each instance
 * also deletes the heartbeats silent for `heartbeat_retention` seconds (at its first heartbeat,
 * then every hour at most): crashed and stopped instances do not pile up under the prefix.
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
    /*! Every key under prefix with its value; done(false, ...) when the store did not answer. */
    virtual void listHeartbeats(const QString &prefix, std::function<void(bool ok, const QList<StoredHeartbeat> &)> done) = 0;
    /*! Deletes one heartbeat key; fire and forget. */
    virtual void removeHeartbeat(const QString &key) = 0;
    /*! After every reportState() and every periodic heartbeat (even with heartbeats off). */
    virtual void stateReported(const InstanceState &state, Reason reason);
    /*! Ends a read(): the record stored at key() (nullopt: absent), or the error that kept it from us. */
    void finishRead(const std::optional<QByteArray> &value, const QString &error);

private:
    void writeHeartbeat();
    void pruneStaleHeartbeats();

    QString m_key;
    QString m_prefix;
    qint64 m_heartbeatMs;
    qint64 m_retentionS;
    qint64 m_lastPruneMs = -1; ///< monotonic; -1: not yet
    InstanceState m_state;
    int m_timer = 0;
};

} // namespace jobslib
