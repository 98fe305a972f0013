// SPDX-License-Identifier: BSD-3-Clause
#include "app/backendregistry.h"
#include "app/context.h"
#include "lock/filelock.h"
#include "testcontext.h"
#include "util/runtimepath.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <memory>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace jobslib;

namespace {

constexpr int Deadline = 5000;
// What the brief promises a standby: it notices a free lock within 1 s.
constexpr int TakeoverMs = 1000;

/*! A context whose lock is the file backend on lockPath. */
std::unique_ptr<Context> makeContext(const BackendRegistry &registry, const QString &lockPath)
{
    return test::testContext(registry, {{QStringLiteral("one_instance.backend"), QStringLiteral("file")},
                                        {QStringLiteral("one_instance.file.path"), lockPath}});
}

/*! Waits for the spy's first signal unless it came already. */
bool waitFor(QSignalSpy &spy, int ms = Deadline)
{
    return !spy.isEmpty() || spy.wait(ms);
}

QByteArray fileContent(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/*!
 * A holder in another process: a forked child takes the lock on path through its own open file
 * description, writes a record naming itself, tells the parent and waits to be killed. Only
 * async-signal-safe calls after fork().
 */
class ChildHolder
{
public:
    ChildHolder(const QString &path, const QString &fqdn, quint64 token)
    {
        OwnerRecord r = OwnerRecord::now(fqdn, QDateTime::currentDateTimeUtc());
        const QByteArray full = r.toJson(); // without pid and token: both zero
        const QByteArray prefix = full.left(full.size() - 1) + ", \"pid\": ";
        const QByteArray suffix = ", \"fencing_token\": " + QByteArray::number(token) + '}';
        const QByteArray nativePath = QFile::encodeName(path);
        int fds[2];
        if (::pipe(fds) != 0)
            return;
        const pid_t parent = ::getpid();
        m_pid = ::fork();
        if (m_pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive a crashed test
            // QtTest's crash handler came along with fork(); a holder dies of SIGTERM plainly.
            ::signal(SIGTERM, SIG_DFL);
            if (::getppid() != parent)
                ::_exit(3);
            ::close(fds[0]);
            const int fd = ::open(nativePath.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
            struct flock fl{};
            fl.l_type = F_WRLCK;
            fl.l_whence = SEEK_SET;
            if (fd < 0 || ::fcntl(fd, F_OFD_SETLK, &fl) != 0)
                ::_exit(2);
            char digits[24];
            int n = 0;
            for (long pid = long(::getpid()); pid > 0; pid /= 10)
                digits[n++] = char('0' + pid % 10);
            char record[1024];
            size_t len = 0;
            for (char c : prefix)
                record[len++] = c;
            while (n > 0)
                record[len++] = digits[--n];
            for (char c : suffix)
                record[len++] = c;
            if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, record, len, 0) != ssize_t(len))
                ::_exit(2);
            const char ready = 'r';
            if (::write(fds[1], &ready, 1) != 1)
                ::_exit(2);
            for (;;)
                ::pause();
        }
        ::close(fds[1]);
        char ready = 0;
        ssize_t n = 0;
        do {
            n = ::read(fds[0], &ready, 1);
        } while (n < 0 && errno == EINTR);
        ::close(fds[0]);
        m_ready = n == 1 && ready == 'r';
    }
    ~ChildHolder()
    {
        if (m_pid > 0 && !m_reaped) {
            ::kill(m_pid, SIGKILL);
            reap();
        }
    }
    bool ready() const { return m_ready; }
    pid_t pid() const { return m_pid; }
    void kill(int sig) { ::kill(m_pid, sig); }
    /*! The wait status of the child. */
    int reap()
    {
        int status = 0;
        while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
        }
        m_reaped = true;
        return status;
    }

private:
    pid_t m_pid = -1;
    bool m_ready = false;
    bool m_reaped = false;
};

} // namespace

class TestFileLock : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void names();
    void secondObjectNotAcquired();
    void acquireHeldTwiceSameToken();
    void tokensGrowAcrossHolders();
    void releaseKeepsOnlyToken();
    void releaseNotHeld();
    void watcherFreedOnRelease();
    void watchFreeLockFreedAtOnce();
    void stopWatching();
    void watcherFreedWhenHolderDestroyed();
    void queryOwner();
    void queryMissingFile();
    void garbageContent();
    void crashTailKeepsToken();
    void notADirectory();
    void unwritableDirectory();
    void childHolderKilled();
    void forceReleaseFree();
    void forceReleaseSignalsHolder();
    void forceReleaseOtherHost();
    void forceReleaseInThisProcess();
    void lostWhenFileRemoved();
    void lostAtOnceWhenFileRemovedOrReplaced();
    void keptLockWhoseFileWasRemovedIsAcquiredAnew();
    void defaultPath();

private:
    QString lockPath() const { return m_dir->filePath(QStringLiteral("job.lock")); }

    std::unique_ptr<QTemporaryDir> m_dir;
    BackendRegistry m_registry = BackendRegistry::builtins();
    std::unique_ptr<Context> m_context;
};

void TestFileLock::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_context = makeContext(m_registry, lockPath());
}

void TestFileLock::cleanup()
{
    m_context.reset();
    m_dir.reset();
}

void TestFileLock::names()
{
    FileLock lock(*m_context);
    QCOMPARE(lock.backendName(), QStringLiteral("file"));
    QCOMPARE(lock.lockKey(), lockPath());
    QVERIFY(!lock.isHeld());
    QCOMPARE(lock.fencingToken(), quint64(0));

    // The registry builds it when the config chooses it.
    std::unique_ptr<LockBackend> made(m_registry.createLock(*m_context));
    QVERIFY(qobject_cast<FileLock *>(made.get()));
    const BackendDescriptor *d = m_registry.find(BackendKind::Lock, QStringLiteral("file"));
    QVERIFY(d && d->explain);
    QVERIFY(d->explain(m_context->config(), 0).contains(lockPath()));
}

void TestFileLock::secondObjectNotAcquired()
{
    FileLock a(*m_context);
    FileLock b(*m_context);
    QSignalSpy aAcquired(&a, &LockBackend::acquired);
    QSignalSpy bNot(&b, &LockBackend::notAcquired);
    QSignalSpy bAcquired(&b, &LockBackend::acquired);

    a.acquire();
    QCOMPARE(aAcquired.count(), 0); // reported after the call returned
    QVERIFY(waitFor(aAcquired));
    QCOMPARE(aAcquired.at(0).at(0).value<quint64>(), quint64(1));
    QVERIFY(a.isHeld());
    QCOMPARE(a.fencingToken(), quint64(1));

    b.acquire();
    QCOMPARE(bNot.count(), 0);
    QVERIFY(waitFor(bNot));
    QCOMPARE(bAcquired.count(), 0);
    QVERIFY(!b.isHeld());
    const auto owner = bNot.at(0).at(0).value<LockOwner>();
    QVERIFY(owner.held);
    QVERIFY(owner.record.has_value());
    QCOMPARE(owner.record->fqdn, m_context->fqdn());
    QCOMPARE(owner.record->pid, QCoreApplication::applicationPid());
    QCOMPARE(owner.record->fencingToken, quint64(1));
    QCOMPARE(owner.holderId, QStringLiteral("pid %1").arg(QCoreApplication::applicationPid()));
}

void TestFileLock::acquireHeldTwiceSameToken()
{
    FileLock a(*m_context);
    QSignalSpy acquired(&a, &LockBackend::acquired);
    a.acquire();
    QVERIFY(waitFor(acquired));
    a.acquire();
    QCOMPARE(acquired.count(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(acquired.count(), 2, Deadline);
    QCOMPARE(acquired.at(1).at(0).value<quint64>(), acquired.at(0).at(0).value<quint64>());
}

void TestFileLock::tokensGrowAcrossHolders()
{
    FileLock a(*m_context);
    FileLock b(*m_context);
    QList<quint64> tokens;
    for (int i = 0; i < 4; ++i) {
        FileLock &holder = i % 2 ? b : a;
        QSignalSpy acquired(&holder, &LockBackend::acquired);
        QSignalSpy released(&holder, &LockBackend::released);
        holder.acquire();
        QVERIFY(waitFor(acquired));
        tokens << acquired.at(0).at(0).value<quint64>();
        holder.release();
        QVERIFY(waitFor(released));
        QVERIFY(!holder.isHeld());
        QCOMPARE(holder.fencingToken(), quint64(0));
    }
    QCOMPARE(tokens, (QList<quint64>{1, 2, 3, 4}));
}

void TestFileLock::releaseKeepsOnlyToken()
{
    FileLock a(*m_context);
    QSignalSpy acquired(&a, &LockBackend::acquired);
    QSignalSpy released(&a, &LockBackend::released);
    a.acquire();
    QVERIFY(waitFor(acquired));
    const auto held = OwnerRecord::fromJson(fileContent(lockPath()));
    QVERIFY(held.ok());
    QCOMPARE(held->fencingToken, quint64(1));
    QCOMPARE(held->pid, QCoreApplication::applicationPid());

    a.release();
    QCOMPARE(released.count(), 0);
    QVERIFY(waitFor(released));
    QCOMPARE(fileContent(lockPath()), QByteArray("{\"fencing_token\": 1}"));
}

void TestFileLock::releaseNotHeld()
{
    FileLock a(*m_context);
    QSignalSpy released(&a, &LockBackend::released);
    a.release();
    QCOMPARE(released.count(), 0);
    QVERIFY(waitFor(released));
    QVERIFY(!QFile::exists(lockPath())); // nothing to release, nothing written
}

void TestFileLock::watcherFreedOnRelease()
{
    FileLock a(*m_context);
    FileLock b(*m_context);
    QSignalSpy aAcquired(&a, &LockBackend::acquired);
    QSignalSpy freed(&b, &LockBackend::freed);
    a.acquire();
    QVERIFY(waitFor(aAcquired));

    b.watchForRelease();
    QVERIFY(!freed.wait(300)); // held: nothing to report

    QElapsedTimer timer;
    timer.start();
    a.release();
    QVERIFY(freed.wait(TakeoverMs));
    QVERIFY2(timer.elapsed() < TakeoverMs, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(freed.count(), 1);

    QSignalSpy bAcquired(&b, &LockBackend::acquired);
    b.acquire();
    QVERIFY(waitFor(bAcquired));
    QCOMPARE(bAcquired.at(0).at(0).value<quint64>(), quint64(2));
    // freed() came once and the watch ended with it.
    QTest::qWait(100);
    QCOMPARE(freed.count(), 1);
}

void TestFileLock::watchFreeLockFreedAtOnce()
{
    FileLock b(*m_context);
    QSignalSpy freed(&b, &LockBackend::freed);
    b.watchForRelease();
    QCOMPARE(freed.count(), 0);
    QVERIFY(waitFor(freed, TakeoverMs));
    QCOMPARE(freed.count(), 1);
}

void TestFileLock::stopWatching()
{
    FileLock a(*m_context);
    FileLock b(*m_context);
    QSignalSpy aAcquired(&a, &LockBackend::acquired);
    QSignalSpy freed(&b, &LockBackend::freed);
    a.acquire();
    QVERIFY(waitFor(aAcquired));
    b.watchForRelease();
    b.stopWatching();
    a.release();
    QVERIFY(!freed.wait(500));
}

void TestFileLock::watcherFreedWhenHolderDestroyed()
{
    auto a = std::make_unique<FileLock>(*m_context);
    FileLock b(*m_context);
    QSignalSpy aAcquired(a.get(), &LockBackend::acquired);
    QSignalSpy freed(&b, &LockBackend::freed);
    a->acquire();
    QVERIFY(waitFor(aAcquired));
    b.watchForRelease();
    QVERIFY(!freed.wait(100));
    a.reset();
    QVERIFY(freed.wait(TakeoverMs));

    // The destroyed holder left its record; the next token continues from it.
    QSignalSpy bAcquired(&b, &LockBackend::acquired);
    b.acquire();
    QVERIFY(waitFor(bAcquired));
    QCOMPARE(bAcquired.at(0).at(0).value<quint64>(), quint64(2));
}

void TestFileLock::queryOwner()
{
    FileLock a(*m_context);
    FileLock b(*m_context);
    QSignalSpy aAcquired(&a, &LockBackend::acquired);
    QSignalSpy aReleased(&a, &LockBackend::released);
    a.acquire();
    QVERIFY(waitFor(aAcquired));

    QSignalSpy bQueried(&b, &LockBackend::ownerQueried);
    b.queryOwner();
    QCOMPARE(bQueried.count(), 0);
    QVERIFY(waitFor(bQueried));
    auto owner = bQueried.at(0).at(0).value<std::optional<LockOwner>>();
    QVERIFY(bQueried.at(0).at(1).toString().isEmpty());
    QVERIFY(owner && owner->held);
    QVERIFY(owner->record);
    QCOMPARE(owner->record->fencingToken, quint64(1));
    QCOMPARE(owner->holderId, QStringLiteral("pid %1").arg(QCoreApplication::applicationPid()));

    QSignalSpy aQueried(&a, &LockBackend::ownerQueried);
    a.queryOwner();
    QVERIFY(waitFor(aQueried));
    owner = aQueried.at(0).at(0).value<std::optional<LockOwner>>();
    QVERIFY(owner && owner->held && owner->record);
    QCOMPARE(owner->record->fencingToken, quint64(1));

    a.release();
    QVERIFY(waitFor(aReleased));
    bQueried.clear();
    b.queryOwner();
    QVERIFY(waitFor(bQueried));
    owner = bQueried.at(0).at(0).value<std::optional<LockOwner>>();
    QVERIFY(owner && !owner->held);
    QVERIFY(!owner->record);
}

void TestFileLock::queryMissingFile()
{
    FileLock a(*m_context);
    QSignalSpy queried(&a, &LockBackend::ownerQueried);
    a.queryOwner();
    QVERIFY(waitFor(queried));
    const auto owner = queried.at(0).at(0).value<std::optional<LockOwner>>();
    QVERIFY(owner && !owner->held);
    QVERIFY(queried.at(0).at(1).toString().isEmpty());
    QVERIFY(!QFile::exists(lockPath())); // asking does not create it
}

void TestFileLock::garbageContent()
{
    {
        QFile f(lockPath());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not an owner record\n\x01\x02");
    }
    FileLock a(*m_context);
    QSignalSpy acquired(&a, &LockBackend::acquired);
    a.acquire();
    QVERIFY(waitFor(acquired));
    QCOMPARE(acquired.at(0).at(0).value<quint64>(), quint64(1));
    const auto record = OwnerRecord::fromJson(fileContent(lockPath()));
    QVERIFY(record.ok());
    QCOMPARE(record->fencingToken, quint64(1));
}

void TestFileLock::crashTailKeepsToken()
{
    // What a crash between rewrite and truncation leaves: a record followed by an older tail.
    {
        QFile f(lockPath());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"fencing_token\": 41}ostname\", \"timestamp\": 1, \"fencing_token\": 40}");
    }
    FileLock a(*m_context);
    QSignalSpy acquired(&a, &LockBackend::acquired);
    a.acquire();
    QVERIFY(waitFor(acquired));
    QCOMPARE(acquired.at(0).at(0).value<quint64>(), quint64(42));
}

void TestFileLock::notADirectory()
{
    {
        QFile f(m_dir->filePath(QStringLiteral("plain")));
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    const QString path = m_dir->filePath(QStringLiteral("plain/job.lock"));
    auto context = makeContext(m_registry, path);
    FileLock a(*context);
    QSignalSpy failed(&a, &LockBackend::acquireFailed);
    a.acquire();
    QCOMPARE(failed.count(), 0);
    QVERIFY(waitFor(failed));
    QVERIFY2(failed.at(0).at(0).toString().startsWith(QStringLiteral("cannot lock '%1': ").arg(path)), qPrintable(failed.at(0).at(0).toString()));
    QVERIFY(!a.isHeld());
}

void TestFileLock::unwritableDirectory()
{
    if (::geteuid() == 0)
        QSKIP("root may write anywhere");
    const QString dir = m_dir->filePath(QStringLiteral("ro"));
    QVERIFY(QDir().mkdir(dir));
    QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0500) == 0);
    const QString path = dir + QStringLiteral("/job.lock");
    auto context = makeContext(m_registry, path);
    FileLock a(*context);
    QSignalSpy failed(&a, &LockBackend::acquireFailed);
    a.acquire();
    QVERIFY(waitFor(failed));
    QVERIFY2(failed.at(0).at(0).toString().startsWith(QStringLiteral("cannot lock '%1': ").arg(path)), qPrintable(failed.at(0).at(0).toString()));
    ::chmod(QFile::encodeName(dir).constData(), 0700);
}

void TestFileLock::childHolderKilled()
{
    ChildHolder child(lockPath(), m_context->fqdn(), 7);
    QVERIFY(child.ready());

    FileLock a(*m_context);
    QSignalSpy notAcquired(&a, &LockBackend::notAcquired);
    a.acquire();
    QVERIFY(waitFor(notAcquired));
    const auto owner = notAcquired.at(0).at(0).value<LockOwner>();
    QVERIFY(owner.held);
    QVERIFY(owner.record);
    QCOMPARE(owner.record->pid, qint64(child.pid()));
    QCOMPARE(owner.record->fencingToken, quint64(7));
    QCOMPARE(owner.holderId, QStringLiteral("pid %1").arg(child.pid()));

    QSignalSpy freed(&a, &LockBackend::freed);
    a.watchForRelease();
    QVERIFY(!freed.wait(200));

    QElapsedTimer timer;
    timer.start();
    child.kill(SIGKILL);
    QVERIFY(freed.wait(TakeoverMs));
    QVERIFY2(timer.elapsed() < TakeoverMs, qPrintable(QString::number(timer.elapsed())));
    const int status = child.reap();
    QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    // The crashed holder's record stays; the token continues from it.
    QSignalSpy acquired(&a, &LockBackend::acquired);
    a.acquire();
    QVERIFY(waitFor(acquired));
    QCOMPARE(acquired.at(0).at(0).value<quint64>(), quint64(8));
}

void TestFileLock::forceReleaseFree()
{
    FileLock a(*m_context);
    QSignalSpy finished(&a, &LockBackend::forceReleaseFinished);
    a.forceRelease();
    QCOMPARE(finished.count(), 0);
    QVERIFY(waitFor(finished));
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("the lock is free"));
}

void TestFileLock::forceReleaseSignalsHolder()
{
    ChildHolder child(lockPath(), m_context->fqdn(), 3);
    QVERIFY(child.ready());

    FileLock a(*m_context);
    QSignalSpy finished(&a, &LockBackend::forceReleaseFinished);
    a.forceRelease();
    QVERIFY(waitFor(finished));
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QCOMPARE(finished.at(0).at(1).toString(),
             QStringLiteral("sent SIGTERM to holder pid %1 on %2; the OS frees the lock when it exits").arg(child.pid()).arg(m_context->fqdn()));
    const int status = child.reap();
    QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);

    QSignalSpy acquired(&a, &LockBackend::acquired);
    a.acquire();
    QVERIFY(waitFor(acquired));
    QCOMPARE(acquired.at(0).at(0).value<quint64>(), quint64(4));
}

void TestFileLock::forceReleaseOtherHost()
{
    ChildHolder child(lockPath(), QStringLiteral("elsewhere.example.org"), 3);
    QVERIFY(child.ready());

    FileLock a(*m_context);
    QSignalSpy finished(&a, &LockBackend::forceReleaseFinished);
    a.forceRelease();
    QVERIFY(waitFor(finished));
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QVERIFY2(finished.at(0).at(1).toString().contains(QStringLiteral("elsewhere.example.org")), qPrintable(finished.at(0).at(1).toString()));
    QVERIFY(::kill(child.pid(), 0) == 0); // not signalled
}

void TestFileLock::forceReleaseInThisProcess()
{
    FileLock a(*m_context);
    FileLock b(*m_context);
    QSignalSpy aAcquired(&a, &LockBackend::acquired);
    a.acquire();
    QVERIFY(waitFor(aAcquired));

    // Another object of this process holds it: signalling the holder would signal ourselves.
    QSignalSpy bFinished(&b, &LockBackend::forceReleaseFinished);
    b.forceRelease();
    QVERIFY(waitFor(bFinished));
    QCOMPARE(bFinished.at(0).at(0).toBool(), false);
    QVERIFY(a.isHeld());

    // The holder itself simply releases, reporting only forceReleaseFinished.
    QSignalSpy aFinished(&a, &LockBackend::forceReleaseFinished);
    QSignalSpy aReleased(&a, &LockBackend::released);
    a.forceRelease();
    QVERIFY(waitFor(aFinished));
    QCOMPARE(aFinished.at(0).at(0).toBool(), true);
    QVERIFY(!a.isHeld());
    QCOMPARE(aReleased.count(), 0);

    QSignalSpy bAcquired(&b, &LockBackend::acquired);
    b.acquire();
    QVERIFY(waitFor(bAcquired));
    QCOMPARE(bAcquired.at(0).at(0).value<quint64>(), quint64(2));
}

void TestFileLock::lostWhenFileRemoved()
{
    FileLock a(*m_context);
    QSignalSpy acquired(&a, &LockBackend::acquired);
    QSignalSpy lost(&a, &LockBackend::lost);
    a.acquire();
    QVERIFY(waitFor(acquired));
    a.refresh();
    QTest::qWait(50);
    QCOMPARE(lost.count(), 0);

    QVERIFY(QFile::remove(lockPath()));
    a.refresh();
    QCOMPARE(lost.count(), 0);
    QVERIFY(waitFor(lost));
    QVERIFY(!a.isHeld());
}

// Issue 15: the holder's own file vanishing is an immediate loss, not one found after the run.
void TestFileLock::lostAtOnceWhenFileRemovedOrReplaced()
{
    for (const bool replace : {false, true}) {
        FileLock a(*m_context);
        QSignalSpy acquired(&a, &LockBackend::acquired);
        QSignalSpy lost(&a, &LockBackend::lost);
        a.acquire();
        QVERIFY(waitFor(acquired));
        if (replace) {
            const QString other = lockPath() + QStringLiteral(".new");
            QFile f(other);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.close();
            QVERIFY(::rename(QFile::encodeName(other).constData(), QFile::encodeName(lockPath()).constData()) == 0);
        } else {
            QVERIFY(QFile::remove(lockPath()));
        }
        QVERIFY2(waitFor(lost), replace ? "replaced" : "removed");
        QVERIFY(lost.constFirst().constFirst().toString().contains(QStringLiteral("removed or replaced")));
        QVERIFY(!a.isHeld());
        QFile::remove(lockPath());
    }
}

// The keep_lock path: acquire() of a held lock whose file is gone must not answer "still yours".
void TestFileLock::keptLockWhoseFileWasRemovedIsAcquiredAnew()
{
    FileLock a(*m_context);
    QSignalSpy acquired(&a, &LockBackend::acquired);
    QSignalSpy lost(&a, &LockBackend::lost);
    a.acquire();
    QVERIFY(waitFor(acquired));
    QVERIFY(QFile::remove(lockPath()));
    a.acquire(); // before the event loop delivers inotify's news
    QTRY_COMPARE_WITH_TIMEOUT(acquired.count(), 2, Deadline);
    QCOMPARE(lost.count(), 1);
    QVERIFY(a.isHeld());
    QVERIFY(QFile::exists(lockPath())); // the lock is on the file now at the path
    FileLock b(*m_context);
    QSignalSpy busy(&b, &LockBackend::notAcquired);
    b.acquire();
    QVERIFY(waitFor(busy));
}

void TestFileLock::defaultPath()
{
    QCOMPARE(runtimeFileStem(QStringLiteral("my task/x\u00e9")), QStringLiteral("my_task_x_"));
    QCOMPARE(runtimeFileStem(QStringLiteral("a.b-c_D9")), QStringLiteral("a.b-c_D9"));
    QCOMPARE(runtimeFileStem(QString()), QStringLiteral("default"));
    QCOMPARE(runtimeFileStem(QStringLiteral("..")), QStringLiteral("default"));

    const QByteArray saved = qgetenv("XDG_RUNTIME_DIR");
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_dir->path()));
    auto context =
        test::testContext(m_registry, {{QStringLiteral("one_instance.backend"), QStringLiteral("file")}}, QStringLiteral("my task"));
    FileLock a(*context);
    const QString expected = m_dir->path() + QStringLiteral("/jobslib/my_task.lock");
    QCOMPARE(a.lockKey(), expected);
    struct stat st{};
    QVERIFY(::stat(QFile::encodeName(m_dir->path() + QStringLiteral("/jobslib")).constData(), &st) == 0);
    QCOMPARE(st.st_mode & 0777, mode_t(0700));

    QSignalSpy acquired(&a, &LockBackend::acquired);
    a.acquire();
    QVERIFY(waitFor(acquired));
    QVERIFY(QFile::exists(expected));

    if (saved.isNull())
        qunsetenv("XDG_RUNTIME_DIR");
    else
        qputenv("XDG_RUNTIME_DIR", saved);
}

QTEST_GUILESS_MAIN(TestFileLock)
#include "tst_filelock.moc"
