// SPDX-License-Identifier: BSD-3-Clause
// The InfluxDbProcess test helper against a real influxd: start, write, select, errors, restart, auth.
// Its checks of influxd's answers pin the behaviour of 1.6 that the InfluxDB client relies on.
#include "influxdbprocess.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QTcpServer>
#include <QTest>

#include <memory>

using jobslib::test::InfluxDbProcess;

namespace {

const QByteArray FloatPoint = "m,tag=a value=1.5 1700000000000000000";
constexpr qint64 FloatPointTime = 1700000000000000000;

/*! Sets an environment variable for the lifetime of the object. */
class ScopedEnv
{
public:
    ScopedEnv(const char *name, const QByteArray &value)
        : m_name(name)
        , m_saved(qgetenv(name))
        , m_wasSet(qEnvironmentVariableIsSet(name))
    {
        qputenv(name, value);
    }
    ~ScopedEnv()
    {
        if (m_wasSet)
            qputenv(m_name, m_saved);
        else
            qunsetenv(m_name);
    }
    ScopedEnv(const ScopedEnv &) = delete;
    ScopedEnv &operator=(const ScopedEnv &) = delete;

private:
    const char *m_name;
    QByteArray m_saved;
    bool m_wasSet;
};

} // namespace

class TestInfluxDbProcess : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void writeAndSelect();
    void errors();
    void restartKeepsPortAndData();
    void restartOnTakenPortFails();
    void authentication();
    void cleanupTestCase();

private:
    std::unique_ptr<InfluxDbProcess> m_influx;
};

void TestInfluxDbProcess::initTestCase()
{
    if (InfluxDbProcess::program().isEmpty())
        QSKIP("influxd is not installed (Debian package \"influxdb\": apt-get install influxdb)");
    // The caller's INFLUXDB_* must not reach influxd: with this one it would demand credentials.
    const ScopedEnv auth("INFLUXDB_HTTP_AUTH_ENABLED", "true");
    const ScopedEnv bind("INFLUXDB_HTTP_BIND_ADDRESS", "127.0.0.1:1");
    m_influx = std::make_unique<InfluxDbProcess>();
    QString error;
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(m_influx->start(false, &error), qPrintable(error));
    qDebug("influxd answered /ping after %lld ms", timer.elapsed());
    QVERIFY(m_influx->isRunning());
    QVERIFY(m_influx->port() != 0);
    QVERIFY(m_influx->rpcPort() != 0);
    QVERIFY(m_influx->port() != m_influx->rpcPort());
    QVERIFY(m_influx->rpcPort() != 8088);
    QCOMPARE(m_influx->ping().status, 204);
    QVERIFY2(m_influx->createDatabase(QStringLiteral("jobs"), &error), qPrintable(error));
}

void TestInfluxDbProcess::writeAndSelect()
{
    const InfluxDbProcess::Reply w = m_influx->write(QStringLiteral("jobs"), FloatPoint);
    QVERIFY2(w.status == 204, w.body.constData());

    QString error;
    const QList<QVariantMap> rows = m_influx->select(QStringLiteral("jobs"), QStringLiteral("SELECT * FROM m"), {}, {}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].value(QStringLiteral("time")).typeId(), QMetaType::LongLong);
    QCOMPARE(rows[0].value(QStringLiteral("time")).toLongLong(), FloatPointTime);
    QCOMPARE(rows[0].value(QStringLiteral("tag")).toString(), QStringLiteral("a"));
    QCOMPARE(rows[0].value(QStringLiteral("value")).toDouble(), 1.5);

    // Series tags are in every row ("tag" is a keyword of InfluxQL, hence GROUP BY *).
    const QList<QVariantMap> grouped = m_influx->select(QStringLiteral("jobs"), QStringLiteral("SELECT value FROM m GROUP BY *"), {}, {}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(grouped.size(), 1);
    QCOMPARE(grouped[0].value(QStringLiteral("tag")).toString(), QStringLiteral("a"));
    QCOMPARE(grouped[0].value(QStringLiteral("value")).toDouble(), 1.5);

    const QList<QVariantMap> fields = m_influx->select(QStringLiteral("jobs"), QStringLiteral("SHOW FIELD KEYS FROM m"));
    QCOMPARE(fields.size(), 1);
    QCOMPARE(fields[0].value(QStringLiteral("fieldKey")).toString(), QStringLiteral("value"));
    QCOMPARE(fields[0].value(QStringLiteral("fieldType")).toString(), QStringLiteral("float"));
}

void TestInfluxDbProcess::errors()
{
    // A field type conflict within one shard: 400, nothing written.
    QCOMPARE(m_influx->write(QStringLiteral("jobs"), FloatPoint).status, 204); // again: a point overwrites its twin
    InfluxDbProcess::Reply r = m_influx->write(QStringLiteral("jobs"), "m value=1i 1700000000000000001");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.body.trimmed(), QByteArray(R"({"error":"partial write: field type conflict: input field \"value\" on measurement \"m\" is type integer, )"
                                          R"(already exists as type float dropped=1"})"));
    // Field types are per shard (a week for the default retention policy): the same conflicting
    // point "now" lands in another shard and is accepted (on another measurement, to keep m clean).
    QCOMPARE(m_influx->write(QStringLiteral("jobs"), "k value=1.5 1700000000000000000").status, 204);
    QCOMPARE(m_influx->write(QStringLiteral("jobs"), "k value=1i").status, 204);
    QCOMPARE(m_influx->write(QStringLiteral("jobs"), "k value=2i 1700000000000000001").status, 400);

    r = m_influx->write(QStringLiteral("nodb"), "m value=1");
    QCOMPARE(r.status, 404);
    QCOMPARE(r.body.trimmed(), QByteArray(R"({"error":"database not found: \"nodb\""})"));

    r = m_influx->write(QStringLiteral("jobs"), "no fields here");
    QCOMPARE(r.status, 400);
    QVERIFY2(r.body.contains("unable to parse"), r.body.constData());

    // A statement error is a 200 with the error in the result.
    r = m_influx->query(QStringLiteral("SELECT * FROM m"), QStringLiteral("nodb"));
    QCOMPARE(r.status, 200);
    QCOMPARE(InfluxDbProcess::queryError(r), QStringLiteral("database not found: nodb"));
    QString error;
    QVERIFY(m_influx->select(QStringLiteral("nodb"), QStringLiteral("SELECT * FROM m"), {}, {}, &error).isEmpty());
    QCOMPARE(error, QStringLiteral("database not found: nodb"));
}

void TestInfluxDbProcess::restartKeepsPortAndData()
{
    QCOMPARE(m_influx->write(QStringLiteral("jobs"), "r value=7 1700000000000000000").status, 204);
    const quint16 port = m_influx->port();
    QElapsedTimer stopTimer;
    stopTimer.start();
    m_influx->stop();
    qDebug("influxd stopped after %lld ms", stopTimer.elapsed());
    QVERIFY(!m_influx->isRunning());
    const InfluxDbProcess::Reply down = m_influx->query(QStringLiteral("SHOW DATABASES"));
    QCOMPARE(down.status, 0);
    QVERIFY(!down.error.isEmpty());
    QCOMPARE(m_influx->ping().status, 0);

    QString error;
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(m_influx->start(false, &error), qPrintable(error));
    qDebug("restarted influxd answered /ping after %lld ms", timer.elapsed());
    QCOMPARE(m_influx->port(), port);
    const QList<QVariantMap> rows = m_influx->select(QStringLiteral("jobs"), QStringLiteral("SELECT * FROM r"));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].value(QStringLiteral("time")).toLongLong(), FloatPointTime);
    QCOMPARE(rows[0].value(QStringLiteral("value")).toDouble(), 7.0);
}

void TestInfluxDbProcess::restartOnTakenPortFails()
{
    // A restart never moves to other ports: when its port is taken, start() fails and says why.
    m_influx->stop();
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, m_influx->port()));
    QString error;
    QVERIFY(!m_influx->start(false, &error));
    QVERIFY2(error.contains(QLatin1String("address already in use")), qPrintable(error));
    squatter.close();
    QVERIFY2(m_influx->start(false, &error), qPrintable(error));
    const InfluxDbProcess::Reply r = m_influx->query(QStringLiteral("SHOW DATABASES"));
    QCOMPARE(r.status, 200);
    QVERIFY2(r.body.contains("\"jobs\""), r.body.constData());
}

void TestInfluxDbProcess::authentication()
{
    InfluxDbProcess influx;
    QString error;
    QVERIFY2(influx.start(true, &error), qPrintable(error));
    QCOMPARE(influx.ping().status, 204); // /ping needs no credentials

    // No user yet: only creating an admin is allowed.
    InfluxDbProcess::Reply r = influx.query(QStringLiteral("SHOW DATABASES"));
    QCOMPARE(r.status, 403);
    QCOMPARE(r.body.trimmed(), QByteArray(R"({"error":"error authorizing query: create admin user first or disable authentication"})"));
    QVERIFY(!influx.createDatabase(QStringLiteral("jobs"), &error));
    QVERIFY2(error.contains(QLatin1String("create admin user first")), qPrintable(error));
    error.clear();

    QVERIFY2(influx.createAdmin(QStringLiteral("admin"), QStringLiteral("s3cr'et"), &error), qPrintable(error));
    QVERIFY2(influx.createDatabase(QStringLiteral("jobs"), &error), qPrintable(error));

    r = influx.query(QStringLiteral("SHOW DATABASES"));
    QCOMPARE(r.status, 401);
    QCOMPARE(r.body.trimmed(), QByteArray(R"({"error":"unable to parse authentication credentials"})"));
    r = influx.query(QStringLiteral("SHOW DATABASES"), {}, QStringLiteral("admin"), QStringLiteral("wrong"));
    QCOMPARE(r.status, 401);
    QCOMPARE(r.body.trimmed(), QByteArray(R"({"error":"authorization failed"})"));
    r = influx.query(QStringLiteral("SHOW DATABASES"), {}, QStringLiteral("admin"), QStringLiteral("s3cr'et"));
    QCOMPARE(r.status, 200);
    QVERIFY2(r.body.contains("\"jobs\""), r.body.constData());

    QCOMPARE(influx.write(QStringLiteral("jobs"), FloatPoint).status, 401);
    QCOMPARE(influx.write(QStringLiteral("jobs"), FloatPoint, QStringLiteral("admin"), QStringLiteral("wrong")).status, 401);
    QCOMPARE(influx.write(QStringLiteral("jobs"), FloatPoint, QStringLiteral("admin"), QStringLiteral("s3cr'et")).status, 204);
    const QList<QVariantMap> rows =
        influx.select(QStringLiteral("jobs"), QStringLiteral("SELECT * FROM m"), QStringLiteral("admin"), QStringLiteral("s3cr'et"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 1);
}

void TestInfluxDbProcess::cleanupTestCase()
{
    if (m_influx && QTest::currentTestFailed())
        qDebug().noquote() << "influxd output:\n" << m_influx->output();
    m_influx.reset();
}

QTEST_GUILESS_MAIN(TestInfluxDbProcess)
#include "tst_influxdbprocess.moc"
