// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QMetaType>
#include <QString>

namespace jobslib {

/*! How one run of a task ended, as the task itself saw it. */
struct TaskResult
{
    /*!
     * task() returned, or the command exited with code 0. The runner still reports the run as
     * killed or interrupted when runjob was stopped or the lock was lost meanwhile.
     */
    bool succeeded = false;
    QString error;     ///< why it failed ("command exited with code 3", an exception's what())
    int exitCode = 0;  ///< a command task's exit code; -signal when it died of a signal
};

} // namespace jobslib

Q_DECLARE_METATYPE(jobslib::TaskResult)
