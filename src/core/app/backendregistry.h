// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "config/optiontable.h"

#include <QList>

#include <functional>

class QObject;

namespace jobslib {

class Config;
class Context;
class LivenessBackend;
class LockBackend;
class MetricsBackend;

enum class BackendKind { Lock, Liveness, Metrics };

/*!
 * A backend as the registry knows it: its name, the Python class names that mean it, its options
 * (declared relative to its section, e.g. "path" for [one_instance.file]) and a factory.
 */
struct JOBSLIB_EXPORT BackendDescriptor
{
    BackendKind kind = BackendKind::Lock;
    QString name;
    QStringList aliases;
    QString doc;
    QList<OptionSpec> options;
    std::function<QObject *(Context &)> create;
    /*! Checks that go beyond one option's rule (addresses, files, combinations); "" when fine. */
    std::function<QString(const Config &)> validate;
    /*! For lock backends: plain-words failover behaviour for `runjob --explain`. */
    std::function<QString(const Config &)> explain;

    static BackendDescriptor make(BackendKind kind, const QString &name, const QString &doc, const QStringList &aliases = {});
};

/*!
 * Which lock, liveness and metrics backends exist. It declares the `backend` choice of each group
 * and every backend's options into the option table, and builds the selected backends.
 */
class JOBSLIB_EXPORT BackendRegistry
{
public:
    /*! dummy and file for all three groups. */
    static BackendRegistry builtins();

    void add(const BackendDescriptor &descriptor);
    const BackendDescriptor *find(BackendKind kind, const QString &name) const;
    QList<BackendDescriptor> backends(BackendKind kind) const;

    void declareOptions(OptionTable &table) const;
    /*! Runs the selected backends' validate(); the first error, or "". */
    QString validate(const Config &config) const;

    LockBackend *createLock(Context &context) const;
    LivenessBackend *createLiveness(Context &context) const;
    MetricsBackend *createMetrics(Context &context) const;

    /*! "one_instance", "liveness", "metrics" */
    static QString groupName(BackendKind kind);

private:
    QObject *create(BackendKind kind, Context &context) const;
    QList<BackendDescriptor> m_backends;
};

} // namespace jobslib
