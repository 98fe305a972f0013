// SPDX-License-Identifier: BSD-3-Clause
#include "influxdbreader.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QTimer>
#include <QtNumeric>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace jobslib {

namespace {

using Error = InfluxDbReader::Error;
using Kind = InfluxDbReader::Error::Kind;
using QueryResult = InfluxDbReader::QueryResult;

constexpr qint64 NsPerSecond = 1000000000LL;
/*! The last second whose nanoseconds fit a qint64 (2262): InfluxDB's time range ends there too. */
constexpr qint64 MaxEpochSeconds = 9000000000LL;

QueryResult failure(Kind kind, const QString &message, int httpStatus = 0)
{
    QueryResult r;
    r.error.kind = kind;
    r.error.message = message;
    r.error.httpStatus = httpStatus;
    return r;
}

QueryResult malformed(const QString &why)
{
    return failure(Kind::Malformed, why);
}

/*!
 * The kind of an error InfluxDB put in a body ("error" of the answer or of a statement):
 * InfluxDB 1.x answers a query of a missing database with 200 and a statement error, not 404.
 */
Kind kindOfQueryError(const QString &message)
{
    if (message.startsWith(QLatin1String("database not found")))
        return Kind::NotFound;
    if (message.startsWith(QLatin1String("error authorizing query")))
        return Kind::Unauthorized;
    return Kind::Query;
}

/*! The text of an "error" member; never empty, so that an error always says something. */
QString errorText(const QJsonValue &error)
{
    const QString text = error.isString() ? error.toString().trimmed() : QString();
    return text.isEmpty() ? QStringLiteral("(InfluxDB gave an error without text)") : text;
}

/*! A cell of "values": see Series::rows. False when it is not a JSON scalar (or a time out of range). */
bool toCell(const QJsonValue &v, bool isTime, QVariant *cell)
{
    switch (v.type()) {
    case QJsonValue::Null:
        *cell = QVariant();
        return true;
    case QJsonValue::Bool:
        *cell = v.toBool();
        return true;
    case QJsonValue::String:
        *cell = v.toString();
        return true;
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (!isTime) {
            *cell = d;
            return true;
        }
        // Beyond ±2^63 the conversion would be undefined.
        if (!std::isfinite(d) || std::abs(d) >= 9.2e18)
            return false;
        *cell = v.toInteger(qint64(d));
        return true;
    }
    default:
        return false;
    }
}

/*!
 * A COUNT() value: a whole number from 0 to 2^53 (beyond that a double holds no exact count);
 * nullopt for anything else. Converting any double to qint64 would be undefined beyond its range.
 */
std::optional<qint64> toCount(double value)
{
    constexpr double MaxExact = 9007199254740992.0; // 2^53
    if (!(value >= 0 && value <= MaxExact) || std::floor(value) != value)
        return std::nullopt;
    return qint64(value);
}

/*! Sums of counts (rows of one bucket, buckets of one status) stop at the largest qint64 instead of overflowing. */
qint64 saturatingAdd(qint64 a, qint64 b)
{
    qint64 sum = 0;
    if (qAddOverflow(a, b, &sum))
        return b > 0 ? std::numeric_limits<qint64>::max() : std::numeric_limits<qint64>::min();
    return sum;
}

/*! One element of "series"; an error message when it is not what InfluxDB sends. */
QString parseSeries(const QJsonValue &value, int statement, InfluxDbReader::Series *series)
{
    if (!value.isObject())
        return QStringLiteral("a series is not an object");
    const QJsonObject o = value.toObject();
    series->statement = statement;
    const QJsonValue name = o.value(QStringLiteral("name"));
    if (!name.isUndefined() && !name.isString())
        return QStringLiteral("a series' name is not a string");
    series->name = name.toString();
    const QJsonValue tags = o.value(QStringLiteral("tags"));
    if (!tags.isUndefined()) {
        if (!tags.isObject())
            return QStringLiteral("a series' tags are not an object");
        const QJsonObject t = tags.toObject();
        for (auto it = t.constBegin(); it != t.constEnd(); ++it) {
            if (!it.value().isString())
                return QStringLiteral("the tag \"%1\" is not a string").arg(it.key());
            series->tags.insert(it.key(), it.value().toString());
        }
    }
    const QJsonValue columns = o.value(QStringLiteral("columns"));
    if (!columns.isArray())
        return QStringLiteral("a series has no columns");
    for (const QJsonValue &c : columns.toArray()) {
        if (!c.isString())
            return QStringLiteral("a column name is not a string");
        series->columns << c.toString();
    }
    const int timeColumn = series->column(QStringLiteral("time"));
    const QJsonValue values = o.value(QStringLiteral("values"));
    if (values.isUndefined())
        return {};
    if (!values.isArray())
        return QStringLiteral("a series' values are not an array");
    const QJsonArray rows = values.toArray();
    series->rows.reserve(rows.size());
    for (const QJsonValue &row : rows) {
        if (!row.isArray())
            return QStringLiteral("a row is not an array");
        const QJsonArray cells = row.toArray();
        if (cells.size() != series->columns.size())
            return QStringLiteral("a row has %1 values for %2 columns").arg(cells.size()).arg(series->columns.size());
        QVariantList parsed;
        parsed.reserve(cells.size());
        for (qsizetype i = 0; i < cells.size(); ++i) {
            QVariant cell;
            if (!toCell(cells.at(i), i == timeColumn, &cell))
                return QStringLiteral("the value of column \"%1\" is not a number, string, boolean or null").arg(series->columns.at(i));
            parsed << cell;
        }
        series->rows << parsed;
    }
    return {};
}

} // namespace

QString InfluxDbReader::Error::describe() const
{
    switch (kind) {
    case Kind::None:
        return {};
    case Kind::InvalidArgument:
        return QStringLiteral("invalid request: ") + message;
    case Kind::Network:
        return QStringLiteral("network: ") + message;
    case Kind::Timeout:
        return QStringLiteral("timeout: ") + message;
    case Kind::Malformed:
        return QStringLiteral("malformed answer: ") + message;
    case Kind::Unauthorized:
    case Kind::NotFound:
    case Kind::Query:
    case Kind::Server:
        break;
    }
    if (httpStatus == 0)
        return message;
    return message.isEmpty() ? QStringLiteral("HTTP %1").arg(httpStatus) : QStringLiteral("HTTP %1: %2").arg(httpStatus).arg(message);
}

QList<InfluxDbReader::Series> InfluxDbReader::QueryResult::seriesOf(int statement) const
{
    QList<Series> s;
    for (const Series &one : series) {
        if (one.statement == statement)
            s << one;
    }
    return s;
}

qint64 InfluxDbReader::JobHistory::total(const QString &status) const
{
    qint64 n = 0;
    for (qint64 c : counts.value(status))
        n = saturatingAdd(n, c);
    return n;
}

InfluxDbReader::InfluxDbReader(QNetworkAccessManager *network, const InfluxDbEndpoint &endpoint, QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_endpoint(endpoint)
    , m_tls(endpoint.tlsConfiguration())
    , m_authorization(endpoint.authorization())
{
}

InfluxDbReader::~InfluxDbReader()
{
    abortPending();
}

void InfluxDbReader::abortPending()
{
    const QList<QPointer<QNetworkReply>> pending = std::exchange(m_pending, {});
    for (const QPointer<QNetworkReply> &reply : pending) {
        if (!reply)
            continue;
        // abort() emits finished() at once: nobody may hear it, the callback's captures die with us.
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

QueryResult InfluxDbReader::parse(const QByteArray &body)
{
    QJsonParseError jsonError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &jsonError);
    if (jsonError.error != QJsonParseError::NoError)
        return malformed(QStringLiteral("not JSON (%1 at offset %2)").arg(jsonError.errorString()).arg(jsonError.offset));
    if (!doc.isObject())
        return malformed(QStringLiteral("not a JSON object"));
    const QJsonObject top = doc.object();
    const QJsonValue topError = top.value(QStringLiteral("error"));
    if (!topError.isUndefined()) {
        const QString message = errorText(topError);
        return failure(kindOfQueryError(message), message);
    }
    const QJsonValue results = top.value(QStringLiteral("results"));
    if (!results.isArray())
        return malformed(QStringLiteral("no \"results\" array"));
    QueryResult r;
    // The first statement that failed, but not "not executed" (a statement after a failed one):
    // the reason is more use than its knock-on effect.
    QString firstError;
    QString notExecuted;
    const QJsonArray statements = results.toArray();
    for (qsizetype i = 0; i < statements.size(); ++i) {
        if (!statements.at(i).isObject())
            return malformed(QStringLiteral("a result is not an object"));
        const QJsonObject statement = statements.at(i).toObject();
        const QJsonValue id = statement.value(QStringLiteral("statement_id"));
        // toInt() gives the default for what is no int (1.5, 1e300, a string).
        const int statementId = id.isUndefined() ? int(i) : id.toInt(-1);
        if (statementId < 0)
            return malformed(QStringLiteral("a statement_id is not a non-negative integer"));
        const QJsonValue error = statement.value(QStringLiteral("error"));
        if (!error.isUndefined()) {
            const QString message = errorText(error);
            if (message == QLatin1String("not executed")) {
                notExecuted = message;
            } else if (firstError.isEmpty()) {
                firstError = message;
            }
            continue;
        }
        const QJsonValue series = statement.value(QStringLiteral("series"));
        if (series.isUndefined())
            continue; // nothing matched
        if (!series.isArray())
            return malformed(QStringLiteral("\"series\" is not an array"));
        for (const QJsonValue &value : series.toArray()) {
            Series s;
            const QString why = parseSeries(value, statementId, &s);
            if (!why.isEmpty())
                return malformed(why);
            r.series << s;
        }
    }
    if (!firstError.isEmpty())
        return failure(kindOfQueryError(firstError), firstError);
    if (!notExecuted.isEmpty())
        return failure(Kind::Query, notExecuted);
    return r;
}

QueryResult InfluxDbReader::classify(int httpStatus, const QByteArray &body, const QString &networkError, bool timedOut)
{
    if (timedOut)
        return failure(Kind::Timeout, networkError);
    if (httpStatus == 0)
        return failure(Kind::Network, networkError);
    if (httpStatus >= 200 && httpStatus < 300)
        return parse(body);
    // 1.x says why as {"error": "..."}, 2.x as {"code": "...", "message": "..."}; a proxy in HTML.
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    QString message = o.value(QStringLiteral("error")).toString();
    if (message.isEmpty())
        message = o.value(QStringLiteral("message")).toString();
    if (message.isEmpty())
        message = QString::fromUtf8(body.left(300)).trimmed();
    Kind kind = Kind::Server;
    switch (httpStatus) {
    case 401:
    case 403:
        kind = Kind::Unauthorized;
        break;
    case 404:
        kind = Kind::NotFound;
        break;
    case 400:
    case 422:
        kind = kindOfQueryError(message);
        break;
    default:
        break;
    }
    return failure(kind, message, httpStatus);
}

void InfluxDbReader::query(const QString &influxQl, const QObject *context, QueryCallback done)
{
    QPointer<const QObject> guard(context ? context : this);
    QNetworkReply *reply = m_network->get(m_endpoint.request(m_endpoint.queryUrl(influxQl), m_authorization, m_tls));
    m_pending << QPointer<QNetworkReply>(reply);
    // The transfer timeout only bounds silence: a server that trickles its answer must time out too.
    if (m_endpoint.timeoutMs > 0) {
        auto *deadline = new QTimer(reply);
        deadline->setSingleShot(true);
        connect(deadline, &QTimer::timeout, reply, &QNetworkReply::abort);
        deadline->start(m_endpoint.timeoutMs);
    }
    if (guard.data() != this)
        connect(guard.data(), &QObject::destroyed, reply, &QNetworkReply::abort);
    connect(reply, &QNetworkReply::finished, this, [this, reply, guard, done = std::move(done)] {
        m_pending.removeAll(QPointer<QNetworkReply>(reply));
        reply->deleteLater();
        if (!guard)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        // Aborted by the deadline or by the transfer timeout (a destroyed context has no callback).
        const bool timedOut = reply->error() == QNetworkReply::OperationCanceledError;
        const QString error = timedOut ? QStringLiteral("no complete answer within %1 ms").arg(m_endpoint.timeoutMs) : reply->errorString();
        // A reply that was aborted is closed already; reading it would only warn.
        const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
        done(classify(timedOut ? 0 : status, body, error, timedOut));
    });
}

QString InfluxDbReader::quoteString(const QString &value)
{
    // InfluxQL's scanner knows the escapes \\ \' \" \n; a raw newline ends the string with an error.
    QString escaped = value;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('\''), QLatin1String("\\'")).replace(QLatin1Char('\n'), QLatin1String("\\n"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

QString InfluxDbReader::quoteIdentifier(const QString &name)
{
    QString escaped = name;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\"")).replace(QLatin1Char('\n'), QLatin1String("\\n"));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

QStringList InfluxDbReader::historyQueries(const HistoryRequest &request, QString *error)
{
    const auto invalid = [error](const QString &why) -> QStringList {
        if (error)
            *error = why;
        return {};
    };
    if (request.task.isEmpty())
        return invalid(QStringLiteral("no task name"));
    // InfluxQL cannot express these in a string literal: its reader turns \r into \n and stops at NUL.
    if (request.task.contains(QLatin1Char('\r')) || request.task.contains(QChar(0)))
        return invalid(QStringLiteral("a task name with a carriage return or NUL cannot be queried"));
    if (request.windowSeconds < 1 || request.bucketSeconds < 1)
        return invalid(QStringLiteral("window and bucket must be at least one second"));
    if (request.endSeconds < request.windowSeconds || request.endSeconds > MaxEpochSeconds)
        return invalid(QStringLiteral("the window must lie between 1970 and 2255"));
    const qint64 from = request.endSeconds - request.windowSeconds;
    if (request.endSeconds / request.bucketSeconds - from / request.bucketSeconds + 1 > MaxBuckets)
        return invalid(QStringLiteral("more than %1 buckets: choose longer buckets").arg(MaxBuckets));
    if (request.maxRunsPerStatus < 1)
        return invalid(QStringLiteral("maxRunsPerStatus must be at least 1"));

    const QString value = quoteIdentifier(QStringLiteral("value"));
    const QString measurement = quoteIdentifier(QLatin1String(DurationMeasurement));
    const QString status = quoteIdentifier(QStringLiteral("status"));
    // Concatenated, never arg()'d: a task name holding "%1" must stay text.
    const QString where = QStringLiteral(" WHERE ") + quoteIdentifier(QStringLiteral("task")) + QStringLiteral(" = ") + quoteString(request.task)
        + QStringLiteral(" AND time > ") + QString::number(from * NsPerSecond) + QStringLiteral(" AND time <= ")
        + QString::number(request.endSeconds * NsPerSecond);
    // LIMIT applies per series, i.e. per status: the newest runs of each.
    const QString runs = QStringLiteral("SELECT ") + value + QStringLiteral(" FROM ") + measurement + where + QStringLiteral(" GROUP BY ") + status
        + QStringLiteral(" ORDER BY time DESC LIMIT ") + QString::number(request.maxRunsPerStatus);
    const QString counts = QStringLiteral("SELECT COUNT(") + value + QStringLiteral(") FROM ") + measurement + where + QStringLiteral(" GROUP BY time(")
        + QString::number(request.bucketSeconds) + QStringLiteral("s), ") + status + QStringLiteral(" fill(0)");
    return {runs, counts};
}

InfluxDbReader::JobHistory InfluxDbReader::historyFromResult(const HistoryRequest &request, const QueryResult &result)
{
    JobHistory h;
    h.task = request.task;
    h.to = request.endSeconds;
    h.from = request.endSeconds - request.windowSeconds;
    h.bucketSeconds = request.bucketSeconds;
    if (!result.ok()) {
        h.error = result.error;
        return h;
    }
    // The buckets InfluxDB makes of (from, to]: aligned to the epoch, the first holding from + 1 ns.
    const qint64 first = h.from / h.bucketSeconds * h.bucketSeconds;
    for (qint64 b = first; b <= h.to; b += h.bucketSeconds)
        h.buckets << b;

    for (const Series &s : result.seriesOf(1)) {
        const int t = s.column(QStringLiteral("time"));
        const int c = s.column(QStringLiteral("count"));
        if (t < 0 || c < 0)
            continue;
        QList<qint64> counts(h.buckets.size(), 0);
        for (const QVariantList &row : s.rows) {
            if (row.at(t).typeId() != QMetaType::LongLong || row.at(c).typeId() != QMetaType::Double)
                continue;
            const qint64 time = row.at(t).toLongLong();
            if (time < first || (time - first) % h.bucketSeconds != 0 || (time - first) / h.bucketSeconds >= h.buckets.size())
                continue;
            const std::optional<qint64> count = toCount(row.at(c).toDouble());
            if (!count)
                continue; // not a count: not InfluxDB's answer to COUNT()
            qint64 &sum = counts[(time - first) / h.bucketSeconds];
            sum = saturatingAdd(sum, *count);
        }
        const QString status = s.tags.value(QStringLiteral("status"));
        if (std::any_of(counts.cbegin(), counts.cend(), [](qint64 n) { return n != 0; }))
            h.counts.insert(status, counts);
    }

    for (const Series &s : result.seriesOf(0)) {
        const int t = s.column(QStringLiteral("time"));
        const int v = s.column(QStringLiteral("value"));
        if (t < 0 || v < 0)
            continue;
        QList<Run> runs;
        runs.reserve(s.rows.size());
        // Newest first in the answer (ORDER BY time DESC, for the LIMIT): oldest first here.
        for (auto row = s.rows.crbegin(); row != s.rows.crend(); ++row) {
            // A value that is not a number is not runjob's (its field is always a float).
            if (row->at(t).typeId() == QMetaType::LongLong && row->at(v).typeId() == QMetaType::Double)
                runs << Run{row->at(t).toLongLong(), row->at(v).toDouble()};
        }
        const QString status = s.tags.value(QStringLiteral("status"));
        if (runs.size() < h.total(status))
            h.truncated = true;
        if (!runs.isEmpty())
            h.runs.insert(status, runs);
    }
    return h;
}

void InfluxDbReader::jobHistory(const QString &task, qint64 windowSeconds, qint64 bucketSeconds, const QObject *context, HistoryCallback done)
{
    HistoryRequest request;
    request.task = task;
    request.windowSeconds = windowSeconds;
    request.bucketSeconds = bucketSeconds;
    jobHistory(request, context, std::move(done));
}

void InfluxDbReader::jobHistory(const HistoryRequest &request, const QObject *context, HistoryCallback done)
{
    HistoryRequest r = request;
    if (r.endSeconds == 0)
        r.endSeconds = QDateTime::currentSecsSinceEpoch();
    QString error;
    const QStringList statements = historyQueries(r, &error);
    if (statements.isEmpty()) {
        JobHistory h = historyFromResult(r, failure(Kind::InvalidArgument, error));
        // As promised: never from within this call, and not at all once context is gone.
        QPointer<const QObject> guard(context ? context : this);
        QMetaObject::invokeMethod(
            this,
            [h, guard, done = std::move(done)] {
                if (guard)
                    done(h);
            },
            Qt::QueuedConnection);
        return;
    }
    // Two requests, one after the other, not one of two statements: influxd 1.6 answers a query
    // of several statements on a missing database with a bare "not executed", without the reason.
    // (A run that ends between the two may be in one answer and not the other.)
    QPointer<const QObject> guard(context ? context : this);
    query(statements.at(0), context, [this, r, guard, counts = statements.at(1), done = std::move(done)](const QueryResult &runs) {
        if (!runs.ok() || !guard) {
            done(historyFromResult(r, runs));
            return;
        }
        query(counts, guard.data(), [r, runs, done](const QueryResult &countsResult) {
            QueryResult both = countsResult;
            if (both.ok()) {
                for (Series &s : both.series)
                    s.statement = 1;
                both.series = runs.series + both.series;
            }
            done(historyFromResult(r, both));
        });
    });
}

} // namespace jobslib
