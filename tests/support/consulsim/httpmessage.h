// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace jobslib::consulsim {

class Json;

using HeaderList = QList<QPair<QByteArray, QByteArray>>;
using QueryList = QList<QPair<QString, QString>>;

/*! One parsed HTTP/1.1 request, with path and query percent-decoded as Go's net/url does. */
struct HttpRequest
{
    QByteArray method;
    /*! The request-target exactly as sent. */
    QByteArray target;
    /*! URL.Path: percent-decoded ('+' stays '+'). */
    QString path;
    QByteArray rawQuery;
    /*! URL.Query(): pairs in order, '+' and %XX decoded, malformed pairs dropped as Go does. */
    QueryList query;
    QByteArray version;
    HeaderList headers;
    QByteArray body;
    /*! Content-Length, or -1 for a chunked body (Go's req.ContentLength). */
    qint64 contentLength = 0;

    /*! The first value of a header, matched case-insensitively. */
    QByteArray header(const QByteArray &name) const;
    bool hasHeader(const QByteArray &name) const;
    /*! Presence of a query key, whatever its value: Consul's flags are presence-only. */
    bool hasQuery(const QString &name) const;
    /*! The first value of a query key (url.Values.Get), empty when absent. */
    QString queryValue(const QString &name) const;
    /*! url.Values.Encode(): keys sorted, values in order, QueryEscape'd. */
    QString encodedQuery() const;
};

/*! A response; the connection adds Date, Content-Length and Go's sniffed Content-Type. */
struct HttpResponse
{
    int status = 200;
    HeaderList headers;
    QByteArray body;
    bool closeConnection = false;

    /*! Sets a header under Go's canonical spelling (X-Consul-Knownleader), replacing an earlier one. */
    void setHeader(const QByteArray &name, const QByteArray &value);
    QByteArray header(const QByteArray &name) const;

    /*! A plain-text body as Consul's error paths write it (Go sniffs text/plain; charset=utf-8). */
    static HttpResponse text(int status, const QString &body);
    /*! A JSON body with Content-Type: application/json. */
    static HttpResponse json(const Json &value, bool pretty, int status = 200);
    /*! No body and no Content-Type, as Consul's handlers that return nothing. */
    static HttpResponse empty(int status = 200);
};

/*! Go's http.CanonicalHeaderKey: "x-consul-knownleader" becomes "X-Consul-Knownleader". */
QByteArray canonicalHeaderKey(const QByteArray &name);
/*! Go's http.StatusText. */
QByteArray statusText(int status);
/*! Go's url.PathUnescape; false on a malformed escape. */
bool percentDecode(const QByteArray &in, bool plusIsSpace, QByteArray *out);
/*! Go's url.ParseQuery, keeping the order of pairs. */
QueryList parseQuery(const QByteArray &rawQuery);

} // namespace jobslib::consulsim
