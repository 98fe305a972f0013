// SPDX-License-Identifier: BSD-3-Clause
// End-to-end: the status endpoint of a real runjob (--status-port 0), read over HTTP as a probe,
// an operator and Prometheus would; /metrics parsed by python3-prometheus-client (a parser nobody
// here wrote); and a password given in the environment never shows up anywhere.
#include "runjobprocess.h"
#include "testutil.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

using namespace jobslib::test;

namespace {

struct HttpReply
{
    int status = 0;
    QByteArray contentType;
    QByteArray body;
};

HttpReply request(const QByteArray &verb, const QUrl &url)
{
    QNetworkAccessManager nam;
    QNetworkRequest req(url);
    req.setTransferTimeout(5000);
    QNetworkReply *reply = nam.sendCustomRequest(req, verb);
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        done.wait(6000);
    HttpReply r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    r.body = reply->readAll();
    delete reply;
    return r;
}

/*! The families python3-prometheus-client finds in text, by name; empty with *error on failure. */
QJsonObject parsePrometheus(const QByteArray &text, QString *error)
{
    QProcess p;
    p.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral(JOBSLIB_SOURCE_DIR "/tests/support/prometheus_parse.py")});
    p.write(text);
    p.closeWriteChannel();
    if (!p.waitForFinished(20000) || p.exitCode() != 0) {
        *error = QString::fromUtf8(p.readAllStandardError());
        return {};
    }
    QJsonObject byName;
    const QJsonArray families = QJsonDocument::fromJson(p.readAllStandardOutput()).object().value(QStringLiteral("families")).toArray();
    for (const QJsonValue &f : families)
        byName.insert(f.toObject().value(QStringLiteral("name")).toString(), f);
    return byName;
}

bool prometheusParserAvailable()
{
    QProcess p;
    p.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), QStringLiteral("import prometheus_client.parser")});
    return p.waitForFinished(20000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

} // namespace

class TestRunjobStatus : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;

    QProcessEnvironment env() const
    {
        QProcessEnvironment e = cleanEnvironment();
        e.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_FILE_PATH"), m_dir->filePath(QStringLiteral("job.lock")));
        e.insert(QStringLiteral("JOBSLIB_LIVENESS_BACKEND"), QStringLiteral("file"));
        e.insert(QStringLiteral("JOBSLIB_LIVENESS_FILE_PATH"), m_dir->filePath(QStringLiteral("liveness.json")));
        return e;
    }

    /*! Waits for the endpoint's log line and returns its base URL. */
    static QUrl endpoint(RunjobProcess &runjob)
    {
        if (!runjob.waitForOutput(QStringLiteral("Status endpoint listening on http://127.0.0.1:"), 10000))
            return {};
        const auto m = QRegularExpression(QStringLiteral("Status endpoint listening on (http://127\\.0\\.0\\.1:\\d+)")).match(runjob.output());
        return QUrl(m.captured(1));
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void statusOfALoopingRunjob()
    {
        RunjobProcess runjob(env());
        runjob.start({QStringLiteral("--status-port"), QStringLiteral("0"), QStringLiteral("--sleep-interval"), QStringLiteral("3600"),
                      QStringLiteral("--keep-lock"), QStringLiteral("--"), QStringLiteral("true")});
        const QUrl base = endpoint(runjob);
        QVERIFY2(base.isValid() && base.port() > 0, qPrintable(runjob.output()));
        QVERIFY2(runjob.waitForOutput(QStringLiteral("Sleep for 3600 seconds, lock is kept")), qPrintable(runjob.output()));

        HttpReply r = request("GET", base.resolved(QUrl(QStringLiteral("/status"))));
        QCOMPARE(r.status, 200);
        QVERIFY(r.contentType.startsWith("application/json"));
        const QJsonObject s = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(s.value(QStringLiteral("state")).toString(), QStringLiteral("sleeping"));
        QCOMPARE(s.value(QStringLiteral("task")).toString(), QStringLiteral("true"));
        QCOMPARE(s.value(QStringLiteral("instance")).toString().section(QLatin1Char(':'), -1).toLongLong(), runjob.pid());
        const QJsonObject lock = s.value(QStringLiteral("lock")).toObject();
        QCOMPARE(lock.value(QStringLiteral("backend")).toString(), QStringLiteral("file"));
        QCOMPARE(lock.value(QStringLiteral("key")).toString(), m_dir->filePath(QStringLiteral("job.lock")));
        QVERIFY(lock.value(QStringLiteral("held")).toBool());
        QCOMPARE(lock.value(QStringLiteral("fencing_token")).toInt(), 1);
        QCOMPARE(s.value(QStringLiteral("last_run")).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("succeeded"));
        const QDateTime next = QDateTime::fromString(s.value(QStringLiteral("next_run_utc")).toString(), Qt::ISODateWithMs);
        QVERIFY(next.isValid());
        QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(next) - 3600) < 60);

        r = request("GET", base.resolved(QUrl(QStringLiteral("/livez"))));
        QCOMPARE(r.status, 200);
        r = request("GET", base.resolved(QUrl(QStringLiteral("/readyz"))));
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(request("GET", base.resolved(QUrl(QStringLiteral("/nothing-here")))).status, 404);
        QCOMPARE(request("POST", base.resolved(QUrl(QStringLiteral("/status")))).status, 405);

        r = request("GET", base.resolved(QUrl(QStringLiteral("/metrics"))));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.contentType, QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        if (prometheusParserAvailable()) {
            QString error;
            const QJsonObject families = parsePrometheus(r.body, &error);
            QVERIFY2(!families.isEmpty(), qPrintable(error));
            const QJsonObject duration = families.value(QStringLiteral("job_duration_seconds")).toObject();
            QCOMPARE(duration.value(QStringLiteral("type")).toString(), QStringLiteral("gauge"));
            const QJsonObject sample = duration.value(QStringLiteral("samples")).toArray().at(0).toObject();
            QCOMPARE(sample.value(QStringLiteral("labels")).toObject(),
                     (QJsonObject{{QStringLiteral("status"), QStringLiteral("succeeded")}, {QStringLiteral("task"), QStringLiteral("true")},
                                  {QStringLiteral("type"), QStringLiteral("task")}}));
            // The parser names a counter family without its _total.
            const QJsonObject acquisitions = families.value(QStringLiteral("jobslib_lock_acquisitions")).toObject();
            QCOMPARE(acquisitions.value(QStringLiteral("type")).toString(), QStringLiteral("counter"));
            QCOMPARE(acquisitions.value(QStringLiteral("samples")).toArray().at(0).toObject().value(QStringLiteral("value")).toString(),
                     QStringLiteral("1.0"));
            const QJsonObject held = families.value(QStringLiteral("jobslib_lock_held")).toObject();
            QCOMPARE(held.value(QStringLiteral("samples")).toArray().at(0).toObject().value(QStringLiteral("value")).toString(), QStringLiteral("1.0"));
            QVERIFY(families.contains(QStringLiteral("last_successful_run_timestamp")));
            QVERIFY(families.contains(QStringLiteral("jobslib_metrics_buffered_points")));
        } else {
            qWarning("/usr/bin/python3 cannot import prometheus_client (Debian package python3-prometheus-client): /metrics not parsed");
        }

        runjob.signal(SIGTERM);
        QVERIFY(runjob.waitForExit(15000));
        QCOMPARE(runjob.exitCode(), 143);
    }

    void aPortInUseIsAStartError()
    {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost));
        const ProcessResult r = run(binary(QStringLiteral("runjob")),
                                    {QStringLiteral("--status-port"), QString::number(taken.serverPort()), QStringLiteral("--run-once"),
                                     QStringLiteral("--"), QStringLiteral("true")},
                                    env());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("status endpoint: cannot listen on 127.0.0.1:%1").arg(taken.serverPort()).toUtf8()), r.err.constData());
    }

    void aPasswordFileOpenToOthersIsRefused()
    {
        const QString path = m_dir->filePath(QStringLiteral("influx.password"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("pw\n");
        f.close();
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup));
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("JOBSLIB_METRICS_BACKEND"), QStringLiteral("influxdb"));
        e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_DBNAME"), QStringLiteral("jobs"));
        e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_PASSWORD"), QStringLiteral("file:") + path);
        const ProcessResult r = run(binary(QStringLiteral("runjob")), {QStringLiteral("--run-once"), QStringLiteral("--"), QStringLiteral("true")}, e);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("option 'metrics.influxdb.password'") && r.err.contains("accessible by group or others"), r.err.constData());
    }

    void aPasswordFromTheEnvironmentNeverShows()
    {
        const QByteArray secret = "S3cr3t-pw-7f1d";
        QTcpServer closed; // a port nobody answers on: every push fails and is logged
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("JOBSLIB_METRICS_BACKEND"), QStringLiteral("influxdb"));
        e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_HOST"), QStringLiteral("127.0.0.1"));
        e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_PORT"), QString::number(port));
        e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_DBNAME"), QStringLiteral("jobs"));
        e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_USERNAME"), QStringLiteral("jobs"));
        e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_PASSWORD"), QString::fromLatin1(secret));
        e.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_TOKEN"), QStringLiteral("tok-") + QString::fromLatin1(secret));
        const QList<QByteArray> forms{secret, QByteArray("jobs:" + secret).toBase64(), secret.toPercentEncoding()};

        const ProcessResult printed = run(binary(QStringLiteral("runjob")), {QStringLiteral("--print-config"), QStringLiteral("--"), QStringLiteral("true")}, e);
        QCOMPARE(printed.exitCode, 0);
        QVERIFY2(printed.out.contains("metrics.influxdb.password"), printed.out.constData());

        RunjobProcess runjob(e);
        runjob.start({QStringLiteral("-v"), QStringLiteral("--status-port"), QStringLiteral("0"), QStringLiteral("--sleep-interval"),
                      QStringLiteral("0.2"), QStringLiteral("--"), QStringLiteral("true")});
        const QUrl base = endpoint(runjob);
        QVERIFY2(base.isValid(), qPrintable(runjob.output()));
        QVERIFY2(runjob.waitForOutput(QStringLiteral("Push monitoring metrics into InfluxDb failed")), qPrintable(runjob.output()));
        QVERIFY(runjob.waitForOutput(QStringLiteral("Metrics delivery failed again"), 10000)); // debug logging is on: the retries are logged too
        const HttpReply status = request("GET", base.resolved(QUrl(QStringLiteral("/status"))));
        QCOMPARE(status.status, 200);
        QVERIFY(status.body.contains("Connection refused"));
        const HttpReply ready = request("GET", base.resolved(QUrl(QStringLiteral("/readyz"))));
        QCOMPARE(ready.status, 503);
        const HttpReply metrics = request("GET", base.resolved(QUrl(QStringLiteral("/metrics"))));
        runjob.signal(SIGTERM);
        QVERIFY(runjob.waitForExit(15000));
        QCOMPARE(runjob.exitCode(), 143);

        const QList<QPair<const char *, QByteArray>> places{{"--print-config", printed.out + printed.err},
                                                             {"the log", runjob.output().toUtf8()},
                                                             {"/status", status.body},
                                                             {"/readyz", ready.body},
                                                             {"/metrics", metrics.body}};
        for (const auto &[where, text] : places) {
            QVERIFY2(!text.isEmpty(), where);
            for (const QByteArray &form : forms)
                QVERIFY2(!text.contains(form), qPrintable(QStringLiteral("%1 shows the secret as %2").arg(QLatin1String(where), QLatin1String(form))));
        }
    }
};

QTEST_GUILESS_MAIN(TestRunjobStatus)
#include "tst_runjobstatus.moc"
