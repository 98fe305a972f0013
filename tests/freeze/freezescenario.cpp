// SPDX-License-Identifier: BSD-3-Clause
// "Freeze anywhere" (issue 15): an instance stopped (SIGSTOP) in any state for longer than the
// lock server needs to free its lock, then continued, must neither run its task beside the new
// holder nor hang, and must go back to contending for the lock as any standby does.
//
// Each scenario has its own pair (or trio) of real runjob processes on a lock key (or file) of its
// own, and a journal: every task run writes "start" and "end" lines with its instance, fencing
// token, wall-clock ms and shell pid, under a second, independent lock (flock -n) that writes
// OVERLAP when it is taken. A run stopped by SIGTERM still writes its end (a trap); a run killed
// by SIGKILL (jobslib-guard at the lease deadline) does not, and its end is when the test found
// its shell gone (polled every turn of every wait). At the end, whatever happened in between:
// no OVERLAP line, no two runs' start..end intervals intersecting, fencing tokens never going
// back, no task outliving its runjob, every runjob stopped by SIGTERM with 143.
//
// The freeze comes from the test hook JOBSLIB_TEST_FREEZE_AT=POINT[:N] (runjob stops itself the
// N-th time it reaches POINT) where the state is too short to hit from outside, or from SIGSTOP
// sent by the test after a log line (the handover yield, jobslib-guard). One scenario per network
// lock also holds back, in a relay, what the server sends the frozen instance until after its
// thaw, as a VM pause does (sleepingWithLock()).
#include "freezescenario.h"

#include "processstate.h"
#include "runjobprocess.h"
#include "taskjournal.h"
#include "tcprelay.h"
#include "testcontext.h"
#include "testutil.h"

#include "app/backendregistry.h"
#include "kv/actionlog.h"
#include "kv/kvstore.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QNetworkAccessManager>
#include <QRegularExpression>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <csignal>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace jobslib::test::freeze {

namespace {

// Deadlines of the steps (not sleeps: each wait ends as soon as its condition holds). Generous,
// since a dozen scenarios and another test executable share two cores.
constexpr qint64 StartTimeoutMs = 20000;      ///< a runjob's first run, a first refusal
constexpr qint64 HookTimeoutMs = 30000;       ///< reaching the freeze point
constexpr qint64 TakeoverSlackMs = 15000;     ///< beyond the freeze, for the takeover to show
constexpr qint64 ExitTimeoutMs = 15000;       ///< SIGTERM to exit: kill grace 2 s, the release, the metrics flush (5 s at most)
constexpr qint64 ContentionTimeoutMs = 20000; ///< after the thaw, or after the holder stopped
constexpr qint64 ReleaseLockTimeoutMs = 20000;
constexpr qint64 FenceSlackMs = 1500;         ///< a fence's expiry is this late at most (etcd checks every 0.5 s)
constexpr int LateNewsMs = 1000;              ///< how long after its thaw a "VM-paused" instance hears from the server

// A run short enough to end between two events, and runs that outlast any freeze.
const QString Short = QStringLiteral("0.3");
const QString Long = QStringLiteral("30");
const QString VeryLong = QStringLiteral("60");

const QString A = QStringLiteral("a");
const QString B = QStringLiteral("b");
const QString C = QStringLiteral("c");

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QStringList keepLock(const QString &sleep)
{
    return {QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), sleep};
}

QStringList releasingAfterEachRun(const QString &sleep)
{
    return {QStringLiteral("--sleep-interval"), sleep};
}

/*! What the runner logs when owner (an instance's name) holds the lock. */
QString refusal(const QString &owner)
{
    return QStringLiteral("Can't acquire lock (lock owner is ") + owner + QStringLiteral(".test");
}

/*! A process's state for a message: its /proc state letter, or "gone". */
QString stateOf(qint64 pid)
{
    const char state = processState(pid);
    return state ? QString(QLatin1Char(state)) : QStringLiteral("gone");
}

/*! A failed step; ends the scenario (the clean-up and the journal check still run). */
struct Failure
{
    QString message;
};

/*!
 * The task: TaskJournal's line format and flock detector, plus an end line when the run is
 * stopped by a signal (the interval check then knows exactly when it ended), and OVERLAP only when
 * flock found the detector taken (exit 75), not when the run was stopped.
 */
QString workScript(const QString &journal, const QString &check, const QString &seconds)
{
    // Concatenated, not arg()ed: date's "%3N" would be taken for a marker.
    const QString line = QStringLiteral("e() { echo $1 $INSTANCE $JOBSLIB_FENCING_TOKEN $(date +%s%3N) $$ >> ") + journal + QStringLiteral("; }; ");
    // sleep in the background and wait for it: a trap runs at once, not after the sleep.
    const QString body = line + QStringLiteral("trap \"kill \\$s 2>/dev/null; e end; exit 143\" TERM INT HUP; e start; sleep ") + seconds
        + QStringLiteral(" & s=$!; wait $s; e end");
    return QStringLiteral("flock -n -E 75 ") + check + QStringLiteral(" sh -c '") + body
        + QStringLiteral("'; [ $? -ne 75 ] || echo OVERLAP $INSTANCE $JOBSLIB_FENCING_TOKEN $(date +%s%3N) 0 >> ") + journal;
}

class Scenario
{
public:
    Scenario(const Backend &backend, const QString &name, const QString &directory);
    ~Scenario();

    Outcome run();

private:
    struct Instance
    {
        QString name;
        std::shared_ptr<RunjobProcess> process;
        qint64 pid = 0;
        qint64 termMs = 0;        ///< when SIGTERM was sent; 0 before
        bool exited = false;
        qsizetype outputAtThaw = 0;
    };

    void dispatch();
    // The scenarios (see scenarioNames()).
    void acquiring();
    void acquiringKept();
    void running();
    void releasing();
    void writingLiveness();
    void sleepingWithLock(bool lateNews);
    void sleepingWithoutLock();
    void handoverYield();
    void standby();
    void guardFrozen(bool stopRunjobMeanwhile);
    void releaseLockFrozen(const QString &point);

    // Steps; each throws Failure when it fails.
    [[noreturn]] void fail(const QString &why) const { throw Failure{why}; }
    void check(bool ok, const QString &why) const
    {
        if (!ok)
            fail(why);
    }
    void note(const QString &what);
    QProcessEnvironment environment(const QString &name, bool liveness = false, bool viaRelay = false) const;
    Instance &start(const QString &name, const QStringList &loop, const QString &work, const QString &freezeAt = QString(), bool liveness = false,
                    bool viaRelay = false);
    /*! m_relay, to the lock server: instances started viaRelay talk to the server through it. */
    void startRelay();
    Instance &instance(const QString &name);
    QString output(const QString &name) { return instance(name).process->output(); }
    QList<Instance *> alive();
    /*! QTest::qWaitFor that also keeps track of the tasks' deaths. */
    bool waitFor(const std::function<bool()> &condition, qint64 timeoutMs);
    void pollTasks();
    QList<JournalEntry> starts(const QString &name = QString(), qint64 afterMs = std::numeric_limits<qint64>::min()) const;
    JournalEntry waitForStart(const QString &name, qint64 afterMs, qint64 timeoutMs, const QString &why);
    qint64 lastJournalMs(const QString &name) const;
    void waitForOutput(const QString &name, const QString &text, qsizetype from, qint64 timeoutMs, const QString &why);
    qint64 freezeAtHook(RunjobProcess &process, const QString &who, const QString &point);
    qint64 stopProcess(qint64 pid, const QString &who);
    void thaw(qint64 pid, const QString &who);
    /*!
     * The freeze itself: waits until holdMs have passed since frozenAt. With takers, one of them
     * must start a run (after afterMs) meanwhile, or within TakeoverSlackMs after: the lock
     * changed hands during the freeze. Returns that run's start.
     */
    JournalEntry holdFrozen(qint64 pid, const QString &who, qint64 frozenAt, qint64 holdMs, const QStringList &takers, qint64 afterMs);
    /*! The frozen holder kept the lock (file lock, frozen guard): nobody else ran, and other was refused by it. */
    void checkHeldThroughFreeze(const QString &holder, const QString &other, qint64 frozenAt, qsizetype otherFrom);
    /*!
     * The freeze of holder a (pid), b its standby (its output from bFrom on): with a lease lock b
     * must take over meanwhile (after a's last run); a file lock stays a's, and b is refused by it.
     */
    void holdHolderFrozen(qint64 pid, qint64 frozenAt, qsizetype bFrom);
    void terminate(const QStringList &names);
    /*! The instance that holds the lock, as `runjob lock-info` says. */
    QString lockHolder();
    /*!
     * After the thaw: the frozen instance contends as usual (it is refused by the holder, or runs,
     * or still holds); whoever holds the lock stops on SIGTERM and another instance (the frozen
     * one, when it was not the holder) takes it and runs; every instance stops on SIGTERM.
     */
    void settle(const QString &frozen);
    bool requestHandover(QString *error);
    void cleanUp(QStringList *problems);
    QStringList journalViolations();
    QString diagnostics() const;

    const Backend m_backend;
    const QString m_name;
    const QString m_dir;
    const QString m_key;
    TaskJournal m_journal;
    const QString m_check;
    qint64 m_t0 = 0;
    qint64 m_thawMs = 0;
    QStringList m_timeline;
    std::vector<std::unique_ptr<Instance>> m_instances; ///< stable addresses
    std::unique_ptr<RunjobProcess> m_releaseLock;
    std::unique_ptr<TcpRelay> m_relay;
    QList<qint64> m_stopped;            ///< processes this scenario stopped and has not continued
    QHash<qint64, qint64> m_endLines;   ///< task shell pid -> ms of its end line
    QHash<qint64, qint64> m_deaths;     ///< task shell pid -> ms it was first found gone without an end line
};

Scenario::Scenario(const Backend &backend, const QString &name, const QString &directory)
    : m_backend(backend)
    , m_name(name)
    , m_dir(directory)
    , m_key(QStringLiteral("freeze/%1/lock").arg(name))
    , m_journal(directory)
    , m_check(QDir(directory).filePath(QStringLiteral("overlap.check")))
{
    QDir().mkpath(directory);
}

Scenario::~Scenario()
{
    // A process left stopped (a failed step) is continued, so that what RunjobProcess's destructor
    // does to it, and what its guard then does to the task's group, takes effect.
    for (qint64 pid : std::as_const(m_stopped))
        ::kill(pid_t(pid), SIGCONT);
}

void Scenario::note(const QString &what)
{
    m_timeline << QStringLiteral("%1 s  %2").arg(double(nowMs() - m_t0) / 1000.0, 7, 'f', 3).arg(what);
}

QProcessEnvironment Scenario::environment(const QString &name, bool liveness, bool viaRelay) const
{
    const QString consulAddress = viaRelay ? m_relay->address() : m_backend.consulAddress;
    const QString etcdEndpoints = viaRelay ? QStringLiteral("http://") + m_relay->address() : m_backend.etcdEndpoints;
    QProcessEnvironment env = cleanEnvironment();
    const QStringList keys = env.keys();
    for (const QString &k : keys) {
        if (k.startsWith(QLatin1String("ETCDCTL_"))) // etcdctl's variables are options too
            env.remove(k);
    }
    const QString livenessKey = QStringLiteral("freeze/%1/liveness").arg(m_name);
    switch (m_backend.kind) {
    case Backend::Kind::Consul:
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND"), QStringLiteral("consul"));
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_ADDRESS"), consulAddress);
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_KEY"), m_key);
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_TTL"), QString::number(m_backend.ttlS));
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_LOCK_DELAY"), QString::number(m_backend.lockDelayS));
        if (liveness) {
            env.insert(QStringLiteral("JOBSLIB_LIVENESS_BACKEND"), QStringLiteral("consul"));
            env.insert(QStringLiteral("JOBSLIB_LIVENESS_CONSUL_ADDRESS"), consulAddress);
            env.insert(QStringLiteral("JOBSLIB_LIVENESS_CONSUL_KEY"), livenessKey);
        }
        break;
    case Backend::Kind::Etcd:
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND"), QStringLiteral("etcd"));
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_ENDPOINTS"), etcdEndpoints);
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_KEY"), m_key);
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_TTL"), QString::number(m_backend.ttlS));
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_ETCD_TIMEOUT"), QStringLiteral("1"));
        if (liveness) {
            env.insert(QStringLiteral("JOBSLIB_LIVENESS_BACKEND"), QStringLiteral("etcd"));
            env.insert(QStringLiteral("JOBSLIB_LIVENESS_ETCD_ENDPOINTS"), etcdEndpoints);
            env.insert(QStringLiteral("JOBSLIB_LIVENESS_ETCD_KEY"), livenessKey);
            env.insert(QStringLiteral("JOBSLIB_LIVENESS_ETCD_TIMEOUT"), QStringLiteral("1"));
        }
        break;
    case Backend::Kind::File:
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND"), QStringLiteral("file"));
        env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH"), QDir(m_dir).filePath(QStringLiteral("job.lock")));
        if (liveness) {
            env.insert(QStringLiteral("JOBSLIB_LIVENESS_BACKEND"), QStringLiteral("file"));
            env.insert(QStringLiteral("JOBSLIB_LIVENESS_FILE_PATH"), QDir(m_dir).filePath(QStringLiteral("liveness.json")));
        }
        break;
    }
    env.insert(QStringLiteral("JOBSLIB_TASK_KILL_GRACE"), QStringLiteral("2"));
    env.insert(QStringLiteral("JOBSLIB_FQDN"), name + QStringLiteral(".test"));
    env.insert(QStringLiteral("INSTANCE"), name);
    return env;
}

Scenario::Instance &Scenario::start(const QString &name, const QStringList &loop, const QString &work, const QString &freezeAt, bool liveness,
                                    bool viaRelay)
{
    QProcessEnvironment env = environment(name, liveness, viaRelay);
    if (!freezeAt.isEmpty())
        env.insert(QStringLiteral("JOBSLIB_TEST_FREEZE_AT"), freezeAt);
    auto i = std::make_unique<Instance>();
    i->name = name;
    i->process = std::make_shared<RunjobProcess>(env);
    QProcess &p = i->process->process();
    // JOBSLIB_FREEZE_VERBOSE: runjob's debug lines in the diagnostics, for whoever hunts a failure.
    const QStringList verbose = qEnvironmentVariableIsSet("JOBSLIB_FREEZE_VERBOSE") ? QStringList{QStringLiteral("-v")} : QStringList();
    p.start(runjobProgram(),
            verbose + loop + QStringList{QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"), workScript(m_journal.path(), m_check, work)});
    check(p.waitForStarted(10000), QStringLiteral("runjob %1 did not start: %2").arg(name, p.errorString()));
    i->pid = p.processId();
    note(QStringLiteral("%1 started (pid %2): %3 -- task of %4 s%5")
             .arg(name)
             .arg(i->pid)
             .arg(loop.join(QLatin1Char(' ')), work, freezeAt.isEmpty() ? QString() : QStringLiteral(", JOBSLIB_TEST_FREEZE_AT=") + freezeAt));
    m_instances.push_back(std::move(i));
    return *m_instances.back();
}

void Scenario::startRelay()
{
    // The relay goes to the lock server: the simulator, or etcd's first member.
    const QUrl url(m_backend.kind == Backend::Kind::Consul ? QStringLiteral("http://") + m_backend.consulAddress
                                                           : m_backend.etcdEndpoints.section(QLatin1Char(','), 0, 0));
    m_relay = std::make_unique<TcpRelay>(QHostAddress(url.host()), quint16(url.port()));
    check(m_relay->listen(), QStringLiteral("the relay to %1 cannot listen").arg(url.toString()));
}

Scenario::Instance &Scenario::instance(const QString &name)
{
    for (const auto &i : m_instances) {
        if (i->name == name)
            return *i;
    }
    fail(QStringLiteral("no instance %1 (a bug in the scenario)").arg(name));
}

QList<Scenario::Instance *> Scenario::alive()
{
    QList<Instance *> r;
    for (const auto &i : m_instances) {
        if (!i->exited && i->process->process().state() != QProcess::NotRunning)
            r << i.get();
    }
    return r;
}

void Scenario::pollTasks()
{
    const QList<JournalEntry> entries = m_journal.entries();
    for (const JournalEntry &e : entries) {
        if (e.what == QLatin1String("end") && !m_endLines.contains(e.pid))
            m_endLines.insert(e.pid, e.ms);
    }
    for (const JournalEntry &e : entries) {
        if (e.what == QLatin1String("start") && !m_endLines.contains(e.pid) && !m_deaths.contains(e.pid) && !processAlive(e.pid))
            m_deaths.insert(e.pid, nowMs());
    }
}

bool Scenario::waitFor(const std::function<bool()> &condition, qint64 timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            pollTasks();
            return condition();
        },
        int(qBound(qint64(0), timeoutMs, qint64(std::numeric_limits<int>::max()))));
}

QList<JournalEntry> Scenario::starts(const QString &name, qint64 afterMs) const
{
    QList<JournalEntry> r;
    const QList<JournalEntry> entries = m_journal.entries(QStringLiteral("start"));
    for (const JournalEntry &e : entries) {
        if ((name.isEmpty() || e.instance == name) && e.ms > afterMs)
            r << e;
    }
    return r;
}

JournalEntry Scenario::waitForStart(const QString &name, qint64 afterMs, qint64 timeoutMs, const QString &why)
{
    check(waitFor([&] { return !starts(name, afterMs).isEmpty(); }, timeoutMs), why);
    const JournalEntry e = starts(name, afterMs).constFirst();
    note(QStringLiteral("%1's task started (token %2, pid %3)").arg(e.instance).arg(e.token).arg(e.pid));
    return e;
}

void Scenario::holdHolderFrozen(qint64 pid, qint64 frozenAt, qsizetype bFrom)
{
    if (m_backend.hasLease()) {
        holdFrozen(pid, A, frozenAt, m_backend.freezeMs, {B}, lastJournalMs(A));
    } else {
        holdFrozen(pid, A, frozenAt, m_backend.freezeMs, {}, 0);
        checkHeldThroughFreeze(A, B, frozenAt, bFrom);
    }
}

qint64 Scenario::lastJournalMs(const QString &name) const
{
    qint64 last = 0;
    const QList<JournalEntry> entries = m_journal.entries();
    for (const JournalEntry &e : entries) {
        if (e.instance == name)
            last = qMax(last, e.ms);
    }
    return last;
}

void Scenario::waitForOutput(const QString &name, const QString &text, qsizetype from, qint64 timeoutMs, const QString &why)
{
    RunjobProcess &p = *instance(name).process;
    check(waitFor([&] { return p.output().indexOf(text, from) >= 0; }, timeoutMs), why);
}

qint64 Scenario::freezeAtHook(RunjobProcess &process, const QString &who, const QString &point)
{
    const QString line = QStringLiteral("test hook: freezing at ") + point;
    const bool reached = waitFor([&] { return process.output().contains(line) || process.process().state() == QProcess::NotRunning; }, HookTimeoutMs);
    check(reached && process.output().contains(line),
          QStringLiteral("%1 did not reach the freeze point %2 within %3 s (no \"%4\" line: is JOBSLIB_TEST_FREEZE_AT implemented for it?)")
              .arg(who, point)
              .arg(HookTimeoutMs / 1000)
              .arg(line));
    check(waitUntilStopped(process.pid(), 5000), QStringLiteral("%1 logged \"%2\" but did not stop (state %3)").arg(who, line).arg(stateOf(process.pid())));
    m_stopped << process.pid();
    note(QStringLiteral("%1 stopped itself at %2").arg(who, point));
    return nowMs();
}

qint64 Scenario::stopProcess(qint64 pid, const QString &who)
{
    ::kill(pid_t(pid), SIGSTOP);
    check(waitUntilStopped(pid, 5000), QStringLiteral("%1 (pid %2) did not stop on SIGSTOP").arg(who).arg(pid));
    m_stopped << pid;
    note(QStringLiteral("%1 stopped (SIGSTOP to pid %2)").arg(who).arg(pid));
    return nowMs();
}

void Scenario::thaw(qint64 pid, const QString &who)
{
    for (const auto &i : m_instances)
        i->outputAtThaw = i->process->output().size();
    m_thawMs = nowMs();
    ::kill(pid_t(pid), SIGCONT);
    m_stopped.removeAll(pid);
    check(waitFor([pid] { return !processStopped(pid); }, 5000), QStringLiteral("%1 did not continue on SIGCONT").arg(who));
    note(QStringLiteral("%1 continued (SIGCONT)").arg(who));
}

JournalEntry Scenario::holdFrozen(qint64 pid, const QString &who, qint64 frozenAt, qint64 holdMs, const QStringList &takers, qint64 afterMs)
{
    JournalEntry taken;
    const qint64 until = frozenAt + holdMs;
    if (!takers.isEmpty()) {
        const auto takeover = [&] {
            const QList<JournalEntry> s = starts(QString(), afterMs);
            for (const JournalEntry &e : s) {
                if (takers.contains(e.instance)) {
                    taken = e;
                    return true;
                }
            }
            return false;
        };
        check(waitFor(takeover, until + TakeoverSlackMs - nowMs()),
              QStringLiteral("the lock did not change hands while %1 was frozen: no run of %2 within %3 s of the freeze")
                  .arg(who, takers.join(QStringLiteral(" or ")))
                  .arg((holdMs + TakeoverSlackMs) / 1000));
        check(processStopped(pid), QStringLiteral("%1 was no longer stopped when the lock changed hands (state %2)").arg(who, stateOf(pid)));
        note(QStringLiteral("%1 took the lock over while %2 was frozen: its task started %3 ms after the freeze (token %4)")
                 .arg(taken.instance, who)
                 .arg(taken.ms - frozenAt)
                 .arg(taken.token));
    }
    // The fault itself: the freeze lasts its time (a wait that is the point, not a margin).
    waitFor([] { return false; }, until - nowMs());
    check(processStopped(pid), QStringLiteral("%1 was no longer stopped at the end of its freeze (state %2)").arg(who, stateOf(pid)));
    note(QStringLiteral("%1 has been frozen for %2 ms").arg(who).arg(nowMs() - frozenAt));
    return taken;
}

void Scenario::checkHeldThroughFreeze(const QString &holder, const QString &other, qint64 frozenAt, qsizetype otherFrom)
{
    const QList<JournalEntry> s = starts(QString(), frozenAt);
    for (const JournalEntry &e : s) {
        check(e.instance == holder, QStringLiteral("%1 ran (token %2) while %3 held the lock frozen").arg(e.instance).arg(e.token).arg(holder));
    }
    check(output(other).indexOf(refusal(holder), otherFrom) >= 0,
          QStringLiteral("%1 was not refused by %2 during the freeze (no \"%3\")").arg(other, holder, refusal(holder)));
    note(QStringLiteral("%1 kept the lock through the freeze: %2 was refused by it and did not run").arg(holder, other));
}

void Scenario::terminate(const QStringList &names)
{
    // Every one is signalled before any is waited for.
    for (const QString &name : names) {
        Instance &i = instance(name);
        i.termMs = nowMs();
        i.process->signal(SIGTERM);
    }
    for (const QString &name : names) {
        Instance &i = instance(name);
        QProcess &p = i.process->process();
        const bool exited = waitFor([&] { return p.state() == QProcess::NotRunning; }, i.termMs + ExitTimeoutMs - nowMs());
        i.process->waitForExit(0); // collects the last output
        check(exited, QStringLiteral("%1 did not exit within %2 s of SIGTERM (state %3)")
                          .arg(name)
                          .arg(ExitTimeoutMs / 1000)
                          .arg(stateOf(i.pid)));
        i.exited = true;
        check(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 128 + SIGTERM,
              QStringLiteral("%1 ended with %2 after SIGTERM, not 143").arg(name, p.exitStatus() == QProcess::NormalExit ? QString::number(p.exitCode()) : QStringLiteral("a crash")));
        note(QStringLiteral("%1 exited with 143, %2 ms after SIGTERM").arg(name).arg(nowMs() - i.termMs));
    }
}

QString Scenario::lockHolder()
{
    static const QRegularExpression held(QStringLiteral("state: held by (\\S+)\\.test"));
    QString holder;
    QString last;
    const auto ask = [&] {
        const ProcessResult r = jobslib::test::run(runjobProgram(), {QStringLiteral("lock-info")}, environment(QStringLiteral("admin")), 10000);
        last = QString::fromUtf8(r.out + r.err).trimmed();
        const QRegularExpressionMatch m = held.match(last);
        holder = m.hasMatch() ? m.captured(1) : QString();
        const QList<Instance *> running = alive();
        return std::any_of(running.cbegin(), running.cend(), [&](const Instance *i) { return i->name == holder; });
    };
    check(waitFor(ask, ContentionTimeoutMs), QStringLiteral("no running instance holds the lock; lock-info says: %1").arg(last));
    return holder;
}

void Scenario::settle(const QString &frozen)
{
    if (!frozen.isEmpty()) {
        Instance &f = instance(frozen);
        QString evidence;
        const auto contending = [&] {
            const QList<Instance *> running = alive();
            for (const Instance *other : running) {
                if (other == &f)
                    continue;
                if (f.process->output().indexOf(refusal(other->name), f.outputAtThaw) >= 0) {
                    evidence = QStringLiteral("%1 was refused: \"%2\"").arg(frozen, refusal(other->name));
                    return true;
                }
                if (other->process->output().indexOf(refusal(frozen), other->outputAtThaw) >= 0) {
                    evidence = QStringLiteral("%1 still holds the lock: %2 was refused by it").arg(frozen, other->name);
                    return true;
                }
            }
            if (!starts(frozen, m_thawMs).isEmpty()) {
                evidence = QStringLiteral("%1 ran its task again (token %2)").arg(frozen).arg(starts(frozen, m_thawMs).constFirst().token);
                return true;
            }
            return false;
        };
        check(waitFor(contending, ContentionTimeoutMs),
              QStringLiteral("%1 showed no sign of contending for the lock within %2 s of the thaw (no refusal, no run)").arg(frozen).arg(ContentionTimeoutMs / 1000));
        note(QStringLiteral("after the thaw: ") + evidence);
    }

    // Whoever holds the lock stops on SIGTERM, and another instance takes it and runs.
    const QString holder = lockHolder();
    note(QStringLiteral("lock-info: held by %1").arg(holder));
    terminate({holder});
    const qint64 stoppedAt = instance(holder).termMs;
    QStringList others;
    const QList<Instance *> running = alive();
    for (const Instance *i : running)
        others << i->name;
    if (others.isEmpty())
        return;
    QString takerName;
    check(waitFor(
              [&] {
                  const QList<JournalEntry> s = starts(QString(), stoppedAt);
                  for (const JournalEntry &e : s) {
                      if (others.contains(e.instance)) {
                          takerName = e.instance;
                          return true;
                      }
                  }
                  return false;
              },
              ContentionTimeoutMs),
          QStringLiteral("nobody of %1 took the lock over within %2 s of SIGTERM to %3").arg(others.join(QStringLiteral(", "))).arg(ContentionTimeoutMs / 1000).arg(holder));
    const JournalEntry next = starts(takerName, stoppedAt).constFirst();
    note(QStringLiteral("%1 took the lock over %2 ms after SIGTERM to %3 and ran its task (token %4)").arg(next.instance).arg(next.ms - stoppedAt).arg(holder).arg(next.token));
    if (!frozen.isEmpty() && frozen != holder)
        check(next.instance == frozen, QStringLiteral("%1, not the thawed %2, took the lock over from %3").arg(next.instance, frozen, holder));
    terminate(others);
}

bool Scenario::requestHandover(QString *error)
{
    // What the dashboard does: the request key, through a KvStore on the lock's own options.
    const BackendRegistry registry = BackendRegistry::builtins();
    QHash<QString, QString> values;
    QString group;
    if (m_backend.kind == Backend::Kind::Consul) {
        group = QStringLiteral("one_instance.consul");
        values = {{QStringLiteral("one_instance.backend"), QStringLiteral("consul")},
                  {group + QStringLiteral(".address"), m_backend.consulAddress},
                  {group + QStringLiteral(".key"), m_key}};
    } else {
        group = QStringLiteral("one_instance.etcd");
        values = {{QStringLiteral("one_instance.backend"), QStringLiteral("etcd")},
                  {group + QStringLiteral(".endpoints"), m_backend.etcdEndpoints},
                  {group + QStringLiteral(".key"), m_key}};
    }
    const Config config = testConfig(registry, values);
    QNetworkAccessManager network;
    const Expected<std::shared_ptr<KvStore>> store = makeKvStore(&network, config, group);
    if (!store.ok()) {
        *error = store.error();
        return false;
    }
    HandoverRequest request;
    request.requestedBy = QStringLiteral("freeze-test@ci");
    request.timeMs = nowMs();
    request.reason = QStringLiteral("freeze scenario ") + m_name;
    QObject context;
    std::optional<Expected<bool>> created;
    store.value()->create(handoverKey(m_key), request.toJson(), &context, [&created](const Expected<bool> &r) { created = r; });
    if (!waitFor([&] { return created.has_value(); }, 10000)) {
        *error = QStringLiteral("the store did not answer within 10 s");
        return false;
    }
    if (!created->ok() || !created->value()) {
        *error = created->ok() ? QStringLiteral("a request existed already") : created->error();
        return false;
    }
    note(QStringLiteral("handover requested"));
    return true;
}

// --- The scenarios -----------------------------------------------------------------------------

// Frozen while acquiring: a's first acquisition has sent its first request (Consul: the session,
// etcd: the lease) when it stops; b, started then, takes the free lock and runs while a's session
// or lease expires unused. After the thaw, a's stale acquisition must fail or be refused. The file
// lock is taken inside acquire() itself: a holds it through the freeze, and b is refused.
void Scenario::acquiring()
{
    const Instance &a = start(A, keepLock(QStringLiteral("1")), Short, QStringLiteral("acquiring"));
    const qint64 frozenAt = freezeAtHook(*a.process, A, QStringLiteral("acquiring"));
    start(B, keepLock(QStringLiteral("1")), Long);
    if (m_backend.hasLease()) {
        holdFrozen(a.pid, A, frozenAt, m_backend.freezeMs, {B}, m_t0);
    } else {
        holdFrozen(a.pid, A, frozenAt, m_backend.freezeMs, {}, 0);
        checkHeldThroughFreeze(A, B, frozenAt, 0);
    }
    thaw(a.pid, A);
    settle(A);
}

// Frozen while acquiring a lock it keeps (keep_lock, second iteration): acquire() answers "still
// held" on the next event loop turn without asking the server, and the hook stops the process on
// that same turn, before or after the answer is delivered (the timeline says which). Either way the
// thawed a must not start a run on a lease that expired meanwhile. holderSleep: the second
// acquisition comes before the first renewal.
void Scenario::acquiringKept()
{
    const Instance &a = start(A, keepLock(m_backend.holderSleep), QStringLiteral("0.1"), QStringLiteral("acquiring:2"));
    waitForStart(A, 0, StartTimeoutMs, QStringLiteral("a never ran its task"));
    const Instance &b = start(B, keepLock(QStringLiteral("1")), Long);
    const qint64 frozenAt = freezeAtHook(*a.process, A, QStringLiteral("acquiring"));
    const QString out = output(A);
    const bool ranFirst = out.lastIndexOf(QStringLiteral("Run task")) > out.indexOf(QStringLiteral("lock is kept"));
    note(ranFirst ? QStringLiteral("a had started its second run when it froze") : QStringLiteral("a froze before the answer to its second acquisition"));
    const qsizetype bFrom = b.process->output().size();
    holdHolderFrozen(a.pid, frozenAt, bFrom);
    thaw(a.pid, A);
    settle(A);
}

// Frozen while running a long task: jobslib-guard kills the task at the lease deadline (runjob
// cannot), the lease expires and b takes over. After the thaw a finds its lock lost. The file lock
// has no deadline: the task runs on, a keeps the lock, b is refused.
void Scenario::running()
{
    const Instance &a = start(A, keepLock(QStringLiteral("1")), VeryLong, QStringLiteral("running"));
    const JournalEntry first = waitForStart(A, 0, StartTimeoutMs, QStringLiteral("a never ran its task"));
    const qint64 frozenAt = freezeAtHook(*a.process, A, QStringLiteral("running"));
    start(B, keepLock(QStringLiteral("1")), Long);
    if (m_backend.hasLease()) {
        holdFrozen(a.pid, A, frozenAt, m_backend.freezeMs, {B}, first.ms);
    } else {
        holdFrozen(a.pid, A, frozenAt, m_backend.freezeMs, {}, 0);
        checkHeldThroughFreeze(A, B, frozenAt, 0);
        check(processAlive(first.pid), QStringLiteral("a's task did not run on through the freeze (a file lock has no deadline)"));
    }
    thaw(a.pid, A);
    if (m_backend.hasLease())
        waitForOutput(A, QStringLiteral("jobslib-guard: "), 0, 5000, QStringLiteral("jobslib-guard did not say that it killed the frozen a's task"));
    settle(A);
}

// Frozen while releasing (no keep_lock): the release has been sent (or, if not yet, the lease
// expires): b takes the lock during the freeze. After the thaw a ends its iteration as usual.
void Scenario::releasing()
{
    const Instance &a = start(A, releasingAfterEachRun(QStringLiteral("1")), Short, QStringLiteral("releasing"));
    waitForStart(A, 0, StartTimeoutMs, QStringLiteral("a never ran its task"));
    start(B, releasingAfterEachRun(QStringLiteral("0.5")), Long);
    const qint64 frozenAt = freezeAtHook(*a.process, A, QStringLiteral("releasing"));
    const JournalEntry next = holdFrozen(a.pid, A, frozenAt, m_backend.freezeMs, {B}, lastJournalMs(A));
    // Which way the lock came free tells whether the release left the process before the freeze.
    if (m_backend.hasLease())
        note(next.ms - frozenAt < qint64(m_backend.ttlS) * 1000 ? QStringLiteral("the release reached the server before the freeze")
                                                                 : QStringLiteral("the lock came free only when the lease expired: the release had not reached the server"));
    thaw(a.pid, A);
    settle(A);
}

// Frozen while writing liveness, holding the lock (keep_lock): as while sleeping with it.
void Scenario::writingLiveness()
{
    const Instance &a = start(A, keepLock(QStringLiteral("1")), Short, QStringLiteral("writingliveness"), true);
    waitForStart(A, 0, StartTimeoutMs, QStringLiteral("a never ran its task"));
    const Instance &b = start(B, keepLock(QStringLiteral("1")), Long, QString(), true);
    const qint64 frozenAt = freezeAtHook(*a.process, A, QStringLiteral("writingliveness"));
    const qsizetype bFrom = b.process->output().size();
    holdHolderFrozen(a.pid, frozenAt, bFrom);
    thaw(a.pid, A);
    settle(A);
}

// The bug of issue 15: frozen while sleeping with the lock kept. After the thaw the overdue sleep
// timer fires before the lease's own timers; the old code took acquire()'s "still held" for the
// truth and ran its task beside b (Consul), or waited for an answer that never came and ignored
// SIGTERM (etcd). holderSleep makes the sleep end before the first renewal is due.
//
// Whether the sleep timer also comes before what the server sent during the freeze (the takeover
// seen by a's watch, waiting in its socket) is a race between runjob's threads: the old code lost
// it in about 3 of 4 runs on Consul and 1 of 2 on etcd. lateNews takes the race away as a VM pause
// does: a talks to the server through a relay that holds back what the server sends from the
// freeze until LateNewsMs after the thaw, so a's overdue timers always come first.
void Scenario::sleepingWithLock(bool lateNews)
{
    if (lateNews)
        startRelay();
    const Instance &a = start(A, keepLock(m_backend.holderSleep), QStringLiteral("0.1"), QStringLiteral("sleeping"), false, lateNews);
    waitForStart(A, 0, StartTimeoutMs, QStringLiteral("a never ran its task"));
    const Instance &b = start(B, keepLock(QStringLiteral("1")), Long);
    const qint64 frozenAt = freezeAtHook(*a.process, A, QStringLiteral("sleeping"));
    if (lateNews)
        m_relay->hold();
    check(output(A).contains(QStringLiteral("lock is kept")), QStringLiteral("a was not sleeping with its lock kept when it froze"));
    const qsizetype bFrom = b.process->output().size();
    holdHolderFrozen(a.pid, frozenAt, bFrom);
    thaw(a.pid, A);
    if (lateNews) {
        m_relay->releaseAfter(LateNewsMs);
        note(QStringLiteral("what the server sent a since the freeze reaches it %1 ms after the thaw").arg(LateNewsMs));
    }
    settle(A);
}

// Frozen while sleeping without the lock (no keep_lock): b takes the free lock meanwhile.
void Scenario::sleepingWithoutLock()
{
    const Instance &a = start(A, releasingAfterEachRun(QStringLiteral("1")), Short, QStringLiteral("sleeping"));
    waitForStart(A, 0, StartTimeoutMs, QStringLiteral("a never ran its task"));
    start(B, releasingAfterEachRun(QStringLiteral("0.5")), Long);
    const qint64 frozenAt = freezeAtHook(*a.process, A, QStringLiteral("sleeping"));
    check(!output(A).contains(QStringLiteral("lock is kept")), QStringLiteral("a kept its lock without keep_lock"));
    holdFrozen(a.pid, A, frozenAt, m_backend.freezeMs, {B}, lastJournalMs(A));
    thaw(a.pid, A);
    settle(A);
}

// Frozen in the yield after a handover (SIGSTOP once a logged it): b takes the lock; after the
// thaw, a's overdue yield ends and it contends as b's standby.
void Scenario::handoverYield()
{
    const Instance &a = start(A, keepLock(QStringLiteral("1")), Short);
    waitForStart(A, 0, StartTimeoutMs, QStringLiteral("a never ran its task"));
    start(B, keepLock(QStringLiteral("1")), Long);
    waitForOutput(B, refusal(A), 0, StartTimeoutMs, QStringLiteral("b was never refused by a"));
    const qint64 beforeHandover = lastJournalMs(A);
    QString error;
    check(requestHandover(&error), QStringLiteral("the handover request was not written: ") + error);
    waitForOutput(A, QStringLiteral("Lock handed over; not contending"), 0, StartTimeoutMs, QStringLiteral("a did not hand the lock over"));
    const qint64 frozenAt = stopProcess(a.pid, A);
    holdFrozen(a.pid, A, frozenAt, m_backend.freezeMs, {B}, beforeHandover);
    thaw(a.pid, A);
    settle(A);
}

// Frozen as a standby (right after it was refused), while the lock changes hands: b stops, c takes
// over. After the thaw, what a's watch saw during the freeze (b's release) is stale: a must find c
// holding the lock, and take it only when c stops.
void Scenario::standby()
{
    start(B, keepLock(QStringLiteral("1")), Long);
    waitForStart(B, 0, StartTimeoutMs, QStringLiteral("b never ran its task"));
    const Instance &a = start(A, keepLock(QStringLiteral("1")), Short, QStringLiteral("sleeping"));
    const qint64 frozenAt = freezeAtHook(*a.process, A, QStringLiteral("sleeping"));
    check(output(A).contains(refusal(B)), QStringLiteral("a was not b's standby when it froze"));
    start(C, keepLock(QStringLiteral("1")), Long);
    waitForOutput(C, refusal(B), 0, StartTimeoutMs, QStringLiteral("c was never refused by b"));
    terminate({B});
    holdFrozen(a.pid, A, frozenAt, m_backend.freezeMs, {C}, instance(B).termMs);
    thaw(a.pid, A);
    settle(A);
}

// jobslib-guard frozen alone (SIGSTOP to the child of a's runjob): runjob goes on renewing, so the
// lock stays a's and the task runs on; nobody else may run. Continued, the guard must not kill a
// task whose lock is proven. stopRunjobMeanwhile: instead, a gets SIGTERM while its guard is still
// stopped, and must still end its task before it releases the lock, within the kill grace.
void Scenario::guardFrozen(bool stopRunjobMeanwhile)
{
    const Instance &a = start(A, keepLock(QStringLiteral("1")), VeryLong);
    const JournalEntry first = waitForStart(A, 0, StartTimeoutMs, QStringLiteral("a never ran its task"));
    const Instance &b = start(B, keepLock(QStringLiteral("1")), Long);
    waitForOutput(B, refusal(A), 0, StartTimeoutMs, QStringLiteral("b was never refused by a"));
    qint64 guard = 0;
    check(waitFor([&] { return (guard = childNamed(a.pid, QStringLiteral("jobslib-guard"))) > 0; }, 5000),
          QStringLiteral("a's runjob has no jobslib-guard child"));
    const qsizetype bFrom = b.process->output().size();
    const QString who = QStringLiteral("a's jobslib-guard");
    const qint64 frozenAt = stopProcess(guard, who);
    holdFrozen(guard, who, frozenAt, m_backend.freezeMs, {}, 0);
    checkHeldThroughFreeze(A, B, frozenAt, bFrom);
    check(processAlive(first.pid), QStringLiteral("a's task ended while only its guard was frozen"));

    if (stopRunjobMeanwhile) {
        terminate({A});
        check(!processAlive(first.pid), QStringLiteral("a's task outlived its runjob"));
        // Killed with its group and reaped by runjob (or, had runjob gone first, by init).
        check(waitFor([guard] { return processState(guard) == 0; }, 5000),
              QStringLiteral("a's jobslib-guard (pid %1) is still there (state %2) after a exited").arg(guard).arg(stateOf(guard)));
        m_stopped.removeAll(guard);
        waitForStart(B, instance(A).termMs, ContentionTimeoutMs, QStringLiteral("b did not take the lock over after a stopped"));
        terminate({B});
        return;
    }
    thaw(guard, who);
    waitForOutput(B, refusal(A), b.outputAtThaw, ContentionTimeoutMs, QStringLiteral("b was not refused by a after the guard's thaw"));
    check(processAlive(first.pid), QStringLiteral("the continued guard killed a's task although a's lock was proven"));
    check(!output(A).contains(QStringLiteral("jobslib-guard: ")), QStringLiteral("jobslib-guard complained: ") + output(A));
    settle(A);
}

// `runjob release-lock` frozen during its work, past the expiry of its fence (Consul session, etcd
// lease): at release-lock:fenced the fence exists but holds nothing, so a keeps the lock through
// the freeze and the late transaction must not hand the key to a dead fence; at release-lock:done
// the key is the fence's: a stops its task, and the lock is free again only when the fence
// expires, during the freeze. Either way no two runs overlap afterwards.
void Scenario::releaseLockFrozen(const QString &point)
{
    start(A, keepLock(QStringLiteral("1")), VeryLong);
    const JournalEntry first = waitForStart(A, 0, StartTimeoutMs, QStringLiteral("a never ran its task"));
    const Instance &b = start(B, keepLock(QStringLiteral("1")), Long);
    waitForOutput(B, refusal(A), 0, StartTimeoutMs, QStringLiteral("b was never refused by a"));
    QProcessEnvironment env = environment(QStringLiteral("admin"));
    env.insert(QStringLiteral("JOBSLIB_TEST_FREEZE_AT"), point);
    m_releaseLock = std::make_unique<RunjobProcess>(env);
    m_releaseLock->process().start(runjobProgram(), {QStringLiteral("release-lock"), QStringLiteral("--yes")});
    check(m_releaseLock->process().waitForStarted(10000), QStringLiteral("release-lock did not start"));
    note(QStringLiteral("release-lock started (pid %1), JOBSLIB_TEST_FREEZE_AT=%2").arg(m_releaseLock->pid()).arg(point));
    const qsizetype bFrom = b.process->output().size();
    const qint64 frozenAt = freezeAtHook(*m_releaseLock, QStringLiteral("release-lock"), point);
    const qint64 pid = m_releaseLock->pid();
    const qint64 hold = qMax(m_backend.freezeMs, m_backend.fenceMs + FenceSlackMs);
    const bool done = point.endsWith(QLatin1String(":done"));
    if (!done) {
        holdFrozen(pid, QStringLiteral("release-lock"), frozenAt, hold, {}, 0);
        checkHeldThroughFreeze(A, B, frozenAt, bFrom);
        check(processAlive(first.pid), QStringLiteral("a's task ended although release-lock froze before it took anything"));
    } else {
        const JournalEntry next = holdFrozen(pid, QStringLiteral("release-lock"), frozenAt, hold, {A, B}, frozenAt);
        check(output(A).contains(QStringLiteral("Lock has been lost")), QStringLiteral("a did not notice that release-lock took its lock"));
        // The fence, created just before the transaction, keeps everybody out until it expires.
        check(next.ms - frozenAt >= m_backend.fenceMs - 1000,
              QStringLiteral("%1 ran %2 ms after release-lock's transaction, before its %3 s fence could expire").arg(next.instance).arg(next.ms - frozenAt).arg(m_backend.fenceMs / 1000));
    }
    thaw(pid, QStringLiteral("release-lock"));
    const bool finished = waitFor([&] { return m_releaseLock->process().state() == QProcess::NotRunning; }, ReleaseLockTimeoutMs);
    m_releaseLock->waitForExit(0);
    const QString said = m_releaseLock->output().trimmed().section(QLatin1Char('\n'), -1);
    check(finished, QStringLiteral("release-lock did not finish within %1 s of being continued").arg(ReleaseLockTimeoutMs / 1000));
    const int code = m_releaseLock->process().exitStatus() == QProcess::NormalExit ? m_releaseLock->exitCode() : -1;
    note(QStringLiteral("release-lock exited with %1: %2").arg(code).arg(said));
    if (done) {
        check(code == 0 && said.contains(QStringLiteral("taken from a.test")), QStringLiteral("release-lock did not report the release it made: exit %1, %2").arg(code).arg(said));
    } else if (code == 0) {
        // It did take the lock after all, with a fence made after the thaw: a must hear of it.
        waitForOutput(A, QStringLiteral("Lock has been lost"), 0, ContentionTimeoutMs, QStringLiteral("release-lock said it released the lock, a did not lose it"));
    } else {
        // Its fence expired during the freeze, so the transaction was refused: it must say that
        // nothing was done, not that the lock may be fenced.
        check(said.contains(QStringLiteral("nothing done")), QStringLiteral("release-lock failed without saying that nothing was done: %1").arg(said));
    }
    settle(QString());
}

// --- Running a scenario -------------------------------------------------------------------------

void Scenario::dispatch()
{
    if (m_name == QLatin1String("acquiring"))
        acquiring();
    else if (m_name == QLatin1String("acquiring-kept"))
        acquiringKept();
    else if (m_name == QLatin1String("running"))
        running();
    else if (m_name == QLatin1String("releasing"))
        releasing();
    else if (m_name == QLatin1String("writingliveness"))
        writingLiveness();
    else if (m_name == QLatin1String("sleeping-keep-lock"))
        sleepingWithLock(false);
    else if (m_name == QLatin1String("sleeping-keep-lock-late-news"))
        sleepingWithLock(true);
    else if (m_name == QLatin1String("sleeping"))
        sleepingWithoutLock();
    else if (m_name == QLatin1String("handover-yield"))
        handoverYield();
    else if (m_name == QLatin1String("standby"))
        standby();
    else if (m_name == QLatin1String("guard"))
        guardFrozen(false);
    else if (m_name == QLatin1String("guard-sigterm"))
        guardFrozen(true);
    else if (m_name == QLatin1String("release-lock-fenced"))
        releaseLockFrozen(QStringLiteral("release-lock:fenced"));
    else if (m_name == QLatin1String("release-lock-done"))
        releaseLockFrozen(QStringLiteral("release-lock:done"));
    else
        fail(QStringLiteral("unknown scenario"));
}

void Scenario::cleanUp(QStringList *problems)
{
    for (qint64 pid : std::as_const(m_stopped))
        ::kill(pid_t(pid), SIGCONT);
    m_stopped.clear();
    if (m_releaseLock && m_releaseLock->process().state() != QProcess::NotRunning) {
        m_releaseLock->process().kill();
        m_releaseLock->waitForExit(5000);
    }
    // What a failed step left running: stopped as in the good case, so that a hang shows.
    const QList<Instance *> running = alive();
    for (Instance *i : running) {
        i->termMs = nowMs();
        i->process->signal(SIGTERM);
    }
    for (Instance *i : running) {
        QProcess &p = i->process->process();
        if (!waitFor([&] { return p.state() == QProcess::NotRunning; }, i->termMs + ExitTimeoutMs - nowMs())) {
            *problems << QStringLiteral("%1 did not exit within %2 s of SIGTERM (state %3: it hangs)")
                             .arg(i->name)
                             .arg(ExitTimeoutMs / 1000)
                             .arg(stateOf(i->pid));
            p.kill();
        } else if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 128 + SIGTERM) {
            *problems << QStringLiteral("%1 ended with %2 after SIGTERM, not 143").arg(i->name, p.exitStatus() == QProcess::NormalExit ? QString::number(p.exitCode()) : QStringLiteral("a crash"));
        }
        i->process->waitForExit(5000);
        i->exited = true;
    }
    // Their tasks end with them (jobslib-guard kills the group of a runjob that died).
    waitFor(
        [this] {
            const QList<JournalEntry> s = starts();
            return std::none_of(s.cbegin(), s.cend(), [this](const JournalEntry &e) { return !m_endLines.contains(e.pid) && !m_deaths.contains(e.pid); });
        },
        5000);
}

QStringList Scenario::journalViolations()
{
    pollTasks();
    QStringList v;
    const QList<JournalEntry> entries = m_journal.entries();
    QList<JournalEntry> withoutOverlaps;
    for (const JournalEntry &e : entries) {
        if (e.what == QLatin1String("OVERLAP"))
            v << QStringLiteral("OVERLAP in the journal: a run of %1 (token %2) found another run going on (at +%3 ms)").arg(e.instance).arg(e.token).arg(e.ms - m_t0);
        else
            withoutOverlaps << e;
    }
    const QString tokens = TaskJournal::checkNoOverlapAndGrowingTokens(withoutOverlaps);
    if (!tokens.isEmpty())
        v << tokens;

    struct Run
    {
        JournalEntry start;
        qint64 end = 0;
    };
    QList<Run> runs;
    for (const JournalEntry &e : entries) {
        if (e.what != QLatin1String("start"))
            continue;
        qint64 end = m_endLines.value(e.pid, m_deaths.value(e.pid, 0));
        if (!end) {
            v << QStringLiteral("the task of %1 (token %2, pid %3) still runs after every runjob exited").arg(e.instance).arg(e.token).arg(e.pid);
            ::kill(pid_t(e.pid), SIGKILL);
            end = std::numeric_limits<qint64>::max();
        }
        runs << Run{e, end};
    }
    std::sort(runs.begin(), runs.end(), [](const Run &l, const Run &r) { return l.start.ms < r.start.ms; });
    for (qsizetype i = 0; i < runs.size(); ++i) {
        for (qsizetype j = i + 1; j < runs.size(); ++j) {
            if (runs.at(j).start.ms < runs.at(i).end) {
                const Run &x = runs.at(i);
                const Run &y = runs.at(j);
                v << QStringLiteral("runs overlap: %1's (token %2) from +%3 to +%4 ms%5 and %6's (token %7) from +%8 ms")
                         .arg(x.start.instance)
                         .arg(x.start.token)
                         .arg(x.start.ms - m_t0)
                         .arg(x.end == std::numeric_limits<qint64>::max() ? -1 : x.end - m_t0)
                         .arg(m_endLines.contains(x.start.pid) ? QString() : QStringLiteral(" (found gone)"))
                         .arg(y.start.instance)
                         .arg(y.start.token)
                         .arg(y.start.ms - m_t0);
            }
        }
    }
    return v;
}

QString Scenario::diagnostics() const
{
    QString d;
    for (const auto &i : m_instances)
        d += QStringLiteral("--- runjob %1 (pid %2) output:\n%3\n").arg(i->name).arg(i->pid).arg(i->process->output());
    if (m_releaseLock)
        d += QStringLiteral("--- release-lock (pid %1) output:\n%2\n").arg(m_releaseLock->pid()).arg(m_releaseLock->output());
    QFile journal(m_journal.path());
    d += QStringLiteral("--- journal (ms since the epoch; the scenario started at %1):\n").arg(m_t0);
    if (journal.open(QIODevice::ReadOnly))
        d += QString::fromUtf8(journal.readAll());
    return d;
}

Outcome Scenario::run()
{
    Outcome o;
    o.scenario = m_name;
    m_t0 = nowMs();
    QStringList problems;
    try {
        dispatch();
    } catch (const Failure &f) {
        problems << f.message;
        note(QStringLiteral("FAILED: ") + f.message);
    }
    cleanUp(&problems);
    // The journal first: two runs at once is what matters most, whatever else went wrong.
    problems = journalViolations() + problems;
    o.failure = problems.join(QStringLiteral("; "));
    o.timeline = m_timeline;
    if (!o.failure.isEmpty() || qEnvironmentVariableIsSet("JOBSLIB_TEST_VERBOSE"))
        o.diagnostics = diagnostics();
    o.wallMs = nowMs() - m_t0;
    return o;
}

} // namespace

QString Backend::name() const
{
    switch (kind) {
    case Kind::Consul:
        return QStringLiteral("consul");
    case Kind::Etcd:
        return QStringLiteral("etcd");
    case Kind::File:
        break;
    }
    return QStringLiteral("file");
}

QStringList scenarioNames(const Backend &backend)
{
    QStringList names{QStringLiteral("acquiring"),          QStringLiteral("acquiring-kept"), QStringLiteral("running"),
                      QStringLiteral("releasing"),          QStringLiteral("writingliveness"), QStringLiteral("sleeping-keep-lock"),
                      QStringLiteral("sleeping"),           QStringLiteral("standby"),         QStringLiteral("guard"),
                      QStringLiteral("guard-sigterm")};
    if (backend.hasLease())
        names << QStringLiteral("sleeping-keep-lock-late-news");
    if (backend.hasKvStore())
        names << QStringLiteral("handover-yield") << QStringLiteral("release-lock-fenced") << QStringLiteral("release-lock-done");
    return names;
}

QStringList selectedScenarios(const Backend &backend)
{
    const QStringList all = scenarioNames(backend);
    const QString only = qEnvironmentVariable("JOBSLIB_FREEZE_SCENARIOS");
    if (only.isEmpty())
        return all;
    QStringList selected;
    const QStringList wanted = only.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &name : wanted) {
        if (all.contains(name.trimmed()))
            selected << name.trimmed();
    }
    return selected;
}

QList<Outcome> runConcurrently(const Backend &backend, const QStringList &scenarios, const QString &directory)
{
    std::vector<Outcome> outcomes(size_t(scenarios.size()));
    std::vector<std::unique_ptr<QThread>> threads;
    for (qsizetype i = 0; i < scenarios.size(); ++i) {
        Outcome *slot = &outcomes[size_t(i)];
        const QString name = scenarios.at(i);
        // Everything of a scenario (its QProcess objects above all) lives and dies in its thread.
        threads.emplace_back(QThread::create([backend, name, directory, slot] {
            Scenario scenario(backend, name, QDir(directory).filePath(name));
            *slot = scenario.run();
        }));
        threads.back()->start();
    }
    // Each scenario ends by its own deadlines. The caller's event loop runs meanwhile: it reads
    // the output of the simulator or of etcd, which would block on a full pipe otherwise.
    const auto allFinished = [&threads] { return std::all_of(threads.cbegin(), threads.cend(), [](const auto &t) { return t->isFinished(); }); };
    while (!QTest::qWaitFor(allFinished, 60000)) {
    }
    for (const auto &t : threads)
        t->wait();
    return QList<Outcome>(outcomes.cbegin(), outcomes.cend());
}

QStringList report(const QList<Outcome> &outcomes)
{
    QStringList failures;
    for (const Outcome &o : outcomes) {
        qInfo().noquote() << QStringLiteral("=== %1: %2 (%3 s)").arg(o.scenario, o.failure.isEmpty() ? QStringLiteral("PASS") : QStringLiteral("FAIL")).arg(double(o.wallMs) / 1000.0, 0, 'f', 1);
        for (const QString &line : o.timeline)
            qInfo().noquote() << QStringLiteral("    ") + line;
        if (!o.failure.isEmpty()) {
            qWarning().noquote() << QStringLiteral("%1 FAILED: %2\n%3").arg(o.scenario, o.failure, o.diagnostics);
            failures << QStringLiteral("%1: %2").arg(o.scenario, o.failure);
        } else if (!o.diagnostics.isEmpty()) {
            qInfo().noquote() << o.diagnostics;
        }
    }
    return failures;
}

QString runjobProgram()
{
    const QString other = qEnvironmentVariable("JOBSLIB_FREEZE_RUNJOB");
    return other.isEmpty() ? binary(QStringLiteral("runjob")) : other;
}

} // namespace jobslib::test::freeze
