// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace jobslib {

/*! The one error type of the Consul transport: an HTTP status with Consul's text, or a network failure. */
struct JOBSLIB_EXPORT ConsulError
{
    int httpStatus = 0;  ///< 0: no HTTP answer (connection refused, timeout, TLS...)
    QString message;     ///< Consul's plain-text body, or the network error
    bool timedOut = false;

    bool isNetwork() const { return httpStatus == 0; }
    bool isPermission() const { return httpStatus == 403; }
    /*! "500 invalid session \"...\"" or "network: connection refused", for logs. */
    QString describe() const;
};

/*! A KV entry as Consul returns it (the Value decoded from base64). */
struct JOBSLIB_EXPORT KvEntry
{
    QString key;
    QByteArray value;
    bool valueIsNull = true;
    QString session; ///< empty when not locked
    quint64 lockIndex = 0;
    quint64 createIndex = 0;
    quint64 modifyIndex = 0;
    quint64 flags = 0;
};

/*! A KV read: the entry (none for a 404) and X-Consul-Index for the next blocking query. */
struct JOBSLIB_EXPORT KvRead
{
    std::optional<KvEntry> entry;
    quint64 index = 0;
};

/*! The answer to a transaction (PUT /v1/txn): committed, or rolled back with Consul's reasons. */
struct JOBSLIB_EXPORT TxnAnswer
{
    bool committed = false;
    QStringList errors; ///< the Errors' "What" texts of a rolled-back transaction (409)
};

struct JOBSLIB_EXPORT SessionInfo
{
    QString id;
    QString name;
    QString node;
    QString ttl;
    QString behavior;
    qint64 lockDelayNs = 0;
};

/*! Where and how to reach Consul. */
struct JOBSLIB_EXPORT ConsulEndpoint
{
    QUrl baseUrl = QUrl(QStringLiteral("http://127.0.0.1:8500"));
    QByteArray token;        ///< sent as X-Consul-Token; never logged
    QString datacenter;      ///< ?dc= on every request when set
    int timeoutMs = 5000;    ///< per request; blocking queries add their wait
    QString caFile;          ///< PEM bundle for https
    bool verifyTls = true;
};

} // namespace jobslib
