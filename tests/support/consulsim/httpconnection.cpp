// SPDX-License-Identifier: BSD-3-Clause
#include "httpconnection.h"

#include "httpexchange.h"

#include <QDateTime>
#include <QLocale>
#include <QTcpSocket>

#include <algorithm>

namespace jobslib::consulsim {

namespace {

// Go's http.DefaultMaxHeaderBytes plus the slack net/http allows.
constexpr int MaxHeaderBytes = (1 << 20) + 4096;
// Far above Consul's 512 KiB KV limit, so that limit is what clients meet; this only stops runaways.
constexpr qint64 MaxBodyBytes = 64 * 1024 * 1024;

quint64 g_sequence = 0;

// Go's http.TimeFormat.
QByteArray httpDate()
{
    return QLocale::c().toString(QDateTime::currentDateTimeUtc(), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'")).toLatin1();
}

// The first line ending in buffer from pos; its length without the terminator, or -1 if incomplete.
int lineEnd(const QByteArray &buffer, int pos, int *next)
{
    const int nl = buffer.indexOf('\n', pos);
    if (nl < 0)
        return -1;
    *next = nl + 1;
    return (nl > pos && buffer.at(nl - 1) == '\r') ? nl - 1 : nl;
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
}

HttpConnection::~HttpConnection()
{
    delete m_exchange.data();
}

void HttpConnection::abort()
{
    m_state = State::Closing;
    // What is already written (a control request's own answer) still goes out.
    m_socket->flush();
    m_socket->abort();
    onDisconnected();
}

void HttpConnection::onReadyRead()
{
    m_buffer += m_socket->readAll();
    process();
}

void HttpConnection::onDisconnected()
{
    if (m_closed)
        return;
    m_closed = true;
    m_state = State::Closing;
    // The client is gone: a parked exchange must vanish so its waiter stops.
    if (m_exchange)
        m_exchange->deleteLater();
    m_exchange.clear();
    disconnect(m_socket, nullptr, this, nullptr);
    Q_EMIT closed();
    deleteLater();
}

void HttpConnection::process()
{
    for (;;) {
        switch (m_state) {
        case State::Waiting:
        case State::Closing:
            return;
        case State::Head: {
            // Tolerate empty lines before a request line, as RFC 9112 asks.
            while (m_buffer.startsWith("\r\n") || m_buffer.startsWith('\n'))
                m_buffer.remove(0, m_buffer.startsWith('\n') ? 1 : 2);
            int pos = 0;
            int headEnd = -1;
            for (;;) {
                int next = 0;
                const int end = lineEnd(m_buffer, pos, &next);
                if (end < 0)
                    break;
                if (end == pos) {
                    headEnd = next;
                    break;
                }
                pos = next;
            }
            if (headEnd < 0) {
                if (m_buffer.size() > MaxHeaderBytes)
                    failAndClose(431, "431 Request Header Fields Too Large");
                return;
            }
            const QByteArray head = m_buffer.left(headEnd);
            m_buffer.remove(0, headEnd);
            if (!parseHead(head))
                return;
            startBody();
            break;
        }
        case State::Body: {
            const qint64 take = std::min<qint64>(m_remaining, m_buffer.size());
            m_request.body += m_buffer.left(int(take));
            m_buffer.remove(0, int(take));
            m_remaining -= take;
            if (m_remaining > 0)
                return;
            dispatch();
            break;
        }
        case State::ChunkSize: {
            int next = 0;
            const int end = lineEnd(m_buffer, 0, &next);
            if (end < 0)
                return;
            QByteArray sizeText = m_buffer.left(end);
            m_buffer.remove(0, next);
            const int ext = sizeText.indexOf(';');
            if (ext >= 0)
                sizeText.truncate(ext);
            bool ok = false;
            const qint64 size = sizeText.trimmed().toLongLong(&ok, 16);
            if (!ok || size < 0) {
                failAndClose(400, "400 Bad Request");
                return;
            }
            if (m_request.body.size() + size > MaxBodyBytes) {
                failAndClose(413, "413 Request Entity Too Large");
                return;
            }
            if (size == 0) {
                m_state = State::ChunkTrailer;
            } else {
                m_remaining = size;
                m_state = State::ChunkData;
            }
            break;
        }
        case State::ChunkData: {
            // The chunk's data and its CRLF.
            if (m_buffer.size() < m_remaining + 1)
                return;
            m_request.body += m_buffer.left(int(m_remaining));
            m_buffer.remove(0, int(m_remaining));
            int next = 0;
            const int end = lineEnd(m_buffer, 0, &next);
            if (end < 0)
                return; // wait for the CRLF; the data is already taken
            m_buffer.remove(0, next);
            m_remaining = 0;
            m_state = State::ChunkSize;
            break;
        }
        case State::ChunkTrailer: {
            int next = 0;
            const int end = lineEnd(m_buffer, 0, &next);
            if (end < 0)
                return;
            m_buffer.remove(0, next);
            if (end == 0)
                dispatch();
            break;
        }
        }
    }
}

bool HttpConnection::parseHead(const QByteArray &head)
{
    m_request = HttpRequest();
    QList<QByteArray> lines;
    int pos = 0;
    for (;;) {
        int next = 0;
        const int end = lineEnd(head, pos, &next);
        if (end < 0 || end == pos)
            break;
        lines.append(head.mid(pos, end - pos));
        pos = next;
    }
    if (lines.isEmpty()) {
        failAndClose(400, "400 Bad Request");
        return false;
    }
    const QList<QByteArray> parts = lines.first().split(' ');
    if (parts.size() != 3 || parts.at(0).isEmpty() || parts.at(1).isEmpty()) {
        failAndClose(400, "400 Bad Request: malformed HTTP request " + lines.first().left(100));
        return false;
    }
    m_request.method = parts.at(0);
    m_request.target = parts.at(1);
    m_request.version = parts.at(2);
    if (m_request.version != "HTTP/1.1" && m_request.version != "HTTP/1.0") {
        if (m_request.version.startsWith("HTTP/"))
            failAndClose(505, "505 HTTP Version Not Supported: unsupported protocol version");
        else
            failAndClose(400, "400 Bad Request: malformed HTTP version " + m_request.version.left(100));
        return false;
    }
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const int colon = line.indexOf(':');
        if (colon <= 0 || line.left(colon).contains(' ')) {
            failAndClose(400, "400 Bad Request: malformed MIME header line: " + line.left(100));
            return false;
        }
        m_request.headers.append({line.left(colon), line.mid(colon + 1).trimmed()});
    }
    if (m_request.version == "HTTP/1.1" && !m_request.hasHeader("Host")) {
        failAndClose(400, "400 Bad Request: missing required Host header");
        return false;
    }

    // The target: origin-form, or absolute-form from a proxy-style client.
    QByteArray target = m_request.target;
    if (target.startsWith("http://") || target.startsWith("https://")) {
        const int slash = target.indexOf('/', target.indexOf("//") + 2);
        target = slash < 0 ? QByteArray("/") : target.mid(slash);
    } else if (!target.startsWith('/') && target != "*") {
        failAndClose(400, "400 Bad Request: invalid URI");
        return false;
    }
    const int q = target.indexOf('?');
    const QByteArray rawPath = q < 0 ? target : target.left(q);
    m_request.rawQuery = q < 0 ? QByteArray() : target.mid(q + 1);
    QByteArray path;
    if (!percentDecode(rawPath, false, &path)) {
        failAndClose(400, "400 Bad Request: invalid URI");
        return false;
    }
    m_request.path = QString::fromUtf8(path);
    m_request.query = parseQuery(m_request.rawQuery);

    const QByteArray connection = m_request.header("Connection").toLower();
    if (m_request.version == "HTTP/1.0")
        m_keepAlive = connection.contains("keep-alive");
    else
        m_keepAlive = !connection.contains("close");
    return true;
}

void HttpConnection::startBody()
{
    const bool chunked = m_request.header("Transfer-Encoding").toLower().contains("chunked");
    const QByteArray lengthText = m_request.header("Content-Length");
    qint64 length = 0;
    if (chunked) {
        m_request.contentLength = -1;
    } else if (!lengthText.isEmpty()) {
        bool ok = false;
        length = lengthText.toLongLong(&ok);
        if (!ok || length < 0) {
            failAndClose(400, "400 Bad Request: bad Content-Length");
            return;
        }
        if (length > MaxBodyBytes) {
            failAndClose(413, "413 Request Entity Too Large");
            return;
        }
        m_request.contentLength = length;
    }
    if ((chunked || length > 0) && m_request.header("Expect").toLower() == "100-continue")
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    if (chunked) {
        m_state = State::ChunkSize;
    } else if (length > 0) {
        m_remaining = length;
        m_state = State::Body;
    } else {
        dispatch();
    }
}

void HttpConnection::dispatch()
{
    m_state = State::Waiting;
    auto *exchange = new HttpExchange(std::move(m_request), ++g_sequence, this);
    m_request = HttpRequest();
    m_exchange = exchange;
    connect(exchange, &HttpExchange::responded, this, &HttpConnection::writeResponse);
    connect(exchange, &HttpExchange::dropRequested, this, &HttpConnection::onExchangeDropped);
    Q_EMIT requestReady(exchange);
}

void HttpConnection::failAndClose(int status, const QByteArray &body)
{
    m_state = State::Closing;
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + statusText(status) + "\r\n";
    out += "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n";
    out += body;
    m_socket->write(out);
    m_socket->disconnectFromHost();
}

void HttpConnection::writeResponse(const HttpResponse &response)
{
    if (m_state != State::Waiting)
        return;
    const bool head = m_exchange && m_exchange->request().method == "HEAD";
    const bool http10 = m_exchange && m_exchange->request().version == "HTTP/1.0";
    const bool close = !m_keepAlive || response.closeConnection;

    // Go writes the handler's headers sorted by name, then its own: Content-Type (sniffed),
    // Connection, Date, Content-Length.
    HeaderList headers = response.headers;
    std::stable_sort(headers.begin(), headers.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ';
    const QByteArray reason = statusText(response.status);
    out += reason.isEmpty() ? "status code " + QByteArray::number(response.status) : reason;
    out += "\r\n";
    bool hasContentType = false;
    for (const auto &h : headers) {
        hasContentType = hasContentType || h.first == "Content-Type";
        out += h.first + ": " + h.second + "\r\n";
    }
    if (!hasContentType && !response.body.isEmpty())
        out += "Content-Type: text/plain; charset=utf-8\r\n";
    if (close)
        out += "Connection: close\r\n";
    else if (http10)
        out += "Connection: keep-alive\r\n";
    out += "Date: " + httpDate() + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n\r\n";
    if (!head)
        out += response.body;
    m_socket->write(out);

    if (m_exchange)
        m_exchange->deleteLater();
    m_exchange.clear();
    if (close) {
        m_state = State::Closing;
        m_socket->disconnectFromHost();
        return;
    }
    m_state = State::Head;
    // A pipelined request may already be buffered; handle it after this call returns, so the
    // responder is never re-entered.
    QMetaObject::invokeMethod(this, &HttpConnection::process, Qt::QueuedConnection);
}

void HttpConnection::onExchangeDropped()
{
    abort();
}

} // namespace jobslib::consulsim
