// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "metricsbackend.h"

namespace jobslib {

/*!
 * Metrics appended to a local file or stdout (backend "file"), in InfluxDB line protocol (as
 * Python jobslib sends them) or as JSON lines. Each push is written and flushed at once; a
 * failing write is logged (once while it keeps failing the same way) and the points dropped.
 */
class JOBSLIB_EXPORT FileMetrics : public MetricsBackend
{
    Q_OBJECT
public:
    enum class Format { Influx, Json };

    explicit FileMetrics(Context &context, QObject *parent = nullptr);

    QString backendName() const override { return QStringLiteral("file"); }
    void push(const QList<MetricPoint> &points) override;
    MetricsDelivery delivery() const override;

    /*! "-" for stdout. */
    QString path() const { return m_path; }
    Format format() const { return m_format; }

private:
    bool append(const QByteArray &data, QString *error);
    void reportError(const QString &error);

    QString m_path;
    Format m_format = Format::Influx;
    QString m_lastError;
    MetricsDelivery m_delivery;
};

} // namespace jobslib
