// SPDX-License-Identifier: BSD-3-Clause
#include "consulsimprocess.h"

#include "testutil.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPointer>
#include <QRandomGenerator>
#include <QTest>

namespace jobslib::test {

ConsulSimProcess::ConsulSimProcess(QObject *parent)
    : QObject(parent)
{
    m_network.setProxy(QNetworkProxy::NoProxy);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, [this] { m_out += m_process.readAllStandardOutput(); });
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] { m_err += m_process.readAllStandardError(); });
}

ConsulSimProcess::~ConsulSimProcess()
{
    stop();
}

bool ConsulSimProcess::start(const QStringList &extraArgs, QString *error, int timeoutMs)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    m_out.clear();
    m_err.clear();
    m_port = 0;
    m_process.setProcessEnvironment(cleanEnvironment());
    m_process.start(binary(QStringLiteral("jobslib-consul-sim")), QStringList{QStringLiteral("--port"), QStringLiteral("0")} + extraArgs);
    if (!m_process.waitForStarted(timeoutMs))
        return fail(QStringLiteral("cannot start jobslib-consul-sim: ") + m_process.errorString());
    const QByteArray prefix = "listening on 127.0.0.1:";
    if (!QTest::qWaitFor([&] { return m_out.contains('\n') || m_process.state() == QProcess::NotRunning; }, timeoutMs))
        return fail(QStringLiteral("jobslib-consul-sim printed nothing within %1 ms").arg(timeoutMs));
    const QByteArray line = m_out.left(m_out.indexOf('\n')).trimmed();
    if (!line.startsWith(prefix))
        return fail(QStringLiteral("unexpected first line of jobslib-consul-sim: '%1' (stderr: %2)").arg(QString::fromLocal8Bit(line), errorOutput()));
    bool ok = false;
    const uint port = line.mid(prefix.size()).toUInt(&ok);
    if (!ok || port == 0 || port > 65535)
        return fail(QStringLiteral("no port in '%1'").arg(QString::fromLocal8Bit(line)));
    m_port = quint16(port);
    return true;
}

void ConsulSimProcess::stop(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(timeoutMs)) {
        m_process.kill();
        m_process.waitForFinished(timeoutMs);
    }
    m_err += m_process.readAllStandardError();
}

QString ConsulSimProcess::address() const
{
    return QStringLiteral("127.0.0.1:%1").arg(m_port);
}

ConsulSimProcess::Reply ConsulSimProcess::request(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body, const QByteArray &token,
                                                  int timeoutMs)
{
    Reply result;
    if (!m_port) {
        result.error = QStringLiteral("the simulator is not running");
        return result;
    }
    QNetworkRequest req(QUrl(QStringLiteral("http://%1%2").arg(address(), pathAndQuery)));
    req.setTransferTimeout(timeoutMs);
    if (!token.isEmpty())
        req.setRawHeader("X-Consul-Token", token);
    QPointer<QNetworkReply> reply = m_network.sendCustomRequest(req, method, body);
    const bool done = QTest::qWaitFor([&] { return !reply || reply->isFinished(); }, timeoutMs + 1000);
    if (!reply) {
        result.error = QStringLiteral("the reply went away");
        return result;
    }
    if (!done) {
        result.error = QStringLiteral("no answer within %1 ms").arg(timeoutMs);
        reply->abort();
    } else {
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        if (result.status == 0)
            result.error = reply->errorString();
    }
    reply->deleteLater();
    return result;
}

ConsulSimProcess::Reply ConsulSimProcess::control(const QString &path, const QUrlQuery &query, int timeoutMs)
{
    QString target = QStringLiteral("/_sim/") + path;
    if (!query.isEmpty())
        target += QLatin1Char('?') + query.toString(QUrl::FullyEncoded);
    return request("PUT", target, {}, {}, timeoutMs);
}

QJsonArray ConsulSimProcess::requests(qint64 since)
{
    const Reply r = request("GET", QStringLiteral("/_sim/requests?since=%1").arg(since));
    return r.ok() ? QJsonDocument::fromJson(r.body).array() : QJsonArray();
}

bool ConsulSimProcess::syncClock(qint64 *offsetMs)
{
    const QString marker = QString::number(QRandomGenerator::global()->generate64(), 16);
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const Reply r = request("GET", QStringLiteral("/v1/status/leader?clock-sync=") + marker);
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    if (!r.ok())
        return false;
    const QJsonArray log = requests();
    for (const QJsonValue &v : log) {
        const QJsonObject o = v.toObject();
        if (o.value(QLatin1String("RawQuery")).toString().contains(marker)) {
            *offsetMs = (before + after) / 2 - qint64(o.value(QLatin1String("AtMs")).toDouble());
            return true;
        }
    }
    return false;
}

} // namespace jobslib::test
