// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "runjobprocess.h"
#include "taskjournal.h"

#include <QMap>
#include <QString>

#include <memory>
#include <optional>

namespace jobslib::test {

/*! The runjob instances of a multi-process lock test, by name (the $INSTANCE of their journal lines). */
using Instances = QMap<QString, std::shared_ptr<RunjobProcess>>;

/*!
 * The steps the Consul and etcd handover tests share (network locks: standbys are woken when the
 * key goes and all contend). Each returns what
 * it found and, when it fails, says why in *error (tests QVERIFY2 on it).
 */
namespace HandoverScenario {

/*!
 * Waits until the journal has `starts` task starts, the newest holder logged "lock is kept" and
 * every other instance logged that it could not acquire the lock from it ("<holder>.test"; the
 * instances' JOBSLIB_FQDN is "<name>.test"). The holder's name, or "" with *error.
 */
QString waitForHolderAndStandbys(const Instances &instances, const TaskJournal &journal, int starts, int timeoutMs, QString *error);

/*!
 * Sends `signal` to the holder, waits for its exit and removes it from instances, then waits
 * (timeoutMs) for the journal's start number `starts`. The ms from the signal to that start (what
 * an operator sees between `systemctl stop` or a crash and the next run), or nothing with *error.
 * Measured from the signal, not the exit: a holder releases before it exits, and a slow exit
 * (LeakSanitizer's check at exit) must neither count nor make the takeover look early.
 */
std::optional<qint64> takeover(Instances &instances, const QString &holder, int signal, const TaskJournal &journal, int starts, int timeoutMs, QString *error);

} // namespace HandoverScenario

} // namespace jobslib::test
