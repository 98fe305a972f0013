// SPDX-License-Identifier: BSD-3-Clause
#include "releaselock.h"

#include "app/context.h"
#include "lock/lockbackend.h"
#include "lockinfo.h"
#include "util/logcategories.h"

#include <QCommandLineParser>

#include <cstdio>
#include <unistd.h>

namespace jobslib {

QString ReleaseLock::description() const
{
    return QStringLiteral("Force-release the one-instance lock held by another instance (asks for confirmation unless --yes).");
}

QList<QCommandLineOption> ReleaseLock::arguments() const
{
    return {QCommandLineOption({QStringLiteral("y"), QStringLiteral("yes")}, QStringLiteral("Do not ask for confirmation."))};
}

static bool confirm(const QString &question)
{
    std::fputs(question.toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
    // An operator's answer: reading the terminal blocks, which is what a prompt is for.
    char answer[16] = {};
    if (!std::fgets(answer, sizeof answer, stdin))
        return false;
    return answer[0] == 'y' || answer[0] == 'Y';
}

void ReleaseLock::start(Context &context, const QCommandLineParser &parser)
{
    const bool yes = parser.isSet(QStringLiteral("yes"));
    LockBackend *lock = context.lock();
    connect(lock, &LockBackend::forceReleaseFinished, this, [this](bool ok, const QString &message) {
        std::fprintf(stdout, "%s: %s\n", ok ? "released" : "not released", message.toLocal8Bit().constData());
        std::fflush(stdout);
        Q_EMIT finished(ok ? 0 : 1);
    });
    connect(lock, &LockBackend::ownerQueried, this, [this, lock, yes](const std::optional<LockOwner> &owner, const QString &error) {
        if (!owner) {
            qCCritical(lcLock).noquote() << "Can't get lock owner info:" << error;
            Q_EMIT finished(1);
            return;
        }
        if (!owner->held) {
            std::fprintf(stdout, "the lock %s is free: nothing to release\n", lock->lockKey().toLocal8Bit().constData());
            std::fflush(stdout);
            Q_EMIT finished(0);
            return;
        }
        const QString question = QStringLiteral("The lock %1 is %2.\nRelease it? The holder is made to stop its task. [y/N] ")
                                     .arg(lock->lockKey(), LockInfo::describeOwner(*owner));
        if (!yes) {
            if (!isatty(STDIN_FILENO)) {
                std::fputs("release-lock: standard input is not a terminal; give --yes to release without asking\n", stderr);
                Q_EMIT finished(2);
                return;
            }
            if (!confirm(question)) {
                std::fputs("not released\n", stdout);
                Q_EMIT finished(1);
                return;
            }
        }
        lock->forceRelease();
    });
    lock->queryOwner();
}

} // namespace jobslib
