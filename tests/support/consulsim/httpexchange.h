// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "httpmessage.h"

#include <QObject>

namespace jobslib::consulsim {

/*!
 * One request waiting for its answer. Handlers may answer at once or much later (blocking
 * queries, injected delays), or never (blackhole). The connection owns the exchange and
 * deletes it when the answer is written or the client goes away, so whoever parks an exchange
 * holds a QPointer and listens to destroyed().
 */
class HttpExchange : public QObject
{
    Q_OBJECT
public:
    HttpExchange(HttpRequest request, quint64 sequence, QObject *parent);

    const HttpRequest &request() const { return m_request; }
    /*! Numbers requests in arrival order, across connections. */
    quint64 sequence() const { return m_sequence; }
    bool isAnswered() const { return m_answered; }

    /*! Holds every response back this long after it is given (a slow network or server). */
    void setResponseDelay(int ms) { m_responseDelayMs = ms; }
    /*! Sends the response; later calls are ignored (a timeout racing a wake-up, say). */
    void respond(const HttpResponse &response);
    /*! Closes the connection without answering, like a server that died mid-request. */
    void drop();

Q_SIGNALS:
    void responded(const jobslib::consulsim::HttpResponse &response);
    void dropRequested();

private:
    HttpRequest m_request;
    quint64 m_sequence = 0;
    bool m_answered = false;
    int m_responseDelayMs = 0;
};

} // namespace jobslib::consulsim
