// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QObject>
#include <QString>


namespace jobslib::dashboard {

class Fleet;
class MainWindow;

/*!
 * --screenshot: waits until every job in every datacenter had its first answer (or failure) and
 * the selected job's history is loaded, or the timeout, lets the window paint, and writes a PNG
 * of it. finished("") or the error.
 */
class Screenshot : public QObject
{
    Q_OBJECT
public:
    Screenshot(MainWindow &window, Fleet &fleet, const QString &path, qint64 timeoutMs, QObject *parent = nullptr);
    void start();

Q_SIGNALS:
    void finished(const QString &error);

private:
    void takeWhenReady();
    void take();

    MainWindow &m_window;
    Fleet &m_fleet;
    QString m_path;
    qint64 m_timeoutMs;
    bool m_taken = false;
};

} // namespace jobslib::dashboard
