// SPDX-License-Identifier: BSD-3-Clause
#include "router.h"

#include "agentendpoint.h"
#include "apicall.h"
#include "healthendpoint.h"
#include "httpexchange.h"
#include "kvendpoint.h"
#include "sessionendpoint.h"
#include "txnendpoint.h"

#include <QUrl>

namespace jobslib::consulsim {

Router::Router(ServerContext &ctx)
    : m_ctx(ctx)
    , m_kv(std::make_unique<KvEndpoint>(ctx))
    , m_session(std::make_unique<SessionEndpoint>(ctx))
    , m_agent(std::make_unique<AgentEndpoint>(ctx))
    , m_health(std::make_unique<HealthEndpoint>(ctx))
    , m_txn(std::make_unique<TxnEndpoint>(ctx))
{
    const QByteArrayList get{"GET"};
    const QByteArrayList put{"PUT"};
    add(QStringLiteral("/v1/kv/"), {"GET", "PUT", "DELETE"}, [this](ApiCall &c) { m_kv->handle(c); });

    add(QStringLiteral("/v1/session/create"), put, [this](ApiCall &c) { m_session->create(c); });
    add(QStringLiteral("/v1/session/destroy/"), put, [this](ApiCall &c) { m_session->destroy(c); });
    add(QStringLiteral("/v1/session/renew/"), put, [this](ApiCall &c) { m_session->renew(c); });
    add(QStringLiteral("/v1/session/info/"), get, [this](ApiCall &c) { m_session->info(c); });
    add(QStringLiteral("/v1/session/node/"), get, [this](ApiCall &c) { m_session->node(c); });
    add(QStringLiteral("/v1/session/list"), get, [this](ApiCall &c) { m_session->list(c); });

    add(QStringLiteral("/v1/agent/check/register"), put, [this](ApiCall &c) { m_agent->registerCheck(c); });
    add(QStringLiteral("/v1/agent/check/deregister/"), put, [this](ApiCall &c) { m_agent->deregisterCheck(c); });
    add(QStringLiteral("/v1/agent/check/pass/"), put, [this](ApiCall &c) { m_agent->ttlUpdate(c, QStringLiteral("passing")); });
    add(QStringLiteral("/v1/agent/check/warn/"), put, [this](ApiCall &c) { m_agent->ttlUpdate(c, QStringLiteral("warning")); });
    add(QStringLiteral("/v1/agent/check/fail/"), put, [this](ApiCall &c) { m_agent->ttlUpdate(c, QStringLiteral("critical")); });
    add(QStringLiteral("/v1/agent/check/update/"), put, [this](ApiCall &c) { m_agent->checkUpdate(c); });
    add(QStringLiteral("/v1/agent/checks"), get, [this](ApiCall &c) { m_agent->checks(c); });
    add(QStringLiteral("/v1/agent/service/register"), put, [this](ApiCall &c) { m_agent->registerService(c); });
    add(QStringLiteral("/v1/agent/service/deregister/"), put, [this](ApiCall &c) { m_agent->deregisterService(c); });
    add(QStringLiteral("/v1/agent/services"), get, [this](ApiCall &c) { m_agent->services(c); });
    add(QStringLiteral("/v1/agent/self"), get, [this](ApiCall &c) { m_agent->self(c); });

    add(QStringLiteral("/v1/health/checks/"), get, [this](ApiCall &c) { m_health->serviceChecks(c); });
    add(QStringLiteral("/v1/health/state/"), get, [this](ApiCall &c) { m_health->state(c); });
    add(QStringLiteral("/v1/health/node/"), get, [this](ApiCall &c) { m_health->node(c); });
    add(QStringLiteral("/v1/health/service/"), get, [this](ApiCall &c) { m_health->service(c); });
    add(QStringLiteral("/v1/status/leader"), get, [this](ApiCall &c) { m_health->leader(c); });
    add(QStringLiteral("/v1/status/peers"), get, [this](ApiCall &c) { m_health->peers(c); });
    add(QStringLiteral("/v1/txn"), put, [this](ApiCall &c) { m_txn->handle(c); });

    // The ACL API is not simulated; with ACLs off Consul answers it with 401, which clients map
    // to "ACL support disabled".
    add(QStringLiteral("/v1/acl/"), {"GET", "PUT", "POST", "DELETE"}, [this](ApiCall &c) {
        if (!m_ctx.acl->isEnabled())
            c.fail(ApiError::http(401, QStringLiteral("ACL support disabled")));
        else
            c.fail(ApiError::http(404, QStringLiteral("Invalid URL path: not a recognized HTTP API endpoint\n")));
    });
}

Router::~Router() = default;

void Router::add(const QString &pattern, const QByteArrayList &methods, std::function<void(ApiCall &)> handler)
{
    m_routes.append({pattern, methods, std::move(handler)});
}

const Router::Route *Router::match(const QString &path) const
{
    const Route *best = nullptr;
    for (const Route &r : m_routes) {
        const bool prefix = r.pattern.endsWith(QLatin1Char('/'));
        const bool hit = prefix ? path.startsWith(r.pattern) : path == r.pattern;
        if (hit && (!best || r.pattern.size() > best->pattern.size()))
            best = &r;
    }
    return best;
}

namespace {

// Go's path.Clean plus ServeMux's rule that a trailing slash survives.
QString cleanPath(const QString &p)
{
    if (p.isEmpty())
        return QStringLiteral("/");
    const QStringList parts = p.split(QLatin1Char('/'));
    QStringList out;
    for (const QString &part : parts) {
        if (part.isEmpty() || part == QLatin1String("."))
            continue;
        if (part == QLatin1String("..")) {
            if (!out.isEmpty())
                out.removeLast();
            continue;
        }
        out.append(part);
    }
    QString np = QLatin1Char('/') + out.join(QLatin1Char('/'));
    if (p.endsWith(QLatin1Char('/')) && np != QLatin1String("/"))
        np += QLatin1Char('/');
    return np;
}

} // namespace

bool Router::redirectUnclean(HttpExchange *exchange)
{
    const HttpRequest &request = exchange->request();
    const QString clean = cleanPath(request.path);
    if (clean == request.path)
        return false;
    QByteArray location = QUrl::toPercentEncoding(clean, "/");
    if (!request.rawQuery.isEmpty())
        location += '?' + request.rawQuery;
    HttpResponse r;
    r.status = 301;
    r.setHeader("Location", location);
    r.setHeader("Content-Type", "text/html; charset=utf-8");
    if (request.method == "GET" || request.method == "HEAD")
        r.body = "<a href=\"" + QString::fromLatin1(location).toHtmlEscaped().toLatin1() + "\">Moved Permanently</a>.\n\n";
    exchange->respond(r);
    return true;
}

void Router::handle(HttpExchange *exchange)
{
    if (redirectUnclean(exchange))
        return;
    const HttpRequest &request = exchange->request();
    const QString &path = request.path;
    ApiCall call(m_ctx, exchange, QString());
    const Route *route = match(path);
    if (!route) {
        // ServeMux sends /v1/kv to /v1/kv/ when only the subtree is registered.
        if (match(path + QLatin1Char('/')) && match(path + QLatin1Char('/'))->pattern == path + QLatin1Char('/')) {
            HttpResponse r;
            r.status = 301;
            QByteArray location = request.target;
            const int q = location.indexOf('?');
            location.insert(q < 0 ? location.size() : q, '/');
            r.setHeader("Location", location);
            r.setHeader("Content-Type", "text/html; charset=utf-8");
            if (request.method == "GET" || request.method == "HEAD")
                r.body = "<a href=\"" + location + "\">Moved Permanently</a>.\n\n";
            exchange->respond(r);
            return;
        }
        if (path == QLatin1String("/")) {
            call.respond(HttpResponse::text(200, QStringLiteral("Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.")));
            return;
        }
        if (path.startsWith(QLatin1String("/v1/")))
            call.fail(ApiError::http(404, QStringLiteral("Invalid URL path: not a recognized HTTP API endpoint\n")));
        else
            call.respond(HttpResponse::empty(404));
        return;
    }
    const QByteArray allow = "OPTIONS," + route->methods.join(',');
    if (request.method == "OPTIONS") {
        HttpResponse r = HttpResponse::empty(200);
        r.setHeader("Allow", allow);
        call.respond(r);
        return;
    }
    if (!route->methods.contains(request.method)) {
        HttpResponse r = HttpResponse::text(405, QStringLiteral("method %1 not allowed").arg(QString::fromLatin1(request.method)));
        r.setHeader("Allow", allow);
        call.respond(r);
        return;
    }
    call.suffix = route->pattern.endsWith(QLatin1Char('/')) ? path.mid(route->pattern.size()) : QString();
    route->handler(call);
}

} // namespace jobslib::consulsim
