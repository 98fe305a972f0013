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
    QString fqdn;         ///< the writer's host name: the fqdn option, else as Python's socket.getfqdn()
    qint64 timestamp = 0; ///< integer UTC epoch seconds
    QString timeUtc;      ///< "YYYY-MM-DD HH:MM:SS"
    QString timeLocal;    ///< the same second in the writer's local time zone, same format
    // jobslib (C++) additions; absent in Python records.
    qint64 pid = 0;       ///< process id of the writing runjob; 0: unknown, not written
    QString datacenter;   ///< the writer's datacenter option; "": not set, not written
    QString version;      ///< libjobslib version of a lock holder; "" (not written) in liveness records
    /*!
     * The token of the lock acquisition (LockOwner::fencingToken); 0: unknown, not written. An
     * etcd holder writes 0; readers take the token from the key's create revision.
     */
    quint64 fencingToken = 0;
    /*!
     * The holder's task.kill_grace in seconds: how long its task may take to stop once told to.
     * release-lock keeps the lock fenced at least that long. 0: unknown, not written.
     */
    double killGrace = 0;

    /*! A record for "now" with the time fields filled in. */
    static OwnerRecord now(const QString &fqdn, const QDateTime &utcNow);
    /*!
     * The record in Python's byte format: the four Python fields always, in Python's order, then
     * each jobslib field only when set (non-zero, non-empty). No trailing newline.
     */
    QByteArray toJson() const;
    /*! Accepts Python's records (four fields) and ours; the value must be a JSON object. */
    static Expected<OwnerRecord> fromJson(const QByteArray &json);
};

/*! A string as Python's json.dumps writes it (quotes included, non-ASCII as `\uXXXX`). */
JOBSLIB_EXPORT QByteArray pythonJsonString(const QString &s);
/*! "YYYY-MM-DD HH:MM:SS" */
JOBSLIB_EXPORT QString pythonTimeText(const QDateTime &t);

} // namespace jobslib
