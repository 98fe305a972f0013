// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target: what the dashboard reads from InfluxDB (src/core/metrics/influxdbreader.h):
// InfluxDbReader::parse() of a /query answer, classify() of an HTTP exchange, and
// historyFromResult(), which turns the parsed series into the runs and counts of the history chart.
//
// Input: the body of an answer of /query.
//
// Invariants: parse() gives series or an error, never both (what its documentation promises);
// every row has one value per column, time values are whole seconds; classify() is parse() for
// 2xx and an error with the status otherwise; the history has one count per bucket, no negative
// count, and totals that add up.

#include "fuzzsupport.h"

#include "metrics/influxdbreader.h"

#include <QtNumeric>

#include <limits>

using jobslib::InfluxDbReader;
using Kind = InfluxDbReader::Error::Kind;

namespace {

void checkResult(const InfluxDbReader::QueryResult &r)
{
    if (!r.ok()) {
        FUZZ_CHECK(r.series.isEmpty());
        FUZZ_CHECK(!r.error.describe().isEmpty());
        return;
    }
    FUZZ_CHECK(r.error.kind == Kind::None);
    for (const InfluxDbReader::Series &s : r.series) {
        FUZZ_CHECK(s.statement >= 0);
        const int time = s.column(QStringLiteral("time"));
        for (const QVariantList &row : s.rows) {
            FUZZ_CHECK(row.size() == s.columns.size());
            // The first "time" column: seconds as an integer (or whatever non-number InfluxDB put there).
            if (time >= 0)
                FUZZ_CHECK(row.at(time).typeId() != QMetaType::Double);
        }
    }
}

bool sameResult(const InfluxDbReader::QueryResult &a, const InfluxDbReader::QueryResult &b)
{
    if (a.error.kind != b.error.kind || a.error.message != b.error.message || a.series.size() != b.series.size())
        return false;
    for (qsizetype i = 0; i < a.series.size(); ++i) {
        const auto &x = a.series.at(i);
        const auto &y = b.series.at(i);
        if (x.statement != y.statement || x.name != y.name || x.tags != y.tags || x.columns != y.columns || x.rows != y.rows)
            return false;
    }
    return true;
}

void checkHistory(const InfluxDbReader::HistoryRequest &request, const InfluxDbReader::QueryResult &result)
{
    const InfluxDbReader::JobHistory h = InfluxDbReader::historyFromResult(request, result);
    FUZZ_CHECK(h.ok() == result.ok());
    if (!h.ok())
        return;
    FUZZ_CHECK(h.to - h.from == request.windowSeconds);
    FUZZ_CHECK(!h.buckets.isEmpty());
    for (auto it = h.counts.cbegin(); it != h.counts.cend(); ++it) {
        FUZZ_CHECK(it.value().size() == h.buckets.size());
        // Counts are never negative; sums stop at the largest qint64, as total() does.
        qint64 sum = 0;
        for (const qint64 n : it.value()) {
            FUZZ_CHECK(n >= 0);
            if (qAddOverflow(sum, n, &sum))
                sum = std::numeric_limits<qint64>::max();
        }
        FUZZ_CHECK(sum == h.total(it.key()));
    }
    for (auto it = h.runs.cbegin(); it != h.runs.cend(); ++it)
        FUZZ_CHECK(!it.value().isEmpty());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz::run([&] {
        const QByteArray body = fuzz::bytes(data, size);
        const InfluxDbReader::QueryResult parsed = InfluxDbReader::parse(body);
        checkResult(parsed);

        // 2xx is parse(); one error status per input (each parses the body again, all would be slow).
        FUZZ_CHECK(sameResult(InfluxDbReader::classify(200, body, QStringLiteral("Connection refused"), false), parsed));
        static const int errors[] = {400, 401, 403, 404, 422, 500, 502};
        const int status = errors[size % (sizeof errors / sizeof *errors)];
        const InfluxDbReader::QueryResult r = InfluxDbReader::classify(status, body, QStringLiteral("Connection refused"), false);
        FUZZ_CHECK(!r.ok() && r.error.httpStatus == status && r.series.isEmpty());
        FUZZ_CHECK(!r.error.describe().isEmpty());
        FUZZ_CHECK(InfluxDbReader::classify(0, body, QStringLiteral("Connection refused"), false).error.kind == Kind::Network);
        FUZZ_CHECK(InfluxDbReader::classify(0, body, QStringLiteral("x"), true).error.kind == Kind::Timeout);

        // The dashboard's windows: the last hour in 5-minute buckets (the seeds' times lie there),
        // a day in hours, and 10 s in seconds near the epoch.
        InfluxDbReader::HistoryRequest hour;
        hour.task = QStringLiteral("job");
        hour.endSeconds = 1700003000;
        checkHistory(hour, parsed);
        InfluxDbReader::HistoryRequest day = hour;
        day.windowSeconds = 86400;
        day.bucketSeconds = 3600;
        checkHistory(day, parsed);
        InfluxDbReader::HistoryRequest tiny = hour;
        tiny.windowSeconds = 10;
        tiny.bucketSeconds = 1;
        tiny.endSeconds = 20;
        checkHistory(tiny, parsed);
    });
}
