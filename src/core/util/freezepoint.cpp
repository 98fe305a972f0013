// SPDX-License-Identifier: BSD-3-Clause
#include "freezepoint.h"

#include "logcategories.h"

#include <csignal>
#include <cstdio>

namespace jobslib {

namespace {

struct FreezeTarget
{
    QString point;
    int occurrence = 1;
};

const FreezeTarget &target()
{
    static const FreezeTarget t = [] {
        FreezeTarget parsed;
        const QString value = qEnvironmentVariable("JOBSLIB_TEST_FREEZE_AT");
        const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
        bool ok = false;
        const int n = colon > 0 ? value.mid(colon + 1).toInt(&ok) : 0;
        if (ok && n > 0) {
            parsed.point = value.left(colon);
            parsed.occurrence = n;
        } else {
            parsed.point = value; // "release-lock:fenced" has a colon too, without a number after it
        }
        return parsed;
    }();
    return t;
}

} // namespace

bool freezePointsArmed()
{
    return !target().point.isEmpty();
}

void freezePoint(const QString &point)
{
    const FreezeTarget &t = target();
    if (t.point.isEmpty() || t.point != point)
        return;
    static int reached = 0; // the event loop's thread only
    if (++reached != t.occurrence)
        return;
    qCWarning(lcRunner).noquote() << QStringLiteral("test hook: freezing at %1 (SIGSTOP, JOBSLIB_TEST_FREEZE_AT)").arg(point);
    std::fflush(stderr);
    std::raise(SIGSTOP);
}

} // namespace jobslib
