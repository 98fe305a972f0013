// SPDX-License-Identifier: BSD-3-Clause
#include "screenshot.h"

#include "fleet.h"
#include "historycontroller.h"
#include "mainwindow.h"

#include <QPixmap>
#include <QTimer>

namespace jobslib::dashboard {

Screenshot::Screenshot(MainWindow &window, Fleet &fleet, const QString &path, qint64 timeoutMs, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_fleet(fleet)
    , m_path(path)
    , m_timeoutMs(timeoutMs)
{
}

void Screenshot::start()
{
    connect(&m_fleet, &Fleet::firstDataArrived, this, &Screenshot::takeWhenReady);
    connect(m_window.historyController(), &HistoryController::loaded, this, &Screenshot::takeWhenReady);
    QTimer::singleShot(std::chrono::milliseconds(m_timeoutMs), this, &Screenshot::take);
    takeWhenReady();
}

void Screenshot::takeWhenReady()
{
    if (m_fleet.hasFirstData() && !m_window.historyController()->isLoading())
        take();
}

void Screenshot::take()
{
    if (m_taken)
        return;
    m_taken = true;
    // The models update on the answers' signals; the views paint on the next event loop turn.
    QTimer::singleShot(0, this, [this] {
        const QPixmap pixmap = m_window.grab();
        if (pixmap.isNull() || !pixmap.save(m_path, "PNG"))
            Q_EMIT finished(QStringLiteral("--screenshot: can't write %1").arg(m_path));
        else
            Q_EMIT finished(QString());
    });
}

} // namespace jobslib::dashboard
