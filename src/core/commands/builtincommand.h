// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QCommandLineOption>
#include <QObject>

#include <memory>

class QCommandLineParser;

namespace jobslib {

class Context;

/*!
 * A command of runjob that is not a task run in the loop: check-liveness, lock-info,
 * release-lock. It takes no lock (except to release one) and pushes no metrics; it goes
 * through the backend interfaces, so it works with every backend.
 */
class JOBSLIB_EXPORT BuiltinCommand : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual QString name() const = 0;
    virtual QString description() const = 0;
    virtual QList<QCommandLineOption> arguments() const { return {}; }
    /*! Checks the parsed arguments; a non-empty result is a usage error (exit 2). */
    virtual QString validate(const QCommandLineParser &parser) const;
    /*! Ends with exactly one finished(). */
    virtual void start(Context &context, const QCommandLineParser &parser) = 0;

    /*! The built-in command with this name, or nullptr. */
    static std::unique_ptr<BuiltinCommand> create(const QString &name);
    static QStringList names();

Q_SIGNALS:
    void finished(int exitCode);
};

} // namespace jobslib
