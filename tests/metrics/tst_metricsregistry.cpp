// SPDX-License-Identifier: BSD-3-Clause
// MetricsRegistry and its Prometheus text exposition. The exposition is checked twice: against
// exact expected text, and by the parser of the official Python client (Debian package
// python3-prometheus-client, through tests/support/prometheus_parse.py), which nobody here wrote.
#include "metrics/metricsregistry.h"
#include "testutil.h"
#include "util/logcategories.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <limits>

using namespace jobslib;

namespace {

using Labels = MetricsRegistry::Labels;

const QString Python = QStringLiteral("/usr/bin/python3");

QString parserScript()
{
    return QStringLiteral(JOBSLIB_SOURCE_DIR "/tests/support/prometheus_parse.py");
}

/*! Collects the warnings of jobslib.metrics while it lives (the count matters: "logged once"). */
class MetricsWarnings
{
public:
    MetricsWarnings()
    {
        s_messages.clear();
        m_previous = qInstallMessageHandler(&MetricsWarnings::handle);
    }
    ~MetricsWarnings() { qInstallMessageHandler(m_previous); }
    QStringList messages() const { return s_messages; }

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        if (type == QtWarningMsg && qstrcmp(context.category, lcMetrics().categoryName()) == 0)
            s_messages.append(message);
    }
    static inline QStringList s_messages;
    QtMessageHandler m_previous = nullptr;
};

/*! The sample lines of an exposition (no comments). */
QList<QByteArray> sampleLines(const QByteArray &text)
{
    QList<QByteArray> out;
    const QList<QByteArray> lines = text.split('\n');
    for (const QByteArray &line : lines) {
        if (!line.isEmpty() && !line.startsWith('#'))
            out.append(line);
    }
    return out;
}

double parsedValue(const QString &text)
{
    if (text == QLatin1String("nan"))
        return std::numeric_limits<double>::quiet_NaN();
    if (text == QLatin1String("inf"))
        return std::numeric_limits<double>::infinity();
    if (text == QLatin1String("-inf"))
        return -std::numeric_limits<double>::infinity();
    bool ok = false;
    const double v = text.toDouble(&ok);
    Q_ASSERT(ok);
    return v;
}

bool sameValue(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

} // namespace

class TestMetricsRegistry : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void setAddValue();
    void familiesSortedSeriesInOrder();
    void declare();
    void boundedSeries();

    void exposition();
    void values_data();
    void values();
    void metricNames_data();
    void metricNames();
    void labelNames_data();
    void labelNames();
    void escaping();
    void emptyFamilyNotExposed();
    void familyNameCollision();
    void labelNameCollision();

    void pythonParser();

private:
    /*! What prometheus_parse.py made of text: name -> family object. */
    QHash<QString, QJsonObject> parseWithPython(const QByteArray &text);
    bool m_haveParser = false;
    QString m_parserProblem;
};

void TestMetricsRegistry::initTestCase()
{
    const auto r = test::run(Python, {QStringLiteral("-c"), QStringLiteral("import prometheus_client")});
    m_haveParser = r.exitCode == 0 && !r.crashed && !r.timedOut;
    if (!m_haveParser)
        m_parserProblem = QString::fromUtf8(r.err).trimmed().split(u'\n').constLast(); // the error, not the traceback
}

void TestMetricsRegistry::setAddValue()
{
    MetricsRegistry r;
    QVERIFY(!r.contains(QStringLiteral("m")));
    QCOMPARE(r.value(QStringLiteral("m")), 0.0);

    r.set(QStringLiteral("m"), {}, 2.5);
    QVERIFY(r.contains(QStringLiteral("m")));
    QCOMPARE(r.value(QStringLiteral("m")), 2.5);
    r.set(QStringLiteral("m"), {}, -1);
    QCOMPARE(r.value(QStringLiteral("m")), -1.0);

    // add() starts a missing series from 0.
    const Labels a{{QStringLiteral("k"), QStringLiteral("a")}};
    r.add(QStringLiteral("c"), a);
    r.add(QStringLiteral("c"), a, 2);
    QCOMPARE(r.value(QStringLiteral("c"), a), 3.0);
    QVERIFY(!r.contains(QStringLiteral("c")));
    QVERIFY(!r.contains(QStringLiteral("c"), {{QStringLiteral("k"), QStringLiteral("b")}}));
    QCOMPARE(r.seriesCount(), 2);

    // Labels are a set: the same labels address the same series.
    Labels b;
    b.insert(QStringLiteral("y"), QStringLiteral("2"));
    b.insert(QStringLiteral("x"), QStringLiteral("1"));
    r.set(QStringLiteral("l"), b, 1);
    r.set(QStringLiteral("l"), {{QStringLiteral("x"), QStringLiteral("1")}, {QStringLiteral("y"), QStringLiteral("2")}}, 7);
    QCOMPARE(r.value(QStringLiteral("l"), b), 7.0);
    QCOMPARE(r.seriesCount(), 3);

    // Keys and values that would run together when concatenated stay apart.
    r.set(QStringLiteral("s"), {{QStringLiteral("ab"), QStringLiteral("c")}}, 1);
    r.set(QStringLiteral("s"), {{QStringLiteral("a"), QStringLiteral("bc")}}, 2);
    QCOMPARE(r.value(QStringLiteral("s"), {{QStringLiteral("ab"), QStringLiteral("c")}}), 1.0);
    QCOMPARE(r.value(QStringLiteral("s"), {{QStringLiteral("a"), QStringLiteral("bc")}}), 2.0);
    QCOMPARE(r.seriesCount(), 5);
}

void TestMetricsRegistry::familiesSortedSeriesInOrder()
{
    MetricsRegistry r;
    r.set(QStringLiteral("zeta"), {{QStringLiteral("k"), QStringLiteral("2")}}, 1);
    r.set(QStringLiteral("alpha"), {}, 1);
    r.set(QStringLiteral("zeta"), {{QStringLiteral("k"), QStringLiteral("1")}}, 2);
    r.set(QStringLiteral("zeta"), {{QStringLiteral("k"), QStringLiteral("2")}}, 3);

    const auto families = r.families();
    QCOMPARE(families.size(), 2);
    QCOMPARE(families.at(0).name, QStringLiteral("alpha"));
    QCOMPARE(families.at(1).name, QStringLiteral("zeta"));
    const auto &series = families.at(1).series;
    QCOMPARE(series.size(), 2);
    QCOMPARE(series.at(0).labels.value(QStringLiteral("k")), QStringLiteral("2"));
    QCOMPARE(series.at(0).value, 3.0);
    QCOMPARE(series.at(1).labels.value(QStringLiteral("k")), QStringLiteral("1"));
}

void TestMetricsRegistry::declare()
{
    MetricsRegistry r;
    r.set(QStringLiteral("b"), {}, 1);
    r.declare(QStringLiteral("a"), MetricsRegistry::Type::Counter, QStringLiteral("Runs."));
    r.declare(QStringLiteral("b"), MetricsRegistry::Type::Gauge, QStringLiteral("Later help."));
    const auto families = r.families();
    QCOMPARE(families.size(), 2);
    QCOMPARE(families.at(0).type, MetricsRegistry::Type::Counter);
    QCOMPARE(families.at(0).help, QStringLiteral("Runs."));
    QVERIFY(families.at(0).series.isEmpty());
    QCOMPARE(families.at(1).help, QStringLiteral("Later help."));
    QCOMPARE(families.at(1).series.size(), 1);
    QCOMPARE(r.seriesCount(), 1); // a declaration is no series
}

void TestMetricsRegistry::boundedSeries()
{
    MetricsWarnings warnings;
    MetricsRegistry r(3);
    for (int i = 0; i < 3; ++i)
        r.set(QStringLiteral("m"), {{QStringLiteral("run"), QString::number(i)}}, i);
    QCOMPARE(r.seriesCount(), 3);
    QVERIFY(warnings.messages().isEmpty());

    for (int i = 3; i < 10; ++i) {
        r.set(QStringLiteral("m"), {{QStringLiteral("run"), QString::number(i)}}, i);
        r.add(QStringLiteral("other"), {}, 1);
    }
    QCOMPARE(r.seriesCount(), 3);
    QCOMPARE(r.refusedSeries(), 14);
    QVERIFY(!r.contains(QStringLiteral("m"), {{QStringLiteral("run"), QStringLiteral("5")}}));
    QVERIFY(!r.contains(QStringLiteral("other")));
    // A refused series of a new name leaves no empty family behind.
    QCOMPARE(r.families().size(), 1);

    // Logged once, naming the limit and the first refused series.
    QCOMPARE(warnings.messages().size(), 1);
    QVERIFY2(warnings.messages().at(0).contains(QLatin1String("3")), qPrintable(warnings.messages().at(0)));
    QVERIFY2(warnings.messages().at(0).contains(QLatin1String("m{run=\"3\"}")), qPrintable(warnings.messages().at(0)));

    // Existing series still update.
    r.set(QStringLiteral("m"), {{QStringLiteral("run"), QStringLiteral("1")}}, 42);
    QCOMPARE(r.value(QStringLiteral("m"), {{QStringLiteral("run"), QStringLiteral("1")}}), 42.0);
    QCOMPARE(r.refusedSeries(), 14);
}

void TestMetricsRegistry::exposition()
{
    MetricsRegistry r;
    r.declare(QStringLiteral("jobslib_runs_total"), MetricsRegistry::Type::Counter, QStringLiteral("Task runs by result."));
    r.add(QStringLiteral("jobslib_runs_total"), {{QStringLiteral("task"), QStringLiteral("t")}, {QStringLiteral("result"), QStringLiteral("ok")}}, 3);
    r.add(QStringLiteral("jobslib_runs_total"), {{QStringLiteral("task"), QStringLiteral("t")}, {QStringLiteral("result"), QStringLiteral("failed")}});
    r.set(QStringLiteral("last_successful_run_timestamp"), {{QStringLiteral("task"), QStringLiteral("t")}}, 1795831560);
    r.set(QStringLiteral("job_duration_seconds"), {{QStringLiteral("task"), QStringLiteral("t")}}, 0.5628845691680908);

    // Families by name; undeclared ones are gauges without HELP; labels by name.
    const QByteArray expected = "# TYPE job_duration_seconds gauge\n"
                                "job_duration_seconds{task=\"t\"} 0.5628845691680908\n"
                                "# HELP jobslib_runs_total Task runs by result.\n"
                                "# TYPE jobslib_runs_total counter\n"
                                "jobslib_runs_total{result=\"ok\",task=\"t\"} 3\n"
                                "jobslib_runs_total{result=\"failed\",task=\"t\"} 1\n"
                                "# TYPE last_successful_run_timestamp gauge\n"
                                "last_successful_run_timestamp{task=\"t\"} 1795831560\n";
    QCOMPARE(toPrometheusText(r), expected);
    QCOMPARE(QByteArray(PrometheusContentType), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    QCOMPARE(toPrometheusText(MetricsRegistry()), QByteArray());
}

void TestMetricsRegistry::values_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("text");
    const double inf = std::numeric_limits<double>::infinity();
    QTest::newRow("zero") << 0.0 << QByteArray("0");
    QTest::newRow("negative zero") << -0.0 << QByteArray("0");
    QTest::newRow("one") << 1.0 << QByteArray("1");
    QTest::newRow("negative integer") << -42.0 << QByteArray("-42");
    QTest::newRow("timestamp") << 1795831560.0 << QByteArray("1795831560");
    QTest::newRow("millisecond timestamp") << 1795831560123.0 << QByteArray("1795831560123");
    QTest::newRow("2^53") << 9007199254740992.0 << QByteArray("9007199254740992");
    QTest::newRow("-2^53") << -9007199254740992.0 << QByteArray("-9007199254740992");
    QTest::newRow("beyond 2^53: shortest") << 1e20 << QByteArray("1e+20");
    QTest::newRow("duration") << 0.5628845691680908 << QByteArray("0.5628845691680908");
    QTest::newRow("a tenth") << 0.1 << QByteArray("0.1");
    QTest::newRow("fraction") << -123.25 << QByteArray("-123.25");
    QTest::newRow("tiny") << 1e-7 << QByteArray("1e-07");
    QTest::newRow("smallest denormal") << std::numeric_limits<double>::denorm_min() << QByteArray("5e-324");
    QTest::newRow("largest") << std::numeric_limits<double>::max() << QByteArray("1.7976931348623157e+308");
    QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << QByteArray("NaN");
    QTest::newRow("+inf") << inf << QByteArray("+Inf");
    QTest::newRow("-inf") << -inf << QByteArray("-Inf");
}

void TestMetricsRegistry::values()
{
    QFETCH(double, value);
    QFETCH(QByteArray, text);
    MetricsRegistry r;
    r.set(QStringLiteral("m"), {}, value);
    QCOMPARE(sampleLines(toPrometheusText(r)), QList<QByteArray>{"m " + text});
    // Whatever the form, it reads back as the same double.
    if (!std::isnan(value) && !std::isinf(value)) {
        bool ok = false;
        QCOMPARE(text.toDouble(&ok), value);
        QVERIFY(ok);
    }
}

void TestMetricsRegistry::metricNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("exposed");
    QTest::newRow("valid") << QStringLiteral("jobslib_runs_total") << QByteArray("jobslib_runs_total");
    QTest::newRow("colons kept") << QStringLiteral("job:rate5m") << QByteArray("job:rate5m");
    QTest::newRow("influx measurement") << QStringLiteral("my.metric-name") << QByteArray("my_metric_name");
    QTest::newRow("spaces") << QStringLiteral("run time") << QByteArray("run_time");
    QTest::newRow("leading digit") << QStringLiteral("5xx_count") << QByteArray("_5xx_count");
    QTest::newRow("digits elsewhere") << QStringLiteral("p99") << QByteArray("p99");
    QTest::newRow("leading underscore") << QStringLiteral("_x") << QByteArray("_x");
    QTest::newRow("unicode: one _ per code point") << QStringLiteral("t\u00e9mp\u00e9rature") << QByteArray("t_mp_rature");
    QTest::newRow("outside the BMP") << QString::fromUtf8("\xf0\x9f\x98\x80x") << QByteArray("_x");
    QTest::newRow("empty") << QString() << QByteArray("_");
    QTest::newRow("braces and quotes") << QStringLiteral("a{b=\"c\"}") << QByteArray("a_b__c__");
}

void TestMetricsRegistry::metricNames()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, exposed);
    MetricsRegistry r;
    r.declare(name, MetricsRegistry::Type::Gauge, QStringLiteral("h"));
    r.set(name, {}, 1);
    const QByteArray expected = "# HELP " + exposed + " h\n# TYPE " + exposed + " gauge\n" + exposed + " 1\n";
    QCOMPARE(toPrometheusText(r), expected);
    // The registry keeps the name as given.
    QCOMPARE(r.families().at(0).name, name);
}

void TestMetricsRegistry::labelNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("exposed");
    QTest::newRow("valid") << QStringLiteral("task") << QByteArray("task");
    QTest::newRow("no colons in label names") << QStringLiteral("a:b") << QByteArray("a_b");
    QTest::newRow("dash") << QStringLiteral("host-name") << QByteArray("host_name");
    QTest::newRow("dot") << QStringLiteral("k8s.pod") << QByteArray("k8s_pod");
    QTest::newRow("leading digit") << QStringLiteral("1st") << QByteArray("_1st");
    QTest::newRow("one underscore is fine") << QStringLiteral("_x") << QByteArray("_x");
    QTest::newRow("reserved __ prefix") << QStringLiteral("__name__") << QByteArray("key__name__");
    QTest::newRow("reserved after sanitizing") << QStringLiteral("_.x") << QByteArray("key__x");
    QTest::newRow("unicode") << QStringLiteral("\u00fcber") << QByteArray("_ber");
    QTest::newRow("empty") << QString() << QByteArray("_");
}

void TestMetricsRegistry::labelNames()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, exposed);
    MetricsRegistry r;
    r.set(QStringLiteral("m"), {{name, QStringLiteral("v")}}, 1);
    QCOMPARE(sampleLines(toPrometheusText(r)), QList<QByteArray>{"m{" + exposed + "=\"v\"} 1"});
}

void TestMetricsRegistry::escaping()
{
    MetricsRegistry r;
    r.declare(QStringLiteral("m"), MetricsRegistry::Type::Gauge,
              QStringLiteral("Line one\nline \"two\" with C:\\path \u2603"));
    r.set(QStringLiteral("m"), {{QStringLiteral("v"), QStringLiteral("say \"hi\"\\n\nnext \u2603")}}, 1);
    const QByteArray expected = "# HELP m Line one\\nline \"two\" with C:\\\\path \xe2\x98\x83\n"
                                "# TYPE m gauge\n"
                                "m{v=\"say \\\"hi\\\"\\\\n\\nnext \xe2\x98\x83\"} 1\n";
    QCOMPARE(toPrometheusText(r), expected);
}

void TestMetricsRegistry::emptyFamilyNotExposed()
{
    MetricsRegistry r;
    r.declare(QStringLiteral("declared_only"), MetricsRegistry::Type::Counter, QStringLiteral("Nothing yet."));
    QCOMPARE(toPrometheusText(r), QByteArray());
}

void TestMetricsRegistry::familyNameCollision()
{
    MetricsWarnings warnings;
    MetricsRegistry r;
    // '.' sorts before '_': the dotted name comes first and wins.
    r.set(QStringLiteral("my_metric_name"), {}, 2);
    r.set(QStringLiteral("my.metric-name"), {}, 1);
    r.declare(QStringLiteral("my_metric_name"), MetricsRegistry::Type::Counter, QStringLiteral("The other one."));

    const QByteArray expected = "# TYPE my_metric_name gauge\nmy_metric_name 1\n";
    QCOMPARE(toPrometheusText(r), expected);
    QCOMPARE(warnings.messages().size(), 1);
    const QString message = warnings.messages().at(0);
    QVERIFY2(message.contains(QLatin1String("my_metric_name")) && message.contains(QLatin1String("my.metric-name")), qPrintable(message));

    // Every scrape leaves it out again, but the log says it once.
    QCOMPARE(toPrometheusText(r), expected);
    QCOMPARE(warnings.messages().size(), 1);
    // Both stay in the registry under their own names.
    QCOMPARE(r.value(QStringLiteral("my_metric_name")), 2.0);
    QCOMPARE(r.families().size(), 2);
}

void TestMetricsRegistry::labelNameCollision()
{
    MetricsWarnings warnings;
    MetricsRegistry r;
    // "a-b" and "a.b" both become a_b in one series: the first label (by name) stays.
    r.set(QStringLiteral("m"), {{QStringLiteral("a-b"), QStringLiteral("1")}, {QStringLiteral("a.b"), QStringLiteral("2")}}, 1);
    // These two series differ only in that left-out label: the second would repeat the first.
    r.set(QStringLiteral("n"), {{QStringLiteral("a-b"), QStringLiteral("x")}}, 1);
    r.set(QStringLiteral("n"), {{QStringLiteral("a.b"), QStringLiteral("x")}}, 2);

    const QList<QByteArray> expected{"m{a_b=\"1\"} 1", "n{a_b=\"x\"} 1"};
    QCOMPARE(sampleLines(toPrometheusText(r)), expected);
    QCOMPARE(warnings.messages().size(), 2);
    QCOMPARE(sampleLines(toPrometheusText(r)), expected);
    QCOMPARE(warnings.messages().size(), 2);
}

QHash<QString, QJsonObject> TestMetricsRegistry::parseWithPython(const QByteArray &text)
{
    QHash<QString, QJsonObject> out;
    const auto r = test::run(Python, {parserScript()}, test::cleanEnvironment(), 30000, text);
    if (r.exitCode != 0) {
        qWarning().noquote() << "prometheus_parse.py failed:" << r.err << "\non input:\n" << text;
        return out;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
    if (error.error != QJsonParseError::NoError) {
        qWarning().noquote() << "prometheus_parse.py printed no JSON:" << error.errorString() << r.out;
        return out;
    }
    const QJsonArray families = doc.object().value(QLatin1String("families")).toArray();
    for (const QJsonValue &family : families)
        out.insert(family.toObject().value(QLatin1String("name")).toString(), family.toObject());
    return out;
}

void TestMetricsRegistry::pythonParser()
{
    if (!m_haveParser)
        QSKIP(qPrintable(QStringLiteral("/usr/bin/python3 cannot import prometheus_client; install the Debian package "
                                        "python3-prometheus-client (%1)").arg(m_parserProblem)));

    const double inf = std::numeric_limits<double>::infinity();
    MetricsRegistry r;
    r.declare(QStringLiteral("jobslib_runs_total"), MetricsRegistry::Type::Counter,
              QStringLiteral("Runs \\ by result,\nsecond line \"quoted\" \u2603"));
    r.declare(QStringLiteral("lock_acquisitions"), MetricsRegistry::Type::Counter, QStringLiteral("A counter without _total."));
    r.declare(QStringLiteral("job_duration_seconds"), MetricsRegistry::Type::Gauge, QStringLiteral("Duration of the last run."));
    r.add(QStringLiteral("jobslib_runs_total"), {{QStringLiteral("result"), QStringLiteral("ok")}}, 12);
    r.add(QStringLiteral("lock_acquisitions"), {}, 3);
    r.set(QStringLiteral("job_duration_seconds"), {{QStringLiteral("task"), QStringLiteral("t")}}, 0.5628845691680908);
    r.set(QStringLiteral("last_successful_run_timestamp"), {}, 1795831560);
    r.set(QStringLiteral("my.metric-name"), {{QStringLiteral("host-name"), QStringLiteral("a.example")}}, -2.5e-9);

    // Label values that break naive writers and readers.
    const QStringList nasty{
        QStringLiteral("say \"hi\""),
        QStringLiteral("C:\\temp\\"),
        QStringLiteral("\\n is not a newline"),
        QStringLiteral("two\nlines"),
        QStringLiteral("\\\"\\\\\""),
        QStringLiteral("}{,=\" x=\"y\""),
        QStringLiteral("gr\u00fc\u00dfe \u2603 ") + QString::fromUtf8("\xf0\x9f\x98\x80"),
        QString(),
        QStringLiteral("   spaces   "),
    };
    for (int i = 0; i < nasty.size(); ++i)
        r.set(QStringLiteral("nasty"), {{QStringLiteral("i"), QString::number(i)}, {QStringLiteral("v"), nasty.at(i)}, {QStringLiteral("z"), nasty.at(i)}}, i);
    r.set(QStringLiteral("special"), {{QStringLiteral("v"), QStringLiteral("nan")}}, std::numeric_limits<double>::quiet_NaN());
    r.set(QStringLiteral("special"), {{QStringLiteral("v"), QStringLiteral("+inf")}}, inf);
    r.set(QStringLiteral("special"), {{QStringLiteral("v"), QStringLiteral("-inf")}}, -inf);
    r.set(QStringLiteral("special"), {{QStringLiteral("v"), QStringLiteral("max")}}, std::numeric_limits<double>::max());
    r.set(QStringLiteral("special"), {{QStringLiteral("v"), QStringLiteral("denormal")}}, std::numeric_limits<double>::denorm_min());
    r.set(QStringLiteral("special"), {{QStringLiteral("v"), QStringLiteral("2^53+2")}}, 9007199254740994.0);
    r.set(QStringLiteral("reserved"), {{QStringLiteral("__name__"), QStringLiteral("x")}, {QStringLiteral("1st"), QStringLiteral("y")}}, 1);

    const QByteArray text = toPrometheusText(r);
    const QHash<QString, QJsonObject> parsed = parseWithPython(text);
    QVERIFY2(!parsed.isEmpty(), text.constData());

    // Every family of the registry, as the Python client reports it: a counter family "x_total"
    // is called "x" there, and a counter sample without "_total" gets one (its OpenMetrics view).
    struct Expected
    {
        QString name;
        QString type;
        QString help;
        QString sampleName;
    };
    const auto expectedOf = [](const MetricsRegistry::Family &family, const QString &exposed) {
        Expected e{exposed, QStringLiteral("gauge"), family.help, exposed};
        if (family.type == MetricsRegistry::Type::Counter) {
            e.type = QStringLiteral("counter");
            if (exposed.endsWith(QLatin1String("_total")))
                e.name.chop(6);
            else
                e.sampleName += QLatin1String("_total");
        }
        return e;
    };
    const QHash<QString, QString> exposedNames{
        {QStringLiteral("my.metric-name"), QStringLiteral("my_metric_name")},
    };
    const QHash<QString, QString> exposedLabels{
        {QStringLiteral("host-name"), QStringLiteral("host_name")},
        {QStringLiteral("__name__"), QStringLiteral("key__name__")},
        {QStringLiteral("1st"), QStringLiteral("_1st")},
    };

    const auto families = r.families();
    QCOMPARE(parsed.size(), families.size());
    for (const MetricsRegistry::Family &family : families) {
        const Expected e = expectedOf(family, exposedNames.value(family.name, family.name));
        QVERIFY2(parsed.contains(e.name), qPrintable(e.name));
        const QJsonObject got = parsed.value(e.name);
        QCOMPARE(got.value(QLatin1String("type")).toString(), e.type);
        QCOMPARE(got.value(QLatin1String("help")).toString(), e.help);
        const QJsonArray samples = got.value(QLatin1String("samples")).toArray();
        QCOMPARE(samples.size(), family.series.size());
        for (int i = 0; i < samples.size(); ++i) {
            const QJsonObject sample = samples.at(i).toObject();
            const MetricsRegistry::Series &series = family.series.at(i);
            QCOMPARE(sample.value(QLatin1String("name")).toString(), e.sampleName);
            const QJsonObject labels = sample.value(QLatin1String("labels")).toObject();
            QCOMPARE(labels.size(), series.labels.size());
            for (auto it = series.labels.cbegin(); it != series.labels.cend(); ++it) {
                const QString label = exposedLabels.value(it.key(), it.key());
                QVERIFY2(labels.contains(label), qPrintable(label));
                QCOMPARE(labels.value(label).toString(), it.value());
            }
            const double value = parsedValue(sample.value(QLatin1String("value")).toString());
            QVERIFY2(sameValue(value, series.value),
                     qPrintable(QStringLiteral("%1: %2 != %3").arg(e.name).arg(value, 0, 'g', 17).arg(series.value, 0, 'g', 17)));
        }
    }
}

QTEST_GUILESS_MAIN(TestMetricsRegistry)
#include "tst_metricsregistry.moc"
