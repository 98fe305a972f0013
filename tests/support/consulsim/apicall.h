// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "acl.h"
#include "httpmessage.h"

#include <QElapsedTimer>
#include <QString>

#include <optional>

namespace jobslib::consulsim {

class Agent;
class BlockingQueries;
class HttpExchange;
class Json;
class SessionTimers;
class StateStore;

/*! The agent and server state every endpoint works on. */
struct ServerContext
{
    QString datacenter;
    QString nodeName;
    QString nodeId;
    QString advertiseAddress;
    QString version;
    /*! session_ttl_min. */
    qint64 sessionTtlMinNs = 0;
    qint64 kvMaxValueSize = 512 * 1024;
    /*! Errors from the servers get "rpc error making call: " as when a client agent forwards them. */
    bool rpcErrorPrefix = false;
    bool leader = true;
    /*! Since when there has been no leader (X-Consul-LastContact of stale reads). */
    QElapsedTimer leaderLost;

    StateStore *store = nullptr;
    SessionTimers *timers = nullptr;
    Agent *agent = nullptr;
    Acl *acl = nullptr;
    BlockingQueries *queries = nullptr;
};

/*!
 * An error as a handler returns it to Consul's wrap(): an HTTPError carries its status, any
 * other error is a 500, and texts containing "Permission denied" or "ACL not found" become 403.
 * fromServer marks errors that come back over RPC (they get the client agent's prefix).
 */
struct ApiError
{
    int status = 500;
    QString message;
    bool fromServer = true;

    static ApiError http(int status, const QString &message) { return {status, message, false}; }
    static ApiError server(const QString &message) { return {500, message, true}; }
    static ApiError agent(const QString &message) { return {500, message, false}; }
};

/*!
 * One API request being handled: the query-parameter parsing every Consul endpoint shares
 * (agent/http.go parse, parseDC, parseToken, parseConsistency, parseWait), the server-side
 * preamble (datacenter routing, leader, token resolution) and the response conventions
 * (meta headers, ?pretty, error mapping).
 */
class ApiCall
{
public:
    ApiCall(ServerContext &context, HttpExchange *exchange, const QString &suffix);

    ServerContext &ctx;
    HttpExchange *exchange;
    /*! The path after the endpoint's prefix: key, session id, node, check id. */
    QString suffix;

    const HttpRequest &request() const;
    bool pretty() const;
    /*! ?token=, else X-Consul-Token, else Authorization: Bearer, else "" (the anonymous token). */
    QString token() const;
    bool tokenGiven() const { return !token().isEmpty(); }
    bool stale() const { return m_stale; }
    bool consistent() const { return m_consistent; }
    quint64 minIndex() const { return m_minIndex; }
    qint64 waitNs() const { return m_waitNs; }

    /*! parseConsistency + parseWait; answers 400 and returns false on a bad parameter. */
    bool parseQueryOptions();
    /*!
     * What an RPC meets before its handler: an unknown ?dc= ("No path to datacenter"), no
     * leader ("No cluster leader", unless a stale read allows a follower to answer).
     */
    std::optional<ApiError> route(bool staleAllowed = false);
    /*! Token resolution on the servers: "ACL not found" for an unknown secret. */
    std::optional<ApiError> resolveToken();
    /*! route() then resolveToken(), the order of nearly every RPC. */
    std::optional<ApiError> forward(bool staleAllowed = false);
    /*! The resolved token (after forward() or resolveAgentToken()), nullptr when ACLs are off. */
    const AclToken *aclToken() const { return m_aclToken; }
    /*! Token resolution on the local agent for agent endpoints. */
    std::optional<ApiError> resolveAgentToken();
    bool can(AclResource resource, const QString &name, AclAccess access) const;
    /*! nullopt when allowed, else the 403 error. */
    std::optional<ApiError> authorize(AclResource resource, const QString &name, AclAccess access, bool fromServer = true) const;

    /*! Adds the headers every wrapped response has and sends it. */
    void respond(HttpResponse response);
    void respondJson(const Json &value, int status = 200);
    void respondEmpty();
    void fail(const ApiError &error);
    HttpResponse jsonResponse(const Json &value, int status = 200) const;
    HttpResponse errorResponse(const ApiError &error) const;
    /*! setMeta: X-Consul-Index (never 0), X-Consul-Knownleader, X-Consul-Lastcontact. */
    void setMeta(HttpResponse &response, quint64 index) const;

    static HttpResponse errorResponse(const ServerContext &ctx, const ApiError &error);
    static void addCommonHeaders(const ServerContext &ctx, HttpResponse &response);
    static void setMeta(const ServerContext &ctx, bool stale, HttpResponse &response, quint64 index);

private:
    bool m_stale = false;
    bool m_consistent = false;
    quint64 m_minIndex = 0;
    qint64 m_waitNs = 0;
    const AclToken *m_aclToken = nullptr;
};

/*! strconv.ParseUint(s, 10, 64) with Go's error texts. */
bool parseUint64(const QString &text, quint64 *value, QString *error);

} // namespace jobslib::consulsim
