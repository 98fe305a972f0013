// SPDX-License-Identifier: BSD-3-Clause
// The dashboard's settings file (round trip, validation with clear errors, no secrets in it) and
// "Add job from a runjob settings file" (read with runjob's own loaders).
#include "dashboardsettings.h"
#include "runjobimport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace jobslib::dashboard;

namespace {
void writeFile(const QString &path, const QByteArray &text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}
} // namespace

class TestDashboardSettings : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip();
    void missingFileIsEmpty();
    void invalid_data();
    void invalid();
    void importConsulJob();
    void importEtcdJob();
    void importRefusesFileLock();
    void importReportsRunjobErrors();
    void importedJobsDoNotClash();
};

void TestDashboardSettings::roundTrip()
{
    QTemporaryDir dir;
    DashboardSettings s;
    DatacenterSettings prague;
    prague.name = QStringLiteral("prague");
    prague.address = QStringLiteral("https://consul.prague:8501");
    prague.consulDatacenter = QStringLiteral("prg");
    prague.caFile = QStringLiteral("/etc/ssl/ca.pem");
    prague.verifyTls = false;
    DatacenterSettings etcd;
    etcd.name = QStringLiteral("frankfurt");
    etcd.backend = QStringLiteral("etcd");
    etcd.address = QStringLiteral("http://10.0.0.1:2379,http://10.0.0.2:2379");
    etcd.username = QStringLiteral("dash");
    JobSettings job;
    job.name = QStringLiteral("billing");
    job.lockKey = QStringLiteral("jobs/billing/lock");
    job.livenessKey = QStringLiteral("jobs/billing/liveness");
    job.influxUrl = QStringLiteral("http://influx:8086");
    job.influxDatabase = QStringLiteral("jobs");
    job.influxUsername = QStringLiteral("reader");
    s.datacenters = {prague, etcd};
    s.jobs = {job};
    const QString path = dir.filePath(QStringLiteral("sub/dashboard.ini"));
    QCOMPARE(s.save(path), QString());
    const auto loaded = DashboardSettings::load(path);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    QCOMPARE(loaded->datacenters.size(), 2);
    QVERIFY(loaded->datacenters.at(0) == prague);
    QVERIFY(loaded->datacenters.at(1) == etcd);
    QCOMPARE(loaded->jobs.size(), 1);
    QVERIFY(loaded->jobs.at(0) == job);
    QCOMPARE(loaded->jobs.at(0).effectiveHeartbeatPrefix(), QStringLiteral("jobs/billing/liveness/instances/"));
    // The file has no place for secrets at all.
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(!text.contains("password"));
    QVERIFY(!text.contains("token"));
}

void TestDashboardSettings::missingFileIsEmpty()
{
    QTemporaryDir dir;
    const auto loaded = DashboardSettings::load(dir.filePath(QStringLiteral("none.ini")));
    QVERIFY(loaded.ok());
    QVERIFY(loaded->datacenters.isEmpty());
    QVERIFY(loaded->jobs.isEmpty());
}

void TestDashboardSettings::invalid_data()
{
    QTest::addColumn<QByteArray>("ini");
    QTest::addColumn<QString>("message");
    QTest::newRow("bad backend") << QByteArray("[datacenters]\n1\\name=a\n1\\backend=zookeeper\n1\\address=http://h:1\nsize=1\n")
                                 << QStringLiteral("datacenter \"a\": backend \"zookeeper\" is not consul or etcd");
    QTest::newRow("bad address") << QByteArray("[datacenters]\n1\\name=a\n1\\address=consul:8500x\nsize=1\n")
                                 << QStringLiteral("datacenter \"a\": address \"consul:8500x\" is not http(s)://host:port");
    QTest::newRow("twice") << QByteArray("[datacenters]\n1\\name=a\n1\\address=http://h:1\n2\\name=a\n2\\address=http://h:2\nsize=2\n")
                           << QStringLiteral("datacenter \"a\" is listed twice");
    QTest::newRow("no lock key") << QByteArray("[jobs]\n1\\name=j\nsize=1\n") << QStringLiteral("job \"j\" has no lock key");
    QTest::newRow("slash") << QByteArray("[jobs]\n1\\name=j\n1\\lock_key=/x\nsize=1\n") << QStringLiteral("job \"j\": the lock key must not start with /");
}

void TestDashboardSettings::invalid()
{
    QFETCH(QByteArray, ini);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("d.ini"));
    writeFile(path, ini);
    const auto loaded = DashboardSettings::load(path);
    QVERIFY(!loaded.ok());
    QCOMPARE(loaded.error(), path + QStringLiteral(": ") + message);
}

void TestDashboardSettings::importConsulJob()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("billing-export.ini"));
    writeFile(path, "datacenter = prague\n"
                    "[one_instance]\nbackend = consul\n"
                    "[one_instance.consul]\nhost = consul.example\nport = 8600\nkey = jobs/billing/lock\ntoken = s3cret\n"
                    "[liveness]\nbackend = consul\n"
                    "[liveness.consul]\nkey = jobs/billing/liveness\nheartbeat_interval = 10\n"
                    "[metrics]\nbackend = influxdb\n"
                    "[metrics.influxdb]\nhost = influx.example\ndatabase = jobs\nusername = writer\n");
    const auto imported = importRunjobSettings(path);
    QVERIFY2(imported.ok(), qPrintable(imported.error()));
    QCOMPARE(imported->job.name, QStringLiteral("billing-export"));
    QCOMPARE(imported->job.lockKey, QStringLiteral("jobs/billing/lock"));
    QCOMPARE(imported->job.livenessKey, QStringLiteral("jobs/billing/liveness"));
    QCOMPARE(imported->job.effectiveHeartbeatPrefix(), QStringLiteral("jobs/billing/liveness/instances/"));
    QCOMPARE(imported->job.influxUrl, QStringLiteral("http://influx.example:8086"));
    QCOMPARE(imported->job.influxDatabase, QStringLiteral("jobs"));
    QCOMPARE(imported->job.influxUsername, QStringLiteral("writer"));
    QCOMPARE(imported->datacenter.backend, QStringLiteral("consul"));
    QCOMPARE(imported->datacenter.address, QStringLiteral("http://consul.example:8600"));
    QCOMPARE(imported->datacenter.name, QStringLiteral("prague"));
}

void TestDashboardSettings::importEtcdJob()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mailer.ini"));
    writeFile(path, "[one_instance]\nbackend = etcd\n"
                    "[one_instance.etcd]\nendpoints = http://10.0.0.1:2379, http://10.0.0.2:2379\nkey = jobs/mailer/lock\nusername = runner\n");
    const auto imported = importRunjobSettings(path);
    QVERIFY2(imported.ok(), qPrintable(imported.error()));
    QCOMPARE(imported->job.lockKey, QStringLiteral("jobs/mailer/lock"));
    QCOMPARE(imported->datacenter.backend, QStringLiteral("etcd"));
    QCOMPARE(imported->datacenter.address, QStringLiteral("http://10.0.0.1:2379,http://10.0.0.2:2379"));
    QCOMPARE(imported->datacenter.username, QStringLiteral("runner"));
    QCOMPARE(imported->datacenter.name, QStringLiteral("default"));
}

void TestDashboardSettings::importRefusesFileLock()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("local.ini"));
    writeFile(path, "[one_instance]\nbackend = file\n");
    const auto imported = importRunjobSettings(path);
    QVERIFY(!imported.ok());
    QVERIFY2(imported.error().contains(QStringLiteral("the dashboard watches consul and etcd locks only")), qPrintable(imported.error()));
}

void TestDashboardSettings::importReportsRunjobErrors()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.ini"));
    writeFile(path, "[one_instance]\nbackend = consul\n[one_instance.consul]\nkey = jobs/x\nttl = 5\n");
    const auto imported = importRunjobSettings(path);
    QVERIFY(!imported.ok());
    // runjob's own message: names the option and the rule.
    QVERIFY2(imported.error().contains(QStringLiteral("ttl")), qPrintable(imported.error()));
    QVERIFY(!importRunjobSettings(dir.filePath(QStringLiteral("missing.ini"))).ok());
}

void TestDashboardSettings::importedJobsDoNotClash()
{
    DashboardSettings s;
    ImportedJob a;
    a.job.name = QStringLiteral("job");
    a.job.lockKey = QStringLiteral("jobs/a");
    a.datacenter.name = QStringLiteral("default");
    a.datacenter.address = QStringLiteral("http://c1:8500");
    ImportedJob b = a;
    b.datacenter.address = QStringLiteral("http://c2:8500");
    QCOMPARE(addImportedJob(s, a), QStringLiteral("job"));
    QCOMPARE(addImportedJob(s, b), QStringLiteral("job (2)"));
    QCOMPARE(addImportedJob(s, a), QStringLiteral("job (3)"));
    QCOMPARE(s.datacenters.size(), 2); // c1 is known the third time
    QCOMPARE(s.datacenters.at(1).name, QStringLiteral("default 2"));
    QCOMPARE(s.validate(), QString());
}

QTEST_GUILESS_MAIN(TestDashboardSettings)
#include "tst_dashboardsettings.moc"
