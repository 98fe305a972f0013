// SPDX-License-Identifier: BSD-3-Clause
#include "metricsregistry.h"

#include "util/logcategories.h"

#include <charconv>
#include <cmath>

namespace jobslib {

namespace {

// Unambiguous whatever the labels contain (lengths first), so no two label sets share a key.
QString labelKey(const MetricsRegistry::Labels &labels)
{
    QString key;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        key += QString::number(it.key().size()) % u':' % it.key() % QString::number(it.value().size()) % u':' % it.value();
    return key;
}

QString describe(const QString &name, const MetricsRegistry::Labels &labels)
{
    QStringList parts;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        parts += it.key() % QLatin1String("=\"") % it.value() % u'"';
    return parts.isEmpty() ? name : name % u'{' % parts.join(u',') % u'}';
}

} // namespace

MetricsRegistry::MetricsRegistry(int maxSeries)
    : m_maxSeries(qMax(0, maxSeries))
{
}

void MetricsRegistry::declare(const QString &name, Type type, const QString &help)
{
    Entry &entry = m_families[name];
    entry.family.name = name;
    entry.family.type = type;
    entry.family.help = help;
}

void MetricsRegistry::set(const QString &name, const Labels &labels, double value)
{
    if (Series *series = find(name, labels, true))
        series->value = value;
}

void MetricsRegistry::add(const QString &name, const Labels &labels, double delta)
{
    if (Series *series = find(name, labels, true))
        series->value += delta;
}

double MetricsRegistry::value(const QString &name, const Labels &labels) const
{
    const Series *series = find(name, labels);
    return series ? series->value : 0;
}

bool MetricsRegistry::contains(const QString &name, const Labels &labels) const
{
    return find(name, labels) != nullptr;
}

QList<MetricsRegistry::Family> MetricsRegistry::families() const
{
    QList<Family> out;
    out.reserve(m_families.size());
    for (const Entry &entry : m_families)
        out.append(entry.family);
    return out;
}

const MetricsRegistry::Series *MetricsRegistry::find(const QString &name, const Labels &labels) const
{
    const auto entry = m_families.constFind(name);
    if (entry == m_families.cend())
        return nullptr;
    const auto index = entry->index.constFind(labelKey(labels));
    return index == entry->index.cend() ? nullptr : &entry->family.series.at(*index);
}

MetricsRegistry::Series *MetricsRegistry::find(const QString &name, const Labels &labels, bool create)
{
    auto entry = m_families.find(name);
    const QString key = labelKey(labels);
    if (entry != m_families.end()) {
        const auto index = entry->index.constFind(key);
        if (index != entry->index.cend())
            return &entry->family.series[*index];
    }
    if (!create)
        return nullptr;

    if (m_seriesCount >= m_maxSeries) {
        // Typically a task that puts a run id or a timestamp in a tag: every run would add
        // series. One line says it; the count stays readable through refusedSeries().
        if (++m_refused == 1) {
            qCWarning(lcMetrics).noquote() << "The metrics registry holds its maximum of" << m_maxSeries
                                           << "series; new series such as" << describe(name, labels)
                                           << "are left out of /metrics (existing series keep updating)";
        }
        return nullptr;
    }
    if (entry == m_families.end()) {
        entry = m_families.insert(name, Entry());
        entry->family.name = name;
    }
    entry->index.insert(key, entry->family.series.size());
    entry->family.series.append(Series{labels, 0});
    ++m_seriesCount;
    return &entry->family.series.last();
}

// --- Prometheus text exposition format 0.0.4 ---

namespace {

bool isAsciiLetter(uint c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isAsciiDigit(uint c)
{
    return c >= '0' && c <= '9';
}

// Per code point, not per UTF-16 unit, so "é" or an emoji becomes one '_', not two.
QByteArray sanitized(const QString &name, bool allowColon)
{
    QByteArray out;
    const QList<uint> codePoints = name.toUcs4();
    out.reserve(codePoints.size() + 1);
    for (const uint c : codePoints) {
        const bool valid = isAsciiLetter(c) || isAsciiDigit(c) || c == '_' || (allowColon && c == ':');
        out += valid ? char(c) : '_';
    }
    if (out.isEmpty() || isAsciiDigit(uchar(out.at(0))))
        out.prepend('_');
    return out;
}

QByteArray metricName(const QString &name)
{
    return sanitized(name, true);
}

QByteArray labelName(const QString &name)
{
    QByteArray out = sanitized(name, false);
    // Prometheus reserves "__" names for itself and drops them after relabelling.
    if (out.startsWith("__"))
        out.prepend("key");
    return out;
}

QByteArray escapedHelp(const QString &help)
{
    QByteArray out = help.toUtf8();
    out.replace('\\', "\\\\");
    out.replace('\n', "\\n");
    return out;
}

QByteArray escapedLabelValue(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\");
    out.replace('"', "\\\"");
    out.replace('\n', "\\n");
    return out;
}

QByteArray formattedValue(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    // Up to 2^53 every integer is exact, so the digits are the value (a Unix timestamp, a count).
    constexpr double exactIntegers = 9007199254740992.0;
    if (value == std::trunc(value) && std::fabs(value) <= exactIntegers)
        return QByteArray::number(qint64(value));
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, value);
    return QByteArray(buf, int(res.ptr - buf));
}

} // namespace

QByteArray toPrometheusText(const MetricsRegistry &registry)
{
    const auto reportOnce = [&registry](const QString &key, const QString &message) {
        if (registry.m_reportedConflicts.contains(key))
            return;
        registry.m_reportedConflicts.insert(key);
        qCWarning(lcMetrics).noquote() << message;
    };

    QByteArray out;
    QHash<QByteArray, QString> familyOfName; // exposed name -> the registry name that has it
    for (const MetricsRegistry::Entry &entry : registry.m_families) {
        const MetricsRegistry::Family &family = entry.family;
        if (family.series.isEmpty())
            continue;
        const QByteArray name = metricName(family.name);
        const auto owner = familyOfName.constFind(name);
        if (owner != familyOfName.cend()) {
            reportOnce(QLatin1String("family\n") + family.name,
                       QStringLiteral("Metric %1 is left out of /metrics: its Prometheus name %2 is already the name of metric %3")
                           .arg(family.name, QString::fromLatin1(name), *owner));
            continue;
        }
        familyOfName.insert(name, family.name);

        if (!family.help.isEmpty())
            out += "# HELP " + name + ' ' + escapedHelp(family.help) + '\n';
        out += "# TYPE " + name + (family.type == MetricsRegistry::Type::Counter ? " counter\n" : " gauge\n");

        QSet<QByteArray> exposedLabelSets;
        for (const MetricsRegistry::Series &series : family.series) {
            QByteArray labels;
            QHash<QByteArray, QString> labelOfName;
            for (auto it = series.labels.cbegin(); it != series.labels.cend(); ++it) {
                const QByteArray label = labelName(it.key());
                const auto earlier = labelOfName.constFind(label);
                if (earlier != labelOfName.cend()) {
                    reportOnce(QLatin1String("label\n") % family.name % u'\n' % it.key(),
                               QStringLiteral("Label %1 of metric %2 is left out of /metrics: its Prometheus name %3 is already the name of label %4")
                                   .arg(it.key(), family.name, QString::fromLatin1(label), *earlier));
                    continue;
                }
                labelOfName.insert(label, it.key());
                labels += (labels.isEmpty() ? "{" : ",") + label + "=\"" + escapedLabelValue(it.value()) + '"';
            }
            if (!labels.isEmpty())
                labels += '}';
            if (exposedLabelSets.contains(labels)) {
                reportOnce(QLatin1String("series\n") % describe(family.name, series.labels),
                           QStringLiteral("Series %1 is left out of /metrics: its Prometheus labels equal those of an earlier series")
                               .arg(describe(family.name, series.labels)));
                continue;
            }
            exposedLabelSets.insert(labels);
            out += name + labels + ' ' + formattedValue(series.value) + '\n';
        }
    }
    return out;
}

} // namespace jobslib
