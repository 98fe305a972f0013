// SPDX-License-Identifier: BSD-3-Clause
#include "checkliveness.h"

#include "app/context.h"
#include "liveness/livenessbackend.h"
#include "util/clock.h"
#include "util/logcategories.h"

#include <QCommandLineParser>

#include <cstdio>

namespace jobslib {

QString CheckLiveness::description() const
{
    return QStringLiteral("Print PASS and exit 0 when the job's liveness record is at most --max-age seconds old, else FAIL and exit 1.");
}

QList<QCommandLineOption> CheckLiveness::arguments() const
{
    return {QCommandLineOption(QStringLiteral("max-age"), QStringLiteral("Maximum age of the liveness record in seconds (required, > 0)."),
                               QStringLiteral("seconds"))};
}

QString CheckLiveness::validate(const QCommandLineParser &parser) const
{
    if (!parser.isSet(QStringLiteral("max-age")))
        return QStringLiteral("check-liveness: --max-age is required");
    bool ok = false;
    const qlonglong v = parser.value(QStringLiteral("max-age")).toLongLong(&ok);
    if (!ok || v <= 0)
        return QStringLiteral("check-liveness: --max-age '%1': expected a whole number of seconds > 0").arg(parser.value(QStringLiteral("max-age")));
    return {};
}

void CheckLiveness::start(Context &context, const QCommandLineParser &parser)
{
    const qint64 maxAge = parser.value(QStringLiteral("max-age")).toLongLong();
    LivenessBackend *liveness = context.liveness();
    connect(liveness, &LivenessBackend::readFinished, this, [this, &context, maxAge](const std::optional<OwnerRecord> &state, const QString &error) {
        if (!state) {
            qCCritical(lcLiveness).noquote() << "Can't read liveness state:" << error;
            Q_EMIT finished(1);
            return;
        }
        const qint64 age = context.clock().utcNow().toSecsSinceEpoch() - state->timestamp;
        const bool pass = age <= maxAge;
        std::fputs(pass ? "PASS\n" : "FAIL\n", stdout);
        std::fflush(stdout);
        Q_EMIT finished(pass ? 0 : 1);
    });
    liveness->read();
}

} // namespace jobslib
