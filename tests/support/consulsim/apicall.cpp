// SPDX-License-Identifier: BSD-3-Clause
#include "apicall.h"

#include "goduration.h"
#include "httpexchange.h"
#include "json.h"

#include <limits>

namespace jobslib::consulsim {

namespace {

// strconv.Quote for the short, printable values that reach these errors.
QString goQuote(const QString &s)
{
    return QString::fromUtf8(goJsonString(s));
}

} // namespace

bool parseUint64(const QString &text, quint64 *value, QString *error)
{
    const QString prefix = QStringLiteral("strconv.ParseUint: parsing ") + goQuote(text) + QStringLiteral(": ");
    if (text.isEmpty()) {
        *error = prefix + QStringLiteral("invalid syntax");
        return false;
    }
    quint64 v = 0;
    bool overflow = false;
    for (const QChar c : text) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9')) {
            *error = prefix + QStringLiteral("invalid syntax");
            return false;
        }
        const quint64 digit = quint64(c.unicode() - '0');
        if (v > (std::numeric_limits<quint64>::max() - digit) / 10)
            overflow = true;
        else
            v = v * 10 + digit;
    }
    if (overflow) {
        *error = prefix + QStringLiteral("value out of range");
        return false;
    }
    *value = v;
    return true;
}

ApiCall::ApiCall(ServerContext &context, HttpExchange *ex, const QString &pathSuffix)
    : ctx(context)
    , exchange(ex)
    , suffix(pathSuffix)
{
}

const HttpRequest &ApiCall::request() const
{
    return exchange->request();
}

bool ApiCall::pretty() const
{
    return request().hasQuery(QStringLiteral("pretty"));
}

QString ApiCall::token() const
{
    const QString query = request().queryValue(QStringLiteral("token"));
    if (!query.isEmpty())
        return query;
    const QByteArray header = request().header("X-Consul-Token");
    if (!header.isEmpty())
        return QString::fromUtf8(header);
    const QByteArray auth = request().header("Authorization").trimmed();
    if (auth.size() > 7 && auth.left(7).compare("Bearer ", Qt::CaseInsensitive) == 0)
        return QString::fromUtf8(auth.mid(7).trimmed());
    return {};
}

bool ApiCall::parseQueryOptions()
{
    const HttpRequest &r = request();
    m_stale = r.hasQuery(QStringLiteral("stale"));
    m_consistent = r.hasQuery(QStringLiteral("consistent"));
    if (m_stale && m_consistent) {
        fail(ApiError::http(400, QStringLiteral("Cannot specify ?stale with ?consistent, conflicting semantics.")));
        return false;
    }
    if (r.hasQuery(QStringLiteral("max_stale"))) {
        const QString v = r.queryValue(QStringLiteral("max_stale"));
        qint64 ns = 0;
        QString ignored;
        if (!v.isEmpty() && !goduration::parse(v, &ns, &ignored)) {
            fail(ApiError::http(400, QStringLiteral("Invalid max_stale value %1").arg(goQuote(v))));
            return false;
        }
        m_stale = true;
    }
    const QString wait = r.queryValue(QStringLiteral("wait"));
    if (!wait.isEmpty()) {
        QString ignored;
        if (!goduration::parse(wait, &m_waitNs, &ignored)) {
            fail(ApiError::http(400, QStringLiteral("Invalid wait time")));
            return false;
        }
    }
    const QString index = r.queryValue(QStringLiteral("index"));
    if (!index.isEmpty()) {
        QString ignored;
        if (!parseUint64(index, &m_minIndex, &ignored)) {
            fail(ApiError::http(400, QStringLiteral("Invalid index")));
            return false;
        }
    }
    return true;
}

std::optional<ApiError> ApiCall::route(bool staleAllowed)
{
    const QString dc = request().queryValue(QStringLiteral("dc"));
    if (!dc.isEmpty() && dc != ctx.datacenter)
        return ApiError::agent(QStringLiteral("No path to datacenter"));
    if (!ctx.leader && !(staleAllowed && m_stale))
        return ApiError::server(QStringLiteral("No cluster leader"));
    return std::nullopt;
}

std::optional<ApiError> ApiCall::resolveToken()
{
    QString error;
    m_aclToken = ctx.acl->resolve(token(), &error);
    if (!error.isEmpty())
        return ApiError::server(error);
    return std::nullopt;
}

std::optional<ApiError> ApiCall::forward(bool staleAllowed)
{
    if (auto e = route(staleAllowed))
        return e;
    return resolveToken();
}

std::optional<ApiError> ApiCall::resolveAgentToken()
{
    QString error;
    m_aclToken = ctx.acl->resolve(token(), &error);
    if (!error.isEmpty())
        return ApiError::agent(error);
    return std::nullopt;
}

bool ApiCall::can(AclResource resource, const QString &name, AclAccess access) const
{
    return ctx.acl->allowed(m_aclToken, resource, name, access);
}

std::optional<ApiError> ApiCall::authorize(AclResource resource, const QString &name, AclAccess access, bool fromServer) const
{
    if (can(resource, name, access))
        return std::nullopt;
    ApiError e{403, ctx.acl->deniedText(m_aclToken, resource, name, access), fromServer};
    return e;
}

void ApiCall::addCommonHeaders(const ServerContext &ctx, HttpResponse &response)
{
    // Newer agents tell every client the default ACL policy.
    response.setHeader("X-Consul-Default-Acl-Policy", ctx.acl->isEnabled() ? "deny" : "allow");
    response.setHeader("Vary", "Accept-Encoding");
}

void ApiCall::respond(HttpResponse response)
{
    addCommonHeaders(ctx, response);
    exchange->respond(response);
}

void ApiCall::respondJson(const Json &value, int status)
{
    respond(jsonResponse(value, status));
}

void ApiCall::respondEmpty()
{
    respond(HttpResponse::empty());
}

void ApiCall::fail(const ApiError &error)
{
    respond(errorResponse(error));
}

HttpResponse ApiCall::jsonResponse(const Json &value, int status) const
{
    HttpResponse r = HttpResponse::json(value, pretty(), status);
    addCommonHeaders(ctx, r);
    return r;
}

HttpResponse ApiCall::errorResponse(const ApiError &error) const
{
    return errorResponse(ctx, error);
}

HttpResponse ApiCall::errorResponse(const ServerContext &ctx, const ApiError &error)
{
    QString text = error.message;
    if (error.fromServer && ctx.rpcErrorPrefix)
        text.prepend(QStringLiteral("rpc error making call: "));
    int status = error.status;
    if (text.contains(QLatin1String("Permission denied")) || text.contains(QLatin1String("ACL not found")))
        status = 403;
    HttpResponse r = HttpResponse::text(status, text);
    addCommonHeaders(ctx, r);
    return r;
}

void ApiCall::setMeta(HttpResponse &response, quint64 index) const
{
    setMeta(ctx, m_stale, response, index);
}

void ApiCall::setMeta(const ServerContext &ctx, bool stale, HttpResponse &response, quint64 index)
{
    // "index 1 is impossible due to Raft internals": 0 would make clients spin.
    response.setHeader("X-Consul-Index", QByteArray::number(index == 0 ? 1 : index));
    response.setHeader("X-Consul-Knownleader", ctx.leader ? "true" : "false");
    const qint64 lastContact = (!ctx.leader && stale && ctx.leaderLost.isValid()) ? ctx.leaderLost.elapsed() : 0;
    response.setHeader("X-Consul-Lastcontact", QByteArray::number(lastContact));
}

} // namespace jobslib::consulsim
