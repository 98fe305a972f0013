// SPDX-License-Identifier: BSD-3-Clause
#pragma once

namespace jobslib::consulsim {

class ApiCall;
struct ServerContext;

/*! The catalog's health view (/v1/health/{checks,state,node,service}) and /v1/status/{leader,peers}. */
class HealthEndpoint
{
public:
    explicit HealthEndpoint(ServerContext &ctx);

    void serviceChecks(ApiCall &call);
    void state(ApiCall &call);
    void node(ApiCall &call);
    void service(ApiCall &call);
    void leader(ApiCall &call);
    void peers(ApiCall &call);

private:
    enum class Kind { ServiceChecks, State, Node, Service };
    void read(ApiCall &call, Kind kind);

    ServerContext &m_ctx;
};

} // namespace jobslib::consulsim
