// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"
#include "influxdbwriter.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include <functional>

class QNetworkAccessManager;

namespace jobslib {

/*!
 * Reads back from InfluxDB what runjob wrote there, for the operator dashboard: InfluxQL in, typed
 * results out, one error type, and a deadline on every request (a hung InfluxDB must not hang a
 * chart). Same settings as the writer (InfluxDbEndpoint), so the dashboard reads from the server
 * and database that runjob writes to.
 *
 * Thin on purpose, like InfluxDbWriter: no retry, no cache, no polling; what to do with an error
 * is the caller's business.
 */
class JOBSLIB_EXPORT InfluxDbReader : public QObject
{
    Q_OBJECT
public:
    /*! Why a request gave no result: the one error type of every answer of this class. */
    struct Error
    {
        enum class Kind {
            None,
            InvalidArgument, ///< the request was refused before it was sent (bad window, unsafe name)
            Network,         ///< no HTTP answer: connection refused, DNS, TLS
            Timeout,         ///< no complete answer within the endpoint's timeoutMs
            Unauthorized,    ///< 401/403: username/password or token
            NotFound,        ///< the database does not exist, or 404 (no /query there: not InfluxDB 1.x?)
            Query,           ///< InfluxDB refused the query (400, or a statement's "error")
            Server,          ///< 5xx or another unexpected HTTP status
            Malformed,       ///< an answer that is not InfluxDB's JSON
        };
        Kind kind = Kind::None;
        int httpStatus = 0; ///< 0 when there was no HTTP answer (or the error was in a 200's body)
        QString message;    ///< the server's error text, the network error, or what is wrong with the answer

        bool isError() const { return kind != Kind::None; }
        /*! "HTTP 401: authorization failed", "database not found: jobs", "network: Connection refused": for logs and the dashboard. */
        QString describe() const;
    };

    /*! One series of an answer: a measurement and one combination of its GROUP BY tags. */
    struct Series
    {
        int statement = 0;            ///< which statement of a multi-statement query it answers (statement_id)
        QString name;                 ///< the measurement
        QMap<QString, QString> tags;  ///< the GROUP BY tags; empty without GROUP BY <tag>
        QStringList columns;          ///< "time" first, then the fields or functions
        /*!
         * One list per row, as many values as columns: "time" a qint64 (epoch seconds), other
         * numbers double, strings QString, booleans bool, null an invalid QVariant.
         */
        QList<QVariantList> rows;

        /*! Index of a column, -1 when absent. */
        int column(const QString &columnName) const { return int(columns.indexOf(columnName)); }
    };

    struct QueryResult
    {
        Error error;
        QList<Series> series; ///< of every statement, in the order of the answer; empty on error
        bool ok() const { return !error.isError(); }
        /*! The series of one statement. */
        QList<Series> seriesOf(int statement) const;
    };

    /*! One run as runjob reported it: when it ended and how long it took. */
    struct Run
    {
        qint64 time = 0;       ///< epoch seconds of the point (the end of the iteration)
        double seconds = 0;    ///< the duration of the iteration
        friend bool operator==(const Run &a, const Run &b) { return a.time == b.time && a.seconds == b.seconds; }
    };

    /*! What the dashboard asks for: the runs of one task in a window, counted per bucket. */
    struct HistoryRequest
    {
        QString task;               ///< the "task" tag: job_name, else the task's name
        qint64 windowSeconds = 3600;
        qint64 bucketSeconds = 300;
        qint64 endSeconds = 0;      ///< the window's end, epoch seconds; 0: now (this machine's clock)
        int maxRunsPerStatus = 10000; ///< newest runs kept per status; the counts are always complete
    };

    /*!
     * The history of one task: its runs by status, and how many runs of each status ended in
     * each bucket. Statuses are runjob's and Python's: succeeded, failed, pending, interrupted,
     * killed, unknown (others are kept as written).
     */
    struct JobHistory
    {
        Error error;
        QString task;
        qint64 from = 0;          ///< the window is (from, to], epoch seconds
        qint64 to = 0;
        qint64 bucketSeconds = 0;
        QMap<QString, QList<Run>> runs; ///< by status, oldest first
        /*! Start of every bucket, oldest first, aligned to multiples of bucketSeconds since the epoch (InfluxDB's GROUP BY time()). */
        QList<qint64> buckets;
        QMap<QString, QList<qint64>> counts; ///< by status, one count per bucket; statuses without a run are absent
        bool truncated = false;   ///< some status had more than maxRunsPerStatus runs: only the newest are in runs

        bool ok() const { return !error.isError(); }
        /*! Every status that has runs in the window, sorted. */
        QStringList statuses() const { return counts.keys(); }
        /*! Runs of a status in the window (from the counts, so even when truncated); stops at the largest qint64. */
        qint64 total(const QString &status) const;
    };

    using QueryCallback = std::function<void(const QueryResult &)>;
    using HistoryCallback = std::function<void(const JobHistory &)>;

    /*! The measurement runjob (and Python jobslib) writes one point per iteration to, field "value", tags status, task, type. */
    static constexpr const char *DurationMeasurement = "job_duration_seconds";
    /*! Most buckets jobHistory() asks for: a chart of more bars is unreadable, and InfluxDB may refuse them (max-select-buckets). */
    static constexpr qint64 MaxBuckets = 10000;

    InfluxDbReader(QNetworkAccessManager *network, const InfluxDbEndpoint &endpoint, QObject *parent = nullptr);
    /*! Aborts what is still pending; their callbacks are not called. */
    ~InfluxDbReader() override;

    const InfluxDbEndpoint &endpoint() const { return m_endpoint; }

    /*!
     * Runs an InfluxQL query (GET /query?db=...&epoch=s&q=...). done is called exactly once, on
     * this object's thread, unless context (this reader when null) is destroyed first: then the
     * request is aborted and done is not called. Never synchronously from within this call; done
     * may delete this reader. Meant for reads (SELECT, SHOW): InfluxDB 1.x wants writes POSTed.
     */
    void query(const QString &influxQl, const QObject *context, QueryCallback done);

    /*! jobHistory() of the window that ends now. */
    void jobHistory(const QString &task, qint64 windowSeconds, qint64 bucketSeconds, const QObject *context, HistoryCallback done);
    /*!
     * The runs of request.task in the window (durations by status, counts per bucket and status),
     * in two requests, one after the other. done as for query(): once, never synchronously.
     */
    void jobHistory(const HistoryRequest &request, const QObject *context, HistoryCallback done);

    /*!
     * Parses the body of a 200 answer of /query: the series, or the first "error" (top-level or
     * of a statement). Anything that is not InfluxDB's JSON gives Kind::Malformed; never crashes,
     * whatever the input (exposed for tests and fuzzing).
     */
    static QueryResult parse(const QByteArray &body);
    /*! The result of an HTTP exchange: parse() for 2xx, else the classified error. */
    static QueryResult classify(int httpStatus, const QByteArray &body, const QString &networkError, bool timedOut);

    /*! An InfluxQL string literal: 'it\'s', backslashes doubled, newlines as \n. */
    static QString quoteString(const QString &value);
    /*! An InfluxQL identifier in double quotes: "my \"field\"". */
    static QString quoteIdentifier(const QString &name);
    /*!
     * The two InfluxQL statements of a history request, grouped by status: the runs (newest
     * first, at most maxRunsPerStatus per status), then the counts per bucket. request.endSeconds
     * must be set. Empty with *error when the request is invalid.
     */
    static QStringList historyQueries(const HistoryRequest &request, QString *error = nullptr);
    /*! The JobHistory of a request (endSeconds set) from the answers to historyQueries(): their series as statements 0 and 1. */
    static JobHistory historyFromResult(const HistoryRequest &request, const QueryResult &result);

private:
    void abortPending();

    QNetworkAccessManager *m_network;
    InfluxDbEndpoint m_endpoint;
    QSslConfiguration m_tls;
    QByteArray m_authorization;
    QList<QPointer<QNetworkReply>> m_pending;
};

} // namespace jobslib
