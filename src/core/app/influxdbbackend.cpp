// SPDX-License-Identifier: BSD-3-Clause
// The InfluxDB metrics backend as the registry knows it: Python's options and env names, and ours.
#include "influxdbbackend.h"

#include "app/context.h"
#include "config/config.h"
#include "metrics/influxdbmetrics.h"

#include <QFileInfo>

namespace jobslib {

static QList<OptionSpec> influxDbOptions()
{
    const QString p = QStringLiteral("JOBSLIB_METRICS_INFLUXDB_");
    using T = OptionType;
    const auto make = [&p](const char *name, T type, const QVariant &def, const char *env, const char *doc) {
        return OptionSpec::make(QLatin1String(name), type, def, {p + QLatin1String(env)}, QLatin1String(doc));
    };
    QList<OptionSpec> o;
    // Python's options, with its names and defaults.
    o << make("host", T::String, QStringLiteral("localhost"), "HOST", "InfluxDB host.");
    o << make("port", T::Int, 8086, "PORT", "InfluxDB HTTP port.").withRange(1, 65535);
    o << make("username", T::String, QStringLiteral("root"), "USERNAME", "User (InfluxDB 1.x, Basic auth as Python sends it).");
    o << make("password", T::String, QStringLiteral("root"), "PASSWORD",
              "Password (1.x). May be file:PATH (mode 600) or keychain:SERVICE/KEY instead of the password itself.")
             .asSecret();
    OptionSpec database = make("database", T::String, QString(), "DBNAME",
                               "Database to write to (1.x; required there). Python's env name is ..._DBNAME, not ..._DATABASE.");
    o << database;
    o << make("retry_max_attempts", T::Int, 0, "RETRY_MAX_ATTEMPTS",
              "Accepted for Python compatibility. Python gives a push up after that many tries; runjob keeps undelivered points "
              "buffered and retries until they are delivered or the buffer overflows.")
             .withRange(0, 100);
    o << make("retry_wait_multiplier", T::Int, 50, "RETRY_WAIT_MULTIPLIER",
              "Back-off after the n-th failure in a row: multiplier x 2^n ms (at least 100 ms), with jitter, up to retry_max_wait.")
             .withRange(0, 60000);
    // Beyond Python.
    o << make("retry_max_wait", T::Double, 30.0, "RETRY_MAX_WAIT", "Longest back-off between two delivery attempts, seconds.").withRange(0.1, 3600);
    o << make("timeout", T::Double, 5.0, "TIMEOUT", "HTTP timeout of one write, seconds (Python has none and hangs with the server).")
             .withRange(0.1, 600);
    o << make("ssl", T::Bool, false, "SSL", "Use https.");
    o << make("ssl_verify", T::Bool, true, "SSL_VERIFY", "Verify the server certificate.");
    o << make("ca_file", T::Path, QString(), "CA_FILE", "PEM file of the CA(s) that signed the InfluxDB server certificate.");
    OptionSpec api = make("api", T::Choice, QStringLiteral("v1"), "API",
                          "v1: POST /write?db= with username/password (InfluxDB 1.x, and 2.x's 1.x compatibility API); "
                          "v2: POST /api/v2/write with org, bucket and token (InfluxDB 2.x).");
    api.choices = {QStringLiteral("v1"), QStringLiteral("v2")};
    o << api;
    o << make("org", T::String, QString(), "ORG", "Organization (v2).");
    o << make("bucket", T::String, QString(), "BUCKET", "Bucket (v2).");
    o << make("token", T::String, QString(), "TOKEN", "API token (v2). May be file:PATH (mode 600) or keychain:SERVICE/KEY.").asSecret();
    o << make("buffer_size", T::Int, 100000, "BUFFER_SIZE",
              "Points kept while InfluxDB is unreachable (about 150 bytes each); beyond it the oldest are dropped, counted and logged once.")
             .withRange(1, 10000000);
    o << make("batch_size", T::Int, 5000, "BATCH_SIZE", "Points per write request when catching up.").withRange(1, 100000);
    o << make("spool", T::Path, QString(), "SPOOL",
              "File that keeps undelivered points across restarts of runjob (one per instance; empty: memory only).");
    return o;
}

static QString validateInfluxDb(const Config &config)
{
    const QString g = QStringLiteral("metrics.influxdb.");
    const auto missing = [&](const QString &key, const QString &env, const QString &why) {
        return QStringLiteral("option '%1%2' is required %3 (settings file [metrics.influxdb] %2, or %4)").arg(g, key, why, env);
    };
    if (config.string(g + QStringLiteral("api")) == QLatin1String("v1")) {
        if (config.string(g + QStringLiteral("database")).isEmpty())
            return missing(QStringLiteral("database"), QStringLiteral("JOBSLIB_METRICS_INFLUXDB_DBNAME"), QStringLiteral("for the InfluxDB 1.x API"));
    } else {
        for (const char *key : {"org", "bucket", "token"}) {
            if (config.string(g + QLatin1String(key)).isEmpty())
                return missing(QLatin1String(key), QStringLiteral("JOBSLIB_METRICS_INFLUXDB_") + QString::fromLatin1(key).toUpper(),
                               QStringLiteral("with api = v2"));
        }
    }
    const QString ca = config.string(g + QStringLiteral("ca_file"));
    if (!ca.isEmpty() && !QFileInfo(ca).isReadable())
        return QStringLiteral("option '%1ca_file': cannot read '%2'").arg(g, ca);
    return {};
}

BackendDescriptor influxDbMetricsDescriptor()
{
    BackendDescriptor d = BackendDescriptor::make(
        BackendKind::Metrics, QStringLiteral("influxdb"),
        QStringLiteral("InfluxDB 1.x or 2.x, the points Python jobslib writes; buffered, batched and retried, optionally spooled to disk."),
        {QStringLiteral("jobslib.metrics.influxdb.InfluxDBMetrics")});
    d.options = influxDbOptions();
    d.create = [](Context &c) -> QObject * {
        return new InfluxDbMetrics(c, InfluxDbMetrics::endpointFromConfig(c.config()), InfluxDbMetrics::settingsFromConfig(c.config()));
    };
    d.validate = validateInfluxDb;
    return d;
}

} // namespace jobslib
