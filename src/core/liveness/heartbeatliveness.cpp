// SPDX-License-Identifier: BSD-3-Clause
#include "heartbeatliveness.h"

#include "app/context.h"
#include "heartbeat.h"
#include "util/clock.h"
#include "util/logcategories.h"

namespace jobslib {

HeartbeatLiveness::HeartbeatLiveness(Context &context, const QString &group, QObject *parent)
    : LivenessBackend(context, parent)
    , m_key(context.config().string(group + QStringLiteral(".key")))
    , m_prefix(context.config().string(group + QStringLiteral(".heartbeat_prefix")))
    , m_heartbeatMs(qint64(context.config().number(group + QStringLiteral(".heartbeat_interval")) * 1000))
    , m_retentionS(context.config().integer(group + QStringLiteral(".heartbeat_retention")))
{
    if (m_prefix.isEmpty())
        m_prefix = m_key + QStringLiteral("/instances/");
}

QString HeartbeatLiveness::heartbeatKey() const
{
    return m_prefix + context().instanceId();
}

void HeartbeatLiveness::reportState(const InstanceState &state)
{
    const bool changed = state.state != m_state.state;
    m_state = state;
    if (m_heartbeatMs > 0)
        writeHeartbeat();
    stateReported(m_state, changed ? Reason::StateChanged : Reason::SameState);
}

void HeartbeatLiveness::stateReported(const InstanceState &, Reason)
{
}

void HeartbeatLiveness::writeHeartbeat()
{
    putHeartbeat(heartbeatKey(), heartbeatRecord(context(), m_state, m_heartbeatMs, context().clock().utcNow()));
    pruneStaleHeartbeats();
    if (m_timer)
        context().clock().cancel(m_timer);
    m_timer = context().clock().callAfter(m_heartbeatMs, this, [this] {
        m_timer = 0;
        writeHeartbeat();
        stateReported(m_state, Reason::Periodic);
    });
}

void HeartbeatLiveness::pruneStaleHeartbeats()
{
    // Every instance prunes: deletes are idempotent, and with one instance left it still happens.
    const qint64 now = context().clock().monotonicMs();
    const qint64 periodMs = qMin<qint64>(m_retentionS, 3600) * 1000;
    if (m_retentionS <= 0 || (m_lastPruneMs >= 0 && now - m_lastPruneMs < periodMs))
        return;
    m_lastPruneMs = now;
    listHeartbeats(m_prefix, [this](bool ok, const QList<StoredHeartbeat> &heartbeats) {
        if (!ok)
            return; // next time
        const QStringList stale = staleHeartbeatKeys(heartbeats, context().clock().utcNow().toSecsSinceEpoch(), m_retentionS, heartbeatKey());
        for (const QString &key : stale) {
            qCInfo(lcLiveness).noquote() << "Deleting the heartbeat" << key << "- silent for more than" << m_retentionS << "s (heartbeat_retention)";
            removeHeartbeat(key);
        }
    });
}

void HeartbeatLiveness::finishRead(const std::optional<QByteArray> &value, const QString &error)
{
    if (!error.isEmpty()) {
        Q_EMIT readFinished(std::nullopt, error);
        return;
    }
    if (!value || value->isEmpty()) {
        Q_EMIT readFinished(std::nullopt, QStringLiteral("the key '%1' does not exist or is empty").arg(m_key));
        return;
    }
    const auto record = OwnerRecord::fromJson(*value);
    if (!record) {
        Q_EMIT readFinished(std::nullopt, record.error());
        return;
    }
    Q_EMIT readFinished(record.value(), QString());
}

} // namespace jobslib
