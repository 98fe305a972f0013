// SPDX-License-Identifier: BSD-3-Clause
#include "consulliveness.h"

#include "app/context.h"
#include "consul/retry.h"
#include "util/clock.h"
#include "util/logcategories.h"

#include <QJsonObject>

namespace jobslib {

namespace {
const QString group = QStringLiteral("liveness.consul");
}

ConsulLiveness::ConsulLiveness(Context &context, const ConsulEndpoint &endpoint, QObject *parent)
    : HeartbeatLiveness(context, group, parent)
    , m_client(context.network(), endpoint, this)
    , m_checkId(context.config().string(group + QStringLiteral(".check_id")))
    , m_checkTtlS(context.config().integer(group + QStringLiteral(".check_ttl")))
    , m_retry(RetryPolicy::fromConfig(context.config(), group))
{
}

void ConsulLiveness::write(const OwnerRecord &state)
{
    const QByteArray body = state.toJson();
    withRetry<bool>(
        context().clock(), this, m_retry, [this, body](ConsulClient::Callback<bool> cb) { m_client.kvPut(key(), body, {}, this, cb); },
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
        context().clock(), this, m_retry, [this](ConsulClient::Callback<KvRead> cb) { m_client.kvGet(key(), 0, 0, this, cb); },
        [this](const ConsulResult<KvRead> &r) {
            if (!r.ok())
                finishRead(std::nullopt, r.error.describe());
            else
                finishRead(r.value->entry ? std::optional<QByteArray>(r.value->entry->value) : std::nullopt, QString());
        });
}

void ConsulLiveness::listHeartbeats(const QString &prefix, std::function<void(bool, const QList<StoredHeartbeat> &)> done)
{
    m_client.kvList(prefix, 0, 0, this, [done](const ConsulResult<KvList> &r) {
        QList<StoredHeartbeat> heartbeats;
        if (r.ok()) {
            for (const KvEntry &e : r.value->entries)
                heartbeats.append({e.key, e.value});
        }
        done(r.ok(), heartbeats);
    });
}

void ConsulLiveness::removeHeartbeat(const QString &key)
{
    m_client.kvDelete(key, this, [key](const ConsulResult<bool> &r) {
        if (!r.ok())
            qCDebug(lcLiveness).noquote() << "Can't delete heartbeat" << key << ":" << r.error.describe();
    });
}

void ConsulLiveness::putHeartbeat(const QString &heartbeatKey, const QByteArray &record)
{
    m_client.kvPut(heartbeatKey, record, {}, this, [](const ConsulResult<bool> &r) {
        if (!r.ok())
            qCDebug(lcLiveness).noquote() << "Can't write heartbeat:" << r.error.describe();
    });
}

void ConsulLiveness::stateReported(const InstanceState &state, Reason reason)
{
    // A TTL check goes critical unless refreshed: the periodic heartbeat refreshes it too.
    if (!m_checkId.isEmpty() && reason != Reason::SameState)
        updateCheck(state);
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
