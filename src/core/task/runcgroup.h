// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QByteArray>
#include <QString>

namespace jobslib {

/*!
 * The cgroup v2 of one command run: a child of runjob's own cgroup, made when that cgroup is
 * runjob's to manage (systemd's Delegate=yes, or any cgroup runjob may write to). jobslib-guard
 * starts the command in it (--cgroup), so everything the command starts is in it too, whatever
 * process group, session or parent it ends up with; kill() ends all of it at once (cgroup.kill)
 * and remove() deletes the cgroup when the run is over.
 *
 * runjob never makes one in the host's root cgroup (not its to manage) nor without cgroup v2:
 * create() then says why, and the run is contained by its process group and the guard alone.
 */
class JOBSLIB_EXPORT RunCgroup
{
public:
    /*! An invalid one: no cgroup. */
    RunCgroup() = default;

    /*!
     * Makes an empty cgroup for a run below runjob's own (jobslib-run-<pid>-<n>). When that is
     * impossible, returns an invalid RunCgroup and sets whyNot.
     */
    static RunCgroup create(QString *whyNot);

    /*!
     * The directory of runjob's own cgroup v2, from the contents of /proc/self/cgroup (the "0::"
     * line) and /proc/self/mountinfo (where cgroup2 is mounted: /sys/fs/cgroup, or
     * /sys/fs/cgroup/unified on hybrid hosts). Empty, with whyNot set, when there is none.
     */
    static QString cgroupDirectory(const QByteArray &procSelfCgroup, const QByteArray &mountInfo, QString *whyNot);

    bool isValid() const { return !m_path.isEmpty(); }
    QString path() const { return m_path; }

    /*!
     * SIGKILLs every process in the cgroup: cgroup.kill (Linux 5.14), else freezes the cgroup,
     * kills what it lists and thaws it. Returns false when neither worked.
     */
    bool kill() const;
    /*! No process is left in it (cgroup.events says "populated 0"). */
    bool isEmpty() const;
    /*! Deletes the cgroup; true also when it is gone already. Fails while a process is in it. */
    bool remove() const;

private:
    explicit RunCgroup(const QString &path)
        : m_path(path)
    {
    }

    QString m_path;
};

} // namespace jobslib
