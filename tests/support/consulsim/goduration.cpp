// SPDX-License-Identifier: BSD-3-Clause
#include "goduration.h"

#include <QByteArray>

#include <limits>

namespace jobslib::consulsim::goduration {

namespace {

constexpr quint64 Limit = quint64(1) << 63;

QString invalid(const QByteArray &orig)
{
    return QStringLiteral("time: invalid duration ") + quote(QString::fromUtf8(orig));
}

// Go's leadingInt: digits as an integer, failing on overflow past 1<<63.
bool leadingInt(const QByteArray &s, int &pos, quint64 &x)
{
    x = 0;
    for (; pos < s.size(); ++pos) {
        const char c = s.at(pos);
        if (c < '0' || c > '9')
            break;
        if (x > Limit / 10)
            return false;
        x = x * 10 + quint64(c - '0');
        if (x > Limit)
            return false;
    }
    return true;
}

// Go's leadingFraction: digits after the point; further digits past the precision are dropped.
void leadingFraction(const QByteArray &s, int &pos, quint64 &x, double &scale)
{
    x = 0;
    scale = 1;
    bool overflow = false;
    for (; pos < s.size(); ++pos) {
        const char c = s.at(pos);
        if (c < '0' || c > '9')
            break;
        if (overflow)
            continue;
        if (x > (Limit - 1) / 10) {
            overflow = true;
            continue;
        }
        const quint64 y = x * 10 + quint64(c - '0');
        if (y > Limit) {
            overflow = true;
            continue;
        }
        x = y;
        scale *= 10;
    }
}

quint64 unitValue(const QByteArray &unit, bool *ok)
{
    *ok = true;
    if (unit == "ns")
        return quint64(Nanosecond);
    if (unit == "us" || unit == "\xc2\xb5s" /* U+00B5 */ || unit == "\xce\xbcs" /* U+03BC */)
        return quint64(Microsecond);
    if (unit == "ms")
        return quint64(Millisecond);
    if (unit == "s")
        return quint64(Second);
    if (unit == "m")
        return quint64(Minute);
    if (unit == "h")
        return quint64(Hour);
    *ok = false;
    return 0;
}

// Go's fmtFrac: writes ".ddd" (trailing zeros dropped) in front of buf and returns v / 10^prec.
quint64 fmtFrac(QByteArray &buf, quint64 v, int prec)
{
    bool print = false;
    QByteArray digits;
    for (int i = 0; i < prec; ++i) {
        const quint64 digit = v % 10;
        print = print || digit != 0;
        if (print)
            digits.prepend(char('0' + digit));
        v /= 10;
    }
    if (print)
        buf.prepend("." + digits);
    return v;
}

void fmtInt(QByteArray &buf, quint64 v)
{
    buf.prepend(QByteArray::number(v));
}

} // namespace

QString quote(const QString &text)
{
    const QByteArray s = text.toUtf8();
    QByteArray out = "\"";
    static const char hex[] = "0123456789abcdef";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x80 || c < ' ') {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            if (c == '"' || c == '\\')
                out += '\\';
            out += char(c);
        }
    }
    out += '"';
    return QString::fromUtf8(out);
}

bool parse(const QString &text, qint64 *nanoseconds, QString *error)
{
    const QByteArray orig = text.toUtf8();
    int pos = 0;
    bool neg = false;
    if (!orig.isEmpty() && (orig.at(0) == '-' || orig.at(0) == '+')) {
        neg = orig.at(0) == '-';
        pos = 1;
    }
    if (orig.mid(pos) == "0") {
        *nanoseconds = 0;
        return true;
    }
    if (pos == orig.size()) {
        *error = invalid(orig);
        return false;
    }
    quint64 d = 0;
    while (pos < orig.size()) {
        const char first = orig.at(pos);
        if (!(first == '.' || (first >= '0' && first <= '9'))) {
            *error = invalid(orig);
            return false;
        }
        quint64 v = 0;
        const int intStart = pos;
        if (!leadingInt(orig, pos, v)) {
            *error = invalid(orig);
            return false;
        }
        const bool pre = pos != intStart;
        quint64 f = 0;
        double scale = 1;
        bool post = false;
        if (pos < orig.size() && orig.at(pos) == '.') {
            ++pos;
            const int fracStart = pos;
            leadingFraction(orig, pos, f, scale);
            post = pos != fracStart;
        }
        if (!pre && !post) {
            *error = invalid(orig);
            return false;
        }
        int unitEnd = pos;
        while (unitEnd < orig.size()) {
            const char c = orig.at(unitEnd);
            if (c == '.' || (c >= '0' && c <= '9'))
                break;
            ++unitEnd;
        }
        if (unitEnd == pos) {
            *error = QStringLiteral("time: missing unit in duration ") + quote(text);
            return false;
        }
        const QByteArray unitText = orig.mid(pos, unitEnd - pos);
        pos = unitEnd;
        bool known = false;
        const quint64 unit = unitValue(unitText, &known);
        if (!known) {
            *error = QStringLiteral("time: unknown unit ") + quote(QString::fromUtf8(unitText)) + QStringLiteral(" in duration ")
                + quote(text);
            return false;
        }
        if (v > Limit / unit) {
            *error = invalid(orig);
            return false;
        }
        v *= unit;
        if (f > 0) {
            v += quint64(double(f) * (double(unit) / scale));
            if (v > Limit) {
                *error = invalid(orig);
                return false;
            }
        }
        d += v;
        if (d > Limit) {
            *error = invalid(orig);
            return false;
        }
    }
    if (neg) {
        *nanoseconds = d == Limit ? std::numeric_limits<qint64>::min() : -qint64(d);
        return true;
    }
    if (d > Limit - 1) {
        *error = invalid(orig);
        return false;
    }
    *nanoseconds = qint64(d);
    return true;
}

QString format(qint64 nanoseconds)
{
    const bool neg = nanoseconds < 0;
    quint64 u = neg ? quint64(0) - quint64(nanoseconds) : quint64(nanoseconds);
    QByteArray buf;
    if (u < quint64(Second)) {
        int prec = 0;
        if (u == 0)
            return QStringLiteral("0s");
        if (u < quint64(Microsecond)) {
            prec = 0;
            buf = "ns";
        } else if (u < quint64(Millisecond)) {
            prec = 3;
            buf = "\xc2\xb5s";
        } else {
            prec = 6;
            buf = "ms";
        }
        u = fmtFrac(buf, u, prec);
        fmtInt(buf, u);
    } else {
        buf = "s";
        u = fmtFrac(buf, u, 9);
        fmtInt(buf, u % 60);
        u /= 60;
        if (u > 0) {
            buf.prepend('m');
            fmtInt(buf, u % 60);
            u /= 60;
            if (u > 0) {
                buf.prepend('h');
                fmtInt(buf, u);
            }
        }
    }
    if (neg)
        buf.prepend('-');
    return QString::fromUtf8(buf);
}

} // namespace jobslib::consulsim::goduration
