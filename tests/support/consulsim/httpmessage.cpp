// SPDX-License-Identifier: BSD-3-Clause
#include "httpmessage.h"

#include "json.h"

#include <QMap>

#include <algorithm>

namespace jobslib::consulsim {

QByteArray HttpRequest::header(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

bool HttpRequest::hasHeader(const QByteArray &name) const
{
    return std::any_of(headers.cbegin(), headers.cend(), [&](const auto &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
}

bool HttpRequest::hasQuery(const QString &name) const
{
    return std::any_of(query.cbegin(), query.cend(), [&](const auto &q) { return q.first == name; });
}

QString HttpRequest::queryValue(const QString &name) const
{
    for (const auto &q : query) {
        if (q.first == name)
            return q.second;
    }
    return {};
}

namespace {

// url.QueryEscape: unreserved bytes stay, space becomes '+', everything else %XX (upper case).
QString queryEscape(const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    QByteArray out;
    static const char hex[] = "0123456789ABCDEF";
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
            out += char(c);
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    return QString::fromLatin1(out);
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

QString HttpRequest::encodedQuery() const
{
    QMap<QString, QStringList> byKey;
    for (const auto &q : query)
        byKey[q.first].append(q.second);
    QStringList parts;
    for (auto it = byKey.cbegin(); it != byKey.cend(); ++it) {
        for (const QString &v : it.value())
            parts.append(queryEscape(it.key()) + QLatin1Char('=') + queryEscape(v));
    }
    return parts.join(QLatin1Char('&'));
}

void HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    const QByteArray key = canonicalHeaderKey(name);
    for (auto &h : headers) {
        if (h.first == key) {
            h.second = value;
            return;
        }
    }
    headers.append({key, value});
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    const QByteArray key = canonicalHeaderKey(name);
    for (const auto &h : headers) {
        if (h.first == key)
            return h.second;
    }
    return {};
}

HttpResponse HttpResponse::text(int status, const QString &body)
{
    HttpResponse r;
    r.status = status;
    r.body = body.toUtf8();
    return r;
}

HttpResponse HttpResponse::json(const Json &value, bool pretty, int status)
{
    HttpResponse r;
    r.status = status;
    r.setHeader("Content-Type", "application/json");
    r.body = value.serialize(pretty);
    return r;
}

HttpResponse HttpResponse::empty(int status)
{
    HttpResponse r;
    r.status = status;
    return r;
}

QByteArray canonicalHeaderKey(const QByteArray &name)
{
    // Go leaves names with bytes outside the token set unchanged.
    for (const char c : name) {
        if (c == ' ' || c == ':' || static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e)
            return name;
    }
    QByteArray out = name;
    bool upper = true;
    for (char &c : out) {
        if (upper && c >= 'a' && c <= 'z')
            c = char(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        upper = c == '-';
    }
    return out;
}

QByteArray statusText(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Request Entity Too Large";
    case 417:
        return "Expectation Failed";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return {};
    }
}

bool percentDecode(const QByteArray &in, bool plusIsSpace, QByteArray *out)
{
    out->clear();
    out->reserve(in.size());
    for (int i = 0; i < in.size(); ++i) {
        const char c = in.at(i);
        if (c == '%') {
            if (i + 2 >= in.size())
                return false;
            const int hi = hexValue(in.at(i + 1));
            const int lo = hexValue(in.at(i + 2));
            if (hi < 0 || lo < 0)
                return false;
            out->append(char(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plusIsSpace) {
            out->append(' ');
        } else {
            out->append(c);
        }
    }
    return true;
}

QueryList parseQuery(const QByteArray &rawQuery)
{
    QueryList result;
    const QList<QByteArray> pairs = rawQuery.split('&');
    for (const QByteArray &pair : pairs) {
        if (pair.isEmpty())
            continue;
        // Go 1.17+ rejects ';' separators: such a pair is dropped.
        if (pair.contains(';'))
            continue;
        const int eq = pair.indexOf('=');
        const QByteArray rawKey = eq < 0 ? pair : pair.left(eq);
        const QByteArray rawValue = eq < 0 ? QByteArray() : pair.mid(eq + 1);
        QByteArray key;
        QByteArray value;
        if (!percentDecode(rawKey, true, &key) || !percentDecode(rawValue, true, &value))
            continue;
        result.append({QString::fromUtf8(key), QString::fromUtf8(value)});
    }
    return result;
}

} // namespace jobslib::consulsim
