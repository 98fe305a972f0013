// SPDX-License-Identifier: BSD-3-Clause
#include "jobstatus.h"

namespace jobslib {

QString toString(JobStatus status)
{
    switch (status) {
    case JobStatus::Unknown:
        return QStringLiteral("unknown");
    case JobStatus::Succeeded:
        return QStringLiteral("succeeded");
    case JobStatus::Failed:
        return QStringLiteral("failed");
    case JobStatus::Pending:
        return QStringLiteral("pending");
    case JobStatus::Interrupted:
        return QStringLiteral("interrupted");
    case JobStatus::Killed:
        return QStringLiteral("killed");
    }
    return QStringLiteral("unknown");
}

} // namespace jobslib
