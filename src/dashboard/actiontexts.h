// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobsummary.h"

#include <QCoreApplication>

namespace jobslib::dashboard {

/*! What the action dialogs say: who holds the lock and what an action will do to it. */
class ActionTexts
{
    Q_DECLARE_TR_FUNCTIONS(ActionTexts)
public:
    /*! "host.example (prague), pid 4242, fencing token 7": for dialogs and the action log. */
    static QString holder(const JobSummary &summary);
    /*! The confirmation of "Release lock" for a store of this backend ("consul", "etcd"). */
    static QString releaseConfirmation(const QString &job, const JobSummary &summary, const QString &backend);
    static QString handoverConfirmation(const QString &job, const JobSummary &summary);
};

} // namespace jobslib::dashboard
