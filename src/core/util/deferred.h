// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QMetaObject>
#include <QObject>

#include <utility>

namespace jobslib {

/*!
 * Runs fn on the next event loop turn of receiver's thread. Asynchronous operations that can
 * finish at once report through this, so callers always get their signal after the call
 * returned (never re-entrantly), as KJob's contract.
 */
template<typename Fn>
void deferred(QObject *receiver, Fn &&fn)
{
    QMetaObject::invokeMethod(receiver, std::forward<Fn>(fn), Qt::QueuedConnection);
}

} // namespace jobslib
