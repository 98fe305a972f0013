// SPDX-License-Identifier: BSD-3-Clause
// The dashboard at fleet scale (issue: "100 jobs x 3 datacenters: idle CPU < 2 %, memory < 100 MB,
// time from a lock change to the row updating"). Three Consul simulators on loopback, one per
// datacenter; every job's lock held in one of them (round robin), three instances per job with
// one heartbeat each in its own datacenter. The real MainWindow (offscreen) watches them all.
//   idle     CPU of this process (getrusage RUSAGE_SELF: every thread) over a window without writes
//   steady   the same while every heartbeat is rewritten once per heartbeat_interval (30 s), as a
//            real fleet does: 300 instances = 10 writes/s, spread evenly. The writes come from a
//            child process (this program with --writer), so that their client work is not counted
//            here; its own CPU is printed beside.
//   memory   VmRSS after loading, after the steady window and at the end; VmHWM (the peak)
//   latency  a lock released / taken by another instance (another session), from just before the
//            PUT to the FleetModel's dataChanged that shows the row's new state and holder
// Usage: jobslib-dashboardbench [--seconds N (30)] [--changes N (50)] [--jobs N (100)]
// Exit status: 0 when everything could be measured (targets missed or not), 1 when something
// failed, 2 for bad arguments.
#include "consulsimprocess.h"

#include "credentialstore.h"
#include "dashboardsettings.h"
#include "fleet.h"
#include "fleetmodel.h"
#include "kv/kvstore.h"
#include "datacenterlink.h"
#include "languagemanager.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeView>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>

using namespace jobslib::dashboard;
using namespace jobslib::test;

namespace {

constexpr int Datacenters = 3;
constexpr int HeartbeatIntervalS = 30; // runjob's default liveness heartbeat_interval
constexpr int TimeoutMs = 30000;       // any single step of the set-up, generously (the VM is shared)

// ---------------------------------------------------------------------------------------------
// The fleet's layout, the same in the bench and in its writer child: job j's lock lives in
// datacenter j % 3; its instance in datacenter d is "job-NNN-dcD.bench.test", pid 1000 + 10 j + d.

QString dcName(int d)
{
    return QStringLiteral("dc%1").arg(d + 1);
}

QString jobName(int j)
{
    return QStringLiteral("job-%1").arg(j, 3, 10, QLatin1Char('0'));
}

QString lockKey(int j)
{
    return QStringLiteral("jobs/") + jobName(j) + QStringLiteral("/lock");
}

QString fqdn(int j, int d)
{
    return jobName(j) + QStringLiteral("-") + dcName(d) + QStringLiteral(".bench.test");
}

int pid(int j, int d)
{
    return 1000 + 10 * j + d;
}

QString heartbeatKey(int j, int d)
{
    return QStringLiteral("jobs/%1/liveness/instances/%2:%3").arg(jobName(j), fqdn(j, d)).arg(pid(j, d));
}

/*! What runjob's Consul liveness writes (the fields tst_fleetmodel.cpp uses). */
QByteArray heartbeat(int j, int d, qint64 now)
{
    const bool holder = d == j % Datacenters;
    return QJsonDocument(QJsonObject{{QStringLiteral("state"), holder ? QStringLiteral("running") : QStringLiteral("standby")},
                                     {QStringLiteral("fqdn"), fqdn(j, d)},
                                     {QStringLiteral("datacenter"), dcName(d)},
                                     {QStringLiteral("pid"), pid(j, d)},
                                     {QStringLiteral("version"), QStringLiteral("0.1.0")},
                                     {QStringLiteral("job"), jobName(j)},
                                     {QStringLiteral("timestamp"), now},
                                     {QStringLiteral("last_success"), now - 5},
                                     {QStringLiteral("last_error"), QString()},
                                     {QStringLiteral("fencing_token"), holder ? 1 : 0},
                                     {QStringLiteral("heartbeat_interval"), HeartbeatIntervalS}})
        .toJson(QJsonDocument::Compact);
}

/*! The owner record runjob writes into the lock key (Python's format). */
QByteArray ownerRecord(int j, int d)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    return QJsonDocument(QJsonObject{{QStringLiteral("fqdn"), fqdn(j, d)},
                                     {QStringLiteral("timestamp"), now.toSecsSinceEpoch()},
                                     {QStringLiteral("time_utc"), now.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))},
                                     {QStringLiteral("time_local"), now.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))},
                                     {QStringLiteral("pid"), pid(j, d)},
                                     {QStringLiteral("datacenter"), dcName(d)}})
        .toJson(QJsonDocument::Compact);
}

/*! The FleetModel's Holder text for instance d of job j holding the lock. */
QString holderText(int j, int d)
{
    return QStringLiteral("%1 (%2), pid %3").arg(fqdn(j, d), dcName(d)).arg(pid(j, d));
}

// ---------------------------------------------------------------------------------------------
// Waiting: always in an event loop that blocks until the next event (never a sleep, never
// QTest::qWaitFor, which sleeps 10 ms between turns and would add up to 10 ms to a latency).

/*! Runs the event loop until done() or the deadline; done() is checked every few ms and at the end. */
bool runUntil(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer check;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    check.start(2);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return done();
}

/*! Runs the event loop for exactly ms (a measurement window: no extra timers of our own in it). */
void runFor(int durationMs)
{
    QEventLoop loop;
    QTimer::singleShot(durationMs, Qt::PreciseTimer, &loop, &QEventLoop::quit);
    loop.exec();
}

struct HttpReply
{
    int status = 0;
    QByteArray body;
    QString error;
    bool ok() const { return status >= 200 && status < 300; }
};

/*! Plain HTTP to the simulators, asynchronous; wait() collects answers in the event loop. */
class Http
{
public:
    Http() { m_network.setProxy(QNetworkProxy::NoProxy); }

    QNetworkReply *send(const QByteArray &method, quint16 port, const QString &pathAndQuery, const QByteArray &body = {})
    {
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(pathAndQuery)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        request.setTransferTimeout(TimeoutMs);
        return m_network.sendCustomRequest(request, method, body);
    }

    static HttpReply wait(QNetworkReply *reply)
    {
        QPointer<QNetworkReply> r(reply);
        runUntil([&] { return !r || r->isFinished(); }, TimeoutMs + 1000);
        HttpReply result;
        if (!r) {
            result.error = QStringLiteral("the reply went away");
            return result;
        }
        if (!r->isFinished()) {
            result.error = QStringLiteral("no answer");
            r->abort();
        } else {
            result.status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            result.body = r->readAll();
            if (!result.ok())
                result.error = QStringLiteral("HTTP %1 %2: %3").arg(result.status).arg(r->errorString(), QString::fromUtf8(result.body.left(200)));
        }
        r->deleteLater();
        return result;
    }

    HttpReply request(const QByteArray &method, quint16 port, const QString &pathAndQuery, const QByteArray &body = {})
    {
        return wait(send(method, port, pathAndQuery, body));
    }

    /*! Every reply's answer, in order (they run concurrently, up to Qt's 6 connections per host). */
    static QList<HttpReply> waitAll(const QList<QNetworkReply *> &replies)
    {
        QList<HttpReply> results;
        for (QNetworkReply *r : replies)
            results << wait(r);
        return results;
    }

private:
    QNetworkAccessManager m_network;
};

QString createSession(Http &http, quint16 port, int j, int d, QString *error)
{
    // A long TTL and no renewals: nothing expires during the bench (runjob's default TTL).
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("TTL"), QStringLiteral("86400s")},
                                                      {QStringLiteral("LockDelay"), QStringLiteral("1s")},
                                                      {QStringLiteral("Name"), QStringLiteral("jobslib %1 on %2:%3").arg(jobName(j), fqdn(j, d)).arg(pid(j, d))}})
                                .toJson(QJsonDocument::Compact);
    const HttpReply r = http.request("PUT", port, QStringLiteral("/v1/session/create"), body);
    const QString id = QJsonDocument::fromJson(r.body).object().value(QStringLiteral("ID")).toString();
    if (!r.ok() || id.isEmpty())
        *error = QStringLiteral("session/create: ") + r.error;
    return id;
}

// ---------------------------------------------------------------------------------------------
// Measuring this process.

struct Usage
{
    double cpuS = 0;
    long voluntarySwitches = 0;
    long involuntarySwitches = 0;
    qint64 wallNs = 0;
};

Usage usageNow(const QElapsedTimer &clock)
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    Usage r;
    r.cpuS = double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    r.voluntarySwitches = u.ru_nvcsw;
    r.involuntarySwitches = u.ru_nivcsw;
    r.wallNs = clock.nsecsElapsed();
    return r;
}

/*! A field of /proc/self/status in MB ("VmRSS", "VmHWM", "RssAnon"), -1 when unreadable. */
double statusMb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return double(line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong()) / 1024.0;
    }
    return -1;
}

int threadCount()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("Threads:"))
            return line.mid(8).trimmed().toInt();
    return -1;
}

/*! CPU ticks (user + system) of every thread of this process, by thread id, with its name. */
QHash<QString, QPair<QString, qint64>> threadTicks()
{
    QHash<QString, QPair<QString, qint64>> result;
    const QStringList tids = QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &tid : tids) {
        QFile f(QStringLiteral("/proc/self/task/%1/stat").arg(tid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = f.readAll();
        // "tid (comm) state ..." : comm may contain spaces, the fields after it are fixed.
        const qsizetype open = stat.indexOf('('), close = stat.lastIndexOf(')');
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        if (open < 0 || close < 0 || fields.size() < 13)
            continue;
        result.insert(tid, {QString::fromUtf8(stat.mid(open + 1, close - open - 1)), fields.at(11).toLongLong() + fields.at(12).toLongLong()});
    }
    return result;
}

/*! Counts paint events of a widget (the tree's viewport): what the window really redraws. */
class PaintCounter : public QObject
{
public:
    using QObject::QObject;
    int paints = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++paints;
        return QObject::eventFilter(watched, event);
    }
};

struct Window
{
    Usage start, end;
    int jobChanges = 0;
    int paints = 0;
    QStringList threads; ///< "name N %" per thread, busiest first
    double seconds() const { return double(end.wallNs - start.wallNs) / 1e9; }
    double cpuS() const { return end.cpuS - start.cpuS; }
    double cpuPercent() const { return 100.0 * cpuS() / seconds(); }
    double wakeupsPerS() const { return double(end.voluntarySwitches - start.voluntarySwitches) / seconds(); }
};

/*! Nearest rank: for 50 samples p99 is the largest. */
double percentile(QList<double> v, double q)
{
    if (v.isEmpty())
        return -1;
    std::sort(v.begin(), v.end());
    const qsizetype rank = qBound<qsizetype>(1, qsizetype(std::ceil(q * double(v.size()))), v.size());
    return v.at(rank - 1);
}

QString ms(double v)
{
    return QString::number(v, 'f', 1);
}

// ---------------------------------------------------------------------------------------------
// The writer child: rewrites every heartbeat once per heartbeat_interval, evenly spread, until
// "stop" (or EOF) on stdin; prints "ready" after its first answered write and its totals at the end.

int runWriter(const QStringList &ports, int jobs)
{
    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    struct Target
    {
        int job;
        int dc;
    };
    QList<Target> order;
    for (int j = 0; j < jobs; ++j)
        for (int d = 0; d < Datacenters; ++d)
            order << Target{j, d}; // consecutive writes go to dc1, dc2, dc3, dc1, ...
    const double intervalMs = HeartbeatIntervalS * 1000.0 / double(order.size());
    qint64 sent = 0, answered = 0, failed = 0;
    bool ready = false;
    QElapsedTimer clock;
    clock.start();
    QString firstError;

    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    auto write = [&] {
        // Scheduled on absolute times (sent x interval), so that a late tick does not slow the rate.
        const Target t = order.at(sent % order.size());
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/v1/kv/%2").arg(ports.at(t.dc), heartbeatKey(t.job, t.dc))));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        request.setTransferTimeout(TimeoutMs);
        QNetworkReply *reply = network.put(request, heartbeat(t.job, t.dc, QDateTime::currentSecsSinceEpoch()));
        ++sent;
        QObject::connect(reply, &QNetworkReply::finished, reply, [&, reply] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status != 200) {
                ++failed;
                if (firstError.isEmpty())
                    firstError = reply->errorString();
                return;
            }
            ++answered;
            if (!ready) {
                ready = true;
                std::printf("ready\n");
                std::fflush(stdout);
            }
        });
        tick.start(int(qMax<qint64>(0, qint64(double(sent) * intervalMs) - clock.elapsed())));
    };
    tick.setSingleShot(true);
    QObject::connect(&tick, &QTimer::timeout, &tick, write);
    write();

    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&input, &QSocketNotifier::activated, &input, [&] {
        char buffer[64];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n > 0 && !QByteArray(buffer, int(n)).contains("stop"))
            return;
        input.setEnabled(false);
        tick.stop();
        rusage u{};
        getrusage(RUSAGE_SELF, &u);
        const double cpu = double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
        std::printf("writer: sent %lld answered %lld failed %lld cpu %.3f s wall %.3f s%s%s\n", sent, answered, failed, cpu,
                    double(clock.elapsed()) / 1000.0, firstError.isEmpty() ? "" : " first error: ", qPrintable(firstError));
        std::fflush(stdout);
        QCoreApplication::exit(failed ? 1 : 0);
    });
    return QCoreApplication::exec();
}

// ---------------------------------------------------------------------------------------------

struct Options
{
    int seconds = 30;
    int changes = 50;
    int jobs = 100;
    QStringList whatIf; ///< diagnostic deviations from the real program, see --what-if
};

class Bench
{
public:
    explicit Bench(const Options &o, const QString &configDir)
        : m_o(o)
        , m_configDir(configDir)
    {
        m_clock.start();
    }
    int run();

private:
    bool fail(const QString &what)
    {
        std::fprintf(stderr, "dashboardbench: FAILED: %s\n", qPrintable(what));
        return false;
    }
    void step(const QString &what) const
    {
        std::fprintf(stderr, "[%7.1f s] %s\n", double(m_clock.elapsed()) / 1000.0, qPrintable(what));
    }
    bool startSimulators();
    bool writeFleet();
    bool openWindow();
    bool settled() const;
    Window measure(int seconds);
    bool startWriter();
    bool stopWriter();
    bool measureLatency();
    void report();
    QString cell(int job, int column) const { return m_model->index(job, column).data().toString(); }
    quint16 port(int d) const { return m_sims.at(d)->port(); }

    Options m_o;
    QString m_configDir;
    QElapsedTimer m_clock;
    Http m_http;
    std::array<std::unique_ptr<ConsulSimProcess>, Datacenters> m_sims;
    QList<QString> m_sessions; ///< [job] the session holding its lock
    QList<int> m_holder;       ///< [job] the instance (datacenter index) named in its lock record

    std::unique_ptr<CredentialStore> m_credentials;
    std::unique_ptr<LanguageManager> m_languages;
    std::unique_ptr<Fleet> m_fleet;
    std::unique_ptr<MainWindow> m_window;
    FleetModel *m_model = nullptr;
    PaintCounter *m_paints = nullptr;
    int m_jobChanges = 0;

    QProcess m_writer;
    QByteArray m_writerOut;

    // Results.
    double m_firstDataMs = -1, m_settledMs = -1;
    int m_startPaints = 0;
    double m_rssLoaded = -1, m_anonLoaded = -1, m_rssSteady = -1, m_rssEnd = -1, m_hwm = -1;
    int m_threads = -1;
    Window m_idle, m_steady;
    QList<double> m_releaseMs, m_acquireMs, m_putMs;
    QString m_writerStats;
    double m_writerCpuS = -1, m_writerWallS = -1;
    qint64 m_writerSent = -1;
    QList<qint64> m_snapshotBytes; ///< [dc] one answer of the dashboard's blocking query
    QStringList m_watched;         ///< [dc] the prefix the dashboard watches
};

bool Bench::startSimulators()
{
    for (int d = 0; d < Datacenters; ++d) {
        m_sims[d] = std::make_unique<ConsulSimProcess>();
        QString error;
        if (!m_sims[d]->start({QStringLiteral("--datacenter"), dcName(d)}, &error))
            return fail(dcName(d) + QStringLiteral(": ") + error);
    }
    step(QStringLiteral("3 Consul simulators on ports %1, %2, %3").arg(port(0)).arg(port(1)).arg(port(2)));
    return true;
}

bool Bench::writeFleet()
{
    QString error;
    for (int j = 0; j < m_o.jobs; ++j) {
        const int d = j % Datacenters;
        m_sessions << createSession(m_http, port(d), j, d, &error);
        m_holder << d;
        if (!error.isEmpty())
            return fail(jobName(j) + QStringLiteral(": ") + error);
    }
    QList<QNetworkReply *> writes;
    for (int j = 0; j < m_o.jobs; ++j)
        writes << m_http.send("PUT", port(j % Datacenters), QStringLiteral("/v1/kv/%1?acquire=%2").arg(lockKey(j), m_sessions.at(j)), ownerRecord(j, j % Datacenters));
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (int j = 0; j < m_o.jobs; ++j)
        for (int d = 0; d < Datacenters; ++d)
            writes << m_http.send("PUT", port(d), QStringLiteral("/v1/kv/") + heartbeatKey(j, d), heartbeat(j, d, now));
    const QList<HttpReply> replies = Http::waitAll(writes);
    for (int i = 0; i < replies.size(); ++i) {
        if (!replies.at(i).ok())
            return fail(QStringLiteral("write %1: %2").arg(i).arg(replies.at(i).error));
        if (i < m_o.jobs && replies.at(i).body.trimmed() != "true")
            return fail(QStringLiteral("%1: acquire refused").arg(jobName(i)));
    }
    step(QStringLiteral("%1 jobs: %1 locks held, %2 heartbeats written").arg(m_o.jobs).arg(m_o.jobs * Datacenters));
    return true;
}

bool Bench::settled() const
{
    // Every row as it should be, the sessions' TTLs fetched included (the last requests of a start).
    for (int j = 0; j < m_o.jobs; ++j) {
        if (cell(j, FleetModel::Lock) != QLatin1String("held") || cell(j, FleetModel::Holder) != holderText(j, m_holder.at(j))
            || cell(j, FleetModel::Ttl).isEmpty() || m_model->rowCount(m_model->index(j, 0)) != Datacenters)
            return false;
    }
    return true;
}

bool Bench::openWindow()
{
    DashboardSettings settings;
    for (int d = 0; d < Datacenters; ++d) {
        DatacenterSettings dc;
        dc.name = dcName(d);
        dc.address = QStringLiteral("http://") + m_sims.at(d)->address();
        settings.datacenters << dc;
    }
    for (int j = 0; j < m_o.jobs; ++j) {
        JobSettings job;
        job.name = jobName(j);
        job.lockKey = lockKey(j);
        job.livenessKey = QStringLiteral("jobs/") + jobName(j) + QStringLiteral("/liveness");
        settings.jobs << job;
    }
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return fail(QStringLiteral("settings: ") + problem);

    m_credentials = std::make_unique<CredentialStore>(QStringLiteral("jobslib-dashboardbench"));
    m_credentials->useSessionOnly(QStringLiteral("benchmark"));
    m_languages = std::make_unique<LanguageManager>();
    m_languages->setLanguage(QStringLiteral("en"));
    m_fleet = std::make_unique<Fleet>(*m_credentials);
    // As main.cpp does it: the window first, then the settings, then show().
    m_window = std::make_unique<MainWindow>(*m_fleet, *m_credentials, *m_languages, m_configDir + QStringLiteral("/dashboard.ini"));
    m_model = m_window->fleetModel();
    auto *view = m_window->findChild<QTreeView *>(QStringLiteral("fleetView"));
    if (!view)
        return fail(QStringLiteral("no fleetView in the window"));
    m_paints = new PaintCounter(view);
    view->viewport()->installEventFilter(m_paints);
    QObject::connect(m_fleet.get(), &Fleet::jobChanged, m_fleet.get(), [this] { ++m_jobChanges; });

    bool first = false;
    const QMetaObject::Connection firstData = QObject::connect(m_fleet.get(), &Fleet::firstDataArrived, m_fleet.get(), [&] {
        first = true;
        m_firstDataMs = double(m_clock.nsecsElapsed()) / 1e6;
    });
    const double t0 = double(m_clock.nsecsElapsed()) / 1e6;
    m_fleet->setSettings(settings);
    m_window->show();
    const bool arrived = runUntil([&] { return first; }, TimeoutMs);
    QObject::disconnect(firstData); // it captures this function's locals
    if (!arrived)
        return fail(QStringLiteral("no firstDataArrived"));
    m_firstDataMs -= t0;
    if (!runUntil([this] { return settled(); }, TimeoutMs))
        return fail(QStringLiteral("the rows did not show every lock, holder, TTL and 3 instances (job-000: '%1', '%2', '%3', %4 instances)")
                        .arg(cell(0, FleetModel::Lock), cell(0, FleetModel::Holder), cell(0, FleetModel::Ttl))
                        .arg(m_model->rowCount(m_model->index(0, 0))));
    m_settledMs = double(m_clock.nsecsElapsed()) / 1e6 - t0;
    // And drawn in that state: the repaints the last changes asked for are posted events (a
    // change to rows off screen asks for none, so "the next paint" could be the age timer's).
    QCoreApplication::sendPostedEvents();
    m_startPaints = m_paints->paints;
    if (m_startPaints == 0)
        return fail(QStringLiteral("the tree was never painted"));
    if (m_o.whatIf.contains(QLatin1String("no-statusbar-per-change"))) {
        // Diagnostic only: what MainWindow costs per row update when it does not redo the
        // status bar (and the current job's actions) on every Fleet::jobChanged.
        QObject::disconnect(m_fleet.get(), &Fleet::jobChanged, m_window.get(), nullptr);
    }

    for (int d = 0; d < Datacenters; ++d) {
        const jobslib::KvStore *store = m_fleet->link(d) ? m_fleet->link(d)->store() : nullptr;
        m_watched << (store ? store->watchedPrefix() : QString());
    }
    step(QStringLiteral("window: first data after %1 ms, every row complete after %2 ms, %3 paints of the tree; watching %4")
             .arg(ms(m_firstDataMs), ms(m_settledMs))
             .arg(m_startPaints)
             .arg(m_watched.join(QStringLiteral(", "))));
    return true;
}

Window Bench::measure(int seconds)
{
    Window w;
    const int changes = m_jobChanges;
    const int paints = m_paints->paints;
    const auto ticks0 = threadTicks();
    w.start = usageNow(m_clock);
    runFor(seconds * 1000);
    w.end = usageNow(m_clock);
    const auto ticks1 = threadTicks();
    QList<QPair<double, QString>> busy;
    const double hz = double(sysconf(_SC_CLK_TCK));
    for (auto it = ticks1.cbegin(); it != ticks1.cend(); ++it) {
        const qint64 before = ticks0.value(it.key(), {it.value().first, 0}).second;
        busy << qMakePair(100.0 * double(it.value().second - before) / hz / w.seconds(), it.value().first);
    }
    std::sort(busy.begin(), busy.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    for (const auto &b : std::as_const(busy))
        if (b.first > 0)
            w.threads << QStringLiteral("%1 %2 %").arg(b.second).arg(b.first, 0, 'f', 2);
    w.jobChanges = m_jobChanges - changes;
    w.paints = m_paints->paints - paints;
    return w;
}

bool Bench::startWriter()
{
    QStringList ports;
    for (int d = 0; d < Datacenters; ++d)
        ports << QString::number(port(d));
    m_writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QObject::connect(&m_writer, &QProcess::readyReadStandardOutput, &m_writer, [this] { m_writerOut += m_writer.readAllStandardOutput(); });
    m_writer.start(QCoreApplication::applicationFilePath(),
                   {QStringLiteral("--writer"), ports.join(QLatin1Char(',')), QStringLiteral("--jobs"), QString::number(m_o.jobs)});
    if (!runUntil([this] { return m_writerOut.contains("ready\n") || m_writer.state() == QProcess::NotRunning; }, TimeoutMs)
        || !m_writerOut.contains("ready\n"))
        return fail(QStringLiteral("the heartbeat writer did not start: ") + QString::fromLocal8Bit(m_writerOut) + m_writer.errorString());
    step(QStringLiteral("heartbeat writer (pid %1) rewrites %2 heartbeats every %3 s").arg(m_writer.processId()).arg(m_o.jobs * Datacenters).arg(HeartbeatIntervalS));
    return true;
}

bool Bench::stopWriter()
{
    m_writer.write("stop\n");
    if (!runUntil([this] { return m_writer.state() == QProcess::NotRunning; }, TimeoutMs)) {
        m_writer.kill();
        m_writer.waitForFinished(5000);
        return fail(QStringLiteral("the heartbeat writer did not stop"));
    }
    m_writerOut += m_writer.readAllStandardOutput();
    const int at = int(m_writerOut.indexOf("writer: "));
    m_writerStats = QString::fromLocal8Bit(m_writerOut.mid(at).trimmed());
    const QStringList f = m_writerStats.split(QLatin1Char(' '));
    // "writer: sent N answered N failed N cpu X s wall Y s"
    if (at < 0 || f.size() < 12)
        return fail(QStringLiteral("no totals from the heartbeat writer: ") + QString::fromLocal8Bit(m_writerOut));
    m_writerSent = f.at(2).toLongLong();
    m_writerCpuS = f.at(8).toDouble();
    m_writerWallS = f.at(11).toDouble();
    if (m_writer.exitCode() != 0 || f.at(6) != QLatin1String("0"))
        return fail(QStringLiteral("heartbeat writes failed: ") + m_writerStats);
    return true;
}

bool Bench::measureLatency()
{
    // What the dataChanged handler waits for; it stamps the first dataChanged of the row that
    // shows it (so the event loop's own latency is in, the bench's polling is not).
    struct Expect
    {
        int job = -1;
        QString lock;
        QString holder;
        qint64 doneNs = -1;
    } expect;
    const QMetaObject::Connection c = QObject::connect(m_model, &QAbstractItemModel::dataChanged, m_model,
                                                       [&](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
        if (expect.job < 0 || expect.doneNs >= 0 || topLeft.parent().isValid() || topLeft.row() > expect.job || bottomRight.row() < expect.job)
            return;
        if (cell(expect.job, FleetModel::Lock) == expect.lock && cell(expect.job, FleetModel::Holder) == expect.holder)
            expect.doneNs = m_clock.nsecsElapsed();
    });
    auto change = [&](int job, quint16 dcPort, const QString &pathAndQuery, const QByteArray &body, const QString &lock, const QString &holder,
                      QList<double> *samples) {
        expect = Expect{job, lock, holder, -1};
        const qint64 t0 = m_clock.nsecsElapsed();
        QNetworkReply *reply = m_http.send("PUT", dcPort, pathAndQuery, body);
        qint64 answeredNs = -1;
        QObject::connect(reply, &QNetworkReply::finished, reply, [&] { answeredNs = m_clock.nsecsElapsed(); });
        const HttpReply r = Http::wait(reply);
        if (!r.ok() || r.body.trimmed() != "true")
            return fail(QStringLiteral("%1 %2: %3 %4").arg(jobName(job), pathAndQuery, r.error, QString::fromUtf8(r.body)));
        if (!runUntil([&] { return expect.doneNs >= 0; }, 10000))
            return fail(QStringLiteral("%1: the row did not show '%2' / '%3' within 10 s (it shows '%4' / '%5')")
                            .arg(jobName(job), lock, holder, cell(job, FleetModel::Lock), cell(job, FleetModel::Holder)));
        *samples << double(expect.doneNs - t0) / 1e6;
        if (answeredNs >= 0)
            m_putMs << double(answeredNs - t0) / 1e6;
        return true;
    };

    QRandomGenerator random(20261128); // the same jobs every run
    bool ok = true;
    for (int i = 0; i < m_o.changes && ok; ++i) {
        const int j = int(random.bounded(m_o.jobs));
        const int lockDc = j % Datacenters;
        const int next = (m_holder.at(j) + 1) % Datacenters; // the standby in the next datacenter takes over
        QString error;
        const QString session = createSession(m_http, port(lockDc), j, next, &error);
        if (!error.isEmpty())
            ok = fail(error);
        // Released (a graceful stop): free, no holder. Taken by the other instance's session.
        ok = ok && change(j, port(lockDc), QStringLiteral("/v1/kv/%1?release=%2").arg(lockKey(j), m_sessions.at(j)), {}, QStringLiteral("free"), QString(), &m_releaseMs);
        ok = ok && change(j, port(lockDc), QStringLiteral("/v1/kv/%1?acquire=%2").arg(lockKey(j), session), ownerRecord(j, next), QStringLiteral("held"),
                          holderText(j, next), &m_acquireMs);
        if (!ok)
            break;
        const HttpReply destroyed = m_http.request("PUT", port(lockDc), QStringLiteral("/v1/session/destroy/") + m_sessions.at(j));
        if (!destroyed.ok())
            ok = fail(QStringLiteral("session/destroy: ") + destroyed.error);
        m_sessions[j] = session;
        m_holder[j] = next;
    }
    QObject::disconnect(c);
    if (ok)
        step(QStringLiteral("%1 lock changes measured").arg(m_acquireMs.size()));
    return ok;
}

void Bench::report()
{
    struct Row
    {
        QString metric, measured, target;
    };
    QList<Row> rows;
    const double perChangeMs =
        m_steady.jobChanges > 0 ? (m_steady.cpuS() - m_idle.cpuS() * m_steady.seconds() / m_idle.seconds()) * 1000.0 / m_steady.jobChanges : -1;
    rows << Row{QStringLiteral("idle CPU, no writes (%1 s)").arg(m_idle.seconds(), 0, 'f', 1),
                QStringLiteral("%1 % (%2 wake-ups/s, %3 repaints of the tree)").arg(m_idle.cpuPercent(), 0, 'f', 2).arg(m_idle.wakeupsPerS(), 0, 'f', 1).arg(m_idle.paints),
                QStringLiteral("< 2 %")};
    rows << Row{QStringLiteral("steady CPU, %1 heartbeats every %2 s (%3 s)").arg(m_o.jobs * Datacenters).arg(HeartbeatIntervalS).arg(m_steady.seconds(), 0, 'f', 1),
                QStringLiteral("%1 % (%2 row updates/s, %3 wake-ups/s, %4 repaints)")
                    .arg(m_steady.cpuPercent(), 0, 'f', 2)
                    .arg(double(m_steady.jobChanges) / m_steady.seconds(), 0, 'f', 1)
                    .arg(m_steady.wakeupsPerS(), 0, 'f', 1)
                    .arg(m_steady.paints),
                QStringLiteral("< 2 %")};
    rows << Row{QStringLiteral("of which, by thread: idle / steady (/proc/self/task, %1 Hz ticks)").arg(sysconf(_SC_CLK_TCK)),
                m_idle.threads.join(QStringLiteral(", ")) + QStringLiteral(" / ") + m_steady.threads.join(QStringLiteral(", ")), QStringLiteral("-")};
    rows << Row{QStringLiteral("CPU per heartbeat change (steady minus idle, per row update)"), QStringLiteral("%1 ms").arg(perChangeMs, 0, 'f', 2),
                QStringLiteral("-")};
    rows << Row{QStringLiteral("RSS after loading / after the steady window / at the end"),
                QStringLiteral("%1 / %2 / %3 MB (anonymous after loading: %4 MB; %5 threads)")
                    .arg(m_rssLoaded, 0, 'f', 1)
                    .arg(m_rssSteady, 0, 'f', 1)
                    .arg(m_rssEnd, 0, 'f', 1)
                    .arg(m_anonLoaded, 0, 'f', 1)
                    .arg(m_threads),
                QStringLiteral("< 100 MB")};
    rows << Row{QStringLiteral("peak RSS (VmHWM)"), QStringLiteral("%1 MB").arg(m_hwm, 0, 'f', 1), QStringLiteral("< 100 MB")};
    rows << Row{QStringLiteral("lock taken by another instance -> row shows the new holder, p50 / p99 / max (%1 changes)").arg(m_acquireMs.size()),
                QStringLiteral("%1 / %2 / %3 ms").arg(ms(percentile(m_acquireMs, 0.5)), ms(percentile(m_acquireMs, 0.99)), ms(percentile(m_acquireMs, 1.0))),
                QStringLiteral("- (the tests allow 1 s)")};
    rows << Row{QStringLiteral("lock released -> row shows free, p50 / p99 / max (%1 changes)").arg(m_releaseMs.size()),
                QStringLiteral("%1 / %2 / %3 ms").arg(ms(percentile(m_releaseMs, 0.5)), ms(percentile(m_releaseMs, 0.99)), ms(percentile(m_releaseMs, 1.0))),
                QStringLiteral("- (the tests allow 1 s)")};
    rows << Row{QStringLiteral("of which the PUT's own answer, p50 / max"),
                QStringLiteral("%1 / %2 ms").arg(ms(percentile(m_putMs, 0.5)), ms(percentile(m_putMs, 1.0))), QStringLiteral("-")};
    rows << Row{QStringLiteral("start: setSettings -> first data / every row complete (TTLs fetched)"),
                QStringLiteral("%1 / %2 ms").arg(ms(m_firstDataMs), ms(m_settledMs)), QStringLiteral("-")};
    QStringList sizes;
    for (int d = 0; d < m_snapshotBytes.size(); ++d)
        sizes << QStringLiteral("%1 %2 KB").arg(dcName(d)).arg(double(m_snapshotBytes.at(d)) / 1024.0, 0, 'f', 1);
    rows << Row{QStringLiteral("one answer of a datacenter's watch (read again after every write there)"), sizes.join(QStringLiteral(", ")), QStringLiteral("-")};
    rows << Row{QStringLiteral("heartbeat writer child (not counted above)"),
                QStringLiteral("%1 writes, %2 % CPU").arg(m_writerSent).arg(m_writerWallS > 0 ? 100.0 * m_writerCpuS / m_writerWallS : -1, 0, 'f', 2),
                QStringLiteral("-")};

    if (!m_o.whatIf.isEmpty())
        std::printf("\nWHAT-IF run, not the real program: %s\n", qPrintable(m_o.whatIf.join(QLatin1Char(','))));
    std::printf("\n| metric | measured | target |\n|---|---|---|\n");
    for (const Row &r : std::as_const(rows))
        std::printf("| %s | %s | %s |\n", qPrintable(r.metric), qPrintable(r.measured), qPrintable(r.target));
    std::printf("\n");
    for (const Row &r : std::as_const(rows))
        std::printf("RESULT\t%s\t%s\t%s\n", qPrintable(r.metric), qPrintable(r.measured), qPrintable(r.target));
    std::fflush(stdout);
}

int Bench::run()
{
    if (!startSimulators() || !writeFleet() || !openWindow())
        return 1;
    m_rssLoaded = statusMb("VmRSS");
    m_anonLoaded = statusMb("RssAnon");
    m_threads = threadCount();
    // What every write in a datacenter makes the dashboard download from it again.
    for (int d = 0; d < Datacenters; ++d) {
        const HttpReply r = m_http.request("GET", port(d), QStringLiteral("/v1/kv/%1?recurse=true").arg(m_watched.at(d)));
        m_snapshotBytes << (r.ok() ? r.body.size() : -1);
    }

    step(QStringLiteral("idle window, %1 s").arg(m_o.seconds));
    m_idle = measure(m_o.seconds);
    if (m_idle.jobChanges != 0)
        step(QStringLiteral("note: %1 row updates in the idle window").arg(m_idle.jobChanges));

    if (!startWriter())
        return 1;
    step(QStringLiteral("steady window, %1 s").arg(m_o.seconds));
    m_steady = measure(m_o.seconds);
    m_rssSteady = statusMb("VmRSS");

    // The writer keeps going: a lock changes in a live fleet, not in a silent one.
    bool ok = measureLatency();
    ok = stopWriter() && ok;
    m_rssEnd = statusMb("VmRSS");
    m_hwm = statusMb("VmHWM");
    report();
    if (!ok)
        return 1;
    if (m_steady.jobChanges < m_o.seconds * m_o.jobs * Datacenters / HeartbeatIntervalS / 2) {
        fail(QStringLiteral("only %1 row updates in the steady window: the heartbeats did not reach the window").arg(m_steady.jobChanges));
        return 1;
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    QCommandLineParser parser;
    const QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("Length of the idle and of the steady window (default 30)."),
                                     QStringLiteral("N"), QStringLiteral("30"));
    const QCommandLineOption changes(QStringLiteral("changes"), QStringLiteral("Lock changes timed (default 50)."), QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption jobs(QStringLiteral("jobs"), QStringLiteral("Jobs (default 100)."), QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption writer(QStringLiteral("writer"), QStringLiteral("Internal: be the heartbeat writer for these simulator ports."),
                                    QStringLiteral("PORT,PORT,PORT"));
    const QCommandLineOption whatIf(QStringLiteral("what-if"),
                                    QStringLiteral("Diagnostics, not the real program: quiet-log (jobslib.*.debug off), no-statusbar-per-change (MainWindow "
                                                   "not told of every row update); comma separated."),
                                    QStringLiteral("LIST"));
    parser.addOptions({seconds, changes, jobs, writer, whatIf});
    parser.addHelpOption();
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "%s\n", qPrintable(parser.errorText()));
        return 2;
    }
    Options o;
    bool ok1 = false, ok2 = false, ok3 = false;
    o.seconds = parser.value(seconds).toInt(&ok1);
    o.changes = parser.value(changes).toInt(&ok2);
    o.jobs = parser.value(jobs).toInt(&ok3);
    o.whatIf = parser.value(whatIf).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &w : std::as_const(o.whatIf)) {
        if (w != QLatin1String("quiet-log") && w != QLatin1String("no-statusbar-per-change")) {
            std::fprintf(stderr, "--what-if: unknown '%s'\n", qPrintable(w));
            return 2;
        }
    }
    if (!ok1 || !ok2 || !ok3 || o.seconds < 1 || o.changes < 1 || o.jobs < 1 || o.jobs > 999) {
        std::fprintf(stderr, "usage: jobslib-dashboardbench [--seconds N>=1] [--changes N>=1] [--jobs 1..999]\n");
        return 2;
    }

    if (parser.isSet(writer)) {
        QCoreApplication app(argc, argv);
        const QStringList ports = parser.value(writer).split(QLatin1Char(','));
        if (ports.size() != Datacenters)
            return 2;
        return runWriter(ports, o.jobs);
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(parser.helpText()));
        return 0;
    }

    // The dashboard remembers its layout in the user's config: a private one, on the offscreen
    // platform (still a real raster backing store: every repaint is drawn).
    QTemporaryDir config;
    if (!config.isValid())
        return 1;
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(config.path()));
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("jobslib-dashboardbench"));
    QApplication::setOrganizationName(QStringLiteral("jobslib"));
    // The real dashboard installs no message handler: jobslib's categories log every request at
    // debug level to stderr, and that is part of what it costs (quiet-log measures without).
    if (o.whatIf.contains(QLatin1String("quiet-log")))
        QLoggingCategory::setFilterRules(QStringLiteral("jobslib.*.debug=false"));
    std::fprintf(stderr, "jobslib-dashboardbench: %d jobs x %d datacenters, windows of %d s, %d lock changes, platform %s%s\n", o.jobs, Datacenters,
                 o.seconds, o.changes, qPrintable(QApplication::platformName()),
                 o.whatIf.isEmpty() ? "" : qPrintable(QStringLiteral(", WHAT-IF (not the real program): ") + o.whatIf.join(QLatin1Char(','))));
    Bench bench(o, config.path());
    return bench.run();
}
