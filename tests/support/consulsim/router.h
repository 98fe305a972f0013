// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QByteArrayList>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace jobslib::consulsim {

class AgentEndpoint;
class ApiCall;
class HealthEndpoint;
class HttpExchange;
class KvEndpoint;
class SessionEndpoint;
class TxnEndpoint;
struct ServerContext;

/*!
 * Consul's HTTP routing (agent/http.go, http_register.go, Go's ServeMux): a path registered
 * with a trailing slash matches everything below it (the rest is the key, id or node), other
 * paths match exactly, the longest pattern wins; each path has a fixed method list (405 with
 * an Allow header otherwise, OPTIONS answered from the same list); unknown /v1/ paths are 404.
 */
class Router
{
public:
    explicit Router(ServerContext &ctx);
    ~Router();

    void handle(HttpExchange *exchange);

private:
    struct Route
    {
        QString pattern;
        QByteArrayList methods;
        std::function<void(ApiCall &)> handler;
    };

    void add(const QString &pattern, const QByteArrayList &methods, std::function<void(ApiCall &)> handler);
    const Route *match(const QString &path) const;
    /*! ServeMux's 301 to the cleaned path (no "//", "/./", "/../"); false when the path is clean. */
    bool redirectUnclean(HttpExchange *exchange);

    ServerContext &m_ctx;
    std::unique_ptr<KvEndpoint> m_kv;
    std::unique_ptr<SessionEndpoint> m_session;
    std::unique_ptr<AgentEndpoint> m_agent;
    std::unique_ptr<HealthEndpoint> m_health;
    std::unique_ptr<TxnEndpoint> m_txn;
    QList<Route> m_routes;
};

} // namespace jobslib::consulsim
