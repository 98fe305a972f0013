// SPDX-License-Identifier: BSD-3-Clause
// The real dashboard window against the Consul simulator and real runjob processes (offscreen):
// the holder appears, a requested handover becomes visible, "Release lock" frees the lock and
// the old holder stops its task, an unreachable datacenter is flagged. The last case runs the
// jobslib-dashboard program itself with --screenshot over three datacenters; with
// JOBSLIB_UPDATE_SCREENSHOTS=1 it writes the README's pictures to docs/images/ (otherwise into
// its temporary directory, so that a test run leaves the source tree alone).
#include "consulsimprocess.h"
#include "dashboardtesting.h"
#include "influxdbprocess.h"
#include "runjobprocess.h"
#include "taskjournal.h"
#include "testutil.h"

#include "credentialstore.h"
#include "eventlogmodel.h"
#include "fleet.h"
#include "fleetmodel.h"
#include "historycontroller.h"
#include "languagemanager.h"
#include "mainwindow.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QMenuBar>
#include <QTreeView>
#include <QMessageBox>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

using namespace jobslib::dashboard;
using namespace jobslib::test;

namespace {
const QString LockKey = QStringLiteral("jobs/demo/lock");
const QString LivenessKey = QStringLiteral("jobs/demo/liveness");


bool fileContains(const QString &path, const QByteArray &text)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) && f.readAll().contains(text);
}

/*! Clicks the accept button of the confirmation dialog the window opened (window-modal, open()). */
bool confirm(QWidget &window, const QString &name, QString *text = nullptr)
{
    QMessageBox *box = nullptr;
    if (!QTest::qWaitFor([&] { return (box = window.findChild<QMessageBox *>(name)) != nullptr; }, 5000))
        return false;
    if (text)
        *text = box->text();
    for (QAbstractButton *b : box->buttons()) {
        if (box->buttonRole(b) == QMessageBox::AcceptRole) {
            b->click();
            return true;
        }
    }
    return false;
}
} // namespace

class TestDashboardWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void holderAppearsAndHandoverIsVisible();
    void releaseLockStopsTheHolder();
    void unreachableDatacenterIsFlagged();
    void badCommandLine_data();
    void badCommandLine();
    void languageSwitchesAtOnce();
    void layoutIsRemembered();
    void screenshotsOfThreeDatacenters();

private:
    struct Instance
    {
        QString fqdn;
        QString datacenter;
        QString lockAddress;     ///< the lock's Consul
        QString livenessAddress; ///< the instance's local Consul (heartbeats)
        QString lockKey = LockKey;
        QString livenessKey = LivenessKey;
        QString script = QStringLiteral("sleep 1");
        QString job;        ///< job_name, the `task` tag of its metrics
        QString influxPort; ///< metrics to this InfluxDB when set
    };
    std::shared_ptr<RunjobProcess> startInstance(const Instance &i);
    /*! An instance in dc1 with its lock and heartbeats in the one simulator. */
    static Instance localInstance(const QString &fqdn, const QString &address)
    {
        Instance i;
        i.fqdn = fqdn;
        i.datacenter = QStringLiteral("dc1");
        i.lockAddress = i.livenessAddress = address;
        return i;
    }
    QString cell(int job, int column) const { return m_window->fleetModel()->index(job, column).data().toString(); }
    void openWindow(const DashboardSettings &settings);
    DashboardSettings oneDatacenter() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ConsulSimProcess> m_sim;
    QList<std::shared_ptr<RunjobProcess>> m_instances;
    std::unique_ptr<CredentialStore> m_credentials;
    std::unique_ptr<LanguageManager> m_languages;
    std::unique_ptr<Fleet> m_fleet;
    std::unique_ptr<MainWindow> m_window;
};

void TestDashboardWindow::initTestCase()
{
    // The window's layout is remembered in the user's config: keep the developer's out of it.
    static QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(config.path()));
}

void TestDashboardWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_sim = std::make_unique<ConsulSimProcess>();
    QString error;
    QVERIFY2(m_sim->start({}, &error), qPrintable(error));
    m_credentials = std::make_unique<CredentialStore>(QStringLiteral("jobslib-test"));
    m_credentials->useSessionOnly(QStringLiteral("test"));
    m_languages = std::make_unique<LanguageManager>();
    m_languages->setLanguage(QStringLiteral("en"));
}

void TestDashboardWindow::cleanup()
{
    m_window.reset();
    m_fleet.reset();
    for (const auto &p : std::as_const(m_instances))
        if (p->process().state() != QProcess::NotRunning)
            p->signal(SIGTERM);
    for (const auto &p : std::as_const(m_instances))
        p->waitForExit(15000);
    m_instances.clear();
    m_sim.reset();
}

std::shared_ptr<RunjobProcess> TestDashboardWindow::startInstance(const Instance &i)
{
    QProcessEnvironment env = cleanEnvironment();
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_BACKEND"), QStringLiteral("consul"));
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_ADDRESS"), i.lockAddress);
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_KEY"), i.lockKey);
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_TTL"), QStringLiteral("10"));
    env.insert(QStringLiteral("JOBSLIB_ONE_INSTANCE_CONSUL_LOCK_DELAY"), QStringLiteral("1"));
    env.insert(QStringLiteral("JOBSLIB_LIVENESS_BACKEND"), QStringLiteral("consul"));
    env.insert(QStringLiteral("JOBSLIB_LIVENESS_CONSUL_ADDRESS"), i.livenessAddress);
    env.insert(QStringLiteral("JOBSLIB_LIVENESS_CONSUL_KEY"), i.livenessKey);
    env.insert(QStringLiteral("JOBSLIB_LIVENESS_CONSUL_HEARTBEAT_INTERVAL"), QStringLiteral("1"));
    env.insert(QStringLiteral("JOBSLIB_TASK_KILL_GRACE"), QStringLiteral("2"));
    env.insert(QStringLiteral("JOBSLIB_FQDN"), i.fqdn);
    env.insert(QStringLiteral("JOBSLIB_DATACENTER"), i.datacenter);
    env.insert(QStringLiteral("MARKS"), m_dir->filePath(i.fqdn));
    if (!i.job.isEmpty())
        env.insert(QStringLiteral("JOBSLIB_JOB_NAME"), i.job);
    if (!i.influxPort.isEmpty()) {
        env.insert(QStringLiteral("JOBSLIB_METRICS_BACKEND"), QStringLiteral("influxdb"));
        env.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_HOST"), QStringLiteral("127.0.0.1"));
        env.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_PORT"), i.influxPort);
        env.insert(QStringLiteral("JOBSLIB_METRICS_INFLUXDB_DBNAME"), QStringLiteral("jobs"));
    }
    auto p = std::make_shared<RunjobProcess>(env);
    p->start({QStringLiteral("--keep-lock"), QStringLiteral("--sleep-interval"), QStringLiteral("1"), QStringLiteral("--"), QStringLiteral("sh"),
              QStringLiteral("-c"), i.script});
    m_instances << p;
    return p;
}

DashboardSettings TestDashboardWindow::oneDatacenter() const
{
    return jobslib::test::oneDatacenter(m_sim->address(), LockKey, LivenessKey);
}

void TestDashboardWindow::openWindow(const DashboardSettings &settings)
{
    m_fleet = std::make_unique<Fleet>(*m_credentials);
    m_window = std::make_unique<MainWindow>(*m_fleet, *m_credentials, *m_languages, m_dir->filePath(QStringLiteral("dashboard.ini")));
    QSignalSpy first(m_fleet.get(), &Fleet::firstDataArrived);
    m_fleet->setSettings(settings);
    m_window->show();
    QVERIFY(first.wait(10000));
    m_window->selectJob(0);
}

void TestDashboardWindow::holderAppearsAndHandoverIsVisible()
{
    const QString address = m_sim->address();
    startInstance(localInstance(QStringLiteral("a.test"), address));
    openWindow(oneDatacenter());
    QTRY_COMPARE_WITH_TIMEOUT(cell(0, FleetModel::Lock), QStringLiteral("held"), 15000);
    QVERIFY2(cell(0, FleetModel::Holder).startsWith(QStringLiteral("a.test (dc1)")), qPrintable(cell(0, FleetModel::Holder)));
    startInstance(localInstance(QStringLiteral("b.test"), address));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->fleetModel()->rowCount(m_window->fleetModel()->index(0, 0)), 2, 15000);

    // Request handover: the holder finishes its run and releases; the standby takes over.
    m_window->requestHandoverOfSelected();
    QString text;
    QVERIFY(confirm(*m_window, QStringLiteral("handoverConfirmation"), &text));
    QVERIFY2(text.contains(QStringLiteral("a.test")), qPrintable(text));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->lastOutcome().startsWith(QStringLiteral("Handover requested")), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(cell(0, FleetModel::Holder).startsWith(QStringLiteral("b.test (dc1)")), 30000);
    // Both sides are in the event log: the operator's request and runjob's handover.
    EventLogModel *events = m_window->eventModel();
    auto hasAction = [events](const QString &action) {
        for (int r = 0; r < events->rowCount(); ++r)
            if (events->record(r).action == action)
                return true;
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(hasAction(QStringLiteral("request-handover")), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(hasAction(QStringLiteral("handover")), 10000);
}

void TestDashboardWindow::releaseLockStopsTheHolder()
{
    const QString address = m_sim->address();
    // The task runs long and notes when it is stopped (runjob sends SIGTERM to its group).
    const QString longTask = QStringLiteral("trap 'echo stopped >> \"$MARKS\"; exit 143' TERM; echo started >> \"$MARKS\"; sleep 60 & wait");
    Instance a = localInstance(QStringLiteral("a.test"), address);
    a.script = longTask;
    startInstance(a);
    openWindow(oneDatacenter());
    QTRY_COMPARE_WITH_TIMEOUT(cell(0, FleetModel::Lock), QStringLiteral("held"), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(m_dir->filePath(QStringLiteral("a.test"))), 15000);
    // The holder's session (TTL, lock-delay) is looked up once it is seen.
    QTRY_VERIFY_WITH_TIMEOUT(!cell(0, FleetModel::Ttl).isEmpty(), 5000);

    m_window->releaseSelectedLock();
    QString text;
    QVERIFY(confirm(*m_window, QStringLiteral("releaseConfirmation"), &text));
    // The dialog said who holds it and what happens.
    QVERIFY2(text.contains(QStringLiteral("a.test (dc1)")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("hands the key to a fence session")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("destroys the holder's session")), qPrintable(text));
    const QString session = m_window->fleetModel()->summary(0).lockView.holderId;
    QVERIFY(!session.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(m_window->lastOutcome().startsWith(QStringLiteral("taken from a.test")), 10000);
    // That session holds the lock no more (the fence holds it, then it is free or taken anew).
    QTRY_VERIFY_WITH_TIMEOUT(m_window->fleetModel()->summary(0).lockView.holderId != session, 5000);
    // The old holder stopped its task.
    QTRY_VERIFY_WITH_TIMEOUT(fileContains(m_dir->filePath(QStringLiteral("a.test")), "stopped"), 15000);
    QVERIFY(m_window->eventModel()->rowCount() >= 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->eventModel()->record(0).outcome, QStringLiteral("done"), 5000);
    QCOMPARE(m_window->eventModel()->record(0).action, QStringLiteral("release-lock"));
}

void TestDashboardWindow::unreachableDatacenterIsFlagged()
{
    DashboardSettings settings = oneDatacenter();
    DatacenterSettings down;
    down.name = QStringLiteral("dc2");
    down.address = closedPortAddress();
    settings.datacenters << down;
    openWindow(settings);
    QLabel *label = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((label = m_window->statusBar()->findChild<QLabel *>(QStringLiteral("datacenter-dc2"))) != nullptr, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!label->property("reachable").toBool(), 10000);
    QVERIFY2(label->text().contains(QStringLiteral("unreachable")), qPrintable(label->text()));
    QVERIFY(!label->toolTip().isEmpty());
    auto *dc1 = m_window->statusBar()->findChild<QLabel *>(QStringLiteral("datacenter-dc1"));
    QVERIFY(dc1);
    QVERIFY(dc1->property("reachable").toBool());
    QVERIFY(cell(0, FleetModel::Instances).contains(QStringLiteral("dc2 unreachable")));
}

void TestDashboardWindow::badCommandLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("language") << QStringList{QStringLiteral("--language"), QStringLiteral("fr")}
                              << QStringLiteral("jobslib-dashboard: --language: \"fr\" is not one of en, cs, de");
    QTest::newRow("timeout") << QStringList{QStringLiteral("--screenshot-timeout"), QStringLiteral("soon")}
                             << QStringLiteral("jobslib-dashboard: --screenshot-timeout: \"soon\" is not a number of seconds between 0 and 3600");
    QTest::newRow("size") << QStringList{QStringLiteral("--size"), QStringLiteral("big")}
                          << QStringLiteral("jobslib-dashboard: --size: \"big\" is not WIDTHxHEIGHT (at least 320x200)");
    QTest::newRow("settings") << QStringList{QStringLiteral("--settings"), QStringLiteral("BAD")}
                              << QStringLiteral("datacenter \"a\": backend \"zookeeper\" is not consul or etcd");
}

void TestDashboardWindow::badCommandLine()
{
    // Bad input: one line naming the option, the value and what is allowed; exit code 2; no window.
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const QString bad = m_dir->filePath(QStringLiteral("bad.ini"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("[datacenters]\n1\\name=a\n1\\backend=zookeeper\n1\\address=http://h:1\nsize=1\n");
    f.close();
    args.replaceInStrings(QStringLiteral("BAD"), bad);
    QProcessEnvironment env = cleanEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_dir->path()); // else Qt warns about it on stderr
    const ProcessResult r = run(binary(QStringLiteral("jobslib-dashboard")), args, env, 20000);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    QCOMPARE(QString::fromUtf8(r.err).trimmed().count(QLatin1Char('\n')), 0);
}

void TestDashboardWindow::languageSwitchesAtOnce()
{
    openWindow(oneDatacenter());
    auto header = [this] { return m_window->fleetModel()->headerData(FleetModel::Lock, Qt::Horizontal).toString(); };
    QCOMPARE(header(), QStringLiteral("Lock / state"));
    // View > Language > Deutsch: the open window changes at once, menus and columns alike.
    auto *german = m_window->findChild<QAction *>(QStringLiteral("language-de"));
    QVERIFY(german);
    german->trigger();
    QTRY_COMPARE(header(), QStringLiteral("Sperre / Zustand"));
    QTRY_COMPARE(m_window->menuBar()->actions().first()->text(), QStringLiteral("&Datei")); // widgets get the change posted
    QTRY_COMPARE(cell(0, FleetModel::Lock), QStringLiteral("frei"));
    auto *czech = m_window->findChild<QAction *>(QStringLiteral("language-cs"));
    QVERIFY(czech);
    czech->trigger();
    QTRY_COMPARE(m_window->menuBar()->actions().first()->text(), QStringLiteral("&Soubor"));
    m_languages->setLanguage(QStringLiteral("en"));
    QTRY_COMPARE(header(), QStringLiteral("Lock / state"));
    QTRY_COMPARE(m_window->menuBar()->actions().first()->text(), QStringLiteral("&File"));
}

void TestDashboardWindow::layoutIsRemembered()
{
    openWindow(oneDatacenter());
    m_window->resize(1400, 900);
    auto *tree = m_window->findChild<QTreeView *>(QStringLiteral("fleetView"));
    QVERIFY(tree);
    tree->setColumnWidth(FleetModel::Holder, 321);
    m_window->close(); // saves the layout
    m_window = std::make_unique<MainWindow>(*m_fleet, *m_credentials, *m_languages, m_dir->filePath(QStringLiteral("dashboard.ini")));
    QCOMPARE(m_window->size(), QSize(1400, 900));
    tree = m_window->findChild<QTreeView *>(QStringLiteral("fleetView"));
    QCOMPARE(tree->columnWidth(FleetModel::Holder), 321);
}

void TestDashboardWindow::screenshotsOfThreeDatacenters()
{
    // Three datacenters, each with its own Consul; each job's lock lives in one of them, its
    // instances write heartbeats to their local one.
    ConsulSimProcess frankfurt, ashburn;
    QString error;
    QVERIFY2(frankfurt.start({}, &error), qPrintable(error));
    QVERIFY2(ashburn.start({}, &error), qPrintable(error));
    const QString prg = m_sim->address(), fra = frankfurt.address(), ash = ashburn.address();
    const QString billingLock = QStringLiteral("jobs/billing-export/lock"), billingLive = QStringLiteral("jobs/billing-export/liveness");
    const QString mailerLock = QStringLiteral("jobs/report-mailer/lock"), mailerLive = QStringLiteral("jobs/report-mailer/liveness");
    const QString warmerLock = QStringLiteral("jobs/cache-warmer/lock"), warmerLive = QStringLiteral("jobs/cache-warmer/liveness");
    // Their metrics go to a real InfluxDB: the History tab reads the runs back from it.
    InfluxDbProcess influx;
    QVERIFY2(influx.start(false, &error), qPrintable(error));
    QVERIFY2(influx.createDatabase(QStringLiteral("jobs"), &error), qPrintable(error));
    const QString port = QString::number(influx.port());
    const QString billing = QStringLiteral("billing-export"), mailer = QStringLiteral("report-mailer"), warmer = QStringLiteral("cache-warmer");
    // Runs of different lengths, so the chart shows a spread.
    const QString work = QStringLiteral("sleep 0.$(( $$ % 7 + 2 ))");
    startInstance({QStringLiteral("app1.prague.example"), QStringLiteral("prague"), prg, prg, billingLock, billingLive, work, billing, port});
    startInstance({QStringLiteral("app1.frankfurt.example"), QStringLiteral("frankfurt"), prg, fra, billingLock, billingLive, work, billing, port});
    startInstance({QStringLiteral("app1.ashburn.example"), QStringLiteral("ashburn"), prg, ash, billingLock, billingLive, work, billing, port});
    startInstance({QStringLiteral("app2.frankfurt.example"), QStringLiteral("frankfurt"), fra, fra, mailerLock, mailerLive, work, mailer, port});
    startInstance({QStringLiteral("app2.ashburn.example"), QStringLiteral("ashburn"), fra, ash, mailerLock, mailerLive, work, mailer, port});
    startInstance({QStringLiteral("app3.ashburn.example"), QStringLiteral("ashburn"), ash, ash, warmerLock, warmerLive,
                   QStringLiteral("echo 'cache backend refused the connection' >&2; exit 1"), warmer, port});

    DashboardSettings settings;
    const QList<QPair<QString, QString>> dcs{{QStringLiteral("prague"), prg}, {QStringLiteral("frankfurt"), fra}, {QStringLiteral("ashburn"), ash}};
    for (const auto &[name, address] : dcs) {
        DatacenterSettings dc;
        dc.name = name;
        dc.address = QStringLiteral("http://") + address;
        settings.datacenters << dc;
    }
    const QList<QStringList> jobs{{QStringLiteral("billing-export"), billingLock, billingLive},
                                  {QStringLiteral("report-mailer"), mailerLock, mailerLive},
                                  {QStringLiteral("cache-warmer"), warmerLock, warmerLive}};
    for (const QStringList &j : jobs) {
        JobSettings job;
        job.name = j.at(0);
        job.lockKey = j.at(1);
        job.livenessKey = j.at(2);
        job.influxUrl = influx.url();
        job.influxDatabase = QStringLiteral("jobs");
        settings.jobs << job;
    }
    const QString settingsPath = m_dir->filePath(QStringLiteral("three.ini"));
    QCOMPARE(settings.save(settingsPath), QString());

    // Wait until every instance is in its place, so the picture shows a settled fleet.
    openWindow(settings);
    QTRY_COMPARE_WITH_TIMEOUT(cell(0, FleetModel::Lock), QStringLiteral("held"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(cell(1, FleetModel::Lock), QStringLiteral("held"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->fleetModel()->rowCount(m_window->fleetModel()->index(0, 0)), 3, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->fleetModel()->rowCount(m_window->fleetModel()->index(1, 0)), 2, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!cell(2, FleetModel::LastFailure).isEmpty(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!cell(0, FleetModel::LastSuccess).isEmpty(), 20000);
    // A few runs of the selected job in InfluxDB, read back by the window.
    auto runs = [&influx, &billing] {
        return influx.select(QStringLiteral("jobs"), QStringLiteral("SELECT value FROM job_duration_seconds WHERE task = '%1'").arg(billing)).size();
    };
    QTRY_VERIFY_WITH_TIMEOUT(runs() >= 5, 30000);
    QSignalSpy loaded(m_window->historyController(), &HistoryController::loaded);
    m_window->selectJob(1);
    m_window->selectJob(0);
    QVERIFY(loaded.wait(10000));
    QCOMPARE(loaded.last().at(0).toBool(), true);
    m_window.reset();

    const QString images = qEnvironmentVariableIntValue("JOBSLIB_UPDATE_SCREENSHOTS") == 1 ? QStringLiteral(JOBSLIB_SOURCE_DIR "/docs/images")
                                                                                          : m_dir->filePath(QStringLiteral("images"));
    QVERIFY(QDir().mkpath(images));
    QProcessEnvironment env = cleanEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("config")));
    for (const auto &[file, language] : QList<QPair<QString, QString>>{{QStringLiteral("dashboard.png"), QStringLiteral("en")},
                                                                      {QStringLiteral("dashboard-de.png"), QStringLiteral("de")}}) {
        const QString path = images + QLatin1Char('/') + file;
        QFile::remove(path);
        const ProcessResult r = run(binary(QStringLiteral("jobslib-dashboard")),
                                    {QStringLiteral("--settings"), settingsPath, QStringLiteral("--screenshot"), path, QStringLiteral("--size"),
                                     QStringLiteral("1280x800"), QStringLiteral("--language"), language, QStringLiteral("--no-keychain")},
                                    env, 30000);
        QVERIFY2(r.exitCode == 0 && !r.timedOut, r.err.constData());
        const QImage image(path);
        QVERIFY2(!image.isNull(), qPrintable(path));
        QCOMPARE(image.size(), QSize(1280, 800));
    }
}

QTEST_MAIN(TestDashboardWindow)
#include "tst_dashboardwindow.moc"
