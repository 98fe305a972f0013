// SPDX-License-Identifier: BSD-3-Clause
#include "etcdliveness.h"

#include "app/context.h"
#include "heartbeat.h"
#include "runner/clock.h"
#include "util/logcategories.h"

namespace jobslib {

namespace {
const QString group = QStringLiteral("liveness.etcd");
}

EtcdLiveness::EtcdLiveness(Context &context, const EtcdEndpoint &endpoint, QObject *parent)
    : LivenessBackend(context, parent)
    , m_client(context.network(), endpoint, this)
    , m_key(context.config().string(group + QStringLiteral(".key")))
    , m_prefix(context.config().string(group + QStringLiteral(".heartbeat_prefix")))
    , m_heartbeatMs(qint64(context.config().number(group + QStringLiteral(".heartbeat_interval")) * 1000))
{
    if (m_prefix.isEmpty())
        m_prefix = m_key + QStringLiteral("/instances/");
}

QString EtcdLiveness::heartbeatKey() const
{
    return m_prefix + context().instanceId();
}

void EtcdLiveness::write(const OwnerRecord &state)
{
    m_client.put(m_key.toUtf8(), state.toJson(), 0, this, [this](const EtcdResult<qint64> &r) {
        Q_EMIT writeFinished(r.ok(), r.ok() ? QString() : r.error.describe());
    });
}

void EtcdLiveness::read()
{
    m_client.get(m_key.toUtf8(), this, [this](const EtcdResult<EtcdRead> &r) {
        if (!r.ok()) {
            Q_EMIT readFinished(std::nullopt, r.error.describe());
            return;
        }
        if (!r.value->kv || r.value->kv->value.isEmpty()) {
            Q_EMIT readFinished(std::nullopt, QStringLiteral("the key '%1' does not exist or is empty").arg(m_key));
            return;
        }
        const auto record = OwnerRecord::fromJson(r.value->kv->value);
        Q_EMIT readFinished(record ? std::optional<OwnerRecord>(record.value()) : std::nullopt, record ? QString() : record.error());
    });
}

void EtcdLiveness::reportState(const InstanceState &state)
{
    m_state = state;
    if (m_heartbeatMs > 0)
        writeHeartbeat();
}

void EtcdLiveness::writeHeartbeat()
{
    m_client.put(heartbeatKey().toUtf8(), heartbeatRecord(context(), m_state, m_heartbeatMs, context().clock().utcNow()), 0, this,
                 [](const EtcdResult<qint64> &r) {
                     if (!r.ok())
                         qCDebug(lcLiveness).noquote() << "Can't write heartbeat:" << r.error.describe();
                 });
    // Re-written periodically, so a dashboard can tell a live instance from a dead one by age.
    if (m_timer)
        context().clock().cancel(m_timer);
    m_timer = context().clock().callAfter(m_heartbeatMs, this, [this] {
        m_timer = 0;
        writeHeartbeat();
    });
}

} // namespace jobslib
