// SPDX-License-Identifier: BSD-3-Clause
#include "httpexchange.h"

#include <QTimer>

#include <utility>

namespace jobslib::consulsim {

HttpExchange::HttpExchange(HttpRequest request, quint64 sequence, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
    , m_sequence(sequence)
{
}

void HttpExchange::respond(const HttpResponse &response)
{
    if (m_answered)
        return;
    m_answered = true;
    if (m_responseDelayMs > 0) {
        // The exchange is the timer's context: a client that hangs up meanwhile cancels it.
        QTimer::singleShot(m_responseDelayMs, Qt::PreciseTimer, this, [this, response] { Q_EMIT responded(response); });
        return;
    }
    Q_EMIT responded(response);
}

void HttpExchange::drop()
{
    if (m_answered)
        return;
    m_answered = true;
    Q_EMIT dropRequested();
}

} // namespace jobslib::consulsim
