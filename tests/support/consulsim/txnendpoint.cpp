// SPDX-License-Identifier: BSD-3-Clause
#include "txnendpoint.h"

#include "apicall.h"
#include "httpexchange.h"
#include "json.h"
#include "statestore.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace jobslib::consulsim {

namespace {

constexpr int MaxTxnOps = 64;
constexpr qint64 MaxTxnBytes = 512 * 1024;

QJsonValue field(const QJsonObject &o, const QString &name)
{
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        if (it.key().compare(name, Qt::CaseInsensitive) == 0)
            return it.value();
    }
    return QJsonValue(QJsonValue::Undefined);
}

bool isRead(const QString &verb)
{
    return verb == QLatin1String("get") || verb == QLatin1String("get-tree") || verb == QLatin1String("check-session")
        || verb == QLatin1String("check-index") || verb == QLatin1String("check-not-exists");
}

Json errorsJson(const QList<QPair<int, QString>> &errors)
{
    Json arr = Json::array();
    for (const auto &e : errors) {
        Json o = Json::object();
        o.insert(QStringLiteral("OpIndex"), e.first);
        o.insert(QStringLiteral("What"), e.second);
        arr.append(o);
    }
    return arr;
}

} // namespace

TxnEndpoint::TxnEndpoint(ServerContext &ctx)
    : m_ctx(ctx)
{
}

void TxnEndpoint::handle(ApiCall &call)
{
    const HttpRequest &r = call.request();
    if (r.contentLength > MaxTxnBytes) {
        call.fail(ApiError::http(413, QStringLiteral("Request body(%1 bytes) too large, max size: %2 bytes. See %3.")
                                          .arg(r.contentLength)
                                          .arg(MaxTxnBytes)
                                          .arg(QStringLiteral("https://developer.hashicorp.com/docs/agent/config/config-files#txn_max_req_len"))));
        return;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(r.body);
    if (!doc.isArray()) {
        call.fail(ApiError::http(400, QStringLiteral("Failed to parse body: json: cannot unmarshal %1 into Go value of type api.TxnOps")
                                          .arg(doc.isObject() ? QStringLiteral("object") : QStringLiteral("value"))));
        return;
    }
    const QJsonArray items = doc.array();
    if (items.size() > MaxTxnOps) {
        call.fail(ApiError::http(413, QStringLiteral("Transaction contains too many operations (%1 > %2)").arg(items.size()).arg(MaxTxnOps)));
        return;
    }
    QList<TxnKvOp> ops;
    for (const QJsonValue &item : items) {
        const QJsonValue kv = field(item.toObject(), QStringLiteral("KV"));
        if (!kv.isObject()) {
            call.fail(ApiError::http(400, QStringLiteral("Failed to parse body: only KV operations are simulated")));
            return;
        }
        const QJsonObject o = kv.toObject();
        TxnKvOp op;
        op.verb = field(o, QStringLiteral("Verb")).toString();
        op.key = field(o, QStringLiteral("Key")).toString();
        const QString value = field(o, QStringLiteral("Value")).toString();
        const auto decoded = QByteArray::fromBase64Encoding(value.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            call.fail(ApiError::http(400, QStringLiteral("Failed to parse body: illegal base64 data at input byte 0")));
            return;
        }
        op.value = *decoded;
        if (op.value.size() > m_ctx.kvMaxValueSize) {
            call.fail(ApiError::http(413, QStringLiteral("Value for key \"%1\" is too large (%2 > %3 bytes)")
                                              .arg(op.key)
                                              .arg(op.value.size())
                                              .arg(m_ctx.kvMaxValueSize)));
            return;
        }
        op.flags = quint64(field(o, QStringLiteral("Flags")).toInteger());
        op.index = quint64(field(o, QStringLiteral("Index")).toInteger());
        op.session = field(o, QStringLiteral("Session")).toString();
        ops.append(op);
    }
    const bool readOnly = std::all_of(ops.cbegin(), ops.cend(), [](const TxnKvOp &op) { return isRead(op.verb); });
    if (readOnly && !call.parseQueryOptions())
        return;
    if (const auto e = call.forward(readOnly)) {
        call.fail(*e);
        return;
    }
    // kvsPreApply for every operation: ACLs, then the leader's lock-delay check.
    QList<QPair<int, QString>> errors;
    for (int i = 0; i < ops.size(); ++i) {
        const TxnKvOp &op = ops.at(i);
        const bool tree = op.verb == QLatin1String("delete-tree");
        const AclAccess need = isRead(op.verb) ? AclAccess::Read : AclAccess::Write;
        const bool allowed = tree ? m_ctx.acl->allowedWritePrefix(call.aclToken(), op.key) : call.can(AclResource::Key, op.key, need);
        if (!allowed && op.verb != QLatin1String("get") && op.verb != QLatin1String("get-tree")) {
            errors.append({i, m_ctx.acl->deniedText(call.aclToken(), AclResource::Key, op.key, need)});
            continue;
        }
        if (op.verb == QLatin1String("lock") && m_ctx.store->lockDelayRemainingMs(op.key) > 0)
            errors.append({i, QStringLiteral("failed to lock key \"%1\" due to lock delay").arg(op.key)});
    }
    TxnOutcome outcome;
    if (errors.isEmpty())
        outcome = m_ctx.store->kvTxn(ops);
    else
        outcome.errors = errors;

    Json body = Json::object();
    if (!outcome.errors.isEmpty()) {
        body.insert(QStringLiteral("Results"), Json());
        body.insert(QStringLiteral("Errors"), errorsJson(outcome.errors));
        call.respondJson(body, 409);
        return;
    }
    QString ignored;
    const AclToken *token = m_ctx.acl->resolve(call.token(), &ignored);
    Json results = Json::array();
    for (const TxnOutcome::Result &res : std::as_const(outcome.results)) {
        // Reads are filtered on the way out, as KV lists are.
        if (!m_ctx.acl->allowed(token, AclResource::Key, res.entry.key, AclAccess::Read))
            continue;
        KvEntry e = res.entry;
        if (!res.withValue)
            e.value.clear();
        results.append(Json::object().insert(QStringLiteral("KV"), e.toJson()));
    }
    body.insert(QStringLiteral("Results"), results);
    body.insert(QStringLiteral("Errors"), Json());
    HttpResponse response = call.jsonResponse(body);
    if (readOnly)
        call.setMeta(response, m_ctx.store->raftIndex());
    call.respond(response);
}

} // namespace jobslib::consulsim
