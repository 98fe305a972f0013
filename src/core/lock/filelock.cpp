// SPDX-License-Identifier: BSD-3-Clause
#include "filelock.h"

#include "app/context.h"
#include "util/deferred.h"
#include "util/logcategories.h"
#include "util/runtimepath.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jobslib {

namespace {

// Everything that may tell a watcher the holder is gone: its descriptor closing (exit, crash),
// its release (rewrite plus a time change, see unlockFile()), or the file going away.
constexpr uint32_t WatchMask = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF;
constexpr int PollIntervalMs = 5000;
// A record is a few hundred bytes; anything much larger is not ours and not worth reading whole.
constexpr qint64 MaxContent = 64 * 1024;

QString errnoText(int err)
{
    return QString::fromLocal8Bit(strerror(err));
}

struct flock wholeFile(short type)
{
    struct flock fl{};
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 0; // to the end, however long the file grows
    fl.l_pid = 0; // F_OFD_* require 0
    return fl;
}

QByteArray readContent(int fd)
{
    QByteArray data;
    char buf[4096];
    off_t offset = 0;
    while (offset < MaxContent) {
        const ssize_t n = ::pread(fd, buf, sizeof buf, offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        data.append(buf, n);
        offset += n;
    }
    return data;
}

/*! The last holder's token. A write interrupted by a crash can leave a record followed by the
 *  tail of a longer older one; the token is still found then, so tokens never go back. */
quint64 tokenIn(const QByteArray &content)
{
    const auto record = OwnerRecord::fromJson(content);
    if (record)
        return record->fencingToken;
    static const QRegularExpression tokenRe(QStringLiteral("\"fencing_token\"\\s*:\\s*(\\d+)"));
    const auto match = tokenRe.match(QString::fromUtf8(content));
    return match.hasMatch() ? match.captured(1).toULongLong() : 0;
}

/*! The record of a holder, when the content is one (a released lock's file has only the token). */
std::optional<OwnerRecord> holderRecord(const QByteArray &content)
{
    const auto record = OwnerRecord::fromJson(content);
    if (!record || record->fqdn.isEmpty())
        return std::nullopt;
    return record.value();
}

LockOwner heldOwner(const QByteArray &content)
{
    LockOwner owner;
    owner.held = true;
    owner.record = holderRecord(content);
    if (owner.record && owner.record->pid > 0)
        owner.holderId = QStringLiteral("pid ") + QString::number(owner.record->pid);
    return owner;
}

LockOwner freeOwner(const QByteArray &content)
{
    LockOwner owner;
    // A full record in a free lock is what a holder leaves when it dies without releasing.
    if (const auto record = holderRecord(content)) {
        const QString who = record->pid > 0 ? QStringLiteral("pid %1 on %2").arg(record->pid).arg(record->fqdn) : record->fqdn;
        owner.detail = QStringLiteral("free; last held by %1 since %2 UTC, which ended without releasing it").arg(who, record->timeUtc);
    }
    return owner;
}

enum class OpenState { Yes, No, Unknown };

/*! Whether process pid has the file (dev, ino) open: /proc/<pid>/fd links to it. */
OpenState processHasFileOpen(qint64 pid, dev_t dev, ino_t ino)
{
    const QString fdDir = QStringLiteral("/proc/%1/fd").arg(pid);
    QDir dir(fdDir);
    if (!dir.exists())
        return OpenState::No;
    const QStringList entries = dir.entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot);
    if (entries.isEmpty())
        return OpenState::Unknown; // not ours to read (or no descriptors at all, which is rare)
    for (const QString &entry : entries) {
        struct stat st{};
        if (::stat(QFile::encodeName(fdDir + QLatin1Char('/') + entry).constData(), &st) == 0 && st.st_dev == dev && st.st_ino == ino)
            return OpenState::Yes;
    }
    return OpenState::No;
}

} // namespace

struct FileLock::Inspection
{
    bool ok = false;
    bool exists = false;
    bool held = false;
    QByteArray content;
    dev_t dev = 0;
    ino_t ino = 0;
    QString error;
};

FileLock::FileLock(Context &context, QObject *parent)
    : LockBackend(context, parent)
    , m_configuredPath(context.config().string(QStringLiteral("one_instance.file.path")))
{
}

FileLock::~FileLock()
{
    stopWatching();
    if (m_held)
        unlockFile();
    closeFile();
}

QString FileLock::path() const
{
    // Resolved on first use: the task name may be set after the backend was created.
    if (m_path.isEmpty())
        m_path = m_configuredPath.isEmpty() ? defaultRuntimeFile(context().taskName(), QStringLiteral(".lock")) : m_configuredPath;
    return m_path;
}

bool FileLock::fileStillAtPath() const
{
    if (m_fd < 0)
        return false;
    struct stat mine{};
    struct stat atPath{};
    if (::fstat(m_fd, &mine) != 0 || ::stat(QFile::encodeName(path()).constData(), &atPath) != 0)
        return false;
    return mine.st_dev == atPath.st_dev && mine.st_ino == atPath.st_ino;
}

bool FileLock::ensureOpen(bool needWrite, QString *error)
{
    if (m_fd >= 0 && (m_writable || !needWrite) && fileStillAtPath())
        return true;
    // Removed or replaced (or opened read-only before): only a descriptor of the file now at the
    // path excludes the others.
    closeFile();
    const QByteArray native = QFile::encodeName(path());
    int fd = ::open(native.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    bool writable = fd >= 0;
    if (fd < 0 && !needWrite && (errno == EACCES || errno == EPERM || errno == EROFS)) {
        // Watching and querying need no write access: somebody else's lock file will do.
        fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        *error = errnoText(errno);
        return false;
    }
    m_fd = fd;
    m_writable = writable;
    return true;
}

void FileLock::closeFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_writable = false;
}

bool FileLock::writeContent(const QByteArray &data, QString *error)
{
    // Overwrite first, then cut: the file never becomes empty, so a crash in between cannot lose
    // the token (tokenIn() finds it even in front of an old tail).
    qint64 done = 0;
    while (done < data.size()) {
        const ssize_t n = ::pwrite(m_fd, data.constData() + done, size_t(data.size() - done), off_t(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *error = errnoText(n < 0 ? errno : EIO);
            return false;
        }
        done += n;
    }
    if (::ftruncate(m_fd, off_t(data.size())) != 0 || ::fdatasync(m_fd) != 0) {
        *error = errnoText(errno);
        return false;
    }
    return true;
}

void FileLock::unlockFile()
{
    struct flock fl = wholeFile(F_UNLCK);
    if (::fcntl(m_fd, F_OFD_SETLK, &fl) != 0) {
        // Closing our descriptor frees its lock for sure (it is ours alone: O_CLOEXEC).
        qCWarning(lcLock) << "Cannot unlock" << path() << ":" << errnoText(errno) << "- closing it instead";
        closeFile();
        return;
    }
    // The content is left alone: a new holder may already be writing its record.
    if (::futimens(m_fd, nullptr) != 0)
        qCDebug(lcLock) << "Cannot touch" << path() << "to wake watchers:" << errnoText(errno) << "- they notice within 5 s";
}

FileLock::Inspection FileLock::inspect() const
{
    Inspection in;
    int fd = m_fd;
    bool temporary = false;
    if (fd < 0 || !fileStillAtPath()) {
        // Opening without creating: asking who holds a lock must not make a file appear. Closing
        // it wakes watchers, which then find the lock as it was: harmless.
        fd = ::open(QFile::encodeName(path()).constData(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) {
                in.ok = true;
                return in;
            }
            in.error = errnoText(errno);
            return in;
        }
        temporary = true;
    }
    struct stat st{};
    struct flock fl = wholeFile(F_WRLCK);
    if (::fstat(fd, &st) != 0 || ::fcntl(fd, F_OFD_GETLK, &fl) != 0) {
        in.error = errnoText(errno);
    } else {
        in.ok = true;
        in.exists = true;
        // Our own lock never conflicts with our own descriptor: m_held tells about that one.
        in.held = fl.l_type != F_UNLCK || m_held;
        in.content = readContent(fd);
        in.dev = st.st_dev;
        in.ino = st.st_ino;
    }
    if (temporary)
        ::close(fd);
    return in;
}

void FileLock::acquire()
{
    if (m_held)
        reacquireHeld([this](const QString &why) { loseFile(why); }, [this] { acquireAnew(); });
    else
        acquireAnew();
}

QString FileLock::replacedReason() const
{
    return QStringLiteral("lock file '%1' was removed or replaced; another instance may lock the new one").arg(path());
}

QString FileLock::whyNotProven(qint64 marginMs) const
{
    const QString why = LockBackend::whyNotProven(marginMs);
    if (!why.isEmpty() || fileStillAtPath())
        return why;
    return replacedReason();
}

void FileLock::dropFile()
{
    unlockFile();
    closeFile();
    m_held = false;
    if (!m_watching)
        stopInotify();
}

void FileLock::loseFile(const QString &reason)
{
    dropFile();
    Q_EMIT lost(reason);
}

void FileLock::acquireAnew()
{
    QString error;
    for (int attempt = 0;; ++attempt) {
        if (!ensureOpen(true, &error)) {
            const QString message = QStringLiteral("cannot lock '%1': %2").arg(path(), error);
            deferred(this, [this, message] { Q_EMIT acquireFailed(message); });
            return;
        }
        struct flock fl = wholeFile(F_WRLCK);
        if (::fcntl(m_fd, F_OFD_SETLK, &fl) != 0) {
            const int err = errno;
            if (err == EAGAIN || err == EACCES) {
                // Read through our own descriptor: opening and closing another would wake watchers.
                const LockOwner owner = heldOwner(readContent(m_fd));
                deferred(this, [this, owner] { Q_EMIT notAcquired(owner); });
                return;
            }
            const QString message = QStringLiteral("cannot lock '%1': %2").arg(path(), errnoText(err));
            deferred(this, [this, message] { Q_EMIT acquireFailed(message); });
            return;
        }
        // Removed or replaced between open and lock: a lock on a file nobody else can find
        // excludes nobody. Try the file now at the path.
        if (fileStillAtPath())
            break;
        struct flock unlock = wholeFile(F_UNLCK);
        ::fcntl(m_fd, F_OFD_SETLK, &unlock);
        closeFile();
        if (attempt == 2) {
            const QString message = QStringLiteral("cannot lock '%1': the file keeps being removed or replaced").arg(path());
            deferred(this, [this, message] { Q_EMIT acquireFailed(message); });
            return;
        }
    }

    const quint64 token = tokenIn(readContent(m_fd)) + 1;
    if (!writeContent(ownRecord(token).toJson(), &error)) {
        // Holding the lock without the new token on disk would let the next holder reuse it.
        unlockFile();
        const QString message = QStringLiteral("cannot write lock file '%1': %2").arg(path(), error);
        deferred(this, [this, message] { Q_EMIT acquireFailed(message); });
        return;
    }
    m_held = true;
    m_token = token;
    // Our own writes would wake our own watch, and there is nothing left to wait for.
    stopWatching();
    // While held, the same inotify watch tells at once when somebody removes or replaces the file
    // (a /tmp cleaner, a person): another instance would lock the new one, so it is a lost lock.
    startInotify();
    qCDebug(lcLock) << "Acquired" << path() << "with fencing token" << token;
    deferred(this, [this, token] { Q_EMIT acquired(token); });
}

void FileLock::release()
{
    if (m_held)
        releaseFile();
    deferred(this, [this] { Q_EMIT released(); });
}

void FileLock::releaseFile()
{
    // Python wipes the holder's value on release; the token stays so the next one continues from it.
    QString error;
    const QByteArray wiped = "{\"fencing_token\": " + QByteArray::number(m_token) + '}';
    if (!writeContent(wiped, &error))
        qCWarning(lcLock) << "Cannot rewrite" << path() << ":" << error << "- releasing anyway; the file keeps our record";
    unlockFile();
    m_held = false;
    if (!m_watching)
        stopInotify();
    qCDebug(lcLock) << "Released" << path();
}

void FileLock::refresh()
{
    if (!m_held || fileStillAtPath())
        return;
    // Somebody removed or replaced the file (a /tmp cleaner, a person): a new instance would lock
    // the new file, so this lock no longer excludes anybody.
    dropFile();
    const QString reason = replacedReason();
    deferred(this, [this, reason] { Q_EMIT lost(reason); });
}

void FileLock::watchForRelease()
{
    if (m_watching)
        return;
    m_watching = true;
    QString error;
    if (!ensureOpen(false, &error))
        qCWarning(lcLock) << "Cannot open" << path() << "to watch it:" << error << "- retrying every" << PollIntervalMs / 1000 << "s";
    startInotify();
    if (!m_pollTimer) {
        m_pollTimer = new QTimer(this);
        m_pollTimer->setInterval(PollIntervalMs);
        connect(m_pollTimer, &QTimer::timeout, this, [this] {
            if (m_inotifyFd < 0)
                startInotify();
            probe();
        });
    }
    m_pollTimer->start();
    // The lock may be free already; checked after inotify is set up so no release slips between.
    deferred(this, [this] {
        if (m_watching)
            probe();
    });
}

void FileLock::stopWatching()
{
    m_watching = false;
    stopInotify();
    if (m_pollTimer)
        m_pollTimer->stop();
    if (m_recheckTimer)
        m_recheckTimer->stop();
}

bool FileLock::startInotify()
{
    if (m_inotifyFd >= 0)
        return true;
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        qCWarning(lcLock) << "inotify unavailable:" << errnoText(errno) << "- polling" << path() << "every" << PollIntervalMs / 1000 << "s";
        return false;
    }
    if (::inotify_add_watch(fd, QFile::encodeName(path()).constData(), WatchMask) < 0) {
        qCDebug(lcLock) << "Cannot watch" << path() << ":" << errnoText(errno) << "- polling every" << PollIntervalMs / 1000 << "s";
        ::close(fd);
        return false;
    }
    m_inotifyFd = fd;
    m_notifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &FileLock::onInotifyReadable);
    return true;
}

void FileLock::stopInotify()
{
    if (m_notifier) {
        // May run inside the notifier's own activation: disable now, delete later.
        m_notifier->setEnabled(false);
        m_notifier->deleteLater();
        m_notifier = nullptr;
    }
    if (m_inotifyFd >= 0)
        ::close(m_inotifyFd);
    m_inotifyFd = -1;
}

void FileLock::onInotifyReadable()
{
    bool fileGone = false;
    alignas(struct inotify_event) char buf[4096];
    for (;;) {
        const ssize_t n = ::read(m_inotifyFd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n;) {
            const auto *event = reinterpret_cast<const struct inotify_event *>(buf + i);
            if (event->mask & (IN_DELETE_SELF | IN_IGNORED))
                fileGone = true;
            i += ssize_t(sizeof(struct inotify_event) + event->len);
        }
    }
    if (m_held) {
        if (!fileStillAtPath())
            loseFile(replacedReason()); // stops this watch too
        return;
    }
    if (fileGone && !m_held) {
        // The watched file is gone, and with it any lock on it that others could see: watch the
        // file now at the path (creating it), which probe() then finds free.
        stopInotify();
        closeFile();
        QString error;
        ensureOpen(false, &error);
        startInotify();
    }
    if (probe())
        return;
    // A dying holder's descriptor reports its close a moment before the kernel drops its lock:
    // look again shortly instead of waiting for the poll.
    m_rechecks = 0;
    if (!m_recheckTimer) {
        m_recheckTimer = new QTimer(this);
        m_recheckTimer->setSingleShot(true);
        connect(m_recheckTimer, &QTimer::timeout, this, [this] {
            if (!probe() && ++m_rechecks < 3)
                m_recheckTimer->start(m_recheckTimer->interval() * 2);
        });
    }
    m_recheckTimer->start(50);
}

bool FileLock::probe()
{
    if (!m_watching)
        return false;
    if (m_fd < 0) {
        QString error;
        if (!ensureOpen(false, &error)) {
            if (QFile::exists(path()))
                return false;
            // No file, no lock on it.
            stopWatching();
            Q_EMIT freed();
            return true;
        }
    }
    struct flock fl = wholeFile(F_WRLCK);
    if (::fcntl(m_fd, F_OFD_GETLK, &fl) != 0) {
        qCDebug(lcLock) << "Cannot test" << path() << ":" << errnoText(errno);
        return false;
    }
    if (fl.l_type != F_UNLCK)
        return false;
    stopWatching();
    qCDebug(lcLock) << path() << "is free";
    Q_EMIT freed();
    return true;
}

void FileLock::queryOwner()
{
    if (m_held) {
        LockOwner owner;
        owner.held = true;
        owner.record = holderRecord(readContent(m_fd));
        if (!owner.record)
            owner.record = ownRecord(m_token);
        owner.holderId = QStringLiteral("pid ") + QString::number(QCoreApplication::applicationPid());
        deferred(this, [this, owner] { Q_EMIT ownerQueried(owner, QString()); });
        return;
    }
    const Inspection in = inspect();
    if (!in.ok) {
        const QString message = QStringLiteral("cannot query lock '%1': %2").arg(path(), in.error);
        deferred(this, [this, message] { Q_EMIT ownerQueried(std::nullopt, message); });
        return;
    }
    const LockOwner owner = in.held ? heldOwner(in.content) : freeOwner(in.content);
    deferred(this, [this, owner] { Q_EMIT ownerQueried(owner, QString()); });
}

void FileLock::forceRelease()
{
    const auto finish = [this](bool ok, const QString &message) {
        deferred(this, [this, ok, message] { Q_EMIT forceReleaseFinished(ok, message); });
    };
    if (m_held) {
        releaseFile();
        finish(true, QStringLiteral("released the lock this process held"));
        return;
    }
    const Inspection in = inspect();
    if (!in.ok) {
        finish(false, QStringLiteral("cannot inspect lock '%1': %2").arg(path(), in.error));
        return;
    }
    if (!in.held) {
        finish(true, QStringLiteral("the lock is free"));
        return;
    }
    // Only the holder can free an OS lock; the best we can do is ask its runjob to stop.
    const auto record = holderRecord(in.content);
    if (!record || record->pid <= 0) {
        finish(false,
               QStringLiteral("the lock '%1' is held, but its record names no process; a file lock is freed only when its holder releases "
                              "it or exits (see `lslocks`)")
                   .arg(path()));
        return;
    }
    const QString pid = QString::number(record->pid);
    if (record->pid == QCoreApplication::applicationPid() && record->fqdn == context().fqdn()) {
        finish(false, QStringLiteral("the lock is held by this very process (pid %1) through another lock object; release it there").arg(pid));
        return;
    }
    if (record->fqdn != context().fqdn()) {
        finish(false,
               QStringLiteral("the lock is held by pid %1 on %2, not on this host (%3); stop it there")
                   .arg(pid, record->fqdn, context().fqdn()));
        return;
    }
    // The record could be stale or from a process in another PID namespace: never signal a
    // process that does not even have the lock file open.
    if (processHasFileOpen(record->pid, in.dev, in.ino) == OpenState::No) {
        finish(false,
               QStringLiteral("the lock record names pid %1, but that process does not have '%2' open; not signalling it").arg(pid, path()));
        return;
    }
    if (::kill(pid_t(record->pid), SIGTERM) != 0) {
        finish(false, QStringLiteral("cannot send SIGTERM to holder pid %1 on %2: %3").arg(pid, record->fqdn, errnoText(errno)));
        return;
    }
    finish(true, QStringLiteral("sent SIGTERM to holder pid %1 on %2; the OS frees the lock when it exits").arg(pid, record->fqdn));
}

} // namespace jobslib
