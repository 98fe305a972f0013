// SPDX-License-Identifier: BSD-3-Clause
#include "etcdliveness.h"

#include "app/context.h"
#include "util/logcategories.h"

namespace jobslib {

EtcdLiveness::EtcdLiveness(Context &context, const EtcdEndpoint &endpoint, QObject *parent)
    : HeartbeatLiveness(context, QStringLiteral("liveness.etcd"), parent)
    , m_client(context.network(), endpoint, this)
{
}

void EtcdLiveness::write(const OwnerRecord &state)
{
    m_client.put(key().toUtf8(), state.toJson(), 0, this, [this](const EtcdResult<qint64> &r) {
        Q_EMIT writeFinished(r.ok(), r.ok() ? QString() : r.error.describe());
    });
}

void EtcdLiveness::read()
{
    m_client.get(key().toUtf8(), this, [this](const EtcdResult<EtcdRead> &r) {
        if (!r.ok())
            finishRead(std::nullopt, r.error.describe());
        else
            finishRead(r.value->kv ? std::optional<QByteArray>(r.value->kv->value) : std::nullopt, QString());
    });
}

void EtcdLiveness::listHeartbeats(const QString &prefix, std::function<void(bool, const QList<StoredHeartbeat> &)> done)
{
    m_client.list(prefix.toUtf8(), this, [done](const EtcdResult<QList<EtcdKv>> &r) {
        QList<StoredHeartbeat> heartbeats;
        if (r.ok()) {
            for (const EtcdKv &kv : *r.value)
                heartbeats.append({QString::fromUtf8(kv.key), kv.value});
        }
        done(r.ok(), heartbeats);
    });
}

void EtcdLiveness::removeHeartbeat(const QString &key)
{
    m_client.remove(key.toUtf8(), this, [key](const EtcdResult<qint64> &r) {
        if (!r.ok())
            qCDebug(lcLiveness).noquote() << "Can't delete heartbeat" << key << ":" << r.error.describe();
    });
}

void EtcdLiveness::putHeartbeat(const QString &heartbeatKey, const QByteArray &record)
{
    m_client.put(heartbeatKey.toUtf8(), record, 0, this, [](const EtcdResult<qint64> &r) {
        if (!r.ok())
            qCDebug(lcLiveness).noquote() << "Can't write heartbeat:" << r.error.describe();
    });
}

} // namespace jobslib
