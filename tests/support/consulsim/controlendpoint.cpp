// SPDX-License-Identifier: BSD-3-Clause
#include "controlendpoint.h"

#include "consulsimulator.h"
#include "httpexchange.h"
#include "sessiontimers.h"
#include "statestore.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace jobslib::consulsim {

namespace {

/*! A control request's parameters: the JSON body's fields (any case), else the query's. */
class Params
{
public:
    explicit Params(const HttpRequest &request)
        : m_request(request)
    {
        const QJsonDocument doc = QJsonDocument::fromJson(request.body);
        if (doc.isObject())
            m_body = doc.object();
    }

    bool has(const QString &name) const { return !value(name).isUndefined(); }

    QJsonValue value(const QString &name) const
    {
        for (auto it = m_body.constBegin(); it != m_body.constEnd(); ++it) {
            if (it.key().compare(name, Qt::CaseInsensitive) == 0)
                return it.value();
        }
        for (const auto &q : m_request.query) {
            if (q.first.compare(name, Qt::CaseInsensitive) == 0)
                return QJsonValue(q.second);
        }
        return QJsonValue(QJsonValue::Undefined);
    }

    QString string(const QString &name, const QString &fallback = {}) const
    {
        const QJsonValue v = value(name);
        return v.isString() ? v.toString() : fallback;
    }

    double number(const QString &name, double fallback) const
    {
        const QJsonValue v = value(name);
        if (v.isDouble())
            return v.toDouble();
        bool ok = false;
        const double d = v.toString().toDouble(&ok);
        return ok ? d : fallback;
    }

    bool boolean(const QString &name, bool fallback) const
    {
        const QJsonValue v = value(name);
        if (v.isBool())
            return v.toBool();
        if (v.isString())
            return v.toString() == QLatin1String("true") || v.toString() == QLatin1String("1") || v.toString().isEmpty();
        return fallback;
    }

    const QJsonObject &body() const { return m_body; }

private:
    const HttpRequest &m_request;
    QJsonObject m_body;
};

HttpResponse jsonReply(const QJsonValue &value)
{
    HttpResponse r;
    r.setHeader("Content-Type", "application/json");
    r.body = value.isObject() ? QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)
                              : QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse ok()
{
    return jsonReply(QJsonObject{{QStringLiteral("ok"), true}});
}

QJsonArray pairs(const QList<QPair<QString, QString>> &list)
{
    QJsonArray arr;
    for (const auto &p : list)
        arr.append(QJsonArray{p.first, p.second});
    return arr;
}

QJsonArray headerPairs(const HeaderList &list)
{
    QJsonArray arr;
    for (const auto &p : list)
        arr.append(QJsonArray{QString::fromLatin1(p.first), QString::fromUtf8(p.second)});
    return arr;
}

QJsonObject logJson(const LoggedRequest &r)
{
    return QJsonObject{{QStringLiteral("Sequence"), qint64(r.sequence)},
                       {QStringLiteral("AtMs"), r.atMs},
                       {QStringLiteral("Method"), r.method},
                       {QStringLiteral("Path"), r.path},
                       {QStringLiteral("RawQuery"), QString::fromUtf8(r.rawQuery)},
                       {QStringLiteral("Query"), pairs(r.query)},
                       {QStringLiteral("Headers"), headerPairs(r.headers)},
                       {QStringLiteral("Body"), QString::fromUtf8(r.body)},
                       {QStringLiteral("Status"), r.status},
                       {QStringLiteral("Fault"), r.fault}};
}

} // namespace

ControlEndpoint::ControlEndpoint(ConsulSimulator *simulator)
    : m_sim(simulator)
{
}

void ControlEndpoint::handle(HttpExchange *exchange)
{
    const HttpRequest &req = exchange->request();
    const QString what = req.path.mid(QStringLiteral("/_sim/").size());
    const QByteArray &method = req.method;
    const Params p(req);
    const auto bad = [exchange](const QString &text) { exchange->respond(HttpResponse::text(400, text)); };

    if (what.isEmpty() || what == QLatin1String("state")) {
        StateStore *store = m_sim->store();
        QJsonArray sessions;
        const QList<Session> all = store->sessions();
        for (const Session &s : all) {
            sessions.append(QJsonObject{{QStringLiteral("ID"), s.id},
                                        {QStringLiteral("Name"), s.name},
                                        {QStringLiteral("TTL"), s.ttl},
                                        {QStringLiteral("ExpiresInMs"), m_sim->sessionTimers()->remainingMs(s.id)}});
        }
        QJsonObject delays;
        const auto lockDelays = store->lockDelays();
        for (auto it = lockDelays.cbegin(); it != lockDelays.cend(); ++it)
            delays.insert(it.key(), it.value());
        exchange->respond(jsonReply(QJsonObject{{QStringLiteral("Address"), m_sim->address()},
                                                {QStringLiteral("Datacenter"), m_sim->datacenter()},
                                                {QStringLiteral("Node"), m_sim->nodeName()},
                                                {QStringLiteral("RaftIndex"), qint64(store->raftIndex())},
                                                {QStringLiteral("KvIndex"), qint64(store->kvTableIndex())},
                                                {QStringLiteral("SessionsIndex"), qint64(store->sessionsIndex())},
                                                {QStringLiteral("Leader"), m_sim->hasLeader()},
                                                {QStringLiteral("TtlMultiplier"), m_sim->ttlMultiplier()},
                                                {QStringLiteral("Sessions"), sessions},
                                                {QStringLiteral("LockDelays"), delays},
                                                {QStringLiteral("PendingFailures"), m_sim->faults()->pendingFailures()},
                                                {QStringLiteral("DelayMs"), m_sim->faults()->delayMs()},
                                                {QStringLiteral("Blackhole"), m_sim->faults()->blackhole()},
                                                {QStringLiteral("Connections"), m_sim->connectionCount()}}));
        return;
    }
    if (what == QLatin1String("requests")) {
        if (method == "DELETE") {
            m_sim->clearRequestLog();
            exchange->respond(ok());
            return;
        }
        const qint64 since = qint64(p.number(QStringLiteral("since"), 0));
        QJsonArray arr;
        const QList<LoggedRequest> log = m_sim->requestLog();
        for (const LoggedRequest &r : log) {
            if (qint64(r.sequence) > since)
                arr.append(logJson(r));
        }
        exchange->respond(jsonReply(arr));
        return;
    }
    if (what == QLatin1String("acl/tokens") && method == "GET") {
        QJsonArray arr;
        const QList<AclToken> tokens = m_sim->aclTokens();
        for (const AclToken &t : tokens)
            arr.append(t.toJson());
        exchange->respond(jsonReply(arr));
        return;
    }
    if (method != "PUT" && method != "POST" && method != "DELETE") {
        exchange->respond(HttpResponse::text(405, QStringLiteral("method %1 not allowed").arg(QString::fromLatin1(method))));
        return;
    }
    if (what == QLatin1String("acl/tokens")) {
        QString error;
        const auto token = AclToken::fromJson(p.body(), &error);
        if (!token)
            return bad(error);
        m_sim->setAclToken(*token);
        exchange->respond(jsonReply(token->toJson()));
        return;
    }
    if (what.startsWith(QLatin1String("acl/tokens/")) && method == "DELETE") {
        const bool removed = m_sim->removeAclToken(what.mid(QStringLiteral("acl/tokens/").size()));
        exchange->respond(removed ? ok() : HttpResponse::text(404, QStringLiteral("no such token")));
        return;
    }
    if (what == QLatin1String("fail") || what == QLatin1String("drop")) {
        const int count = int(p.number(QStringLiteral("count"), 1));
        const int status = what == QLatin1String("drop") ? 0 : int(p.number(QStringLiteral("status"), 500));
        m_sim->failNext(count, status, p.string(QStringLiteral("body")).toUtf8(), p.string(QStringLiteral("pathPrefix")),
                        p.string(QStringLiteral("method")).toUpper().toLatin1());
        exchange->respond(ok());
        return;
    }
    if (what == QLatin1String("delay")) {
        const QString point = p.string(QStringLiteral("point"), QStringLiteral("before"));
        if (point != QLatin1String("before") && point != QLatin1String("after"))
            return bad(QStringLiteral("point must be before or after"));
        m_sim->setResponseDelay(int(p.number(QStringLiteral("ms"), 0)), p.string(QStringLiteral("pathPrefix")),
                                point == QLatin1String("after") ? FaultInjector::DelayPoint::AfterHandling
                                                                : FaultInjector::DelayPoint::BeforeHandling);
        exchange->respond(ok());
        return;
    }
    if (what == QLatin1String("blackhole")) {
        m_sim->setBlackhole(p.boolean(QStringLiteral("enabled"), true), p.string(QStringLiteral("pathPrefix")));
        exchange->respond(ok());
        return;
    }
    if (what == QLatin1String("clear-faults")) {
        m_sim->clearFaults();
        exchange->respond(ok());
        return;
    }
    if (what == QLatin1String("lose-sessions")) {
        m_sim->loseAllSessions();
        exchange->respond(ok());
        return;
    }
    if (what == QLatin1String("rewind-index")) {
        const double by = p.number(QStringLiteral("by"), 0);
        if (by < 1)
            return bad(QStringLiteral("by must be a positive number"));
        m_sim->rewindIndex(quint64(by));
        exchange->respond(jsonReply(QJsonObject{{QStringLiteral("RaftIndex"), qint64(m_sim->store()->raftIndex())}}));
        return;
    }
    if (what == QLatin1String("ttl-multiplier")) {
        const double m = p.number(QStringLiteral("multiplier"), 0);
        if (m <= 0)
            return bad(QStringLiteral("multiplier must be > 0"));
        m_sim->setTtlMultiplier(m);
        exchange->respond(ok());
        return;
    }
    if (what == QLatin1String("leader")) {
        m_sim->setLeader(p.boolean(QStringLiteral("leader"), true));
        exchange->respond(ok());
        return;
    }
    if (what == QLatin1String("elect-leader")) {
        m_sim->electLeader();
        exchange->respond(ok());
        return;
    }
    if (what == QLatin1String("node-health")) {
        const QString status = p.string(QStringLiteral("status"));
        if (status != QLatin1String("passing") && status != QLatin1String("warning") && status != QLatin1String("critical"))
            return bad(QStringLiteral("status must be passing, warning or critical"));
        m_sim->setNodeHealth(status);
        exchange->respond(ok());
        return;
    }
    if (what == QLatin1String("rpc-error-prefix")) {
        m_sim->setRpcErrorPrefix(p.boolean(QStringLiteral("enabled"), true));
        exchange->respond(ok());
        return;
    }
    if (what == QLatin1String("drop-connections")) {
        // Answer first: this very connection is among those dropped.
        exchange->respond(ok());
        m_sim->dropConnections();
        return;
    }
    if (what == QLatin1String("reset")) {
        m_sim->reset();
        exchange->respond(ok());
        return;
    }
    exchange->respond(HttpResponse::text(404, QStringLiteral("unknown control endpoint /_sim/%1").arg(what)));
}

} // namespace jobslib::consulsim
