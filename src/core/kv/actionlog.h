// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "kvstore.h"

namespace jobslib {

/*!
 * The keys an operator's actions use beside a lock key, in both Consul and etcd:
 *   <lock key>/handover       a pending handover request (HandoverRequest JSON), at most one
 *   <lock key>/events/<id>    the action log (ActionRecord JSON), id = 13-digit epoch ms + "-" + random
 * They sit under the lock key so that one prefix watch of the lock key sees all of them.
 */
JOBSLIB_EXPORT QString handoverKey(const QString &lockKey);
JOBSLIB_EXPORT QString eventsPrefix(const QString &lockKey);

/*! "Please hand the lock over after your current run" (the dashboard's Request handover). */
struct JOBSLIB_EXPORT HandoverRequest
{
    QString requestedBy;  ///< "user@host" of whoever asked
    qint64 timeMs = 0;    ///< UTC epoch ms
    QString reason;

    QByteArray toJson() const;
    static Expected<HandoverRequest> fromJson(const QByteArray &json);
};

/*! One entry of the action log: who did what, when, to which holder, with which outcome. */
struct JOBSLIB_EXPORT ActionRecord
{
    QString action;   ///< "release-lock", "request-handover", "handover", ...
    QString who;      ///< "user@host" (an operator) or "runjob@fqdn:pid"
    qint64 timeMs = 0;///< UTC epoch ms
    QString job;      ///< lock key or job name
    QString target;   ///< the holder acted on ("host pid 123, token 7"), may be ""
    QString outcome;  ///< "requested", "done", "failed"
    QString detail;   ///< free text (an error, what happened)

    QByteArray toJson() const;
    static Expected<ActionRecord> fromJson(const QByteArray &json);
};

/*! "user@host" of this process, for ActionRecord::who and HandoverRequest::requestedBy. */
JOBSLIB_EXPORT QString currentActor();

/*!
 * Appends record under eventsPrefix(lockKey) and prunes the log to the newest keep entries.
 * done(true) once the record is stored (pruning is best effort).
 */
JOBSLIB_EXPORT void recordAction(KvStore &store, const QString &lockKey, const ActionRecord &record, QObject *context,
                                 KvStore::Done<bool> done, int keep = 200);

} // namespace jobslib
