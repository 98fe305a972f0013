// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "lockbackend.h"

class QSocketNotifier;
class QTimer;

namespace jobslib {

/*!
 * The one-instance lock as an OS lock on a local file (backend "file"). It uses Linux
 * open-file-description locks (F_OFD_SETLK): they belong to the open file, not the process, so
 * two FileLock objects exclude each other even inside one process, closing some other
 * descriptor of the file does not drop them, and the kernel frees them when the holder dies.
 *
 * The file holds the holder's OwnerRecord. Release rewrites it to `{"fencing_token": N}`, and a
 * crashed holder leaves its record behind; either way the next acquisition continues from that
 * token, so tokens only grow. Only processes on this machine are excluded.
 */
class JOBSLIB_EXPORT FileLock : public LockBackend
{
    Q_OBJECT
public:
    explicit FileLock(Context &context, QObject *parent = nullptr);
    ~FileLock() override;

    QString backendName() const override { return QStringLiteral("file"); }
    /*! The lock file's path. */
    QString lockKey() const override { return path(); }

    void acquire() override;
    void release() override;
    bool isHeld() const override { return m_held; }
    quint64 fencingToken() const override { return m_held ? m_token : 0; }

    /*! Checks that the lock file is still the one locked; emits lost() if it was removed or replaced. */
    void refresh() override;
    QString whyNotProven(qint64 marginMs) const override;
    void watchForRelease() override;
    void stopWatching() override;

    void queryOwner() override;
    void forceRelease() override;

    /*! The configured path, else the default one in the runtime directory. */
    QString path() const;

private:
    void acquireAnew();
    /*! Unlocks and closes the file: it no longer is our lock. */
    void dropFile();
    /*! Why a lock whose file is no longer the one at the path is lost. */
    QString replacedReason() const;
    /*! dropFile() and lost(). */
    void loseFile(const QString &reason);
    struct Inspection;

    /*!
     * Opens (and creates) the file once and keeps the descriptor: closing a descriptor of the
     * file would wake every watcher. Without needWrite a read-only descriptor will do.
     */
    bool ensureOpen(bool needWrite, QString *error);
    void closeFile();
    /*! Whether the path still names the file our descriptor has open (not removed or replaced). */
    bool fileStillAtPath() const;
    bool writeContent(const QByteArray &data, QString *error);
    /*! Wipes the record down to the token and unlocks. */
    void releaseFile();
    /*! Unlocks and wakes the watchers of other instances (an unlock alone makes no inotify event). */
    void unlockFile();
    /*! Whether the lock is held by somebody, and the record in the file, without acquiring. */
    Inspection inspect() const;

    bool startInotify();
    void stopInotify();
    void onInotifyReadable();
    /*! Checks without acquiring whether the lock is free; if so stops watching and emits freed(). */
    bool probe();

    QString m_configuredPath;
    mutable QString m_path;
    int m_fd = -1;
    bool m_writable = false;
    bool m_held = false;
    quint64 m_token = 0;

    bool m_watching = false;
    int m_inotifyFd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_pollTimer = nullptr;
    QTimer *m_recheckTimer = nullptr;
    int m_rechecks = 0;
};

} // namespace jobslib
