// SPDX-License-Identifier: BSD-3-Clause
#include "etcdcluster.h"

#include "testutil.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPointer>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <signal.h>
#include <sys/prctl.h>

namespace jobslib::test {

namespace {

bool isReservedPort(quint16 port)
{
    return port == 2379 || port == 2380 || port == 4001 || port == 7001; // etcd's defaults: a system etcd may want them
}

QString base64(const QByteArray &data)
{
    return QString::fromLatin1(data.toBase64());
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

/*! The remaining time of a deadline as a timeout for one step: at least 1 ms, at most capMs. */
int slice(const QDeadlineTimer &deadline, qint64 capMs)
{
    return int(qBound(qint64(1), deadline.remainingTime(), capMs));
}

} // namespace

QJsonObject EtcdCluster::Reply::json() const
{
    return QJsonDocument::fromJson(body).object();
}

int EtcdCluster::Reply::grpcCode() const
{
    const QJsonObject o = json();
    const QJsonValue failure = o.value(QLatin1String("error"));
    if (failure.isObject())
        return failure.toObject().value(QLatin1String("grpc_code")).toInt();
    return o.value(QLatin1String("code")).toInt();
}

QString EtcdCluster::Reply::message() const
{
    const QJsonObject o = json();
    const QJsonValue failure = o.value(QLatin1String("error"));
    if (failure.isObject())
        return failure.toObject().value(QLatin1String("message")).toString();
    const QString text = o.value(QLatin1String("message")).toString();
    return text.isEmpty() ? failure.toString() : text;
}

QString EtcdCluster::Reply::describe() const
{
    if (status == 0)
        return QStringLiteral("no answer: ") + (error.isEmpty() ? QStringLiteral("unknown error") : error);
    QString text = QStringLiteral("HTTP %1").arg(status);
    if (const int code = grpcCode())
        text += QStringLiteral(" (code %1)").arg(code);
    const QString why = message();
    if (!why.isEmpty())
        text += QStringLiteral(": ") + why;
    else if (!ok() && !body.trimmed().isEmpty())
        text += QStringLiteral(": ") + QString::fromUtf8(body.trimmed().left(300));
    if (!error.isEmpty())
        text += QStringLiteral(" [") + error + QLatin1Char(']');
    return text;
}

EtcdCluster::EtcdCluster(QObject *parent)
    : QObject(parent)
{
    m_network.setProxy(QNetworkProxy::NoProxy);
}

EtcdCluster::~EtcdCluster()
{
    killAll();
}

QString EtcdCluster::program()
{
    const QString debian = QStringLiteral("/usr/bin/etcd");
    if (QFileInfo(debian).isExecutable())
        return debian;
    return QStandardPaths::findExecutable(QStringLiteral("etcd"));
}

EtcdUrl EtcdCluster::clientUrl(int member) const
{
    return EtcdUrl(QStringLiteral("http://127.0.0.1:%1").arg(clientPort(member)));
}

QList<QUrl> EtcdCluster::clientUrls() const
{
    QList<QUrl> urls;
    for (int m = 0; m < size(); ++m)
        urls << clientUrl(m);
    return urls;
}

QString EtcdCluster::endpoints() const
{
    QStringList urls;
    for (int m = 0; m < size(); ++m)
        urls << clientUrl(m).toString();
    return urls.join(QLatin1Char(','));
}

quint16 EtcdCluster::clientPort(int member) const
{
    return validMember(member) ? m_members[size_t(member)]->clientPort : 0;
}

quint16 EtcdCluster::peerPort(int member) const
{
    return validMember(member) ? m_members[size_t(member)]->peerPort : 0;
}

QString EtcdCluster::name(int member) const
{
    return validMember(member) ? m_members[size_t(member)]->name : QString();
}

QString EtcdCluster::directory() const
{
    return m_dir ? m_dir->path() : QString();
}

QStringList EtcdCluster::commandLine(int member) const
{
    return validMember(member) ? m_members[size_t(member)]->lastArguments : QStringList();
}

bool EtcdCluster::isRunning(int member) const
{
    return validMember(member) && m_members[size_t(member)]->process.state() != QProcess::NotRunning;
}

bool EtcdCluster::isPaused(int member) const
{
    return isRunning(member) && m_members[size_t(member)]->paused;
}

QList<int> EtcdCluster::available() const
{
    QList<int> members;
    for (int m = 0; m < size(); ++m) {
        if (isRunning(m) && !isPaused(m))
            members << m;
    }
    return members;
}

QString EtcdCluster::output(int member) const
{
    return validMember(member) ? QString::fromLocal8Bit(m_members[size_t(member)]->output) : QString();
}

QString EtcdCluster::outputs() const
{
    QString text;
    for (int m = 0; m < size(); ++m)
        text += QStringLiteral("--- etcd member %1 (client port %2):\n").arg(name(m)).arg(clientPort(m)) + output(m);
    return text;
}

QString EtcdCluster::outputTail(int member, qsizetype since) const
{
    // The last lines: etcd's reason to exit is among them.
    constexpr int MaxLines = 8;
    const QByteArray out = m_members[size_t(member)]->output.mid(since).trimmed();
    qsizetype from = out.size();
    for (int lines = 0; lines < MaxLines && from > 0; ++lines)
        from = out.lastIndexOf('\n', from - 1);
    const QByteArray tail = from > 0 ? "...\n" + out.mid(from + 1) : out;
    return tail.isEmpty() ? QStringLiteral("(no output)") : QString::fromLocal8Bit(tail);
}

QByteArray EtcdCluster::prefixEnd(const QByteArray &prefix)
{
    QByteArray end = prefix;
    while (!end.isEmpty()) {
        const auto last = static_cast<unsigned char>(end.back());
        if (last < 0xff) {
            end.back() = char(last + 1);
            return end;
        }
        end.chop(1);
    }
    return QByteArray(1, '\0'); // every key
}

bool EtcdCluster::pickPorts(QString *error)
{
    for (int attempt = 0; attempt < 5; ++attempt) {
        // All listen at once so that they differ; closed when they go out of scope.
        std::vector<std::unique_ptr<QTcpServer>> servers;
        bool reserved = false;
        for (size_t i = 0; i < 2 * m_members.size(); ++i) {
            auto server = std::make_unique<QTcpServer>();
            if (!server->listen(QHostAddress::LocalHost, 0)) {
                if (error)
                    *error = QStringLiteral("cannot find a free port on 127.0.0.1: ") + server->errorString();
                return false;
            }
            reserved = reserved || isReservedPort(server->serverPort());
            servers.push_back(std::move(server));
        }
        if (reserved)
            continue;
        for (size_t i = 0; i < m_members.size(); ++i) {
            m_members[i]->clientPort = servers[2 * i]->serverPort();
            m_members[i]->peerPort = servers[2 * i + 1]->serverPort();
        }
        return true;
    }
    if (error)
        *error = QStringLiteral("cannot find free ports on 127.0.0.1 other than etcd's defaults");
    return false;
}

QStringList EtcdCluster::arguments(int member, bool newCluster) const
{
    const Member &m = *m_members[size_t(member)];
    QStringList initialCluster;
    for (const auto &other : m_members)
        initialCluster << QStringLiteral("%1=http://127.0.0.1:%2").arg(other->name).arg(other->peerPort);
    const QString client = QStringLiteral("http://127.0.0.1:%1").arg(m.clientPort);
    const QString peer = QStringLiteral("http://127.0.0.1:%1").arg(m.peerPort);
    // The initial-* flags only matter for a data directory that does not exist yet; "existing"
    // on a restart says so.
    return {QStringLiteral("--name"),
            m.name,
            QStringLiteral("--data-dir"),
            m.dataDir,
            QStringLiteral("--listen-client-urls"),
            client,
            QStringLiteral("--advertise-client-urls"),
            client,
            QStringLiteral("--listen-peer-urls"),
            peer,
            QStringLiteral("--initial-advertise-peer-urls"),
            peer,
            QStringLiteral("--initial-cluster"),
            initialCluster.join(QLatin1Char(',')),
            QStringLiteral("--initial-cluster-state"),
            newCluster ? QStringLiteral("new") : QStringLiteral("existing"),
            QStringLiteral("--initial-cluster-token"),
            m_clusterToken,
            // Loopback: elections within a second. Leases live at least 1.5 election timeouts (rounded up to 1 s).
            QStringLiteral("--heartbeat-interval"),
            QStringLiteral("50"),
            QStringLiteral("--election-timeout"),
            QStringLiteral("500"),
            QStringLiteral("--logger"),
            QStringLiteral("zap"),
            QStringLiteral("--log-level"),
            QStringLiteral("warn"),
            QStringLiteral("--log-outputs"),
            QStringLiteral("stderr")};
}

bool EtcdCluster::launch(int member, bool newCluster, QString *error)
{
    Member &m = *m_members[size_t(member)];
    QProcessEnvironment env = cleanEnvironment();
    const QStringList keys = env.keys();
    for (const QString &key : keys) {
        // etcd reads every flag from ETCD_<FLAG> too; etcdctl's variables are not its business either.
        if (key.startsWith(QLatin1String("ETCD_")) || key.startsWith(QLatin1String("ETCDCTL_")) || key.compare(QLatin1String("http_proxy"), Qt::CaseInsensitive) == 0
            || key.compare(QLatin1String("https_proxy"), Qt::CaseInsensitive) == 0 || key.compare(QLatin1String("all_proxy"), Qt::CaseInsensitive) == 0
            || key.compare(QLatin1String("no_proxy"), Qt::CaseInsensitive) == 0)
            env.remove(key);
    }
    m.lastArguments = QStringList{program()} + arguments(member, newCluster);
    m.output += "=== EtcdCluster: " + m.lastArguments.join(QLatin1Char(' ')).toLocal8Bit() + '\n';
    m.paused = false;
    m.process.setProcessEnvironment(env);
    m.process.setWorkingDirectory(m_dir->path());
    m.process.start(program(), m.lastArguments.mid(1));
    (void)QTest::qWaitFor([&m] { return m.process.state() != QProcess::Starting; }, 10000);
    if (m.process.state() != QProcess::Running) {
        if (error)
            *error = QStringLiteral("cannot start %1 (member %2): %3").arg(program(), m.name, m.process.errorString());
        return false;
    }
    return true;
}

bool EtcdCluster::start(int members, QString *error, int timeoutMs)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (m_started)
        return fail(QStringLiteral("EtcdCluster::start() was called before; startMember() restarts a member"));
    if (members < 1 || members > 7)
        return fail(QStringLiteral("%1 members: 1 to 7 (1 or 3 make sense)").arg(members));
    if (program().isEmpty())
        return fail(QStringLiteral("etcd is not installed (Debian package \"etcd-server\")"));
    m_started = true;
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/jobslib-etcd-XXXXXX"));
    if (!m_dir->isValid())
        return fail(QStringLiteral("cannot create a temporary directory: ") + m_dir->errorString());
    for (int i = 0; i < members; ++i) {
        auto m = std::make_unique<Member>();
        Member *raw = m.get();
        raw->name = QStringLiteral("m%1").arg(i);
        raw->dataDir = QDir(m_dir->path()).filePath(raw->name); // etcd creates it (mode 0700)
        raw->process.setProcessChannelMode(QProcess::MergedChannels);
        // A test killed by its timeout must not leave etcd behind.
        raw->process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        connect(&raw->process, &QProcess::readyReadStandardOutput, this, [raw] { raw->output += raw->process.readAllStandardOutput(); });
        connect(&raw->process, &QProcess::finished, this, [raw] { raw->output += raw->process.readAllStandardOutput(); });
        m_members.push_back(std::move(m));
    }

    const QDeadlineTimer deadline(timeoutMs);
    QList<int> all;
    for (int i = 0; i < members; ++i)
        all << i;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!pickPorts(error))
            return false;
        m_clusterToken = QStringLiteral("jobslib-test-%1").arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
        bool launched = true;
        for (int i = 0; i < members && launched; ++i)
            launched = launch(i, true, error);
        bool bindFailed = false;
        if (launched && waitReady(all, Readiness::Healthy, deadline, error, &bindFailed))
            return true;
        killAll();
        if (!bindFailed || attempt > 0)
            return false;
        // Someone took a port between pickPorts() and etcd's bind: once more on new ports, as a new cluster.
        for (const auto &m : m_members) {
            m->output += "=== EtcdCluster: a port was taken, starting again on other ports\n";
            QDir(m->dataDir).removeRecursively();
        }
    }
    return false;
}

bool EtcdCluster::accepts(int member, int timeoutMs)
{
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    socket.connectToHost(QHostAddress::LocalHost, clientPort(member));
    (void)QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState || socket.state() == QAbstractSocket::UnconnectedState; },
                          timeoutMs);
    const bool connected = socket.state() == QAbstractSocket::ConnectedState;
    socket.abort();
    return connected;
}

bool EtcdCluster::waitReady(const QList<int> &members, Readiness readiness, const QDeadlineTimer &deadline, QString *error, bool *bindFailed)
{
    QList<int> pending = members;
    QList<qsizetype> since;
    for (int m : members)
        since << m_members[size_t(m)]->output.size();
    const auto died = [this, &members] {
        for (int m : members) {
            if (!isRunning(m))
                return true;
        }
        return false;
    };
    QString lastAnswer;
    for (;;) {
        for (qsizetype i = 0; i < members.size(); ++i) {
            const int m = members[i];
            if (isRunning(m))
                continue;
            const QString tail = outputTail(m, since[i]);
            if (bindFailed)
                *bindFailed = tail.contains(QLatin1String("address already in use"));
            if (error)
                *error = QStringLiteral("etcd member %1 exited (code %2) before it was %3:\n%4")
                             .arg(name(m))
                             .arg(m_members[size_t(m)]->process.exitCode())
                             .arg(readiness == Readiness::Healthy ? QStringLiteral("healthy") : QStringLiteral("listening"), tail);
            return false;
        }
        for (auto it = pending.begin(); it != pending.end();) {
            // A request aborted right after it was sent upsets QNetworkAccessManager ("error: Internal
            // problem, this method must only be called once" when the connection closes later).
            if (deadline.remainingTime() < 100)
                break;
            bool ready = false;
            if (readiness == Readiness::Listening) {
                ready = accepts(*it, slice(deadline, 500));
            } else {
                // A member that listens but is not ready yet does not answer at all: short tries.
                const Reply r = send("GET", *it, QStringLiteral("/health"), {}, {}, slice(deadline, 500), died);
                const QJsonValue h = r.json().value(QLatin1String("health"));
                ready = r.status == 200 && (h.toString() == QLatin1String("true") || h.toBool());
                lastAnswer = QStringLiteral("%1: %2 %3").arg(name(*it), r.describe(), QString::fromUtf8(r.body.trimmed()));
            }
            it = ready ? pending.erase(it) : std::next(it);
        }
        if (pending.isEmpty())
            return true;
        if (deadline.hasExpired()) {
            if (error) {
                QString text = QStringLiteral("etcd members not %1 in time:").arg(readiness == Readiness::Healthy ? QStringLiteral("healthy") : QStringLiteral("listening"));
                for (int m : std::as_const(pending))
                    text += QStringLiteral("\n--- %1 (client port %2):\n%3").arg(name(m)).arg(clientPort(m)).arg(outputTail(m, since[members.indexOf(m)]));
                if (!lastAnswer.isEmpty())
                    text += QStringLiteral("\nlast answer: ") + lastAnswer;
                *error = text;
            }
            return false;
        }
        // Refused until the listener is up: look again soon, or as soon as a member gives up.
        (void)QTest::qWaitFor(died, slice(deadline, 50));
    }
}

bool EtcdCluster::waitHealthy(int timeoutMs, const QList<int> &members, QString *error)
{
    const QList<int> which = members.isEmpty() ? available() : members;
    for (int m : which) {
        if (!validMember(m)) {
            if (error)
                *error = QStringLiteral("no member %1").arg(m);
            return false;
        }
    }
    QString why;
    const bool healthy = !which.isEmpty() && waitReady(which, Readiness::Healthy, QDeadlineTimer(timeoutMs), &why);
    if (!healthy) {
        if (which.isEmpty())
            why = QStringLiteral("no member is running");
        if (error)
            *error = why;
        else
            qWarning().noquote() << "EtcdCluster::waitHealthy:" << why;
    }
    return healthy;
}

bool EtcdCluster::startMember(int member, QString *error, int timeoutMs)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        else
            qWarning().noquote() << "EtcdCluster::startMember:" << why;
        return false;
    };
    if (!validMember(member))
        return fail(QStringLiteral("no member %1").arg(member));
    if (isRunning(member))
        return fail(QStringLiteral("member %1 is running").arg(name(member)));
    m_network.clearConnectionCache();
    const QDeadlineTimer deadline(timeoutMs);
    QString why;
    if (!launch(member, false, &why))
        return fail(why);
    const bool quorum = available().size() > size() / 2;
    if (!waitReady({member}, quorum ? Readiness::Healthy : Readiness::Listening, deadline, &why))
        return fail(why);
    return true;
}

void EtcdCluster::stopMember(int member, int timeoutMs)
{
    if (!isRunning(member))
        return;
    Member &m = *m_members[size_t(member)];
    m.process.terminate();
    if (m.paused) {
        // A stopped process acts on SIGTERM only once it continues.
        ::kill(pid_t(m.process.processId()), SIGCONT);
        m.paused = false;
    }
    if (!QTest::qWaitFor([&m] { return m.process.state() == QProcess::NotRunning; }, timeoutMs)) {
        m.output += "=== EtcdCluster: SIGTERM was not enough, killing it\n";
        m.process.kill();
        (void)QTest::qWaitFor([&m] { return m.process.state() == QProcess::NotRunning; }, 5000);
    }
    // Kept-alive connections point at the old process.
    m_network.clearConnectionCache();
}

void EtcdCluster::killMember(int member)
{
    if (!isRunning(member))
        return;
    Member &m = *m_members[size_t(member)];
    m.process.kill();
    (void)QTest::qWaitFor([&m] { return m.process.state() == QProcess::NotRunning; }, 5000);
    m.paused = false;
    m_network.clearConnectionCache();
}

void EtcdCluster::killAll()
{
    // The data goes with the temporary directory: no need for a graceful stop, which takes seconds
    // for members that lost their quorum.
    for (const auto &m : m_members) {
        if (m->process.state() != QProcess::NotRunning)
            m->process.kill();
        m->paused = false;
    }
    (void)QTest::qWaitFor(
        [this] {
            for (const auto &m : m_members) {
                if (m->process.state() != QProcess::NotRunning)
                    return false;
            }
            return true;
        },
        5000);
    m_network.clearConnectionCache();
}

void EtcdCluster::pauseMember(int member)
{
    if (!isRunning(member) || isPaused(member))
        return;
    Member &m = *m_members[size_t(member)];
    ::kill(pid_t(m.process.processId()), SIGSTOP);
    m.paused = true;
}

void EtcdCluster::resumeMember(int member)
{
    if (!isPaused(member))
        return;
    Member &m = *m_members[size_t(member)];
    ::kill(pid_t(m.process.processId()), SIGCONT);
    m.paused = false;
}

EtcdCluster::Reply EtcdCluster::health(int member, int timeoutMs)
{
    return send("GET", member, QStringLiteral("/health"), {}, {}, timeoutMs);
}

int EtcdCluster::leader(int timeoutMs)
{
    const QList<int> members = available();
    for (int m : members) {
        const QJsonObject o = request(m, QStringLiteral("/v3/maintenance/status"), "{}", timeoutMs).json();
        const QString self = o.value(QLatin1String("header")).toObject().value(QLatin1String("member_id")).toString();
        if (!self.isEmpty() && self == o.value(QLatin1String("leader")).toString())
            return m;
    }
    return -1;
}

EtcdCluster::Reply EtcdCluster::request(int member, const QString &path, const QByteArray &jsonBody, int timeoutMs, const QByteArray &authToken)
{
    Headers headers;
    if (!authToken.isEmpty())
        headers.append({QByteArrayLiteral("Authorization"), authToken});
    return send("POST", member, path, jsonBody, headers, timeoutMs);
}

EtcdCluster::Reply EtcdCluster::request(int member, const QString &path, const QByteArray &jsonBody, const Headers &headers, int timeoutMs)
{
    return send("POST", member, path, jsonBody, headers, timeoutMs);
}

EtcdCluster::Reply EtcdCluster::send(const QByteArray &method, int member, const QString &path, const QByteArray &body, const Headers &headers,
                                     int timeoutMs, const std::function<bool()> &giveUp)
{
    Reply result;
    if (!validMember(member)) {
        result.error = QStringLiteral("no member %1").arg(member);
        return result;
    }
    QNetworkRequest req(QUrl(clientUrl(member).toString() + path));
    if (method == "POST")
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : headers)
        req.setRawHeader(name, value);
    QPointer<QNetworkReply> reply = m_network.sendCustomRequest(req, method, body);
    bool gaveUp = false;
    const bool done = QTest::qWaitFor(
        [&] {
            gaveUp = giveUp && giveUp();
            return gaveUp || !reply || reply->isFinished();
        },
        timeoutMs);
    if (!reply) {
        result.error = QStringLiteral("the reply went away");
        return result;
    }
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->isOpen())
        result.body = reply->readAll();
    if (!done || !reply->isFinished()) {
        result.timedOut = !gaveUp;
        if (gaveUp)
            result.error = QStringLiteral("gave up waiting");
        else if (result.status == 0)
            result.error = QStringLiteral("no answer within %1 ms").arg(timeoutMs);
        else
            result.error = QStringLiteral("the response did not end within %1 ms").arg(timeoutMs);
        reply->abort();
    } else if (result.status == 0) {
        result.error = reply->errorString();
    } else if (reply->error() > QNetworkReply::NoError && reply->error() < QNetworkReply::ProxyConnectionRefusedError) {
        // A network error after the headers: the connection broke in the middle of the body (a stream).
        result.error = QStringLiteral("the response broke off: ") + reply->errorString();
    }
    reply->deleteLater();
    return result;
}

EtcdCluster::Reply EtcdCluster::kvRequest(int member, const QString &path, const QByteArray &body, QString *error)
{
    const QList<int> members = member >= 0 ? QList<int>{member} : available();
    Reply r;
    r.error = members.isEmpty() ? QStringLiteral("no member is running") : QString();
    for (int m : members) {
        r = request(m, path, body, 5000, m_token);
        if (r.status == 401 && !m_rootPassword.isEmpty()) {
            // Simple tokens expire after 5 idle minutes, and with the member that issued them.
            const QByteArray fresh = authenticate(QStringLiteral("root"), m_rootPassword);
            if (!fresh.isEmpty()) {
                m_token = fresh;
                r = request(m, path, body, 5000, m_token);
            }
        }
        if (r.status != 0 && r.status < 500)
            break;
    }
    if (!r.ok() && error)
        *error = QStringLiteral("%1: %2").arg(path, r.describe());
    return r;
}

bool EtcdCluster::put(const QByteArray &key, const QByteArray &value, QString *error)
{
    return put(-1, key, value, error);
}

bool EtcdCluster::put(int member, const QByteArray &key, const QByteArray &value, QString *error)
{
    const QJsonObject body{{QStringLiteral("key"), base64(key)}, {QStringLiteral("value"), base64(value)}};
    return kvRequest(member, QStringLiteral("/v3/kv/put"), compact(body), error).ok();
}

std::optional<QByteArray> EtcdCluster::get(const QByteArray &key, QString *error)
{
    return get(-1, key, error);
}

std::optional<QByteArray> EtcdCluster::get(int member, const QByteArray &key, QString *error)
{
    const QJsonObject body{{QStringLiteral("key"), base64(key)}};
    const Reply r = kvRequest(member, QStringLiteral("/v3/kv/range"), compact(body), error);
    if (!r.ok())
        return std::nullopt;
    const QJsonArray kvs = r.json().value(QLatin1String("kvs")).toArray();
    if (kvs.isEmpty())
        return std::nullopt;
    // An empty value is left out of the JSON.
    return QByteArray::fromBase64(kvs.at(0).toObject().value(QLatin1String("value")).toString().toLatin1());
}

QByteArray EtcdCluster::get(const QString &key)
{
    return get(key.toUtf8()).value_or(QByteArray());
}

bool EtcdCluster::remove(const QByteArray &key, QString *error)
{
    const QJsonObject body{{QStringLiteral("key"), base64(key)}};
    return kvRequest(-1, QStringLiteral("/v3/kv/deleterange"), compact(body), error).ok();
}

QByteArray EtcdCluster::authenticate(const QString &user, const QString &password, QString *error)
{
    const QJsonObject body{{QStringLiteral("name"), user}, {QStringLiteral("password"), password}};
    const QList<int> members = available();
    Reply r;
    r.error = QStringLiteral("no member is running");
    for (int m : members) {
        r = request(m, QStringLiteral("/v3/auth/authenticate"), compact(body));
        if (r.status != 0 && r.status < 500)
            break;
    }
    const QByteArray token = r.json().value(QLatin1String("token")).toString().toUtf8();
    if (token.isEmpty() && error)
        *error = QStringLiteral("/v3/auth/authenticate as %1: %2").arg(user, r.describe());
    return token;
}

bool EtcdCluster::enableAuth(const QString &rootPassword, QString *error)
{
    QString why;
    const auto step = [&](const QString &path, const QJsonObject &body) {
        return why.isEmpty() && kvRequest(-1, path, compact(body), &why).ok();
    };
    const bool enabled = step(QStringLiteral("/v3/auth/user/add"), {{QStringLiteral("name"), QStringLiteral("root")}, {QStringLiteral("password"), rootPassword}})
        && step(QStringLiteral("/v3/auth/user/grant"), {{QStringLiteral("user"), QStringLiteral("root")}, {QStringLiteral("role"), QStringLiteral("root")}})
        && step(QStringLiteral("/v3/auth/enable"), {});
    if (!enabled) {
        if (error)
            *error = why;
        return false;
    }
    m_rootPassword = rootPassword;
    m_token = authenticate(QStringLiteral("root"), rootPassword, error);
    return !m_token.isEmpty();
}

bool EtcdCluster::addUser(const QString &user, const QString &password, const QByteArray &keyPrefix, QString *error)
{
    QString why;
    const auto step = [&](const QString &path, const QJsonObject &body) {
        return why.isEmpty() && kvRequest(-1, path, compact(body), &why).ok();
    };
    const QJsonObject perm{{QStringLiteral("permType"), QStringLiteral("READWRITE")},
                           {QStringLiteral("key"), base64(keyPrefix.isEmpty() ? QByteArray(1, '\0') : keyPrefix)},
                           {QStringLiteral("range_end"), base64(prefixEnd(keyPrefix))}};
    const bool added = step(QStringLiteral("/v3/auth/user/add"), {{QStringLiteral("name"), user}, {QStringLiteral("password"), password}})
        && step(QStringLiteral("/v3/auth/role/add"), {{QStringLiteral("name"), user}})
        && step(QStringLiteral("/v3/auth/role/grant"), {{QStringLiteral("name"), user}, {QStringLiteral("perm"), perm}})
        && step(QStringLiteral("/v3/auth/user/grant"), {{QStringLiteral("user"), user}, {QStringLiteral("role"), user}});
    if (!added && error)
        *error = why;
    return added;
}

} // namespace jobslib::test
