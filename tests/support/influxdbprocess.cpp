// SPDX-License-Identifier: BSD-3-Clause
#include "influxdbprocess.h"

#include "testutil.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPointer>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

#include <utility>

#include <signal.h>
#include <sys/prctl.h>

namespace jobslib::test {

namespace {

using Fields = QList<std::pair<QString, QString>>;

/*! application/x-www-form-urlencoded; everything but unreserved characters escaped ('+' too). */
QByteArray formEncode(const Fields &fields)
{
    QByteArray out;
    for (const auto &[key, value] : fields) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

/*! A TOML basic string. */
QString tomlString(const QString &s)
{
    QString escaped = s;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

/*! An InfluxQL identifier in double quotes. */
QString quoteIdentifier(const QString &s)
{
    QString escaped = s;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

/*! An InfluxQL string literal in single quotes. */
QString quoteString(const QString &s)
{
    QString escaped = s;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

bool isReservedPort(quint16 port)
{
    return port == 8086 || port == 8088; // influxd's defaults: a system influxd may want them
}

} // namespace

InfluxDbProcess::InfluxDbProcess(QObject *parent)
    : QObject(parent)
{
    m_network.setProxy(QNetworkProxy::NoProxy);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    // A test killed by its timeout must not leave influxd behind.
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    connect(&m_process, &QProcess::readyReadStandardOutput, this, [this] { m_output += m_process.readAllStandardOutput(); });
    connect(&m_process, &QProcess::finished, this, [this] { m_output += m_process.readAllStandardOutput(); });
}

InfluxDbProcess::~InfluxDbProcess()
{
    stop();
}

QString InfluxDbProcess::program()
{
    QString path = QStandardPaths::findExecutable(QStringLiteral("influxd"));
    if (path.isEmpty() && QFileInfo(QStringLiteral("/usr/bin/influxd")).isExecutable())
        path = QStringLiteral("/usr/bin/influxd");
    return path;
}

QString InfluxDbProcess::url() const
{
    return QStringLiteral("http://%1:%2").arg(host()).arg(m_httpPort);
}

QString InfluxDbProcess::directory() const
{
    return m_dir ? m_dir->path() : QString();
}

bool InfluxDbProcess::pickPorts(QString *error)
{
    for (int attempt = 0; attempt < 5; ++attempt) {
        // Both listen at once so that they differ; closed when they go out of scope.
        QTcpServer http;
        QTcpServer rpc;
        if (!http.listen(QHostAddress::LocalHost, 0) || !rpc.listen(QHostAddress::LocalHost, 0)) {
            if (error)
                *error = QStringLiteral("cannot find a free port on 127.0.0.1: ") + http.errorString() + QLatin1Char(' ') + rpc.errorString();
            return false;
        }
        if (isReservedPort(http.serverPort()) || isReservedPort(rpc.serverPort()))
            continue;
        m_httpPort = http.serverPort();
        m_rpcPort = rpc.serverPort();
        return true;
    }
    if (error)
        *error = QStringLiteral("cannot find a free port on 127.0.0.1 other than 8086/8088");
    return false;
}

bool InfluxDbProcess::writeConfig(bool authEnabled, QString *error)
{
    const QDir dir(m_dir->path());
    const auto yesNo = [](bool b) { return b ? QStringLiteral("true") : QStringLiteral("false"); };
    const QString config = QStringLiteral(
                               "# Written by jobslib::test::InfluxDbProcess for influxd 1.x.\n"
                               "# Debian's build knows reporting-enabled (default false), upstream's reporting-disabled;\n"
                               "# influxd ignores keys it does not know, so both are set.\n"
                               "reporting-enabled = false\n"
                               "reporting-disabled = true\n"
                               "# The backup/restore RPC service.\n"
                               "bind-address = %1\n"
                               "\n"
                               "[meta]\n"
                               "  dir = %2\n"
                               "\n"
                               "[data]\n"
                               "  dir = %3\n"
                               "  wal-dir = %4\n"
                               "  query-log-enabled = %5\n"
                               "\n"
                               "[monitor]\n"
                               "  store-enabled = false\n"
                               "\n"
                               "[subscriber]\n"
                               "  enabled = false\n"
                               "\n"
                               "[http]\n"
                               "  enabled = true\n"
                               "  bind-address = %6\n"
                               "  auth-enabled = %7\n"
                               "  log-enabled = %5\n"
                               "  access-log-path = \"\"\n"
                               "  https-enabled = false\n"
                               "  unix-socket-enabled = false\n"
                               "  pprof-enabled = false\n"
                               "\n"
                               "[ifql]\n"
                               "  enabled = false\n"
                               "\n"
                               "[logging]\n"
                               "  format = \"logfmt\"\n"
                               "  level = \"info\"\n"
                               "  suppress-logo = true\n"
                               "\n"
                               "# Off by default already; explicit so that nothing else opens a port.\n"
                               "[[graphite]]\n"
                               "  enabled = false\n"
                               "[[collectd]]\n"
                               "  enabled = false\n"
                               "[[opentsdb]]\n"
                               "  enabled = false\n"
                               "[[udp]]\n"
                               "  enabled = false\n")
                               .arg(tomlString(QStringLiteral("127.0.0.1:%1").arg(m_rpcPort)), tomlString(dir.filePath(QStringLiteral("meta"))),
                                    tomlString(dir.filePath(QStringLiteral("data"))), tomlString(dir.filePath(QStringLiteral("wal"))),
                                    yesNo(m_requestLog), tomlString(QStringLiteral("127.0.0.1:%1").arg(m_httpPort)), yesNo(authEnabled));
    QFile file(dir.filePath(QStringLiteral("influxdb.conf")));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(config.toUtf8()) < 0 || !file.flush()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    return true;
}

QString InfluxDbProcess::outputTail(qsizetype since) const
{
    // The last lines: influxd's reason to exit is the last one.
    constexpr int MaxLines = 12;
    const QByteArray out = m_output.mid(since).trimmed();
    qsizetype from = out.size();
    for (int lines = 0; lines < MaxLines && from > 0; ++lines)
        from = out.lastIndexOf('\n', from - 1);
    const QByteArray tail = from > 0 ? "...\n" + out.mid(from + 1) : out;
    return tail.isEmpty() ? QStringLiteral("(no output)") : QString::fromLocal8Bit(tail);
}

bool InfluxDbProcess::start(bool authEnabled, QString *error, int timeoutMs)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (isRunning())
        return fail(QStringLiteral("influxd is already running"));
    if (program().isEmpty())
        return fail(QStringLiteral("influxd is not installed (Debian package \"influxdb\")"));
    if (!m_dir) {
        m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/jobslib-influxdb-XXXXXX"));
        if (!m_dir->isValid()) {
            const QString why = m_dir->errorString();
            m_dir.reset();
            return fail(QStringLiteral("cannot create a temporary directory: ") + why);
        }
    }
    // A restart keeps the ports: clients configured with them must reach the server again.
    const bool restart = m_httpPort != 0;
    if (!restart && !pickPorts(error))
        return false;
    const QDeadlineTimer deadline(timeoutMs);
    bool bindFailed = false;
    if (startOnce(authEnabled, timeoutMs, error, &bindFailed))
        return true;
    if (!bindFailed || restart)
        return false;
    // Someone took a port between pickPorts() and influxd's bind: once more with new ones.
    if (!pickPorts(error))
        return false;
    return startOnce(authEnabled, int(qMax<qint64>(deadline.remainingTime(), 1000)), error, &bindFailed);
}

bool InfluxDbProcess::startOnce(bool authEnabled, int timeoutMs, QString *error, bool *bindFailed)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    *bindFailed = false;
    if (!writeConfig(authEnabled, error))
        return false;
    m_network.clearConnectionCache();
    const QDeadlineTimer deadline(timeoutMs);
    m_output += QStringLiteral("=== InfluxDbProcess: influxd on 127.0.0.1:%1 (rpc %2), auth %3\n")
                    .arg(m_httpPort)
                    .arg(m_rpcPort)
                    .arg(authEnabled ? QStringLiteral("on") : QStringLiteral("off"))
                    .toLocal8Bit();
    const qsizetype since = m_output.size();

    QProcessEnvironment env = cleanEnvironment();
    // INFLUXDB_<SECTION>_<KEY> overrides the config file (INFLUXDB_CONFIG_PATH chooses it).
    const QStringList keys = env.keys();
    for (const QString &key : keys) {
        if (key.startsWith(QLatin1String("INFLUXDB_")))
            env.remove(key);
    }
    m_process.setProcessEnvironment(env);
    m_process.setWorkingDirectory(m_dir->path());
    m_process.start(program(), {QStringLiteral("-config"), QDir(m_dir->path()).filePath(QStringLiteral("influxdb.conf"))});
    (void)QTest::qWaitFor([this] { return m_process.state() != QProcess::Starting; }, int(qMax<qint64>(deadline.remainingTime(), 1)));
    if (m_process.state() != QProcess::Running)
        return fail(QStringLiteral("cannot start %1: %2").arg(program(), m_process.errorString()));

    for (;;) {
        if (m_process.state() == QProcess::NotRunning) {
            const QString tail = outputTail(since);
            *bindFailed = tail.contains(QLatin1String("address already in use"));
            return fail(QStringLiteral("influxd exited (code %1) before answering /ping:\n%2").arg(m_process.exitCode()).arg(tail));
        }
        if (deadline.hasExpired()) {
            stop();
            return fail(QStringLiteral("influxd did not answer /ping with 204 within %1 ms:\n%2").arg(timeoutMs).arg(outputTail(since)));
        }
        // Not answered at all while the port is someone else's: then influxd exits, which ends the wait.
        const Reply r = send("GET", QStringLiteral("/ping"), {}, {}, {}, {}, int(qBound(qint64(100), deadline.remainingTime(), qint64(1000))),
                             [this] { return m_process.state() == QProcess::NotRunning; });
        if (r.status == 204)
            return true;
        // Connection refused until the listener is up: look again soon, or as soon as influxd gives up.
        (void)QTest::qWaitFor([this] { return m_process.state() == QProcess::NotRunning; }, 20);
    }
}

void InfluxDbProcess::stop(int timeoutMs)
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!QTest::qWaitFor([this] { return m_process.state() == QProcess::NotRunning; }, timeoutMs)) {
            m_output += "=== InfluxDbProcess: influxd ignored SIGTERM, killing it\n";
            m_process.kill();
            (void)QTest::qWaitFor([this] { return m_process.state() == QProcess::NotRunning; }, 5000);
        }
        m_output += m_process.readAllStandardOutput();
    }
    // Kept-alive connections point at the old process.
    m_network.clearConnectionCache();
}

InfluxDbProcess::Reply InfluxDbProcess::request(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body,
                                                const QByteArray &contentType, const QString &user, const QString &password, int timeoutMs)
{
    return send(method, pathAndQuery, body, contentType, user, password, timeoutMs, nullptr);
}

InfluxDbProcess::Reply InfluxDbProcess::send(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body,
                                             const QByteArray &contentType, const QString &user, const QString &password, int timeoutMs,
                                             const std::function<bool()> &giveUp)
{
    Reply result;
    if (!m_httpPort) {
        result.error = QStringLiteral("influxd was never started");
        return result;
    }
    QNetworkRequest req(QUrl(url() + pathAndQuery));
    req.setTransferTimeout(timeoutMs);
    if (!contentType.isEmpty())
        req.setRawHeader("Content-Type", contentType);
    if (!user.isEmpty())
        req.setRawHeader("Authorization", "Basic " + (user + QLatin1Char(':') + password).toUtf8().toBase64());
    QPointer<QNetworkReply> reply = m_network.sendCustomRequest(req, method, body);
    bool gaveUp = false;
    const bool done = QTest::qWaitFor(
        [&] {
            gaveUp = giveUp && giveUp();
            return gaveUp || !reply || reply->isFinished();
        },
        timeoutMs + 1000);
    if (!reply) {
        result.error = QStringLiteral("the reply went away");
        return result;
    }
    if (!done || !reply->isFinished()) {
        result.error = gaveUp ? QStringLiteral("gave up waiting") : QStringLiteral("no answer within %1 ms").arg(timeoutMs);
        reply->abort();
    } else {
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->isOpen())
            result.body = reply->readAll();
        if (result.status == 0)
            result.error = reply->errorString();
    }
    reply->deleteLater();
    return result;
}

InfluxDbProcess::Reply InfluxDbProcess::ping(int timeoutMs)
{
    return request("GET", QStringLiteral("/ping"), {}, {}, {}, {}, timeoutMs);
}

InfluxDbProcess::Reply InfluxDbProcess::query(const QString &q, const QString &db, const QString &user, const QString &password, int timeoutMs)
{
    Fields fields{{QStringLiteral("q"), q}};
    if (!db.isEmpty())
        fields.append({QStringLiteral("db"), db});
    return request("POST", QStringLiteral("/query"), formEncode(fields), "application/x-www-form-urlencoded", user, password, timeoutMs);
}

QString InfluxDbProcess::queryError(const Reply &reply)
{
    if (reply.status == 0)
        return reply.error.isEmpty() ? QStringLiteral("no answer") : reply.error;
    const QJsonObject top = QJsonDocument::fromJson(reply.body).object();
    QString why = top.value(QLatin1String("error")).toString();
    if (why.isEmpty()) {
        const QJsonArray results = top.value(QLatin1String("results")).toArray();
        for (const QJsonValue &r : results) {
            why = r.toObject().value(QLatin1String("error")).toString();
            if (!why.isEmpty())
                break;
        }
    }
    if (why.isEmpty() && !reply.ok())
        why = QString::fromUtf8(reply.body.trimmed());
    if (!why.isEmpty() && !reply.ok())
        why = QStringLiteral("HTTP %1: %2").arg(reply.status).arg(why);
    return why;
}

bool InfluxDbProcess::createDatabase(const QString &db, QString *error)
{
    const QString why = queryError(query(QStringLiteral("CREATE DATABASE ") + quoteIdentifier(db), {}, m_adminUser, m_adminPassword));
    if (!why.isEmpty() && error)
        *error = why;
    return why.isEmpty();
}

bool InfluxDbProcess::createAdmin(const QString &user, const QString &password, QString *error)
{
    const QString q = QStringLiteral("CREATE USER %1 WITH PASSWORD %2 WITH ALL PRIVILEGES").arg(quoteIdentifier(user), quoteString(password));
    // Without credentials while no user exists; with the previous admin's otherwise.
    const QString why = queryError(query(q, {}, m_adminUser, m_adminPassword));
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    m_adminUser = user;
    m_adminPassword = password;
    return true;
}

InfluxDbProcess::Reply InfluxDbProcess::write(const QString &db, const QByteArray &lineProtocol, const QString &user, const QString &password)
{
    const QString path = QStringLiteral("/write?db=") + QString::fromLatin1(QUrl::toPercentEncoding(db)) + QStringLiteral("&precision=ns");
    return request("POST", path, lineProtocol, "text/plain; charset=utf-8", user, password);
}

QList<QVariantMap> InfluxDbProcess::select(const QString &db, const QString &influxQl, const QString &user, const QString &password, QString *error)
{
    Fields fields{{QStringLiteral("q"), influxQl}, {QStringLiteral("epoch"), QStringLiteral("ns")}};
    if (!db.isEmpty())
        fields.append({QStringLiteral("db"), db});
    const Reply reply = request("POST", QStringLiteral("/query"), formEncode(fields), "application/x-www-form-urlencoded", user, password);
    const QString why = queryError(reply);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return {};
    }
    QList<QVariantMap> rows;
    const QJsonArray results = QJsonDocument::fromJson(reply.body).object().value(QLatin1String("results")).toArray();
    const QJsonArray series = results.at(0).toObject().value(QLatin1String("series")).toArray();
    for (const QJsonValue &s : series) {
        const QJsonObject serie = s.toObject();
        const QVariantMap tags = serie.value(QLatin1String("tags")).toObject().toVariantMap();
        const QJsonArray columns = serie.value(QLatin1String("columns")).toArray();
        const QJsonArray values = serie.value(QLatin1String("values")).toArray();
        for (const QJsonValue &v : values) {
            const QJsonArray cells = v.toArray();
            QVariantMap row = tags;
            for (qsizetype i = 0; i < columns.size() && i < cells.size(); ++i)
                row.insert(columns.at(i).toString(), cells.at(i).toVariant());
            rows.append(row);
        }
    }
    return rows;
}

} // namespace jobslib::test
