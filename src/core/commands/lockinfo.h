// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "builtincommand.h"

namespace jobslib {

struct LockOwner;

/*! `runjob lock-info [--json]`: who holds the lock, since when, with which fencing token. */
class JOBSLIB_EXPORT LockInfo : public BuiltinCommand
{
    Q_OBJECT
public:
    QString name() const override { return QStringLiteral("lock-info"); }
    QString description() const override;
    QList<QCommandLineOption> arguments() const override;
    void start(Context &context, const QCommandLineParser &parser) override;

    /*! The human-readable description of a holder, shared with release-lock. */
    static QString describeOwner(const LockOwner &owner);
};

} // namespace jobslib
