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
    /*! The Prometheus type of a family; only the "# TYPE" line depends on it. */
    enum class Type {
        Gauge,   ///< a value that goes up and down; what an undeclared family is
        Counter  ///< a count that only grows (add())
    };
    /*! Label name to value; the complete set identifies a series within its family. */
    using Labels = QMap<QString, QString>;

    /*! One time series: a family's value for one set of labels. */
    struct Series
    {
        Labels labels;    ///< as given (a pushed point's tags), not yet made valid for Prometheus
        double value = 0; ///< the last value set, or the sum of add()s; 0 for a new series
    };
    /*! Every series of one metric name, with its help text and type. */
    struct Family
    {
        QString name;            ///< as given; toPrometheusText() makes it a valid Prometheus name
        QString help;            ///< the "# HELP" text from declare(); "" (no HELP line) when undeclared
        Type type = Type::Gauge; ///< from declare(); Gauge when undeclared
        QList<Series> series; ///< in the order they were first set
    };

    /*! An empty registry that holds at most \a maxSeries series in all (a negative value counts as 0). */
    explicit MetricsRegistry(int maxSeries = 10000);

    /*!
     * Declares a family's help text and type; optional (undeclared families are untyped gauges without help).
     * A family without series is not exposed.
     */
    void declare(const QString &name, Type type, const QString &help);
    /*!
     * Sets the series of family \a name with \a labels to \a value, creating both as needed. Beyond
     * maxSeries a new series is refused (refusedSeries()); existing ones keep updating.
     */
    void set(const QString &name, const Labels &labels, double value);
    /*! Adds \a delta to a series (a counter's increment), creating it at 0 first as set() does. */
    void add(const QString &name, const Labels &labels, double delta = 1);
    /*! The value of one series; 0 when it does not exist. */
    double value(const QString &name, const Labels &labels = {}) const;
    /*! Whether the series exists: it was set or added to (and not refused). */
    bool contains(const QString &name, const Labels &labels = {}) const;

    QList<Family> families() const; ///< sorted by name
    /*! The number of series of every family together; never more than maxSeries. */
    int seriesCount() const { return m_seriesCount; }
    /*! How many times a new series was refused because maxSeries was reached; 0 normally. */
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
