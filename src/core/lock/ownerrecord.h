// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"
#include "util/expected.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace jobslib {

/*!
 * The record a lock holder writes into the lock (and liveness writes after a success). The first
 * four fields are Python jobslib's, in its order and byte format (json.dumps defaults: ", " and
 * ": " separators, ASCII only), so Python tools read ours and we read theirs.
 */
struct JOBSLIB_EXPORT OwnerRecord
{
    QString fqdn;
    qint64 timestamp = 0; ///< integer UTC epoch seconds
    QString timeUtc;      ///< "YYYY-MM-DD HH:MM:SS"
    QString timeLocal;
    // jobslib (C++) additions; absent in Python records.
    qint64 pid = 0;
    QString datacenter;
    QString version;
    quint64 fencingToken = 0;

    /*! A record for "now" with the time fields filled in. */
    static OwnerRecord now(const QString &fqdn, const QDateTime &utcNow);
    QByteArray toJson() const;
    /*! Accepts Python's records (four fields) and ours; the value must be a JSON object. */
    static Expected<OwnerRecord> fromJson(const QByteArray &json);
};

/*! A string as Python's json.dumps writes it (quotes included, non-ASCII as \uXXXX). */
JOBSLIB_EXPORT QByteArray pythonJsonString(const QString &s);
/*! "YYYY-MM-DD HH:MM:SS" */
JOBSLIB_EXPORT QString pythonTimeText(const QDateTime &t);

} // namespace jobslib
