// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "bufferedmetrics.h"
#include "influxdbwriter.h"

namespace jobslib {

class Config;

/*!
 * Backend "influxdb" (Python's jobslib.metrics.influxdb.InfluxDBMetrics): points in the line
 * protocol Python writes, to InfluxDB 1.x (/write, Basic auth) or 2.x (/api/v2/write, token),
 * buffered, batched and retried by BufferedMetricsBackend.
 */
class JOBSLIB_EXPORT InfluxDbMetrics : public BufferedMetricsBackend
{
    Q_OBJECT
public:
    InfluxDbMetrics(Context &context, const InfluxDbEndpoint &endpoint, const Settings &settings, QObject *parent = nullptr);

    QString backendName() const override { return QStringLiteral("influxdb"); }
    const InfluxDbEndpoint &endpoint() const { return m_writer.endpoint(); }

    /*! The endpoint and delivery settings from the [metrics.influxdb] options. */
    static InfluxDbEndpoint endpointFromConfig(const Config &config);
    static Settings settingsFromConfig(const Config &config);

protected:
    void send(const QByteArray &lines, int points, std::function<void(const SendResult &)> done) override;
    QString destination() const override;

private:
    InfluxDbWriter m_writer;
};

} // namespace jobslib
