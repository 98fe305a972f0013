// SPDX-License-Identifier: BSD-3-Clause
#include "actionlog.h"

#include "util/logcategories.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSysInfo>

#include <pwd.h>
#include <unistd.h>

namespace jobslib {

namespace {

/*!
 * The JSON object in json, or why there is none. Both record types share it so that both fail
 * the same way on anything but an object (a dashboard or a script may write any value).
 */
Expected<QJsonObject> jsonObject(const QByteArray &json, const char *what)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return Expected<QJsonObject>::failure(QStringLiteral("%1 is not valid JSON: %2").arg(QLatin1String(what), error.errorString()));
    if (!doc.isObject())
        return Expected<QJsonObject>::failure(QStringLiteral("%1 is not a JSON object").arg(QLatin1String(what)));
    return doc.object();
}

/*! A value of the wrong type counts as missing: the records are read, never rejected, field by field. */
qint64 integerOf(const QJsonObject &o, const QString &key)
{
    const QJsonValue v = o.value(key);
    return v.isDouble() ? v.toInteger(qint64(v.toDouble())) : 0;
}

/*! The 13-digit zero-padded epoch ms keeps keys in time order under a plain string sort (until the year 2286). */
QString eventId(qint64 timeMs)
{
    const quint32 random = QRandomGenerator::global()->generate();
    return QStringLiteral("%1-%2").arg(timeMs, 13, 10, QLatin1Char('0')).arg(random, 8, 16, QLatin1Char('0'));
}

} // namespace

QString handoverKey(const QString &lockKey)
{
    return lockKey + QStringLiteral("/handover");
}

QString eventsPrefix(const QString &lockKey)
{
    return lockKey + QStringLiteral("/events/");
}

QByteArray HandoverRequest::toJson() const
{
    const QJsonObject o{{QStringLiteral("requested_by"), requestedBy}, {QStringLiteral("time_ms"), timeMs}, {QStringLiteral("reason"), reason}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Expected<HandoverRequest> HandoverRequest::fromJson(const QByteArray &json)
{
    const Expected<QJsonObject> o = jsonObject(json, "handover request");
    if (!o)
        return Expected<HandoverRequest>::failure(o.error());
    HandoverRequest r;
    r.requestedBy = o->value(QStringLiteral("requested_by")).toString();
    r.timeMs = integerOf(*o, QStringLiteral("time_ms"));
    r.reason = o->value(QStringLiteral("reason")).toString();
    return r;
}

QByteArray ActionRecord::toJson() const
{
    const QJsonObject o{{QStringLiteral("action"), action}, {QStringLiteral("who"), who},       {QStringLiteral("time_ms"), timeMs},
                        {QStringLiteral("job"), job},       {QStringLiteral("target"), target}, {QStringLiteral("outcome"), outcome},
                        {QStringLiteral("detail"), detail}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Expected<ActionRecord> ActionRecord::fromJson(const QByteArray &json)
{
    const Expected<QJsonObject> o = jsonObject(json, "action record");
    if (!o)
        return Expected<ActionRecord>::failure(o.error());
    ActionRecord r;
    r.action = o->value(QStringLiteral("action")).toString();
    r.who = o->value(QStringLiteral("who")).toString();
    r.timeMs = integerOf(*o, QStringLiteral("time_ms"));
    r.job = o->value(QStringLiteral("job")).toString();
    r.target = o->value(QStringLiteral("target")).toString();
    r.outcome = o->value(QStringLiteral("outcome")).toString();
    r.detail = o->value(QStringLiteral("detail")).toString();
    return r;
}

QString currentActor()
{
    // $USER is what the operator typed as; a service or cron job may not have it set.
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty()) {
        if (const passwd *pw = getpwuid(getuid()))
            user = QString::fromLocal8Bit(pw->pw_name);
    }
    if (user.isEmpty())
        user = QString::number(getuid());
    return user + QLatin1Char('@') + QSysInfo::machineHostName();
}

void recordAction(KvStore &store, const QString &lockKey, const ActionRecord &record, QObject *context, KvStore::Done<bool> done, int keep)
{
    ActionRecord r = record;
    if (r.timeMs <= 0)
        r.timeMs = QDateTime::currentMSecsSinceEpoch();
    const QString prefix = eventsPrefix(lockKey);
    const QString key = prefix + eventId(r.timeMs);
    QPointer<KvStore> storePtr(&store);
    store.put(key, r.toJson(), context, [storePtr, prefix, keep, done](const Expected<bool> &stored) {
        if (done)
            done(stored);
        if (!stored || !storePtr || keep <= 0)
            return;
        // Pruning belongs to the store, not to the caller: it finishes even if the caller is gone.
        KvStore *s = storePtr.data();
        s->list(prefix, s, [storePtr, keep](const Expected<QList<KvItem>> &items) {
            if (!items) {
                qCDebug(lcKv).noquote() << "Action log: can't list it for pruning:" << items.error();
                return;
            }
            // Sorted by key, and keys sort by time: the oldest come first.
            for (qsizetype i = 0; i + keep < items->size() && storePtr; ++i) {
                const QString old = items->at(i).key;
                storePtr->remove(old, storePtr.data(), [old](const Expected<bool> &removed) {
                    if (!removed)
                        qCDebug(lcKv).noquote() << "Action log: can't prune" << old << removed.error();
                });
            }
        });
    });
}

} // namespace jobslib
