// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace jobslib::test::freeze {

/*!
 * The lock backend the freeze scenarios run against, and its timing. The test of each backend
 * starts what the backend needs (the Consul simulator, an etcd member, nothing) and fills this in.
 */
struct Backend
{
    enum class Kind { Consul, Etcd, File };
    Kind kind = Kind::File;
    QString consulAddress; ///< Consul: the simulator, "127.0.0.1:PORT"
    QString etcdEndpoints; ///< etcd: the members' client URLs, comma-separated
    int ttlS = 0;          ///< the TTL of the Consul session or etcd lease; 0 for the file lock
    int lockDelayS = 0;    ///< Consul's lock-delay
    /*!
     * How long a freeze lasts at least: past the moment the server frees a frozen holder's lock
     * (the simulator's TTL x multiplier + lock-delay; etcd's TTL + its 0.5 s expiry check), so that
     * a standby really takes over meanwhile. For the file lock, which has no TTL, several of the
     * standby's attempts.
     */
    qint64 freezeMs = 0;
    /*! How long release-lock's fence keeps the lock from everybody (the server's expiry of it). */
    qint64 fenceMs = 0;
    /*!
     * The sleep interval of a keep-lock holder frozen while sleeping: short enough that its sleep
     * timer is due before its lease's renewal timer (LeaseKeeper::renewIntervalMs() after the acquisition), which is what
     * made the stale run happen (issue 15).
     */
    QString holderSleep = QStringLiteral("1");

    QString name() const;
    bool hasLease() const { return kind != Kind::File; }
    /*! Handover requests and release-lock's fence need a key-value store. */
    bool hasKvStore() const { return kind != Kind::File; }
};

/*! What one scenario found. */
struct Outcome
{
    QString scenario;
    QString failure;      ///< empty when the scenario passed
    QStringList timeline; ///< what happened, with seconds since the scenario started
    QString diagnostics;  ///< on failure: every process's output and the journal
    qint64 wallMs = 0;
};

/*! The scenarios that apply to the backend, in a fixed order. */
QStringList scenarioNames(const Backend &backend);
/*!
 * scenarioNames(), or those of them named in the environment variable JOBSLIB_FREEZE_SCENARIOS
 * (comma-separated), for a developer who reruns one. (JOBSLIB_FREEZE_VERBOSE=1 runs runjob with
 * -v; JOBSLIB_TEST_VERBOSE=1 prints every scenario's outputs and journal, not only a failure's.)
 */
QStringList selectedScenarios(const Backend &backend);
/*!
 * Runs the scenarios at the same time, each in a thread of its own with its own runjob
 * instances, lock key (or file), journal and flock detector in a subdirectory of directory.
 * Returns when all are over (each ends by its own deadlines); the caller's event loop runs meanwhile.
 */
QList<Outcome> runConcurrently(const Backend &backend, const QStringList &scenarios, const QString &directory);
/*! Logs every outcome (timeline with qInfo, a failure's diagnostics with qWarning); returns one line per failure. */
QStringList report(const QList<Outcome> &outcomes);
/*!
 * The runjob the scenarios run: $JOBSLIB_FREEZE_RUNJOB when set (to run these tests against
 * another build, e.g. the code before a fix with only the test hook added), else the build's.
 */
QString runjobProgram();

} // namespace jobslib::test::freeze
