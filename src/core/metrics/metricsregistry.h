// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>

namespace jobslib {

class MetricsRegistry;
JOBSLIB_EXPORT QByteArray toPrometheusText(const MetricsRegistry &registry);

/*!
 * The current value of every metric series this process knows, for the Prometheus exposition on
 * the status endpoint: the runner's own series (lock, runs) and the last value of every point
 * pushed through the Context (Python's job_duration_seconds, last_successful_run_timestamp and
 * the task's own metrics). Lives on the main thread; not thread-safe.
 *
 * Names are kept as given; the exposition makes them valid Prometheus names. The number of series
 * is bounded (maxSeries): a new series beyond it is refused, counted and logged once, so a task
 * that puts unique values in tags cannot grow memory without end.
 */
class JOBSLIB_EXPORT MetricsRegistry
{
public:
    enum class Type { Gauge, Counter };
    using Labels = QMap<QString, QString>;

    struct Series
    {
        Labels labels;
        double value = 0;
    };
    struct Family
    {
        QString name;
        QString help;
        Type type = Type::Gauge;
        QList<Series> series; ///< in the order they were first set
    };

    explicit MetricsRegistry(int maxSeries = 10000);

    /*!
     * Declares a family's help text and type; optional (undeclared families are untyped gauges without help).
     * A family without series is not exposed.
     */
    void declare(const QString &name, Type type, const QString &help);
    void set(const QString &name, const Labels &labels, double value);
    void add(const QString &name, const Labels &labels, double delta = 1);
    /*! The value of one series; 0 when it does not exist. */
    double value(const QString &name, const Labels &labels = {}) const;
    bool contains(const QString &name, const Labels &labels = {}) const;

    QList<Family> families() const; ///< sorted by name
    int seriesCount() const { return m_seriesCount; }
    qint64 refusedSeries() const { return m_refused; }

private:
    friend QByteArray toPrometheusText(const MetricsRegistry &registry);

    struct Entry
    {
        Family family;
        QHash<QString, qsizetype> index; ///< serialized labels -> position in family.series
    };
    Series *find(const QString &name, const Labels &labels, bool create);
    const Series *find(const QString &name, const Labels &labels) const;

    QMap<QString, Entry> m_families;
    int m_maxSeries;
    int m_seriesCount = 0;
    qint64 m_refused = 0;
    /// What the exposition left out and already logged, so a scrape every 15 s does not repeat it.
    mutable QSet<QString> m_reportedConflicts;
};

/*!
 * The Prometheus text exposition format (version 0.0.4) of the registry: "# HELP" and "# TYPE"
 * lines, names and label names made valid ([a-zA-Z_:][a-zA-Z0-9_:]*, anything else becomes '_'),
 * label values escaped (\\, \", \n), values as Go writes them (+Inf, -Inf, NaN) except that
 * integers up to 2^53 are written without exponent (1795831560, not 1.79583156e+09), so a
 * timestamp reads as one; other values are the shortest text that parses back to the same double.
 *
 * Label names starting with "__" are reserved to Prometheus and get the prefix "key" (as the
 * OpenTelemetry exporters do). What would make the text invalid is left out and logged once:
 * a family whose name sanitizes to the name of an earlier family (the first one in name order
 * wins; merging would mix series of unrelated metrics, possibly of different types under one
 * TYPE), a label whose name sanitizes to the name of an earlier label of the same series, and a
 * series whose labels then equal those of an earlier series of the family.
 */
JOBSLIB_EXPORT QByteArray toPrometheusText(const MetricsRegistry &registry);

/*! The content type of that format. */
inline constexpr const char *PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

} // namespace jobslib
