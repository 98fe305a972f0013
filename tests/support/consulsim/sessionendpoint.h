// SPDX-License-Identifier: BSD-3-Clause
#pragma once

namespace jobslib::consulsim {

class ApiCall;
struct ServerContext;

/*! /v1/session/{create,destroy,renew,info,list,node}. */
class SessionEndpoint
{
public:
    explicit SessionEndpoint(ServerContext &ctx);

    void create(ApiCall &call);
    void destroy(ApiCall &call);
    void renew(ApiCall &call);
    void info(ApiCall &call);
    void list(ApiCall &call);
    void node(ApiCall &call);

private:
    enum class ReadKind { Info, List, Node };
    void read(ApiCall &call, ReadKind kind);

    ServerContext &m_ctx;
};

} // namespace jobslib::consulsim
