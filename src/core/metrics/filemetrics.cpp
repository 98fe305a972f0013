// SPDX-License-Identifier: BSD-3-Clause
#include "filemetrics.h"

#include "app/context.h"
#include "lineprotocol.h"
#include "util/logcategories.h"

#include <QFile>

#include <cstdio>

namespace jobslib {

FileMetrics::FileMetrics(Context &context, QObject *parent)
    : MetricsBackend(context, parent)
    , m_path(context.config().string(QStringLiteral("metrics.file.path")))
{
    if (m_path.isEmpty())
        m_path = QStringLiteral("-");
    if (context.config().string(QStringLiteral("metrics.file.format")) == QLatin1String("json"))
        m_format = Format::Json;
}

void FileMetrics::push(const QList<MetricPoint> &points)
{
    if (points.isEmpty())
        return;
    const QByteArray data = m_format == Format::Json ? toJsonLines(points) : toLineProtocol(points);
    QString error;
    if (!append(data, &error)) {
        m_delivery.dropped += points.size();
        ++m_delivery.failures;
        reportError(error);
        return;
    }
    m_delivery.delivered += points.size();
    if (!m_lastError.isEmpty()) {
        qCInfo(lcMetrics) << "Writing metrics to" << m_path << "works again";
        m_lastError.clear();
    }
}

MetricsDelivery FileMetrics::delivery() const
{
    MetricsDelivery d = m_delivery;
    d.healthy = m_lastError.isEmpty();
    d.lastError = m_lastError;
    return d;
}

bool FileMetrics::append(const QByteArray &data, QString *error)
{
    QFile file;
    bool opened = false;
    if (m_path == QLatin1String("-")) {
        opened = file.open(stdout, QIODevice::WriteOnly, QFileDevice::DontCloseHandle);
    } else {
        // Opened per push, so a rotated or removed file is simply started anew.
        file.setFileName(m_path);
        opened = file.open(QIODevice::WriteOnly | QIODevice::Append);
    }
    if (!opened) {
        *error = QStringLiteral("cannot open metrics file '%1': %2").arg(m_path, file.errorString());
        return false;
    }
    if (file.write(data) != data.size() || !file.flush()) {
        *error = QStringLiteral("cannot write metrics file '%1': %2").arg(m_path, file.errorString());
        return false;
    }
    return true;
}

void FileMetrics::reportError(const QString &error)
{
    // A full disk fails every push the same way; one line says it, thousands would bury the log.
    if (error == m_lastError)
        return;
    m_lastError = error;
    qCWarning(lcMetrics).noquote() << error << "- points are dropped while it fails";
}

} // namespace jobslib
