// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QString>

namespace jobslib::consulsim {

class ApiCall;
struct ServerContext;

/*! The local agent's endpoints: /v1/agent/check/..., /v1/agent/checks, /v1/agent/service/..., /v1/agent/services, /v1/agent/self. */
class AgentEndpoint
{
public:
    explicit AgentEndpoint(ServerContext &ctx);

    void registerCheck(ApiCall &call);
    /*! pass, warn, fail: status from the path, Output from ?note=. */
    void ttlUpdate(ApiCall &call, const QString &status);
    /*! update: {"Status", "Output"} in the body. */
    void checkUpdate(ApiCall &call);
    void deregisterCheck(ApiCall &call);
    void checks(ApiCall &call);
    void registerService(ApiCall &call);
    void deregisterService(ApiCall &call);
    void services(ApiCall &call);
    void self(ApiCall &call);

private:
    /*! vetCheckUpdate + updateTTLCheck, shared by pass/warn/fail/update. */
    void applyTtlUpdate(ApiCall &call, const QString &checkId, const QString &status, const QString &output);
    /*! The 404 of the newer agents for an unknown check id; false when the check exists. */
    bool unknownCheck(ApiCall &call, const QString &checkId);

    ServerContext &m_ctx;
};

} // namespace jobslib::consulsim
