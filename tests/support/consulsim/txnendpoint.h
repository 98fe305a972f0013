// SPDX-License-Identifier: BSD-3-Clause
#pragma once

namespace jobslib::consulsim {

class ApiCall;
struct ServerContext;

/*!
 * PUT /v1/txn with KV operations (reference §4.6): up to 64 operations applied atomically,
 * 200 {"Results": [...], "Errors": null} or 409 {"Results": null, "Errors": [{"OpIndex", "What"}]}.
 * Lock-delay and ACLs are checked per operation before anything is applied. Node, service and
 * check operations are not simulated.
 */
class TxnEndpoint
{
public:
    explicit TxnEndpoint(ServerContext &ctx);
    void handle(ApiCall &call);

private:
    ServerContext &m_ctx;
};

} // namespace jobslib::consulsim
