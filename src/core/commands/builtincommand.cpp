// SPDX-License-Identifier: BSD-3-Clause
#include "builtincommand.h"

#include "checkliveness.h"
#include "lockinfo.h"
#include "releaselock.h"

namespace jobslib {

QString BuiltinCommand::validate(const QCommandLineParser &) const
{
    return {};
}

std::unique_ptr<BuiltinCommand> BuiltinCommand::create(const QString &name)
{
    if (name == QLatin1String("check-liveness"))
        return std::make_unique<CheckLiveness>();
    if (name == QLatin1String("lock-info"))
        return std::make_unique<LockInfo>();
    if (name == QLatin1String("release-lock"))
        return std::make_unique<ReleaseLock>();
    return nullptr;
}

QStringList BuiltinCommand::names()
{
    return {QStringLiteral("check-liveness"), QStringLiteral("lock-info"), QStringLiteral("release-lock")};
}

} // namespace jobslib
