// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "builtincommand.h"

namespace jobslib {

/*!
 * `runjob check-liveness --max-age N`: PASS (exit 0) when the liveness record is at most N
 * seconds old, FAIL (exit 1) otherwise, as Python jobslib. A record that cannot be read logs
 * "Can't read liveness state" and exits 1.
 */
class JOBSLIB_EXPORT CheckLiveness : public BuiltinCommand
{
    Q_OBJECT
public:
    QString name() const override { return QStringLiteral("check-liveness"); }
    QString description() const override;
    QList<QCommandLineOption> arguments() const override;
    QString validate(const QCommandLineParser &parser) const override;
    void start(Context &context, const QCommandLineParser &parser) override;
};

} // namespace jobslib
