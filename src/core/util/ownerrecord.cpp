// SPDX-License-Identifier: BSD-3-Clause
#include "ownerrecord.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace jobslib {

QByteArray pythonJsonString(const QString &s)
{
    QByteArray out;
    out.reserve(s.size() + 2);
    out += '"';
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        switch (u) {
        case u'"':
            out += "\\\"";
            break;
        case u'\\':
            out += "\\\\";
            break;
        case u'\n':
            out += "\\n";
            break;
        case u'\r':
            out += "\\r";
            break;
        case u'\t':
            out += "\\t";
            break;
        case u'\b':
            out += "\\b";
            break;
        case u'\f':
            out += "\\f";
            break;
        default:
            if (u < 0x20 || u > 0x7e)
                out += "\\u" + QByteArray::number(u, 16).rightJustified(4, '0');
            else
                out += char(u);
        }
    }
    out += '"';
    return out;
}

QString pythonTimeText(const QDateTime &t)
{
    return t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

OwnerRecord OwnerRecord::now(const QString &fqdn, const QDateTime &utcNow)
{
    OwnerRecord r;
    r.fqdn = fqdn;
    r.timestamp = utcNow.toSecsSinceEpoch();
    const QDateTime whole = QDateTime::fromSecsSinceEpoch(r.timestamp, Qt::UTC);
    r.timeUtc = pythonTimeText(whole);
    r.timeLocal = pythonTimeText(whole.toLocalTime());
    return r;
}

QByteArray OwnerRecord::toJson() const
{
    QByteArray out = "{\"fqdn\": " + pythonJsonString(fqdn) + ", \"timestamp\": " + QByteArray::number(timestamp)
        + ", \"time_utc\": " + pythonJsonString(timeUtc) + ", \"time_local\": " + pythonJsonString(timeLocal);
    if (pid)
        out += ", \"pid\": " + QByteArray::number(pid);
    if (!datacenter.isEmpty())
        out += ", \"datacenter\": " + pythonJsonString(datacenter);
    if (!version.isEmpty())
        out += ", \"version\": " + pythonJsonString(version);
    if (fencingToken)
        out += ", \"fencing_token\": " + QByteArray::number(fencingToken);
    if (killGrace > 0)
        out += ", \"kill_grace\": " + QByteArray::number(killGrace);
    out += '}';
    return out;
}

Expected<OwnerRecord> OwnerRecord::fromJson(const QByteArray &json)
{
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError)
        return Expected<OwnerRecord>::failure(QStringLiteral("owner record is not JSON: ") + err.errorString());
    if (!doc.isObject())
        return Expected<OwnerRecord>::failure(QStringLiteral("owner record is not a JSON object"));
    const QJsonObject o = doc.object();
    OwnerRecord r;
    r.fqdn = o.value(QLatin1String("fqdn")).toString();
    r.timestamp = qint64(o.value(QLatin1String("timestamp")).toDouble());
    r.timeUtc = o.value(QLatin1String("time_utc")).toString();
    r.timeLocal = o.value(QLatin1String("time_local")).toString();
    r.pid = qint64(o.value(QLatin1String("pid")).toDouble());
    r.datacenter = o.value(QLatin1String("datacenter")).toString();
    r.version = o.value(QLatin1String("version")).toString();
    r.fencingToken = quint64(o.value(QLatin1String("fencing_token")).toDouble());
    // Only a sane value may lengthen a fence: task.kill_grace is 0 to 3600 s.
    const double grace = o.value(QLatin1String("kill_grace")).toDouble();
    r.killGrace = std::isfinite(grace) && grace > 0 ? qMin(grace, 3600.0) : 0;
    return r;
}

} // namespace jobslib
