// SPDX-License-Identifier: BSD-3-Clause
#include "runcgroup.h"

#include <QFile>
#include <QList>

#include <atomic>
#include <cerrno>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace jobslib {

namespace {

QByteArray readFile(const QString &path)
{
    QFile f(path);
    // Unbuffered: cgroup and proc files are produced on read; QFile's buffering adds nothing.
    if (!f.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    return f.readAll();
}

/*! Writes text to a cgroup file; on failure errno says why. */
bool writeFile(const QString &path, const QByteArray &text)
{
    const QByteArray name = QFile::encodeName(path);
    const int fd = ::open(name.constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const ssize_t n = ::write(fd, text.constData(), size_t(text.size()));
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return n == ssize_t(text.size());
}

/*! mountinfo escapes space, tab, newline and backslash as \ooo. */
QByteArray unescapeMountField(const QByteArray &field)
{
    QByteArray out;
    for (qsizetype i = 0; i < field.size(); ++i) {
        if (field.at(i) == '\\' && i + 3 < field.size()) {
            bool ok = false;
            const int c = field.mid(i + 1, 3).toInt(&ok, 8);
            if (ok) {
                out += char(c);
                i += 3;
                continue;
            }
        }
        out += field.at(i);
    }
    return out;
}

std::atomic<int> s_runNumber{0};

} // namespace

QString RunCgroup::cgroupDirectory(const QByteArray &procSelfCgroup, const QByteArray &mountInfo, QString *whyNot)
{
    // "0::/system.slice/runjob@x.service": the unified hierarchy, relative to the cgroup
    // namespace's root. Only cgroup v2 has cgroup.kill and the one-hierarchy rules relied on here.
    QByteArray cgroup;
    bool found = false;
    for (const QByteArray &line : procSelfCgroup.split('\n')) {
        if (line.startsWith("0::")) {
            cgroup = line.mid(3);
            found = true;
            break;
        }
    }
    if (!found || !cgroup.startsWith('/')) {
        *whyNot = QStringLiteral("no cgroup v2 hierarchy");
        return {};
    }
    if (cgroup.endsWith(" (deleted)")) {
        *whyNot = QStringLiteral("runjob's cgroup was deleted");
        return {};
    }

    // mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS".
    // ROOT is the mount's root within the hierarchy (relative to the namespace's root, as above).
    for (const QByteArray &line : mountInfo.split('\n')) {
        const QList<QByteArray> fields = line.split(' ');
        const qsizetype dash = fields.indexOf(QByteArray("-"));
        if (dash < 6 || dash + 1 >= fields.size() || fields.at(dash + 1) != "cgroup2")
            continue;
        const QByteArray root = unescapeMountField(fields.at(3));
        const QByteArray mountPoint = unescapeMountField(fields.at(4));
        QByteArray relative;
        if (root == "/")
            relative = cgroup;
        else if (cgroup == root)
            relative = "/";
        else if (cgroup.startsWith(QByteArray(root + '/')))
            relative = cgroup.mid(root.size());
        else
            continue; // this mount does not show runjob's cgroup
        QByteArray dir = mountPoint;
        if (relative != "/")
            dir += relative;
        return QFile::decodeName(dir);
    }
    *whyNot = QStringLiteral("cgroup2 is not mounted");
    return {};
}

RunCgroup RunCgroup::create(QString *whyNot)
{
    const QString parent =
        cgroupDirectory(readFile(QStringLiteral("/proc/self/cgroup")), readFile(QStringLiteral("/proc/self/mountinfo")), whyNot);
    if (parent.isEmpty())
        return {};
    // The host's root cgroup lacks cgroup.events (and cgroup.kill): its children are the host's
    // slices, not runjob's. A cgroup namespace's root (a container) is an ordinary cgroup.
    if (!QFile::exists(parent + QStringLiteral("/cgroup.events"))) {
        *whyNot = QStringLiteral("runjob is in the root cgroup %1").arg(parent);
        return {};
    }
    // Numbered within this runjob: a previous run's cgroup may still be being removed.
    for (int attempt = 0; attempt < 100; ++attempt) {
        const QString path = parent + QStringLiteral("/jobslib-run-%1-%2").arg(::getpid()).arg(++s_runNumber);
        if (::mkdir(QFile::encodeName(path).constData(), 0755) != 0) {
            if (errno == EEXIST)
                continue;
            *whyNot = QStringLiteral("cannot create a cgroup in %1: %2").arg(parent, qt_error_string(errno));
            return {};
        }
        // Moving a process in needs write access to cgroup.procs here and in the common ancestor
        // (runjob's cgroup): delegation grants both, a read-only mount neither.
        if (::access(QFile::encodeName(path + QStringLiteral("/cgroup.procs")).constData(), W_OK) != 0) {
            *whyNot = QStringLiteral("cannot move processes into %1: %2").arg(path, qt_error_string(errno));
            ::rmdir(QFile::encodeName(path).constData());
            return {};
        }
        return RunCgroup(path);
    }
    *whyNot = QStringLiteral("no free name for a cgroup in %1").arg(parent);
    return {};
}

bool RunCgroup::kill() const
{
    if (!isValid())
        return false;
    if (writeFile(m_path + QStringLiteral("/cgroup.kill"), "1"))
        return true;
    if (errno != ENOENT)
        return false;
    // Before Linux 5.14: frozen, nothing in it can fork; the v2 freezer lets SIGKILL through.
    if (!writeFile(m_path + QStringLiteral("/cgroup.freeze"), "1"))
        return false;
    const QString procs = m_path + QStringLiteral("/cgroup.procs");
    for (int round = 0; round < 100; ++round) {
        int killed = 0;
        for (const QByteArray &line : readFile(procs).split('\n')) {
            bool ok = false;
            const int pid = line.trimmed().toInt(&ok);
            if (ok && pid > 1 && ::kill(pid_t(pid), SIGKILL) == 0)
                ++killed;
        }
        if (killed == 0)
            break;
        ::usleep(1000); // killed processes stay listed until they are gone
    }
    writeFile(m_path + QStringLiteral("/cgroup.freeze"), "0");
    return true;
}

bool RunCgroup::isEmpty() const
{
    if (!isValid())
        return true;
    const QByteArray events = readFile(m_path + QStringLiteral("/cgroup.events"));
    if (events.isEmpty())
        return !QFile::exists(m_path);
    for (const QByteArray &line : events.split('\n')) {
        if (line.startsWith("populated "))
            return line.trimmed().endsWith(" 0");
    }
    return false;
}

bool RunCgroup::remove() const
{
    if (!isValid())
        return true;
    return ::rmdir(QFile::encodeName(m_path).constData()) == 0 || errno == ENOENT;
}

} // namespace jobslib
