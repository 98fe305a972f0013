// SPDX-License-Identifier: BSD-3-Clause
#include "app/backendregistry.h"
#include "app/context.h"
#include "liveness/fileliveness.h"
#include "testcontext.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace jobslib;

namespace {

constexpr int Deadline = 5000;

/*! A context whose liveness is the file backend on path. */
std::unique_ptr<Context> makeContext(const BackendRegistry &registry, const QString &path)
{
    return test::testContext(registry,
                             {{QStringLiteral("liveness.backend"), QStringLiteral("file")}, {QStringLiteral("liveness.file.path"), path}});
}

bool waitFor(QSignalSpy &spy)
{
    return !spy.isEmpty() || spy.wait(Deadline);
}

} // namespace

class TestFileLiveness : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void registry();
    void roundTrip();
    void pythonRecord();
    void missingFile();
    void notARecord();
    void unwritable();
    void defaultPath();

private:
    QString livenessPath() const { return m_dir->filePath(QStringLiteral("live.json")); }

    std::unique_ptr<QTemporaryDir> m_dir;
    BackendRegistry m_registry = BackendRegistry::builtins();
    std::unique_ptr<Context> m_context;
};

void TestFileLiveness::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_context = makeContext(m_registry, livenessPath());
}

void TestFileLiveness::cleanup()
{
    m_context.reset();
    m_dir.reset();
}

void TestFileLiveness::registry()
{
    std::unique_ptr<LivenessBackend> made(m_registry.createLiveness(*m_context));
    auto *file = qobject_cast<FileLiveness *>(made.get());
    QVERIFY(file);
    QCOMPARE(file->backendName(), QStringLiteral("file"));
    QCOMPARE(file->path(), livenessPath());
}

void TestFileLiveness::roundTrip()
{
    FileLiveness liveness(*m_context);
    OwnerRecord state = OwnerRecord::now(QStringLiteral("host.example.org"), QDateTime(QDate(2026, 11, 28), QTime(2, 6, 0), Qt::UTC));
    QSignalSpy written(&liveness, &LivenessBackend::writeFinished);
    liveness.write(state);
    QCOMPARE(written.count(), 0); // reported after the call returned
    QVERIFY(waitFor(written));
    QVERIFY2(written.at(0).at(0).toBool(), qPrintable(written.at(0).at(1).toString()));
    QVERIFY(written.at(0).at(1).toString().isEmpty());

    QFile f(livenessPath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), state.toJson() + '\n');
    // Atomic replacement leaves no temporary files behind.
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files), QStringList{QStringLiteral("live.json")});

    QSignalSpy read(&liveness, &LivenessBackend::readFinished);
    liveness.read();
    QCOMPARE(read.count(), 0);
    QVERIFY(waitFor(read));
    const auto got = read.at(0).at(0).value<std::optional<OwnerRecord>>();
    QVERIFY(read.at(0).at(1).toString().isEmpty());
    QVERIFY(got);
    QCOMPARE(got->fqdn, state.fqdn);
    QCOMPARE(got->timestamp, state.timestamp);
    QCOMPARE(got->timeUtc, QStringLiteral("2026-11-28 02:06:00"));
    QCOMPARE(got->timeLocal, state.timeLocal);

    // A second write replaces the first.
    state.timestamp += 60;
    written.clear();
    liveness.write(state);
    QVERIFY(waitFor(written));
    read.clear();
    liveness.read();
    QVERIFY(waitFor(read));
    QCOMPARE(read.at(0).at(0).value<std::optional<OwnerRecord>>()->timestamp, state.timestamp);
}

void TestFileLiveness::pythonRecord()
{
    {
        QFile f(livenessPath());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"fqdn\": \"py.example.org\", \"timestamp\": 1795831560, \"time_utc\": \"2026-11-28 02:06:00\", \"time_local\": "
                "\"2026-11-28 03:06:00\"}");
    }
    FileLiveness liveness(*m_context);
    QSignalSpy read(&liveness, &LivenessBackend::readFinished);
    liveness.read();
    QVERIFY(waitFor(read));
    const auto got = read.at(0).at(0).value<std::optional<OwnerRecord>>();
    QVERIFY(got);
    QCOMPARE(got->fqdn, QStringLiteral("py.example.org"));
    QCOMPARE(got->timestamp, qint64(1795831560));
}

void TestFileLiveness::missingFile()
{
    FileLiveness liveness(*m_context);
    QSignalSpy read(&liveness, &LivenessBackend::readFinished);
    liveness.read();
    QVERIFY(waitFor(read));
    QVERIFY(!read.at(0).at(0).value<std::optional<OwnerRecord>>());
    const QString error = read.at(0).at(1).toString();
    QVERIFY2(error.startsWith(QStringLiteral("cannot read liveness file '%1': ").arg(livenessPath())), qPrintable(error));
}

void TestFileLiveness::notARecord()
{
    {
        QFile f(livenessPath());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[1, 2]");
    }
    FileLiveness liveness(*m_context);
    QSignalSpy read(&liveness, &LivenessBackend::readFinished);
    liveness.read();
    QVERIFY(waitFor(read));
    QVERIFY(!read.at(0).at(0).value<std::optional<OwnerRecord>>());
    QCOMPARE(read.at(0).at(1).toString(), QStringLiteral("cannot read liveness file '%1': not a liveness record").arg(livenessPath()));
}

void TestFileLiveness::unwritable()
{
    {
        QFile f(m_dir->filePath(QStringLiteral("plain")));
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    const QString path = m_dir->filePath(QStringLiteral("plain/live.json"));
    auto context = makeContext(m_registry, path);
    FileLiveness liveness(*context);
    QSignalSpy written(&liveness, &LivenessBackend::writeFinished);
    liveness.write(OwnerRecord::now(QStringLiteral("h"), QDateTime::currentDateTimeUtc()));
    QVERIFY(waitFor(written));
    QCOMPARE(written.at(0).at(0).toBool(), false);
    QVERIFY2(written.at(0).at(1).toString().startsWith(QStringLiteral("cannot write liveness file '%1': ").arg(path)),
             qPrintable(written.at(0).at(1).toString()));
}

void TestFileLiveness::defaultPath()
{
    const QByteArray saved = qgetenv("XDG_RUNTIME_DIR");
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_dir->path()));
    auto context = test::testContext(m_registry, {{QStringLiteral("liveness.backend"), QStringLiteral("file")}}, QStringLiteral("hello"));
    FileLiveness liveness(*context);
    QCOMPARE(liveness.path(), m_dir->path() + QStringLiteral("/jobslib/hello.liveness.json"));
    if (saved.isNull())
        qunsetenv("XDG_RUNTIME_DIR");
    else
        qputenv("XDG_RUNTIME_DIR", saved);
}

QTEST_GUILESS_MAIN(TestFileLiveness)
#include "tst_fileliveness.moc"
