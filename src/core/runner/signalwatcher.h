// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QObject>

class QSocketNotifier;

namespace jobslib {

/*!
 * Turns Unix signals into a Qt signal on the main thread (the self-pipe trick, as KDE's
 * KSignalHandler): the handler only writes the signal number to a socket, everything else runs
 * in the event loop. One instance per process.
 */
class JOBSLIB_EXPORT SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    void watch(int signalNumber);

Q_SIGNALS:
    void received(int signalNumber);

private:
    void readSignals();
    QSocketNotifier *m_notifier = nullptr;
    QList<int> m_watched;
};

} // namespace jobslib
