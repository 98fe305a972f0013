// SPDX-License-Identifier: BSD-3-Clause
#include "consulliveness.h"

#include "app/context.h"
#include "consul/retry.h"
#include "heartbeat.h"
#include "runner/clock.h"
#include "util/logcategories.h"

#include <QJsonObject>

namespace jobslib {

namespace {
const QString group = QStringLiteral("liveness.consul");
}

ConsulLiveness::ConsulLiveness(Context &context, const ConsulEndpoint &endpoint, QObject *parent)
    : LivenessBackend(context, parent)
    , m_client(context.network(), endpoint, this)
    , m_key(context.config().string(group + QStringLiteral(".key")))
    , m_prefix(context.config().string(group + QStringLiteral(".heartbeat_prefix")))
    , m_heartbeatMs(qint64(context.config().number(group + QStringLiteral(".heartbeat_interval")) * 1000))
    , m_checkId(context.config().string(group + QStringLiteral(".check_id")))
    , m_checkTtlS(context.config().integer(group + QStringLiteral(".check_ttl")))
    , m_retry(RetryPolicy::fromConfig(context.config(), group))
{
    if (m_prefix.isEmpty())
        m_prefix = m_key + QStringLiteral("/instances/");
}

QString ConsulLiveness::heartbeatKey() const
{
    return m_prefix + context().instanceId();
}

void ConsulLiveness::write(const OwnerRecord &state)
{
    const QByteArray body = state.toJson();
    withRetry<bool>(
        context().clock(), this, m_retry, [this, body](ConsulClient::Callback<bool> cb) { m_client.kvPut(m_key, body, {}, this, cb); },
        [this](const ConsulResult<bool> &r) {
            if (!r.ok())
                Q_EMIT writeFinished(false, r.error.describe());
            else if (!*r.value)
                Q_EMIT writeFinished(false, QStringLiteral("Consul answered false"));
            else
                Q_EMIT writeFinished(true, QString());
        });
}

void ConsulLiveness::read()
{
    withRetry<KvRead>(
        context().clock(), this, m_retry, [this](ConsulClient::Callback<KvRead> cb) { m_client.kvGet(m_key, 0, 0, this, cb); },
        [this](const ConsulResult<KvRead> &r) {
            if (!r.ok()) {
                Q_EMIT readFinished(std::nullopt, r.error.describe());
                return;
            }
            if (!r.value->entry || r.value->entry->value.isEmpty()) {
                Q_EMIT readFinished(std::nullopt, QStringLiteral("the key '%1' does not exist or is empty").arg(m_key));
                return;
            }
            const auto record = OwnerRecord::fromJson(r.value->entry->value);
            if (!record) {
                Q_EMIT readFinished(std::nullopt, record.error());
                return;
            }
            Q_EMIT readFinished(record.value(), QString());
        });
}

void ConsulLiveness::reportState(const InstanceState &state)
{
    const bool changed = state.state != m_state.state;
    m_state = state;
    if (m_heartbeatMs > 0)
        writeHeartbeat();
    if (changed && !m_checkId.isEmpty())
        updateCheck(state);
}

void ConsulLiveness::writeHeartbeat()
{
    m_client.kvPut(heartbeatKey(), heartbeatRecord(context(), m_state, m_heartbeatMs, context().clock().utcNow()), {}, this, [](const ConsulResult<bool> &r) {
        if (!r.ok())
            qCDebug(lcLiveness).noquote() << "Can't write heartbeat:" << r.error.describe();
    });
    // Re-written periodically, so a dashboard can tell a live instance from a dead one by age.
    if (m_timer)
        context().clock().cancel(m_timer);
    m_timer = context().clock().callAfter(m_heartbeatMs, this, [this] {
        m_timer = 0;
        writeHeartbeat();
        if (!m_checkId.isEmpty())
            updateCheck(m_state); // a TTL check goes critical unless refreshed
    });
}

void ConsulLiveness::updateCheck(const InstanceState &state)
{
    const QString status = state.state == QLatin1String("failing") ? QStringLiteral("critical")
        : state.state == QLatin1String("standby")                 ? QStringLiteral("warning")
                                                                   : QStringLiteral("passing");
    const QString output = state.state == QLatin1String("failing") ? state.lastError : QStringLiteral("jobslib: %1").arg(state.state);
    const auto update = [this, status, output] {
        m_client.updateCheck(m_checkId, status, output, this, [this](const ConsulResult<bool> &r) {
            if (!r.ok()) {
                qCWarning(lcLiveness).noquote() << "Can't update check" << m_checkId << ":" << r.error.describe();
                m_checkRegistered = false; // the agent may have lost it: register again next time
            }
        });
    };
    if (m_checkRegistered) {
        update();
        return;
    }
    const QJsonObject def{{QStringLiteral("ID"), m_checkId},
                          {QStringLiteral("Name"), QStringLiteral("jobslib %1").arg(context().taskName())},
                          {QStringLiteral("TTL"), QStringLiteral("%1s").arg(m_checkTtlS)},
                          {QStringLiteral("Status"), status},
                          {QStringLiteral("Notes"), QStringLiteral("runjob instance %1").arg(context().instanceId())}};
    m_client.registerCheck(def, this, [this, update](const ConsulResult<bool> &r) {
        if (!r.ok()) {
            qCWarning(lcLiveness).noquote() << "Can't register check" << m_checkId << ":" << r.error.describe();
            return;
        }
        m_checkRegistered = true;
        update();
    });
}

} // namespace jobslib
