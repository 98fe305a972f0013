// SPDX-License-Identifier: BSD-3-Clause
#include "influxdbmetrics.h"

#include "app/context.h"
#include "config/config.h"

#include <cmath>

namespace jobslib {

static const QString Group = QStringLiteral("metrics.influxdb.");

InfluxDbMetrics::InfluxDbMetrics(Context &context, const InfluxDbEndpoint &endpoint, const Settings &settings, QObject *parent)
    : BufferedMetricsBackend(context, settings, parent)
    , m_writer(context.network(), endpoint)
{
    m_writer.setParent(this);
}

InfluxDbEndpoint InfluxDbMetrics::endpointFromConfig(const Config &config)
{
    const auto s = [&](const char *key) { return config.string(Group + QLatin1String(key)); };
    InfluxDbEndpoint e;
    e.api = s("api") == QLatin1String("v2") ? InfluxDbEndpoint::Api::V2 : InfluxDbEndpoint::Api::V1;
    e.baseUrl.setScheme(config.flag(Group + QStringLiteral("ssl")) ? QStringLiteral("https") : QStringLiteral("http"));
    e.baseUrl.setHost(s("host"));
    e.baseUrl.setPort(int(config.integer(Group + QStringLiteral("port"))));
    e.database = s("database");
    e.username = s("username");
    e.password = s("password");
    e.org = s("org");
    e.bucket = s("bucket");
    e.token = s("token");
    e.timeoutMs = int(std::lround(config.number(Group + QStringLiteral("timeout")) * 1000.0));
    e.verifyTls = config.flag(Group + QStringLiteral("ssl_verify"));
    e.caFile = s("ca_file");
    return e;
}

BufferedMetricsBackend::Settings InfluxDbMetrics::settingsFromConfig(const Config &config)
{
    Settings s;
    s.capacity = config.integer(Group + QStringLiteral("buffer_size"));
    s.batchSize = int(config.integer(Group + QStringLiteral("batch_size")));
    // Python waits multiplier * 2^n ms after attempt n (n = 1, 2...): 2 x multiplier first.
    s.retryBaseMs = qMax<qint64>(100, 2 * config.integer(Group + QStringLiteral("retry_wait_multiplier")));
    s.retryMaxMs = qMax(s.retryBaseMs, qint64(std::llround(config.number(Group + QStringLiteral("retry_max_wait")) * 1000.0)));
    s.spoolPath = config.string(Group + QStringLiteral("spool"));
    return s;
}

QString InfluxDbMetrics::destination() const
{
    const InfluxDbEndpoint &e = m_writer.endpoint();
    QUrl base = e.baseUrl;
    return e.api == InfluxDbEndpoint::Api::V1 ? QStringLiteral("InfluxDB at %1 (database %2)").arg(base.toString(), e.database)
                                              : QStringLiteral("InfluxDB at %1 (org %2, bucket %3)").arg(base.toString(), e.org, e.bucket);
}

void InfluxDbMetrics::send(const QByteArray &lines, int points, std::function<void(const SendResult &)> done)
{
    Q_UNUSED(points)
    const bool v1 = m_writer.endpoint().api == InfluxDbEndpoint::Api::V1;
    m_writer.write(lines, [done = std::move(done), v1](const InfluxDbWriter::Result &r) {
        using K = InfluxDbWriter::Result::Kind;
        using O = SendResult::Outcome;
        SendResult s;
        s.error = r.describe();
        switch (r.kind) {
        case K::Ok:
            s.outcome = O::Delivered;
            break;
        case K::Retry:
            s.outcome = O::Retry;
            break;
        case K::Rejected:
            s.outcome = O::Rejected;
            break;
        case K::TooLarge:
            s.outcome = O::TooLarge;
            break;
        case K::Unauthorized:
            s.outcome = O::Retry;
            s.serious = true;
            s.hint = v1 ? QStringLiteral("check metrics.influxdb.username and password") : QStringLiteral("check metrics.influxdb.token");
            break;
        case K::NotFound:
            s.outcome = O::Retry;
            s.serious = true;
            s.hint = v1 ? QStringLiteral("create the database, or fix metrics.influxdb.database")
                        : QStringLiteral("create the bucket, or fix metrics.influxdb.org and bucket");
            break;
        }
        done(s);
    });
}

} // namespace jobslib
