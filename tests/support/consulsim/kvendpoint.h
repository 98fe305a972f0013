// SPDX-License-Identifier: BSD-3-Clause
#pragma once

namespace jobslib::consulsim {

class ApiCall;
struct ServerContext;

/*! /v1/kv/<key>: GET (single, recurse, keys, raw, blocking), PUT (set, flags, cas, acquire, release), DELETE. */
class KvEndpoint
{
public:
    explicit KvEndpoint(ServerContext &ctx);
    void handle(ApiCall &call);

private:
    void get(ApiCall &call);
    void keys(ApiCall &call);
    void put(ApiCall &call);
    void remove(ApiCall &call);

    ServerContext &m_ctx;
};

} // namespace jobslib::consulsim
