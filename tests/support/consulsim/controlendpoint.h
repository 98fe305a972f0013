// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QJsonObject>
#include <QString>

namespace jobslib::consulsim {

class ConsulSimulator;
class HttpExchange;

/*!
 * The simulator's own HTTP API under /_sim/ (a prefix real Consul does not have), so tests in
 * other processes (Python, runjob end-to-end tests) can drive the same faults as the C++ API.
 * Parameters come as a JSON body or as query parameters; see README.md. It is not subject to
 * ACLs, faults or the request log.
 */
class ControlEndpoint
{
public:
    explicit ControlEndpoint(ConsulSimulator *simulator);
    void handle(HttpExchange *exchange);

private:
    ConsulSimulator *m_sim;
};

} // namespace jobslib::consulsim
