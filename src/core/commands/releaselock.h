// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "builtincommand.h"

namespace jobslib {

/*!
 * `runjob release-lock [--yes]`: force-release a stuck lock. Shows the holder and asks for
 * confirmation on the terminal unless --yes. What "release" does is the backend's: the file lock
 * asks the holder process to stop; Consul destroys the holder's session (lock-delay applies).
 */
class JOBSLIB_EXPORT ReleaseLock : public BuiltinCommand
{
    Q_OBJECT
public:
    QString name() const override { return QStringLiteral("release-lock"); }
    QString description() const override;
    QList<QCommandLineOption> arguments() const override;
    void start(Context &context, const QCommandLineParser &parser) override;
};

} // namespace jobslib
