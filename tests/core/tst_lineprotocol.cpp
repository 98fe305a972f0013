// SPDX-License-Identifier: BSD-3-Clause
#include "metrics/lineprotocol.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <limits>

using namespace jobslib;

namespace {

MetricPoint point(const QString &measurement, double value, const QMap<QString, QString> &tags, qint64 ns = 1795831560000000000LL)
{
    MetricPoint p;
    p.measurement = measurement;
    p.value = value;
    p.tags = tags;
    p.timestampNs = ns;
    return p;
}

} // namespace

class TestLineProtocol : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pythonExample();
    void floatRepr_data();
    void floatRepr();
    void escaping();
    void emptyTagsDropped();
    void noTags();
    void empty();
    void jsonLines();
};

void TestLineProtocol::pythonExample()
{
    // The lines Python jobslib sends for one successful iteration of task "hello".
    const QList<MetricPoint> points = {
        point(QStringLiteral("job_duration_seconds"), 0.5628845691680908,
              {{QStringLiteral("type"), QStringLiteral("task")}, {QStringLiteral("task"), QStringLiteral("hello")},
               {QStringLiteral("status"), QStringLiteral("succeeded")}}),
        point(QStringLiteral("last_successful_run_timestamp"), 1795831560.0, {{QStringLiteral("task"), QStringLiteral("hello")}}),
    };
    QCOMPARE(toLineProtocol(points),
             QByteArray("job_duration_seconds,status=succeeded,task=hello,type=task value=0.5628845691680908 1795831560000000000\n"
                        "last_successful_run_timestamp,task=hello value=1795831560.0 1795831560000000000\n"));
}

void TestLineProtocol::floatRepr_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("repr");
    // Each expected text is what Python 3 prints for repr(value).
    QTest::newRow("fraction") << 0.5628845691680908 << QByteArray("0.5628845691680908");
    QTest::newRow("whole") << 1795831560.0 << QByteArray("1795831560.0");
    QTest::newRow("1e16") << 1e16 << QByteArray("1e+16");
    QTest::newRow("1e15") << 1e15 << QByteArray("1000000000000000.0");
    QTest::newRow("1e-4") << 0.0001 << QByteArray("0.0001");
    QTest::newRow("1e-5") << 0.00001 << QByteArray("1e-05");
    QTest::newRow("1.5e-7") << 1.5e-7 << QByteArray("1.5e-07");
    QTest::newRow("big") << 123456789012345678.0 << QByteArray("1.2345678901234568e+17");
    QTest::newRow("0.1") << 0.1 << QByteArray("0.1");
    QTest::newRow("third") << 1.0 / 3 << QByteArray("0.3333333333333333");
    QTest::newRow("negative") << -2.5 << QByteArray("-2.5");
    QTest::newRow("zero") << 0.0 << QByteArray("0.0");
    QTest::newRow("minus zero") << -0.0 << QByteArray("-0.0");
    QTest::newRow("1e300") << 1e300 << QByteArray("1e+300");
    QTest::newRow("denormal") << 5e-324 << QByteArray("5e-324");
    QTest::newRow("max") << std::numeric_limits<double>::max() << QByteArray("1.7976931348623157e+308");
    QTest::newRow("min normal") << 2.2250738585072014e-308 << QByteArray("2.2250738585072014e-308");
    QTest::newRow("almost 1e15") << 999999999999999.9 << QByteArray("999999999999999.9");
    QTest::newRow("almost 1e16") << 9999999999999998.0 << QByteArray("9999999999999998.0");
    QTest::newRow("decimals") << 12345.678 << QByteArray("12345.678");
    QTest::newRow("hundred") << 100.0 << QByteArray("100.0");
    QTest::newRow("inf") << std::numeric_limits<double>::infinity() << QByteArray("inf");
    QTest::newRow("-inf") << -std::numeric_limits<double>::infinity() << QByteArray("-inf");
    QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << QByteArray("nan");
}

void TestLineProtocol::floatRepr()
{
    QFETCH(double, value);
    QFETCH(QByteArray, repr);
    QCOMPARE(pythonFloatRepr(value), repr);
}

void TestLineProtocol::escaping()
{
    const QList<MetricPoint> points = {
        point(QStringLiteral("my measure,x=1"), 1, {{QStringLiteral("a key=,"), QStringLiteral("a value, =x")}}, 5),
    };
    QCOMPARE(toLineProtocol(points), QByteArray("my\\ measure\\,x=1,a\\ key\\=\\,=a\\ value\\,\\ \\=x value=1.0 5\n"));
    // A newline would split the point in two lines.
    QCOMPARE(toLineProtocol({point(QStringLiteral("m"), 1, {{QStringLiteral("k"), QStringLiteral("a\nb")}}, 5)}),
             QByteArray("m,k=a\\nb value=1.0 5\n"));
}

void TestLineProtocol::emptyTagsDropped()
{
    const QList<MetricPoint> points = {
        point(QStringLiteral("m"), 2, {{QStringLiteral("a"), QString()}, {QStringLiteral("b"), QStringLiteral("x")}}, 7),
    };
    QCOMPARE(toLineProtocol(points), QByteArray("m,b=x value=2.0 7\n"));
}

void TestLineProtocol::noTags()
{
    QCOMPARE(toLineProtocol({point(QStringLiteral("m"), 0.25, {}, 9)}), QByteArray("m value=0.25 9\n"));
}

void TestLineProtocol::empty()
{
    QCOMPARE(toLineProtocol({}), QByteArray());
    QCOMPARE(toJsonLines({}), QByteArray());
}

void TestLineProtocol::jsonLines()
{
    const QList<MetricPoint> points = {
        point(QStringLiteral("job_duration_seconds"), 0.5628845691680908,
              {{QStringLiteral("task"), QStringLiteral("hello")}, {QStringLiteral("status"), QStringLiteral("succeeded")},
               {QStringLiteral("empty"), QString()}}),
        point(QStringLiteral("m \"q\""), 1795831560.0, {}, 3),
    };
    const QByteArray out = toJsonLines(points);
    QCOMPARE(out,
             QByteArray("{\"measurement\":\"job_duration_seconds\",\"tags\":{\"status\":\"succeeded\",\"task\":\"hello\"},"
                        "\"value\":0.5628845691680908,\"timestamp_ns\":1795831560000000000}\n"
                        "{\"measurement\":\"m \\\"q\\\"\",\"tags\":{},\"value\":1795831560.0,\"timestamp_ns\":3}\n"));

    // Every line is a JSON object a consumer can read back.
    const QList<QByteArray> lines = out.split('\n');
    QCOMPARE(lines.size(), 3);
    QJsonParseError error{};
    const QJsonObject first = QJsonDocument::fromJson(lines.at(0), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(first.value(QStringLiteral("timestamp_ns")).toInteger(), 1795831560000000000LL);
    QCOMPARE(first.value(QStringLiteral("value")).toDouble(), 0.5628845691680908);
    QCOMPARE(first.value(QStringLiteral("tags")).toObject().value(QStringLiteral("task")).toString(), QStringLiteral("hello"));

    // JSON has no inf or nan.
    QCOMPARE(toJsonLines({point(QStringLiteral("m"), std::nan(""), {}, 1)}),
             QByteArray("{\"measurement\":\"m\",\"tags\":{},\"value\":null,\"timestamp_ns\":1}\n"));
}

QTEST_GUILESS_MAIN(TestLineProtocol)
#include "tst_lineprotocol.moc"
