// SPDX-License-Identifier: BSD-3-Clause
#include "pointspool.h"

#include "util/logcategories.h"

#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jobslib {

namespace {

constexpr char Magic[] = "JOBSLIB-SPOOL ";
constexpr char MagicV1[] = "JOBSLIB-SPOOL 1 ";
constexpr qint64 MagicSize = sizeof(MagicV1) - 1;
constexpr qint64 DigitCount = 20;
static_assert(MagicSize + DigitCount + 1 == PointSpool::HeaderSize);
// Reading and rewriting go through buffers of this size: big enough to need few system calls,
// small enough not to matter next to the queue itself.
constexpr qint64 ChunkSize = qint64(1) << 20;

QString errnoText(int err)
{
    return QString::fromLocal8Bit(strerror(err));
}

/*! Writes all of data at offset; 0 or the errno of the failure (bytes may be written then). */
int pwriteAll(int fd, const char *data, qint64 size, qint64 offset)
{
    while (size > 0) {
        const ssize_t n = ::pwrite(fd, data, size_t(size), off_t(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        if (n == 0)
            return EIO; // no progress and no error: do not spin
        data += n;
        size -= n;
        offset += n;
    }
    return 0;
}

int truncateTo(int fd, qint64 size)
{
    while (::ftruncate(fd, off_t(size)) != 0) {
        if (errno != EINTR)
            return errno;
    }
    return 0;
}

int lockFile(int fd)
{
    struct flock fl{};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 0; // the whole file, however long it grows
    fl.l_pid = 0; // F_OFD_* require 0
    while (::fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        if (errno != EINTR)
            return errno;
    }
    return 0;
}

QByteArray headerFor(qint64 head)
{
    QByteArray header = MagicV1 + QByteArray::number(head).rightJustified(DigitCount, '0') + '\n';
    Q_ASSERT(header.size() == PointSpool::HeaderSize);
    return header;
}

/*! Creates dir and its missing parents with mode 0700: the points may tell more than they should. */
bool makeDirectory(const QByteArray &dir)
{
    if (dir.isEmpty())
        return false;
    if (::mkdir(dir.constData(), 0700) == 0 || errno == EEXIST)
        return true;
    if (errno != ENOENT)
        return false;
    const qsizetype slash = dir.lastIndexOf('/');
    if (slash <= 0 || !makeDirectory(dir.left(slash)))
        return false;
    return ::mkdir(dir.constData(), 0700) == 0 || errno == EEXIST;
}

} // namespace

PointSpool::PointSpool(const QString &path)
    : m_path(path)
{
}

PointSpool::~PointSpool()
{
    close();
}

void PointSpool::close()
{
    // Closing our only descriptor of the file also drops its OFD lock.
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

QString PointSpool::open(qint64 capacity, Loaded *loaded)
{
    close();
    m_failing = 0;
    m_error.clear();
    const QString dir = QFileInfo(m_path).absolutePath();
    if (!QFileInfo::exists(dir) && !makeDirectory(QFile::encodeName(dir)))
        return QStringLiteral("cannot create the directory of metrics spool '%1': %2").arg(m_path, errnoText(errno));
    // Another attempt is needed when the file was replaced between open and lock, or set aside.
    for (int attempt = 0; attempt < 3; ++attempt) {
        *loaded = Loaded();
        bool again = false;
        const QString error = openOnce(capacity, loaded, &again);
        if (!error.isEmpty()) {
            close();
            *loaded = Loaded();
            return error;
        }
        if (!again)
            return {};
        close();
    }
    *loaded = Loaded();
    return QStringLiteral("cannot open metrics spool '%1': the file keeps being removed or replaced").arg(m_path);
}

QString PointSpool::openOnce(qint64 capacity, Loaded *loaded, bool *again)
{
    const QByteArray native = QFile::encodeName(m_path);
    int fd;
    do {
        fd = ::open(native.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return QStringLiteral("cannot open metrics spool '%1': %2").arg(m_path, errnoText(errno));
    m_fd = fd;
    if (const int err = lockFile(fd)) {
        if (err == EAGAIN || err == EACCES)
            return QStringLiteral("metrics spool '%1' is in use by another process").arg(m_path);
        return QStringLiteral("cannot lock metrics spool '%1': %2").arg(m_path, errnoText(err));
    }
    // The holder before us may have renamed a compacted file over this one between our open and
    // our lock: a lock on a file nobody else can find keeps nobody out.
    struct stat mine{};
    struct stat atPath{};
    if (::fstat(fd, &mine) != 0)
        return QStringLiteral("cannot open metrics spool '%1': %2").arg(m_path, errnoText(errno));
    if (::stat(native.constData(), &atPath) != 0 || mine.st_dev != atPath.st_dev || mine.st_ino != atPath.st_ino) {
        *again = true;
        return {};
    }
    // Left by a compaction that did not finish; the spool itself is intact (rename is atomic).
    ::unlink(QFile::encodeName(m_path + QStringLiteral(".tmp")).constData());

    if (mine.st_size == 0) {
        m_head = m_end = HeaderSize;
        if (const int err = pwriteAll(fd, headerFor(HeaderSize).constData(), HeaderSize, 0))
            return QStringLiteral("cannot write metrics spool '%1': %2").arg(m_path, errnoText(err));
        return {};
    }

    QString corrupt;
    const QString error = load(capacity, qint64(mine.st_size), loaded, &corrupt);
    if (!error.isEmpty() || corrupt.isEmpty())
        return error;
    // Not ours, damaged beyond reading, or of a newer version: kept for a person to look at,
    // never overwritten, and the queue starts afresh.
    const QString time = QString::number(qint64(::time(nullptr)));
    QString target = m_path + QStringLiteral(".corrupt-") + time;
    for (int i = 1; QFileInfo::exists(target); ++i)
        target = m_path + QStringLiteral(".corrupt-") + time + QLatin1Char('-') + QString::number(i);
    if (::rename(native.constData(), QFile::encodeName(target).constData()) != 0)
        return QStringLiteral("metrics spool '%1' %2, and it cannot be moved aside: %3").arg(m_path, corrupt, errnoText(errno));
    qCWarning(lcMetrics).noquote() << QStringLiteral("Metrics spool '%1' %2: moved it to '%3' and started a new one").arg(m_path, corrupt, target);
    *again = true;
    return {};
}

QString PointSpool::load(qint64 capacity, qint64 fileSize, Loaded *loaded, QString *corrupt)
{
    QByteArray chunk(qMin(qMax(fileSize, HeaderSize), ChunkSize), Qt::Uninitialized);
    auto readAt = [this, &chunk](qint64 offset, qint64 size) -> qint64 {
        for (;;) {
            const ssize_t n = ::pread(m_fd, chunk.data(), size_t(qMin(size, qint64(chunk.size()))), off_t(offset));
            if (n < 0 && errno == EINTR)
                continue;
            return n;
        }
    };
    auto readError = [this] { return QStringLiteral("cannot read metrics spool '%1': %2").arg(m_path, errnoText(errno)); };

    const qint64 headerRead = readAt(0, qMin(fileSize, HeaderSize));
    if (headerRead < 0)
        return readError();
    const QByteArray header = chunk.left(headerRead);
    if (!header.startsWith(Magic)) {
        *corrupt = QStringLiteral("is not a metrics spool");
        return {};
    }
    if (!header.startsWith(MagicV1)) {
        *corrupt = QStringLiteral("has an unknown format version");
        return {};
    }
    bool digits = header.size() == HeaderSize && header.endsWith('\n');
    for (qint64 i = MagicSize; digits && i < MagicSize + DigitCount; ++i)
        digits = header.at(i) >= '0' && header.at(i) <= '9';
    const qint64 head = digits ? header.mid(MagicSize, DigitCount).toLongLong(&digits) : 0;
    if (!digits || head < HeaderSize) {
        *corrupt = QStringLiteral("has a damaged header");
        return {};
    }

    m_head = head;
    m_end = fileSize;
    if (head >= fileSize) {
        // All delivered. Beyond the end it is a crash between cutting the file and writing the
        // new head, or a machine crash that lost appends the head had already passed.
        m_head = m_end;
        if (fileSize > HeaderSize || head > fileSize) {
            qCDebug(lcMetrics).noquote() << QStringLiteral("Metrics spool '%1' holds nothing undelivered").arg(m_path);
            resetToHeader();
        }
        return {};
    }

    // Starting one byte early checks that the head is where a line begins.
    qint64 offset = head > HeaderSize ? head - 1 : head;
    bool atLineStart = head == HeaderSize;
    QByteArray carry;
    qint64 complete = head; // the end of the last whole line
    qint64 droppedBytes = 0;
    qint64 damaged = 0;
    auto take = [&](QByteArray &&line) {
        // NUL bytes never occur in encoded points; they are what a machine crash leaves in blocks
        // that were allocated but never written.
        if (line.contains('\0')) {
            ++damaged;
            return;
        }
        loaded->bytes += line.size();
        loaded->lines.push_back(std::move(line));
        if (qint64(loaded->lines.size()) > capacity) {
            const qint64 size = loaded->lines.front().size();
            loaded->bytes -= size;
            droppedBytes += size;
            ++loaded->dropped;
            loaded->lines.pop_front();
        }
    };
    while (offset < fileSize) {
        const qint64 n = readAt(offset, fileSize - offset);
        if (n < 0)
            return readError();
        if (n == 0)
            break; // shorter than fstat said: what is not there is not queued
        const char *data = chunk.constData();
        qint64 start = 0;
        if (!atLineStart) {
            if (data[0] != '\n') {
                *corrupt = QStringLiteral("has a head in the middle of a line");
                return {};
            }
            atLineStart = true;
            start = 1;
        }
        while (start < n) {
            const char *newline = static_cast<const char *>(std::memchr(data + start, '\n', size_t(n - start)));
            if (!newline)
                break;
            const qint64 stop = newline - data + 1;
            if (carry.isEmpty()) {
                take(QByteArray(data + start, stop - start));
            } else {
                carry.append(data + start, stop - start);
                carry.squeeze();
                take(std::move(carry));
                carry = QByteArray();
            }
            complete = offset + stop;
            start = stop;
        }
        carry.append(data + start, n - start);
        offset += n;
    }

    if (complete < fileSize) {
        // Torn by a crash in the middle of an append: that point was never complete.
        qCDebug(lcMetrics).noquote() << QStringLiteral("Metrics spool '%1': cutting off an incomplete last line of %2 bytes").arg(m_path).arg(fileSize - complete);
        m_end = complete;
        if (const int err = truncateTo(m_fd, complete))
            failed(StaleTail, QStringLiteral("truncate"), err); // append() cuts it before writing
    }
    if (damaged > 0) {
        qCWarning(lcMetrics).noquote() << QStringLiteral("Metrics spool '%1' had %2 damaged lines (a machine crash?): they are skipped").arg(m_path).arg(damaged);
        // The file no longer matches the queue line for line: start it anew from what was kept.
        if (!rewrite(loaded->lines, qint64(loaded->lines.size())))
            return QStringLiteral("cannot repair metrics spool '%1': %2").arg(m_path, takeError());
        return {};
    }
    if (loaded->lines.empty()) {
        m_head = m_end;
        resetToHeader();
        return {};
    }
    if (droppedBytes > 0) {
        m_head = head + droppedBytes;
        writeHeader(m_head);
    }
    return {};
}

bool PointSpool::failed(Failing what, const QString &action, int err)
{
    m_failing |= unsigned(what);
    m_error = QStringLiteral("cannot %1 metrics spool '%2': %3").arg(action, m_path, errnoText(err));
    m_lastFailure = std::chrono::steady_clock::now();
    return false;
}

QString PointSpool::takeError()
{
    return std::exchange(m_error, QString());
}

bool PointSpool::retryDue() const
{
    return m_failing == 0 || std::chrono::steady_clock::now() - m_lastFailure >= m_retryInterval;
}

bool PointSpool::writeHeader(qint64 head)
{
    // One write of 37 bytes at offset 0, inside the first sector: no crash can leave half of it.
    const QByteArray header = headerFor(head);
    if (const int err = pwriteAll(m_fd, header.constData(), header.size(), 0))
        return failed(StaleHead, QStringLiteral("write the head of"), err);
    succeeded(StaleHead);
    return true;
}

bool PointSpool::resetToHeader()
{
    // Cut first, then write the head: a crash in between leaves a head beyond the end, which
    // reads as empty. The other order could bring back everything cut if the cut never happened.
    if (const int err = truncateTo(m_fd, HeaderSize)) {
        failed(TruncateFailing, QStringLiteral("truncate"), err);
        // The file keeps its dead lines; a head at its end still says "nothing queued".
        return writeHeader(m_head);
    }
    succeeded(TruncateFailing);
    succeeded(StaleTail);
    m_head = m_end = HeaderSize;
    return writeHeader(m_head);
}

bool PointSpool::cleanUp()
{
    if (m_failing & StaleTail) {
        if (const int err = truncateTo(m_fd, m_end))
            return failed(StaleTail, QStringLiteral("truncate"), err);
        succeeded(StaleTail);
    }
    // A stale head could point into what we are about to append (after a cut to the header).
    if (m_failing & StaleHead)
        return writeHeader(m_head);
    return true;
}

bool PointSpool::append(const QByteArray &data)
{
    if (m_fd < 0)
        return false;
    if (data.isEmpty())
        return true;
    if (!cleanUp())
        return false;
    // pwrite at our own end rather than O_APPEND: Linux ignores pwrite's offset on O_APPEND files
    // (the header would be appended), and knowing the end lets a failed write be cut off exactly.
    if (const int err = pwriteAll(m_fd, data.constData(), data.size(), m_end)) {
        failed(AppendFailing, QStringLiteral("write"), err);
        // A partly written line would glue itself to the next one.
        if (truncateTo(m_fd, m_end) != 0)
            m_failing |= StaleTail;
        return false;
    }
    m_end += data.size();
    succeeded(AppendFailing);
    return true;
}

bool PointSpool::consume(qint64 bytes)
{
    if (m_fd < 0 || bytes <= 0)
        return m_fd >= 0;
    m_head = qMin(m_head + bytes, m_end);
    if (m_head >= m_end)
        return resetToHeader();
    return writeHeader(m_head);
}

bool PointSpool::needsCompaction() const
{
    if (m_fd < 0 || m_head <= m_compactThreshold || m_head <= m_end / 2)
        return false;
    return !(m_failing & RewriteFailing) || retryDue();
}

bool PointSpool::rewrite(const std::deque<QByteArray> &lines, qint64 count)
{
    if (m_fd < 0)
        return false;
    const QString tmpPath = m_path + QStringLiteral(".tmp");
    const QByteArray tmpNative = QFile::encodeName(tmpPath);
    int fd;
    do {
        fd = ::open(tmpNative.constData(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return failed(RewriteFailing, QStringLiteral("create a compacted copy of"), errno);
    auto fail = [&](const QString &action, int err) {
        ::close(fd);
        ::unlink(tmpNative.constData());
        return failed(RewriteFailing, action, err);
    };
    // Locked before it takes the spool's name, so that nobody can open it unlocked there.
    if (const int err = lockFile(fd))
        return fail(QStringLiteral("lock a compacted copy of"), err);

    QByteArray buffer = headerFor(HeaderSize);
    buffer.reserve(ChunkSize + 4096);
    qint64 written = 0;
    auto flush = [&]() -> int {
        const int err = pwriteAll(fd, buffer.constData(), buffer.size(), written);
        written += buffer.size();
        buffer.resize(0); // keeps the allocation
        return err;
    };
    for (qint64 i = 0; i < count; ++i) {
        buffer.append(lines[size_t(i)]);
        if (buffer.size() >= ChunkSize) {
            if (const int err = flush())
                return fail(QStringLiteral("write a compacted copy of"), err);
        }
    }
    if (const int err = flush())
        return fail(QStringLiteral("write a compacted copy of"), err);
    // Synced before the rename: after a machine crash the name must not point at a file whose
    // blocks were never written. (Compaction is rare: at most once per 4 MiB delivered.)
    if (::fdatasync(fd) != 0)
        return fail(QStringLiteral("sync a compacted copy of"), errno);
    if (::rename(tmpNative.constData(), QFile::encodeName(m_path).constData()) != 0)
        return fail(QStringLiteral("replace"), errno);

    close(); // drops the old file's lock; the new one is locked already
    m_fd = fd;
    m_head = HeaderSize;
    m_end = written;
    // A fresh file has no stale head, no stale tail and nothing that failed to be cut.
    m_failing &= ~unsigned(RewriteFailing | StaleHead | StaleTail | TruncateFailing);
    qCDebug(lcMetrics).noquote() << QStringLiteral("Compacted metrics spool '%1' to %2 bytes").arg(m_path).arg(written);
    return true;
}

bool PointSpool::sync()
{
    if (m_fd < 0)
        return false;
    // fdatasync is not interrupted by signals (it does not return EINTR on Linux), but be safe.
    for (;;) {
        if (::fdatasync(m_fd) == 0)
            break;
        if (errno != EINTR)
            return failed(SyncFailing, QStringLiteral("sync"), errno);
    }
    succeeded(SyncFailing);
    return true;
}

} // namespace jobslib
