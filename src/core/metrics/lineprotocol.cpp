// SPDX-License-Identifier: BSD-3-Clause
#include "lineprotocol.h"

#include "util/ownerrecord.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace jobslib {

QByteArray pythonFloatRepr(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("nan");
    if (std::isinf(value))
        return value < 0 ? QByteArrayLiteral("-inf") : QByteArrayLiteral("inf");

    // The shortest round-trip digits in scientific form ("1.79583156e+09"), laid out again by
    // Python's rule. Plain shortest to_chars picks whichever form is shorter, which differs
    // from Python (1e15 is "1000000000000000.0" there).
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    const QByteArray sci(buf, int(res.ptr - buf));
    const qsizetype e = sci.indexOf('e');
    QByteArray mantissa = sci.left(e);
    const int exponent = std::atoi(sci.constData() + e + 1);
    QByteArray sign;
    if (mantissa.startsWith('-')) {
        sign = "-";
        mantissa.remove(0, 1);
    }
    mantissa.replace('.', QByteArray());
    const QByteArray &digits = mantissa; // d1 d2 d3...: value = d1.d2d3... * 10^exponent

    QByteArray out = sign;
    if (exponent >= -4 && exponent < 16) {
        if (exponent >= 0) {
            const QByteArray whole = digits.left(exponent + 1).leftJustified(exponent + 1, '0');
            const QByteArray fraction = digits.mid(exponent + 1);
            out += whole + '.' + (fraction.isEmpty() ? QByteArray("0") : fraction);
        } else {
            out += "0." + QByteArray(-exponent - 1, '0') + digits;
        }
    } else {
        out += digits.left(1);
        if (digits.size() > 1)
            out += '.' + digits.mid(1);
        out += exponent < 0 ? "e-" : "e+";
        out += QByteArray::number(std::abs(exponent)).rightJustified(2, '0');
    }
    return out;
}

namespace {

QByteArray escaped(const QString &text, bool escapeEquals)
{
    QByteArray out;
    const QByteArray utf8 = text.toUtf8();
    out.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == ',' || c == ' ' || (escapeEquals && c == '=')) {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            // A raw newline would end the line in the middle of a point.
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

QByteArray toLineProtocol(const QList<MetricPoint> &points)
{
    QByteArray out;
    for (const MetricPoint &p : points) {
        out += escaped(p.measurement, false);
        // QMap iterates in key order: the sorted tags Python writes.
        for (auto it = p.tags.cbegin(); it != p.tags.cend(); ++it) {
            if (it.key().isEmpty() || it.value().isEmpty())
                continue;
            out += ',' + escaped(it.key(), true) + '=' + escaped(it.value(), true);
        }
        out += " value=" + pythonFloatRepr(p.value) + ' ' + QByteArray::number(p.timestampNs) + '\n';
    }
    return out;
}

QByteArray toJsonLines(const QList<MetricPoint> &points)
{
    QByteArray out;
    for (const MetricPoint &p : points) {
        // Written by hand to keep the documented key order (QJsonObject sorts keys).
        out += "{\"measurement\":" + pythonJsonString(p.measurement) + ",\"tags\":{";
        bool first = true;
        for (auto it = p.tags.cbegin(); it != p.tags.cend(); ++it) {
            if (it.key().isEmpty() || it.value().isEmpty())
                continue;
            if (!first)
                out += ',';
            first = false;
            out += pythonJsonString(it.key()) + ':' + pythonJsonString(it.value());
        }
        // JSON has no inf or nan.
        const QByteArray value = std::isfinite(p.value) ? pythonFloatRepr(p.value) : QByteArray("null");
        out += "},\"value\":" + value + ",\"timestamp_ns\":" + QByteArray::number(p.timestampNs) + "}\n";
    }
    return out;
}

} // namespace jobslib
