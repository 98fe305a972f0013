// SPDX-License-Identifier: BSD-3-Clause
// The Consul simulator against the acceptance list of issue 3, through a real HTTP client
// (QNetworkAccessManager) on a loopback port. Every expectation comes from
// ../shared/reference/consul-http-api.md; the section is named where it is not obvious.
#include "agent.h"
#include "blockingqueries.h"
#include "consulsimulator.h"
#include "sessiontimers.h"
#include "statestore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace jobslib::consulsim;

namespace {

constexpr int Deadline = 5000;

struct Reply
{
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    qint64 elapsedMs = 0;

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
    QJsonObject first() const { return json().array().at(0).toObject(); }
    quint64 index() const { return header("X-Consul-Index").toULongLong(); }
};

/*! A client with its own connections, so a parked blocking query never holds up another client's request. */
class Client
{
public:
    explicit Client(const ConsulSimulator &sim)
        : m_base(QStringLiteral("http://") + sim.address())
    {
    }

    QNetworkReply *start(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body = {},
                         const QList<QPair<QByteArray, QByteArray>> &headers = {}, int transferTimeoutMs = 0)
    {
        QNetworkRequest request(QUrl::fromEncoded((m_base + pathAndQuery).toUtf8()));
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        if (transferTimeoutMs > 0)
            request.setTransferTimeout(transferTimeoutMs);
        for (const auto &h : headers)
            request.setRawHeader(h.first, h.second);
        QNetworkReply *reply = nullptr;
        if (method == "PUT" || !body.isEmpty())
            reply = m_nam.sendCustomRequest(request, method, body);
        else
            reply = m_nam.sendCustomRequest(request, method);
        m_timers.insert(reply, QElapsedTimer());
        m_timers[reply].start();
        return reply;
    }

    Reply finish(QNetworkReply *reply, int timeoutMs = Deadline)
    {
        Reply r;
        // QSignalSpy::wait returns as soon as the signal comes (qWaitFor polls in 10 ms steps).
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished() && !done.wait(timeoutMs)) {
            r.status = -1;
            reply->abort();
            reply->deleteLater();
            return r;
        }
        r.elapsedMs = m_timers.take(reply).elapsed();
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.error = reply->error();
        r.body = reply->readAll();
        for (const auto &h : reply->rawHeaderPairs())
            r.headers.insert(h.first.toLower(), h.second);
        reply->deleteLater();
        return r;
    }

    Reply send(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body = {},
               const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return finish(start(method, pathAndQuery, body, headers));
    }
    Reply get(const QString &p, const QList<QPair<QByteArray, QByteArray>> &headers = {}) { return send("GET", p, {}, headers); }
    Reply put(const QString &p, const QByteArray &body = {}, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return send("PUT", p, body, headers);
    }
    Reply del(const QString &p) { return send("DELETE", p); }

    QString createSession(const QByteArray &body = {})
    {
        const Reply r = put(QStringLiteral("/v1/session/create"), body);
        return r.json().object().value(QStringLiteral("ID")).toString();
    }

private:
    QString m_base;
    QNetworkAccessManager m_nam;
    QHash<QNetworkReply *, QElapsedTimer> m_timers;
};

QByteArray base64(const QJsonObject &entry)
{
    return QByteArray::fromBase64(entry.value(QStringLiteral("Value")).toString().toLatin1());
}

} // namespace

class TestConsulSimulator : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ConsulSimulator> m_sim;
    std::unique_ptr<Client> m_client;

    void startSim(ConsulSimulator::Options options = {})
    {
        options.nodeName = QStringLiteral("node1");
        m_client.reset();
        m_sim = std::make_unique<ConsulSimulator>(options);
        QString error;
        QVERIFY2(m_sim->start(&error), qPrintable(error));
        m_client = std::make_unique<Client>(*m_sim);
    }

private Q_SLOTS:
    void init() { startSim(); }
    void cleanup()
    {
        m_client.reset();
        m_sim.reset();
    }

    // ---------------------------------------------------------------- sessions (§3)

    void sessionCreateDefaults()
    {
        Client &c = *m_client;
        const Reply created = c.put(QStringLiteral("/v1/session/create"));
        QCOMPARE(created.status, 200);
        QCOMPARE(created.header("Content-Type"), QByteArray("application/json"));
        QVERIFY(created.header("X-Consul-Index").isEmpty()); // writes carry no index
        const QString id = created.json().object().value(QStringLiteral("ID")).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")).match(id).hasMatch());

        const Reply info = c.get(QStringLiteral("/v1/session/info/") + id);
        QCOMPARE(info.status, 200);
        const QJsonObject s = info.first();
        QCOMPARE(s.value(QStringLiteral("LockDelay")).toInteger(), 15000000000LL);
        QCOMPARE(s.value(QStringLiteral("Behavior")).toString(), QStringLiteral("release"));
        QCOMPARE(s.value(QStringLiteral("TTL")).toString(), QString());
        QCOMPARE(s.value(QStringLiteral("Node")).toString(), QStringLiteral("node1"));
        QCOMPARE(s.value(QStringLiteral("NodeChecks")).toArray(), QJsonArray{QStringLiteral("serfHealth")});
        QVERIFY(!s.contains(QStringLiteral("Checks")));
        QCOMPARE(s.value(QStringLiteral("CreateIndex")), s.value(QStringLiteral("ModifyIndex")));
        QCOMPARE(info.index(), quint64(s.value(QStringLiteral("CreateIndex")).toInteger()));
        QCOMPARE(info.header("X-Consul-KnownLeader"), QByteArray("true"));
        QCOMPARE(info.header("X-Consul-LastContact"), QByteArray("0"));
        // Field order as Consul's struct.
        QVERIFY(info.body.startsWith(QByteArray("[{\"ID\":\"" + id.toLatin1() + "\",\"Name\":\"\",\"Node\":\"node1\",\"LockDelay\":15000000000,")));
    }

    void sessionCreateBodies_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("text");    // exact error body, or a field check "Field=value"
        QTest::newRow("ttl too small") << QByteArray(R"({"TTL":"5s"})") << 500
                                       << QStringLiteral("Invalid Session TTL '5000000000', must be between [10s=24h0m0s]");
        QTest::newRow("ttl too large") << QByteArray(R"({"ttl":"86401s"})") << 500
                                       << QStringLiteral("Invalid Session TTL '86401000000000', must be between [10s=24h0m0s]");
        QTest::newRow("ttl bad unit") << QByteArray(R"({"TTL":"10z"})") << 500
                                      << QStringLiteral(R"(Session TTL '10z' invalid: time: unknown unit "z" in duration "10z")");
        QTest::newRow("ttl no unit") << QByteArray(R"({"TTL":"15"})") << 500
                                     << QStringLiteral(R"(Session TTL '15' invalid: time: missing unit in duration "15")");
        QTest::newRow("ttl 0s is none") << QByteArray(R"({"TTL":"0s"})") << 200 << QStringLiteral("TTL=0s");
        QTest::newRow("ttl ms form") << QByteArray(R"({"ttl":"10000ms"})") << 200 << QStringLiteral("TTL=10000ms");
        QTest::newRow("lockdelay seconds number") << QByteArray(R"({"LockDelay":15})") << 200 << QStringLiteral("LockDelay=15000000000");
        QTest::newRow("lockdelay ns number") << QByteArray(R"({"LockDelay":2000000000})") << 200 << QStringLiteral("LockDelay=2000000000");
        QTest::newRow("lockdelay 500ns is 500s") << QByteArray(R"({"lockdelay":"500ns"})") << 200 << QStringLiteral("LockDelay=500000000000");
        QTest::newRow("lockdelay string") << QByteArray(R"({"lockdelay":"1s"})") << 200 << QStringLiteral("LockDelay=1000000000");
        QTest::newRow("lockdelay zero") << QByteArray(R"({"LockDelay":"0"})") << 200 << QStringLiteral("LockDelay=0");
        QTest::newRow("lockdelay bad") << QByteArray(R"({"LockDelay":"abc"})") << 400
                                       << QStringLiteral(R"(Request decode failed: time: invalid duration "abc")");
        QTest::newRow("behavior delete") << QByteArray(R"({"behavior":"delete"})") << 200 << QStringLiteral("Behavior=delete");
        QTest::newRow("behavior empty") << QByteArray(R"({"Behavior":""})") << 200 << QStringLiteral("Behavior=release");
        QTest::newRow("behavior bad") << QByteArray(R"({"Behavior":"keep"})") << 500 << QStringLiteral("Invalid Behavior setting 'keep'");
        QTest::newRow("unknown node") << QByteArray(R"({"Node":"elsewhere"})") << 500 << QStringLiteral("Missing node registration");
        QTest::newRow("node other case") << QByteArray(R"({"Node":"NODE1"})") << 200 << QStringLiteral("Node=NODE1");
        QTest::newRow("empty node") << QByteArray(R"({"Node":""})") << 500 << QStringLiteral("Must provide Node");
        QTest::newRow("missing check") << QByteArray(R"({"NodeChecks":["nope"]})") << 500 << QStringLiteral("Missing check 'nope' registration");
        QTest::newRow("bad json") << QByteArray("{\"TTL\":") << 400 << QStringLiteral("Request decode failed: unexpected EOF");
        QTest::newRow("unknown field ok") << QByteArray(R"({"Foo":1,"Name":"n"})") << 200 << QStringLiteral("Name=n");
    }

    void sessionCreateBodies()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, text);
        Client &c = *m_client;
        const Reply r = c.put(QStringLiteral("/v1/session/create"), body);
        QCOMPARE(r.status, status);
        if (status != 200) {
            QCOMPARE(QString::fromUtf8(r.body), text);
            QCOMPARE(r.header("Content-Type"), QByteArray("text/plain; charset=utf-8"));
            return;
        }
        const QString id = r.json().object().value(QStringLiteral("ID")).toString();
        const QJsonObject s = c.get(QStringLiteral("/v1/session/info/") + id).first();
        const QString field = text.section(QLatin1Char('='), 0, 0);
        const QString expected = text.section(QLatin1Char('='), 1);
        const QJsonValue v = s.value(field);
        QCOMPARE(v.isDouble() ? QString::number(v.toInteger()) : v.toString(), expected);
    }

    void sessionCheckLists()
    {
        Client &c = *m_client;
        // A TTL check starts critical: a session cannot be bound to it yet (§3.2 pitfall).
        QCOMPARE(c.put(QStringLiteral("/v1/agent/check/register"), R"({"name":"a","ttl":"30s"})").status, 200);
        Reply r = c.put(QStringLiteral("/v1/session/create"), R"({"Checks":["a"]})");
        QCOMPARE(r.status, 500);
        QCOMPARE(r.body, QByteArray("Check 'a' is in critical state"));
        QCOMPARE(c.put(QStringLiteral("/v1/agent/check/pass/a")).status, 200);

        const auto sessionOf = [&](const QByteArray &body) {
            const QString id = c.createSession(body);
            return c.get(QStringLiteral("/v1/session/info/") + id).first();
        };
        QJsonObject s = sessionOf(R"({"Checks":["a"]})");
        QCOMPARE(s.value(QStringLiteral("Checks")).toArray(), QJsonArray{QStringLiteral("a")});
        QCOMPARE(s.value(QStringLiteral("NodeChecks")).toArray(), QJsonArray{QStringLiteral("serfHealth")});
        s = sessionOf(R"({"Checks":[]})");
        QCOMPARE(s.value(QStringLiteral("NodeChecks")).toArray(), QJsonArray());
        QVERIFY(!s.contains(QStringLiteral("Checks")));
        s = sessionOf(R"({"checks":null})");
        QCOMPARE(s.value(QStringLiteral("NodeChecks")).toArray(), QJsonArray());
        s = sessionOf(R"({"NodeChecks":[]})");
        QVERIFY(s.value(QStringLiteral("NodeChecks")).toArray().isEmpty());
        s = sessionOf(R"({"NodeChecks":["serfHealth","a"]})");
        QCOMPARE(s.value(QStringLiteral("NodeChecks")).toArray(), (QJsonArray{QStringLiteral("serfHealth"), QStringLiteral("a")}));

        // Bound to a: a turning critical invalidates it (§3.6 rule 3).
        const QString bound = c.createSession(R"({"Checks":["a"],"LockDelay":"0"})");
        QCOMPARE(c.put(QStringLiteral("/v1/kv/held?acquire=") + bound, "v").body, QByteArray("true"));
        QCOMPARE(c.put(QStringLiteral("/v1/agent/check/fail/a?note=down")).status, 200);
        QCOMPARE(c.get(QStringLiteral("/v1/session/info/") + bound).body, QByteArray("[]"));
        QVERIFY(!c.get(QStringLiteral("/v1/kv/held")).first().contains(QStringLiteral("Session")));
    }

    void sessionRenewDestroyListNode()
    {
        Client &c = *m_client;
        Reply r = c.put(QStringLiteral("/v1/session/renew/00000000-0000-0000-0000-000000000000"));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.body, QByteArray("Session id '00000000-0000-0000-0000-000000000000' not found"));
        QCOMPARE(c.put(QStringLiteral("/v1/session/renew/")).body, QByteArray("Missing session"));

        const QString a = c.createSession(R"({"Name":"a","TTL":"10s"})");
        const quint64 listIndex = c.get(QStringLiteral("/v1/session/list")).index();
        r = c.put(QStringLiteral("/v1/session/renew/") + a);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().array().size(), 1);
        QCOMPARE(r.first().value(QStringLiteral("ID")).toString(), a);
        QCOMPARE(r.first().value(QStringLiteral("TTL")).toString(), QStringLiteral("10s"));
        // Renew touches no index.
        QCOMPARE(c.get(QStringLiteral("/v1/session/list")).index(), listIndex);

        const QString b = c.createSession(R"({"Name":"b"})");
        r = c.get(QStringLiteral("/v1/session/list"));
        QCOMPARE(r.json().array().size(), 2);
        QVERIFY(r.index() > listIndex);
        QCOMPARE(c.get(QStringLiteral("/v1/session/node/node1")).json().array().size(), 2);
        QCOMPARE(c.get(QStringLiteral("/v1/session/node/NODE1")).json().array().size(), 2);
        QCOMPARE(c.get(QStringLiteral("/v1/session/node/other")).body, QByteArray("[]"));
        QCOMPARE(c.get(QStringLiteral("/v1/session/node/")).body, QByteArray("Missing node name"));

        r = c.put(QStringLiteral("/v1/session/destroy/") + b);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("true"));
        QCOMPARE(c.put(QStringLiteral("/v1/session/destroy/") + b).body, QByteArray("true"));
        QCOMPARE(c.put(QStringLiteral("/v1/session/destroy/no-such-session")).body, QByteArray("true"));
        QCOMPARE(c.get(QStringLiteral("/v1/session/info/") + b).body, QByteArray("[]"));
        QCOMPARE(c.put(QStringLiteral("/v1/session/renew/") + b).status, 404);
        QCOMPARE(c.get(QStringLiteral("/v1/session/list")).json().array().size(), 1);
    }

    void sessionTtlExpiry()
    {
        ConsulSimulator::Options o;
        o.ttlMultiplier = 0.2; // a 10 s TTL expires after 2 s
        startSim(o);
        Client &c = *m_client;
        QElapsedTimer t;
        t.start();
        const QString id = c.createSession(R"({"TTL":"10s","LockDelay":"0"})");
        QCOMPARE(c.put(QStringLiteral("/v1/kv/job/lock?acquire=") + id, "me").body, QByteArray("true"));
        const qint64 first = m_sim->sessionTimers()->remainingMs(id);
        QVERIFY2(first > 1500 && first <= 2000, qPrintable(QString::number(first)));
        // A renewal starts the 2 s again.
        QVERIFY(QTest::qWaitFor([&] { return m_sim->sessionTimers()->remainingMs(id) < first - 100; }, Deadline));
        QCOMPARE(c.put(QStringLiteral("/v1/session/renew/") + id).status, 200);
        QVERIFY(m_sim->sessionTimers()->remainingMs(id) > first - 50);
        QElapsedTimer sinceRenew;
        sinceRenew.start();
        QVERIFY(QTest::qWaitFor([&] { return m_sim->store()->session(id) == nullptr; }, Deadline));
        QVERIFY2(sinceRenew.elapsed() >= 1900, qPrintable(QString::number(sinceRenew.elapsed())));
        QCOMPARE(c.get(QStringLiteral("/v1/session/info/") + id).body, QByteArray("[]"));
        const QJsonObject key = c.get(QStringLiteral("/v1/kv/job/lock")).first();
        QVERIFY(!key.contains(QStringLiteral("Session")));
        QCOMPARE(base64(key), QByteArray("me")); // released, value kept
        QCOMPARE(c.put(QStringLiteral("/v1/session/renew/") + id).status, 404);
        // Runtime multiplier change applies to running timers too.
        const QString other = c.createSession(R"({"TTL":"10s"})");
        m_sim->setTtlMultiplier(0.05);
        QVERIFY(m_sim->sessionTimers()->remainingMs(other) <= 500);
        QVERIFY(QTest::qWaitFor([&] { return m_sim->store()->session(other) == nullptr; }, Deadline));
    }

    void invalidationReleasesAndStartsLockDelay()
    {
        ConsulSimulator::Options o;
        o.lockDelayCapMs = 300; // the cap, so the default 15 s lock-delay ends quickly
        startSim(o);
        Client &c = *m_client;
        const QString a = c.createSession();
        QCOMPARE(c.put(QStringLiteral("/v1/kv/svc/leader?flags=42&acquire=") + a, "holder-a").body, QByteArray("true"));
        const QJsonObject before = c.get(QStringLiteral("/v1/kv/svc/leader")).first();
        QCOMPARE(before.value(QStringLiteral("Session")).toString(), a);

        QCOMPARE(c.put(QStringLiteral("/v1/session/destroy/") + a).body, QByteArray("true"));
        const QJsonObject after = c.get(QStringLiteral("/v1/kv/svc/leader")).first();
        QVERIFY(!after.contains(QStringLiteral("Session")));
        QCOMPARE(after.value(QStringLiteral("LockIndex")), before.value(QStringLiteral("LockIndex")));
        QCOMPARE(after.value(QStringLiteral("Flags")).toInteger(), 42);
        QCOMPARE(base64(after), QByteArray("holder-a"));
        QVERIFY(after.value(QStringLiteral("ModifyIndex")).toInteger() > before.value(QStringLiteral("ModifyIndex")).toInteger());

        // Lock-delay: every session is refused, the key shows no Session.
        const qint64 delay = m_sim->store()->lockDelayRemainingMs(QStringLiteral("svc/leader"));
        QVERIFY2(delay > 0 && delay <= 300, qPrintable(QString::number(delay)));
        const QString b = c.createSession();
        Reply r = c.put(QStringLiteral("/v1/kv/svc/leader?acquire=") + b, "holder-b");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("false"));
        // Plain writes are not blocked by lock-delay.
        QCOMPARE(c.put(QStringLiteral("/v1/kv/svc/other"), "x").body, QByteArray("true"));
        QVERIFY(QTest::qWaitFor([&] { return m_sim->store()->lockDelayRemainingMs(QStringLiteral("svc/leader")) == 0; }, Deadline));
        r = c.put(QStringLiteral("/v1/kv/svc/leader?acquire=") + b, "holder-b");
        QCOMPARE(r.body, QByteArray("true"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/svc/leader")).first().value(QStringLiteral("LockIndex")).toInteger(),
                 before.value(QStringLiteral("LockIndex")).toInteger() + 1);

        // A release starts no lock-delay.
        QCOMPARE(c.put(QStringLiteral("/v1/kv/svc/leader?release=") + b).body, QByteArray("true"));
        QCOMPARE(m_sim->store()->lockDelayRemainingMs(QStringLiteral("svc/leader")), 0);

        // Behavior delete: the held key goes away; a new acquire starts again at LockIndex 1.
        const QString d = c.createSession(R"({"Behavior":"delete","LockDelay":"0"})");
        QCOMPARE(c.put(QStringLiteral("/v1/kv/eph?acquire=") + d, "x").body, QByteArray("true"));
        QCOMPARE(c.put(QStringLiteral("/v1/kv/eph?acquire=") + d, "y").body, QByteArray("true"));
        QCOMPARE(c.put(QStringLiteral("/v1/session/destroy/") + d).body, QByteArray("true"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/eph")).status, 404);
        QCOMPARE(m_sim->store()->lockDelayRemainingMs(QStringLiteral("eph")), 0); // LockDelay 0 disables it
        QCOMPARE(c.put(QStringLiteral("/v1/kv/eph?acquire=") + b, "z").body, QByteArray("true"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/eph")).first().value(QStringLiteral("LockIndex")).toInteger(), 1);
    }

    // ---------------------------------------------------------------- KV locks (§4.5)

    void lockContention()
    {
        Client &c = *m_client;
        const QString a = c.createSession(R"({"Name":"a"})");
        const QString b = c.createSession(R"({"Name":"b"})");
        const QString key = QStringLiteral("/v1/kv/jobs/x/lock");

        QCOMPARE(c.put(key + QStringLiteral("?acquire=") + a, "rec-a").body, QByteArray("true"));
        QJsonObject e = c.get(key).first();
        QCOMPARE(e.value(QStringLiteral("LockIndex")).toInteger(), 1);
        QCOMPARE(e.value(QStringLiteral("Session")).toString(), a);
        QCOMPARE(e.value(QStringLiteral("CreateIndex")), e.value(QStringLiteral("ModifyIndex")));
        const qint64 created = e.value(QStringLiteral("CreateIndex")).toInteger();

        QCOMPARE(c.put(key + QStringLiteral("?acquire=") + b, "rec-b").body, QByteArray("false"));
        QCOMPARE(c.get(key).first().value(QStringLiteral("Session")).toString(), a);

        // Re-acquire by the holder: LockIndex kept, value and flags replaced.
        QCOMPARE(c.put(key + QStringLiteral("?flags=7&acquire=") + a, "rec-a2").body, QByteArray("true"));
        e = c.get(key).first();
        QCOMPARE(e.value(QStringLiteral("LockIndex")).toInteger(), 1);
        QCOMPARE(base64(e), QByteArray("rec-a2"));
        QCOMPARE(e.value(QStringLiteral("Flags")).toInteger(), 7);
        // Identical re-acquire: nothing changes, not even ModifyIndex.
        const qint64 modify = e.value(QStringLiteral("ModifyIndex")).toInteger();
        QCOMPARE(c.put(key + QStringLiteral("?flags=7&acquire=") + a, "rec-a2").body, QByteArray("true"));
        QCOMPARE(c.get(key).first().value(QStringLiteral("ModifyIndex")).toInteger(), modify);

        QCOMPARE(c.put(key + QStringLiteral("?release=") + b).body, QByteArray("false"));
        // Release with an empty body: value null, flags 0, LockIndex kept, session alive.
        QCOMPARE(c.put(key + QStringLiteral("?release=") + a).body, QByteArray("true"));
        e = c.get(key).first();
        QVERIFY(!e.contains(QStringLiteral("Session")));
        QVERIFY(e.value(QStringLiteral("Value")).isNull());
        QCOMPARE(e.value(QStringLiteral("Flags")).toInteger(), 0);
        QCOMPARE(e.value(QStringLiteral("LockIndex")).toInteger(), 1);
        QCOMPARE(c.get(QStringLiteral("/v1/session/info/") + a).json().array().size(), 1);
        QCOMPARE(c.put(key + QStringLiteral("?release=") + a).body, QByteArray("false"));

        QCOMPARE(c.put(key + QStringLiteral("?acquire=") + b, "rec-b").body, QByteArray("true"));
        e = c.get(key).first();
        QCOMPARE(e.value(QStringLiteral("LockIndex")).toInteger(), 2);
        QCOMPARE(e.value(QStringLiteral("Session")).toString(), b);
        QCOMPARE(e.value(QStringLiteral("CreateIndex")).toInteger(), created);

        // Errors of the acquire table.
        Reply r = c.put(key + QStringLiteral("?acquire=5125b25b-0000-0000-0000-000000000000"));
        QCOMPARE(r.status, 500);
        QCOMPARE(r.body, QByteArray(R"(invalid session "5125b25b-0000-0000-0000-000000000000")"));
        r = c.put(key + QStringLiteral("?acquire="));
        QCOMPARE(r.status, 500);
        QCOMPARE(r.body, QByteArray("missing session"));
        r = c.put(key + QStringLiteral("?release="));
        QCOMPARE(r.body, QByteArray("missing session"));
        QCOMPARE(c.put(QStringLiteral("/v1/kv/missing?release=") + a).body, QByteArray("false"));
        r = c.put(key + QStringLiteral("?cas=0&acquire=") + a);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.body, QByteArray("Conflicting flags: acquire=") + a.toLatin1() + "&cas=0\n");

        // A plain PUT keeps the holder's Session (locks are advisory) and, as in Consul's
        // kvsSetTxn, takes LockIndex from the request: 0.
        QCOMPARE(c.put(key, "overwrite").body, QByteArray("true"));
        e = c.get(key).first();
        QCOMPARE(e.value(QStringLiteral("Session")).toString(), b);
        QCOMPARE(e.value(QStringLiteral("LockIndex")).toInteger(), 0);
    }

    void kvOperations()
    {
        Client &c = *m_client;
        // Missing key: 404, empty body, with the meta headers python-consul reads.
        Reply r = c.get(QStringLiteral("/v1/kv/nothing"));
        QCOMPARE(r.status, 404);
        QVERIFY(r.body.isEmpty());
        QVERIFY(r.index() >= 1);
        QCOMPARE(r.header("X-Consul-KnownLeader"), QByteArray("true"));
        QCOMPARE(r.header("X-Consul-LastContact"), QByteArray("0"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/")).body, QByteArray("Missing key name"));

        QCOMPARE(c.put(QStringLiteral("/v1/kv/web/foo?flags=16210313421097356768"), "1").body, QByteArray("true"));
        QCOMPARE(c.put(QStringLiteral("/v1/kv/web/bar"), "2").body, QByteArray("true"));
        QCOMPARE(c.put(QStringLiteral("/v1/kv/web/subdir/x"), "3").body, QByteArray("true"));
        QCOMPARE(c.put(QStringLiteral("/v1/kv/empty")).body, QByteArray("true"));
        r = c.get(QStringLiteral("/v1/kv/web/foo"));
        QVERIFY(r.body.contains("\"Flags\":16210313421097356768,")); // exact, beyond 2^63
        QVERIFY(r.body.startsWith("[{\"LockIndex\":0,\"Key\":\"web/foo\",\"Flags\":"));
        QCOMPARE(r.index(), quint64(r.first().value(QStringLiteral("ModifyIndex")).toInteger()));
        QVERIFY(c.get(QStringLiteral("/v1/kv/empty")).first().value(QStringLiteral("Value")).isNull());

        r = c.get(QStringLiteral("/v1/kv/web/?recurse"));
        QCOMPARE(r.json().array().size(), 3);
        QCOMPARE(r.json().array().at(0).toObject().value(QStringLiteral("Key")).toString(), QStringLiteral("web/bar"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/web/?recurse=false")).json().array().size(), 3); // presence-only
        QCOMPARE(c.get(QStringLiteral("/v1/kv/nope/?recurse")).status, 404);
        r = c.get(QStringLiteral("/v1/kv/web/?keys&separator=/"));
        QCOMPARE(r.json().array(), (QJsonArray{QStringLiteral("web/bar"), QStringLiteral("web/foo"), QStringLiteral("web/subdir/")}));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/web/?keys=0")).json().array().size(), 3);
        QCOMPARE(c.get(QStringLiteral("/v1/kv/zzz?keys")).status, 404);
        r = c.get(QStringLiteral("/v1/kv/web/bar?raw"));
        QCOMPARE(r.body, QByteArray("2"));
        QCOMPARE(r.header("Content-Type"), QByteArray("text/plain"));
        QCOMPARE(r.header("X-Content-Type-Options"), QByteArray("nosniff"));

        // cas
        const qint64 modify = c.get(QStringLiteral("/v1/kv/web/bar")).first().value(QStringLiteral("ModifyIndex")).toInteger();
        QCOMPARE(c.put(QStringLiteral("/v1/kv/web/bar?cas=0"), "no").body, QByteArray("false"));
        QCOMPARE(c.put(QStringLiteral("/v1/kv/web/bar?cas=%1").arg(modify + 100), "no").body, QByteArray("false"));
        QCOMPARE(c.put(QStringLiteral("/v1/kv/web/bar?cas=%1").arg(modify), "yes").body, QByteArray("true"));
        QCOMPARE(c.put(QStringLiteral("/v1/kv/new?cas=0"), "v").body, QByteArray("true"));
        r = c.put(QStringLiteral("/v1/kv/web/bar?flags=abc"), "x");
        QCOMPARE(r.status, 500);
        QCOMPARE(r.body, QByteArray(R"(strconv.ParseUint: parsing "abc": invalid syntax)"));

        // DELETE
        QCOMPARE(c.del(QStringLiteral("/v1/kv/new?cas=0")).body, QByteArray("false"));
        QCOMPARE(c.del(QStringLiteral("/v1/kv/never?cas=5")).body, QByteArray("true"));
        QCOMPARE(c.del(QStringLiteral("/v1/kv/new")).body, QByteArray("true"));
        QCOMPARE(c.del(QStringLiteral("/v1/kv/new")).body, QByteArray("true"));
        QCOMPARE(c.del(QStringLiteral("/v1/kv/web/?recurse&cas=1")).status, 400);
        // The prefix index counts the tombstone: a delete moves the listing's index.
        const quint64 listIndex = c.get(QStringLiteral("/v1/kv/web/?recurse")).index();
        QCOMPARE(c.del(QStringLiteral("/v1/kv/web/subdir/x")).body, QByteArray("true"));
        QVERIFY(c.get(QStringLiteral("/v1/kv/web/?recurse")).index() > listIndex);
        QCOMPARE(c.del(QStringLiteral("/v1/kv/web/?recurse")).body, QByteArray("true"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/web/?recurse")).status, 404);

        // Value size limit.
        r = c.put(QStringLiteral("/v1/kv/big"), QByteArray(512 * 1024 + 1, 'x'));
        QCOMPARE(r.status, 413);
        QVERIFY(r.body.startsWith("Request body(524289 bytes) too large, max size: 524288 bytes."));
    }

    void transactions()
    {
        ConsulSimulator::Options o;
        o.lockDelayCapMs = 5000;
        startSim(o);
        Client &c = *m_client;
        const auto op = [](const QString &verb, const QString &key, const QJsonObject &more = {}) {
            QJsonObject kv = more;
            kv.insert(QStringLiteral("Verb"), verb);
            kv.insert(QStringLiteral("Key"), key);
            return QJsonObject{{QStringLiteral("KV"), kv}};
        };
        const auto txn = [&](const QJsonArray &ops) { return c.put(QStringLiteral("/v1/txn"), QJsonDocument(ops).toJson(QJsonDocument::Compact)); };
        const QString lockKey = QStringLiteral("t/lock");
        const QString s = c.createSession(QByteArray("{\"LockDelay\":\"2s\"}"));
        const QJsonObject withSession{{QStringLiteral("Session"), s}};
        QJsonObject lockOp = withSession;
        lockOp.insert(QStringLiteral("Value"), QString::fromLatin1(QByteArray("rec").toBase64()));
        Reply r = txn({op(QStringLiteral("lock"), lockKey, lockOp), op(QStringLiteral("check-session"), lockKey, withSession),
                       op(QStringLiteral("get"), lockKey)});
        QCOMPARE(r.status, 200);
        const QJsonArray results = r.json().object().value(QStringLiteral("Results")).toArray();
        QCOMPARE(results.size(), 3);
        QVERIFY(results.at(0).toObject().value(QStringLiteral("KV")).toObject().value(QStringLiteral("Value")).isNull());
        QCOMPARE(base64(results.at(2).toObject().value(QStringLiteral("KV")).toObject()), QByteArray("rec"));
        QCOMPARE(results.at(2).toObject().value(QStringLiteral("KV")).toObject().value(QStringLiteral("LockIndex")).toInteger(), 1);
        QVERIFY(r.json().object().value(QStringLiteral("Errors")).isNull());

        // A failing operation rolls back the ones before it.
        r = txn({op(QStringLiteral("set"), QStringLiteral("t/new"), {{QStringLiteral("Value"), QStringLiteral("eA==")}}),
                 op(QStringLiteral("check-index"), lockKey, {{QStringLiteral("Index"), 1}})});
        QCOMPARE(r.status, 409);
        const QJsonObject err = r.json().object().value(QStringLiteral("Errors")).toArray().at(0).toObject();
        QCOMPARE(err.value(QStringLiteral("OpIndex")).toInt(), 1);
        QVERIFY(err.value(QStringLiteral("What")).toString().startsWith(QStringLiteral("failed index check for key \"t/lock\", current modify index ")));
        QVERIFY(r.json().object().value(QStringLiteral("Results")).isNull());
        QCOMPARE(c.get(QStringLiteral("/v1/kv/t/new")).status, 404);

        // Lock-delay refuses a txn lock with its own text.
        c.put(QStringLiteral("/v1/session/destroy/") + s);
        const QString s2 = c.createSession();
        r = txn({op(QStringLiteral("lock"), lockKey, {{QStringLiteral("Session"), s2}})});
        QCOMPARE(r.status, 409);
        QCOMPARE(r.json().object().value(QStringLiteral("Errors")).toArray().at(0).toObject().value(QStringLiteral("What")).toString(),
                 QStringLiteral("failed to lock key \"t/lock\" due to lock delay"));
    }

    // ---------------------------------------------------------------- blocking queries (§2)

    void blockingQueryWakesOnlyOnChange()
    {
        Client writer(*m_sim);
        Client watcher(*m_sim);
        QCOMPARE(writer.put(QStringLiteral("/v1/kv/watched"), "1").body, QByteArray("true"));
        const quint64 index = writer.get(QStringLiteral("/v1/kv/watched")).index();

        QNetworkReply *blocked = watcher.start("GET", QStringLiteral("/v1/kv/watched?index=%1&wait=10s").arg(index));
        QVERIFY(QTest::qWaitFor([&] { return m_sim->blockingQueries()->parkedCount() == 1; }, Deadline));
        // An unrelated write, and an identical write of the watched key: no wake-up. The
        // simulator wakes waiters while handling a write, so once the write is answered a
        // wake-up would already be on its way.
        QCOMPARE(writer.put(QStringLiteral("/v1/kv/unrelated"), "x").body, QByteArray("true"));
        QCOMPARE(writer.put(QStringLiteral("/v1/kv/watched"), "1").body, QByteArray("true"));
        QCoreApplication::processEvents();
        QVERIFY(!blocked->isFinished());
        QCOMPARE(m_sim->blockingQueries()->parkedCount(), 1);

        QElapsedTimer sinceWrite;
        sinceWrite.start();
        QNetworkReply *write = writer.start("PUT", QStringLiteral("/v1/kv/watched"), "2");
        const Reply woken = watcher.finish(blocked);
        const qint64 latency = sinceWrite.elapsed();
        writer.finish(write);
        QCOMPARE(woken.status, 200);
        QVERIFY2(latency < 100, qPrintable(QString::number(latency)));
        QVERIFY(woken.index() > index);
        QCOMPARE(base64(woken.first()), QByteArray("2"));

        // Sessions: info of one session wakes on its destruction, not on other sessions.
        const QString s = writer.createSession();
        const quint64 sessionsIndex = writer.get(QStringLiteral("/v1/session/info/") + s).index();
        blocked = watcher.start("GET", QStringLiteral("/v1/session/info/%1?index=%2&wait=10s").arg(s).arg(sessionsIndex));
        QVERIFY(QTest::qWaitFor([&] { return m_sim->blockingQueries()->parkedCount() == 1; }, Deadline));
        writer.createSession();
        QCoreApplication::processEvents();
        QVERIFY(!blocked->isFinished());
        writer.put(QStringLiteral("/v1/session/destroy/") + s);
        const Reply gone = watcher.finish(blocked);
        QCOMPARE(gone.body, QByteArray("[]"));
        QVERIFY(gone.index() > sessionsIndex);
    }

    void blockingQueryTimesOut()
    {
        Client &c = *m_client;
        QCOMPARE(c.put(QStringLiteral("/v1/kv/quiet"), "1").body, QByteArray("true"));
        const quint64 index = c.get(QStringLiteral("/v1/kv/quiet")).index();
        Reply r = c.get(QStringLiteral("/v1/kv/quiet?index=%1&wait=300ms").arg(index));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.index(), index);
        // wait plus at most wait/16 of jitter, plus the test's own slack.
        QVERIFY2(r.elapsedMs >= 295 && r.elapsedMs < 300 + 300 / 16 + 250, qPrintable(QString::number(r.elapsedMs)));

        // A missing key blocks too and times out with 404 and the index.
        const quint64 kvIndex = c.get(QStringLiteral("/v1/kv/absent")).index();
        r = c.get(QStringLiteral("/v1/kv/absent?index=%1&wait=200ms").arg(kvIndex));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.index(), kvIndex);
        QVERIFY(r.elapsedMs >= 195);

        // index=0 (or none) answers at once, even with wait.
        r = c.get(QStringLiteral("/v1/kv/quiet?index=0&wait=10s"));
        QVERIFY(r.elapsedMs < 200);
        // An index above the current one blocks until the timeout and returns the current one.
        r = c.get(QStringLiteral("/v1/kv/quiet?index=%1&wait=200ms").arg(index + 1000));
        QCOMPARE(r.index(), index);
        QVERIFY(r.elapsedMs >= 195);

        QCOMPARE(c.get(QStringLiteral("/v1/kv/quiet?wait=10q")).body, QByteArray("Invalid wait time"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/quiet?index=x")).body, QByteArray("Invalid index"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/quiet?stale&consistent")).body,
                 QByteArray("Cannot specify ?stale with ?consistent, conflicting semantics."));
        // Clamping and jitter of the effective timeout.
        BlockingQueries *q = m_sim->blockingQueries();
        const qint64 clamped = q->timeoutMs(3600LL * 1000 * 1000 * 1000);
        QVERIFY(clamped >= 600000 && clamped < 600000 + 600000 / 16);
        const qint64 defaulted = q->timeoutMs(0);
        QVERIFY(defaulted >= 300000 && defaulted < 300000 + 300000 / 16);
    }

    void indexGoesBackwards()
    {
        Client &c = *m_client;
        for (int i = 0; i < 5; ++i)
            c.put(QStringLiteral("/v1/kv/k%1").arg(i), "v");
        const quint64 before = c.get(QStringLiteral("/v1/kv/k4")).index();
        m_sim->rewindIndex(3);
        const quint64 after = c.get(QStringLiteral("/v1/kv/k4")).index();
        QCOMPARE(after, before - 3);
        // A client blocking with its old index gets the smaller one back at the timeout.
        const Reply r = c.get(QStringLiteral("/v1/kv/k4?index=%1&wait=100ms").arg(before));
        QCOMPARE(r.index(), after);
        // Writes continue from the rewound index.
        c.put(QStringLiteral("/v1/kv/k4"), "w");
        QVERIFY(c.get(QStringLiteral("/v1/kv/k4")).index() <= before);
    }

    // ---------------------------------------------------------------- checks and health (§5)

    void ttlChecks()
    {
        Client &c = *m_client;
        Reply r = c.put(QStringLiteral("/v1/agent/check/register"), R"({"Name":"job","ID":"job-ttl","TTL":"300ms","Notes":"n"})");
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.isEmpty());
        QVERIFY(r.header("Content-Type").isEmpty());
        QJsonObject check = c.get(QStringLiteral("/v1/agent/checks")).json().object().value(QStringLiteral("job-ttl")).toObject();
        QCOMPARE(check.value(QStringLiteral("Status")).toString(), QStringLiteral("critical"));
        QCOMPARE(check.value(QStringLiteral("Type")).toString(), QStringLiteral("ttl"));
        QCOMPARE(check.value(QStringLiteral("Notes")).toString(), QStringLiteral("n"));
        QCOMPARE(check.value(QStringLiteral("ServiceTags")).toArray(), QJsonArray());

        QCOMPARE(c.put(QStringLiteral("/v1/agent/check/pass/job-ttl?note=all%20good")).status, 200);
        check = c.get(QStringLiteral("/v1/agent/checks")).json().object().value(QStringLiteral("job-ttl")).toObject();
        QCOMPARE(check.value(QStringLiteral("Status")).toString(), QStringLiteral("passing"));
        QCOMPARE(check.value(QStringLiteral("Output")).toString(), QStringLiteral("all good"));
        r = c.get(QStringLiteral("/v1/health/state/passing"));
        QStringList passing;
        for (const QJsonValue &v : r.json().array())
            passing.append(v.toObject().value(QStringLiteral("CheckID")).toString());
        QCOMPARE(passing, (QStringList{QStringLiteral("job-ttl"), QStringLiteral("serfHealth")}));
        QCOMPARE(r.header("X-Consul-Effective-Consistency"), QByteArray("leader"));
        QCOMPARE(c.get(QStringLiteral("/v1/health/node/node1")).json().array().size(), 2);

        // Missed TTL: critical, with the last output kept (§5.4).
        QVERIFY(QTest::qWaitFor(
            [&] { return m_sim->agent()->check(QStringLiteral("job-ttl"))->check.status == QLatin1String("critical"); }, Deadline));
        check = c.get(QStringLiteral("/v1/agent/checks")).json().object().value(QStringLiteral("job-ttl")).toObject();
        QCOMPARE(check.value(QStringLiteral("Output")).toString(), QStringLiteral("TTL expired (last output before timeout follows): all good"));
        QCOMPARE(c.get(QStringLiteral("/v1/health/state/critical")).json().array().size(), 1);

        // update: strict body.
        r = c.put(QStringLiteral("/v1/agent/check/update/job-ttl"), R"({"Status":"warning","Output":"slow"})");
        QCOMPARE(r.status, 200);
        QCOMPARE(m_sim->agent()->check(QStringLiteral("job-ttl"))->check.status, QStringLiteral("warning"));
        r = c.put(QStringLiteral("/v1/agent/check/update/job-ttl"), R"({"Status":"bad"})");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.body, QByteArray("Invalid check status: 'bad'"));
        r = c.put(QStringLiteral("/v1/agent/check/update/job-ttl"), R"({"Status":"passing","Notes":"x"})");
        QCOMPARE(r.body, QByteArray(R"(Request decode failed: json: unknown field "Notes")"));

        // Unknown check, GET instead of PUT, no name, no TTL.
        r = c.put(QStringLiteral("/v1/agent/check/fail/nope"));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.body, QByteArray(R"(Unknown check ID "nope". Ensure that the check ID is passed, not the check name.)"));
        r = c.get(QStringLiteral("/v1/agent/check/pass/job-ttl"));
        QCOMPARE(r.status, 405);
        QCOMPARE(r.body, QByteArray("method GET not allowed"));
        QCOMPARE(r.header("Allow"), QByteArray("OPTIONS,PUT"));
        QCOMPARE(c.put(QStringLiteral("/v1/agent/check/register"), R"({"TTL":"1s"})").body, QByteArray("Missing check name"));
        QCOMPARE(c.put(QStringLiteral("/v1/agent/check/register"), R"({"Name":"x"})").body,
                 QByteArray("Invalid check: TTL must be > 0 for TTL checks"));
        QCOMPARE(c.put(QStringLiteral("/v1/agent/check/register"), R"({"Name":"x","TTL":"1s","Status":"ok"})").body,
                 QByteArray("Bad check status"));

        QCOMPARE(c.put(QStringLiteral("/v1/agent/check/deregister/job-ttl")).status, 200);
        QCOMPARE(c.put(QStringLiteral("/v1/agent/check/deregister/job-ttl")).status, 404);
        QVERIFY(!c.get(QStringLiteral("/v1/agent/checks")).json().object().contains(QStringLiteral("job-ttl")));
    }

    void serviceChecks()
    {
        Client &c = *m_client;
        QCOMPARE(c.put(QStringLiteral("/v1/agent/service/register"), R"({"Name":"web","Tags":["a"],"Check":{"TTL":"10s"}})").status, 200);
        QJsonArray checks = c.get(QStringLiteral("/v1/health/checks/web")).json().array();
        QCOMPARE(checks.size(), 1);
        QCOMPARE(checks.at(0).toObject().value(QStringLiteral("CheckID")).toString(), QStringLiteral("service:web"));
        QCOMPARE(checks.at(0).toObject().value(QStringLiteral("ServiceTags")).toArray(), QJsonArray{QStringLiteral("a")});
        QCOMPARE(c.get(QStringLiteral("/v1/health/checks/other")).body, QByteArray("[]"));
        QCOMPARE(c.put(QStringLiteral("/v1/agent/check/register"), R"({"Name":"x","TTL":"1s","ServiceID":"nope"})").body,
                 QByteArray(R"(ServiceID "nope" does not exist)"));
        QCOMPARE(c.get(QStringLiteral("/v1/health/service/web?passing")).body, QByteArray("[]"));
        c.put(QStringLiteral("/v1/agent/check/pass/service:web"));
        QCOMPARE(c.get(QStringLiteral("/v1/health/service/web?passing")).json().array().size(), 1);
    }

    void checkOutputSyncAndReaping()
    {
        ConsulSimulator::Options o;
        o.checkUpdateIntervalMs = 200;
        o.checkReapIntervalMs = 50;
        o.deregisterCriticalMinimumMs = 100;
        startSim(o);
        Client &c = *m_client;
        QCOMPARE(c.put(QStringLiteral("/v1/agent/check/register"), R"({"Name":"out","TTL":"30s","Status":"passing"})").status, 200);
        c.put(QStringLiteral("/v1/agent/check/pass/out?note=first"));
        const auto catalogOutput = [&] {
            for (const QJsonValue &v : c.get(QStringLiteral("/v1/health/node/node1")).json().array()) {
                if (v.toObject().value(QStringLiteral("CheckID")).toString() == QLatin1String("out"))
                    return v.toObject().value(QStringLiteral("Output")).toString();
            }
            return QString();
        };
        // Output-only changes reach the catalog after check_update_interval; the agent shows them at once.
        QCOMPARE(catalogOutput(), QString());
        QCOMPARE(c.get(QStringLiteral("/v1/agent/checks")).json().object().value(QStringLiteral("out")).toObject().value(QStringLiteral("Output")).toString(),
                 QStringLiteral("first"));
        QVERIFY(QTest::qWaitFor([&] { return m_sim->store()->check(QStringLiteral("out"))->output == QLatin1String("first"); }, Deadline));
        QCOMPARE(catalogOutput(), QStringLiteral("first"));

        // A service check critical for longer than DeregisterCriticalServiceAfter takes its service
        // and its checks away, and with them the sessions bound to them.
        QCOMPARE(c.put(QStringLiteral("/v1/agent/service/register"),
                       R"({"Name":"job","Check":{"CheckID":"job-check","TTL":"100ms","Status":"passing","DeregisterCriticalServiceAfter":"100ms"}})")
                     .status,
                 200);
        const QString s = c.createSession(R"({"ServiceChecks":[{"ID":"job-check"}]})");
        QVERIFY(!s.isEmpty());
        QVERIFY(QTest::qWaitFor([&] { return m_sim->agent()->service(QStringLiteral("job")) == nullptr; }, Deadline));
        QCOMPARE(c.get(QStringLiteral("/v1/health/checks/job")).body, QByteArray("[]"));
        QCOMPARE(c.get(QStringLiteral("/v1/session/info/") + s).body, QByteArray("[]"));
    }

    // ---------------------------------------------------------------- status, self, routing (§1, §6)

    void statusSelfAndRouting()
    {
        Client &c = *m_client;
        QCOMPARE(c.get(QStringLiteral("/v1/status/leader")).body, QByteArray("\"127.0.0.1:8300\""));
        const QJsonObject config = c.get(QStringLiteral("/v1/agent/self")).json().object().value(QStringLiteral("Config")).toObject();
        QCOMPARE(config.value(QStringLiteral("NodeName")).toString(), QStringLiteral("node1"));
        QCOMPARE(config.value(QStringLiteral("Datacenter")).toString(), QStringLiteral("dc1"));

        Reply r = c.get(QStringLiteral("/v1/kv/x?dc=dc2"));
        QCOMPARE(r.status, 500);
        QCOMPARE(r.body, QByteArray("No path to datacenter"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/x?dc=dc1")).status, 404);
        QCOMPARE(c.put(QStringLiteral("/v1/session/create?dc=dc2")).body, QByteArray("No path to datacenter"));

        r = c.get(QStringLiteral("/v1/nope"));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.body, QByteArray("Invalid URL path: not a recognized HTTP API endpoint\n"));
        r = c.send("DELETE", QStringLiteral("/v1/session/list"));
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("Allow"), QByteArray("OPTIONS,GET"));
        r = c.send("OPTIONS", QStringLiteral("/v1/kv/x"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Allow"), QByteArray("OPTIONS,GET,PUT,DELETE"));
        QCOMPARE(c.get(QStringLiteral("/v1/acl/tokens")).status, 401);
        r = c.get(QStringLiteral("/v1/kv/x?pretty"));
        QCOMPARE(r.status, 404);
        c.put(QStringLiteral("/v1/kv/x"), "y");
        QVERIFY(c.get(QStringLiteral("/v1/kv/x?pretty")).body.startsWith("[\n    {\n        \"LockIndex\": 0,\n"));

        // No leader: server requests fail, stale reads still answer, status/leader is "".
        m_sim->setLeader(false);
        r = c.get(QStringLiteral("/v1/kv/x"));
        QCOMPARE(r.status, 500);
        QCOMPARE(r.body, QByteArray("No cluster leader"));
        r = c.get(QStringLiteral("/v1/kv/x?stale"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("X-Consul-KnownLeader"), QByteArray("false"));
        QCOMPARE(c.get(QStringLiteral("/v1/status/leader")).body, QByteArray("\"\""));
        m_sim->setRpcErrorPrefix(true);
        QCOMPARE(c.put(QStringLiteral("/v1/session/create")).body, QByteArray("rpc error making call: No cluster leader"));
        m_sim->setLeader(true);
        QCOMPARE(c.put(QStringLiteral("/v1/kv/x?acquire=nope")).body, QByteArray(R"(rpc error making call: invalid session "nope")"));
    }

    void httpProtocol()
    {
        // Percent-decoded keys, '+' kept in paths and decoded in queries.
        Client &c = *m_client;
        QCOMPARE(c.put(QStringLiteral("/v1/kv/dir/a%20b+c%C3%BC"), "v").body, QByteArray("true"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/dir/?keys")).json().array().at(0).toString(), QString::fromUtf8("dir/a b+c\xc3\xbc"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/dir/a%20b%2Bc%C3%BC?raw")).body, QByteArray("v"));

        // Keep-alive and pipelining on one raw connection, plus a chunked body.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_sim->port());
        QVERIFY(socket.waitForConnected(Deadline));
        socket.write("PUT /v1/kv/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                     "GET /v1/kv/chunked?raw HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /v1/status/leader HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QByteArray all;
        QVERIFY(QTest::qWaitFor(
            [&] {
                all += socket.readAll();
                return socket.state() == QAbstractSocket::UnconnectedState || all.count("HTTP/1.1 200 OK") == 3;
            },
            Deadline));
        QVERIFY(QTest::qWaitFor([&] { all += socket.readAll(); return socket.state() == QAbstractSocket::UnconnectedState; }, Deadline));
        all += socket.readAll();
        QCOMPARE(all.count("HTTP/1.1 200 OK\r\n"), 3);
        const int first = all.indexOf("\r\n\r\ntrue");
        const int second = all.indexOf("\r\n\r\nabcde");
        const int third = all.indexOf("\"127.0.0.1:8300\"");
        QVERIFY(first > 0 && second > first && third > second);
        QVERIFY(all.contains("Connection: close\r\n"));

        // Unclean paths get ServeMux's redirect.
        QTcpSocket redirect;
        redirect.connectToHost(QHostAddress::LocalHost, m_sim->port());
        QVERIFY(redirect.waitForConnected(Deadline));
        redirect.write("GET /v1/kv/a//b/../c?raw HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray moved;
        QVERIFY(QTest::qWaitFor([&] { moved += redirect.readAll(); return moved.contains("Moved Permanently</a>"); }, Deadline));
        QVERIFY(moved.startsWith("HTTP/1.1 301 Moved Permanently\r\n"));
        QVERIFY(moved.contains("Location: /v1/kv/a/c?raw\r\n"));

        // Malformed request line.
        QTcpSocket bad;
        bad.connectToHost(QHostAddress::LocalHost, m_sim->port());
        QVERIFY(bad.waitForConnected(Deadline));
        bad.write("NONSENSE\r\n\r\n");
        QByteArray answer;
        QVERIFY(QTest::qWaitFor([&] { answer += bad.readAll(); return answer.startsWith("HTTP/1.1 400 Bad Request"); }, Deadline));
    }

    // ---------------------------------------------------------------- ACLs (§1.6, §7)

    void aclTexts()
    {
        ConsulSimulator::Options o;
        o.aclMasterToken = QStringLiteral("root");
        startSim(o);
        Client &c = *m_client;
        const QString anonymous = QStringLiteral(
            "Permission denied: anonymous token lacks permission 'key:read' on \"k\". The anonymous token is used implicitly when a "
            "request does not specify a token.");
        Reply r = c.get(QStringLiteral("/v1/kv/k"));
        QCOMPARE(r.status, 403);
        QCOMPARE(QString::fromUtf8(r.body), anonymous);
        QCOMPARE(r.header("X-Consul-Default-ACL-Policy"), QByteArray("deny"));

        // Each way to pass a token: unknown → ACL not found, master → allowed.
        QCOMPARE(c.get(QStringLiteral("/v1/kv/k?token=bad")).body, QByteArray("ACL not found"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/k"), {{"X-Consul-Token", "bad"}}).body, QByteArray("ACL not found"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/k"), {{"Authorization", "Bearer bad"}}).body, QByteArray("ACL not found"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/k?token=bad")).status, 403);
        QCOMPARE(c.put(QStringLiteral("/v1/kv/k?token=root"), "v").body, QByteArray("true"));
        QCOMPARE(c.get(QStringLiteral("/v1/kv/k"), {{"X-Consul-Token", "root"}}).status, 200);
        QCOMPARE(c.get(QStringLiteral("/v1/kv/k"), {{"Authorization", "Bearer root"}}).status, 200);
        // ?token= wins over the header.
        QCOMPARE(c.get(QStringLiteral("/v1/kv/k?token=bad"), {{"X-Consul-Token", "root"}}).body, QByteArray("ACL not found"));

        // A read-only token on jobs/.
        QString error;
        const auto reader = AclToken::fromJson(QJsonDocument::fromJson(R"({"SecretID":"reader","AccessorID":"acc-reader",
            "Rules":{"key_prefix":{"jobs/":{"policy":"read"}}}})").object(), &error);
        QVERIFY2(reader, qPrintable(error));
        m_sim->setAclToken(*reader);
        QCOMPARE(c.put(QStringLiteral("/v1/kv/jobs/a?token=root"), "1").status, 200);
        QCOMPARE(c.put(QStringLiteral("/v1/kv/other?token=root"), "1").status, 200);
        QCOMPARE(c.get(QStringLiteral("/v1/kv/jobs/a?token=reader")).status, 200);
        r = c.put(QStringLiteral("/v1/kv/jobs/a?token=reader"), "2");
        QCOMPARE(r.status, 403);
        QCOMPARE(r.body, QByteArray(R"(Permission denied: token with AccessorID 'acc-reader' lacks permission 'key:write' on "jobs/a")"));
        r = c.put(QStringLiteral("/v1/session/create?token=reader"));
        QCOMPARE(r.body, QByteArray(R"(Permission denied: token with AccessorID 'acc-reader' lacks permission 'session:write' on "node1")"));
        // Lists filter silently and say so when a token was given.
        r = c.get(QStringLiteral("/v1/kv/?recurse&token=reader"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().array().size(), 1);
        QCOMPARE(r.header("X-Consul-Results-Filtered-By-ACLs"), QByteArray("true"));
        QCOMPARE(c.get(QStringLiteral("/v1/agent/self?token=reader")).status, 403);
        QCOMPARE(c.get(QStringLiteral("/v1/status/leader")).status, 200); // no ACL
        // Through the control API as well.
        Reply ctl = c.put(QStringLiteral("/_sim/acl/tokens"), R"({"SecretID":"writer","Policy":"write"})");
        QCOMPARE(ctl.status, 200);
        QCOMPARE(c.put(QStringLiteral("/v1/kv/jobs/a?token=writer"), "3").body, QByteArray("true"));
    }

    // ---------------------------------------------------------------- faults

    void faultControls()
    {
        Client &c = *m_client;
        m_sim->failNext(2, 503, "boom", QStringLiteral("/v1/kv/"));
        QCOMPARE(c.get(QStringLiteral("/v1/status/leader")).status, 200); // not matching
        Reply r = c.get(QStringLiteral("/v1/kv/a"));
        QCOMPARE(r.status, 503);
        QCOMPARE(r.body, QByteArray("boom"));
        QCOMPARE(c.put(QStringLiteral("/v1/kv/a"), "v").status, 503);
        QCOMPARE(c.put(QStringLiteral("/v1/kv/a"), "v").status, 200);
        QCOMPARE(base64(c.get(QStringLiteral("/v1/kv/a")).first()), QByteArray("v")); // the failed PUT changed nothing

        // QNetworkAccessManager resends a request once when its connection closes unanswered.
        m_sim->dropNext(2);
        r = c.get(QStringLiteral("/v1/kv/a"));
        QVERIFY(r.error != QNetworkReply::NoError);
        QCOMPARE(m_sim->requestLog().last().fault, QStringLiteral("drop"));
        QCOMPARE(m_sim->requestLog().last().status, -1);
        QCOMPARE(c.get(QStringLiteral("/v1/kv/a")).status, 200);

        m_sim->setResponseDelay(200);
        r = c.get(QStringLiteral("/v1/kv/a"));
        QCOMPARE(r.status, 200);
        QVERIFY2(r.elapsedMs >= 195, qPrintable(QString::number(r.elapsedMs)));
        // Delayed after handling: the write happens now, its answer comes late.
        m_sim->setResponseDelay(300, QStringLiteral("/v1/kv/"), FaultInjector::DelayPoint::AfterHandling);
        QNetworkReply *slow = c.start("PUT", QStringLiteral("/v1/kv/a"), "late");
        QVERIFY(QTest::qWaitFor([&] { return m_sim->store()->kvGet(QStringLiteral("a"))->value == "late"; }, Deadline));
        QVERIFY(!slow->isFinished());
        QCOMPARE(c.finish(slow).status, 200);
        m_sim->setResponseDelay(0);

        m_sim->setBlackhole(true);
        QNetworkReply *lost = c.start("GET", QStringLiteral("/v1/kv/a"), {}, {}, 300);
        r = c.finish(lost);
        QVERIFY(r.error == QNetworkReply::OperationCanceledError || r.error == QNetworkReply::TimeoutError);
        QCOMPARE(m_sim->requestLog().last().fault, QStringLiteral("blackhole"));
        QCOMPARE(m_sim->requestLog().last().status, 0);
        m_sim->setBlackhole(false);
        QCOMPARE(c.get(QStringLiteral("/v1/kv/a")).status, 200);

        // Losing every session releases the locks and starts lock-delay.
        const QString s = c.createSession();
        QCOMPARE(c.put(QStringLiteral("/v1/kv/lock?acquire=") + s, "x").body, QByteArray("true"));
        m_sim->loseAllSessions();
        QCOMPARE(c.get(QStringLiteral("/v1/session/list")).body, QByteArray("[]"));
        QVERIFY(!c.get(QStringLiteral("/v1/kv/lock")).first().contains(QStringLiteral("Session")));
        QVERIFY(m_sim->store()->lockDelayRemainingMs(QStringLiteral("lock")) > 14000);
        QCOMPARE(c.put(QStringLiteral("/v1/session/renew/") + s).status, 404);

        // The request log: method, path, query, body in order.
        m_sim->clearRequestLog();
        c.put(QStringLiteral("/v1/kv/logged?flags=3"), "body");
        c.get(QStringLiteral("/v1/kv/logged?index=1&wait=1s"));
        const QList<LoggedRequest> log = m_sim->requestLog();
        QCOMPARE(log.size(), 2);
        QCOMPARE(log.at(0).method, QStringLiteral("PUT"));
        QCOMPARE(log.at(0).path, QStringLiteral("/v1/kv/logged"));
        QCOMPARE(log.at(0).rawQuery, QByteArray("flags=3"));
        QCOMPARE(log.at(0).body, QByteArray("body"));
        QCOMPARE(log.at(0).status, 200);
        QCOMPARE(log.at(1).method, QStringLiteral("GET"));
        QCOMPARE(log.at(1).query, (QueryList{{QStringLiteral("index"), QStringLiteral("1")}, {QStringLiteral("wait"), QStringLiteral("1s")}}));
    }

    void controlApi()
    {
        Client &c = *m_client;
        QCOMPARE(c.put(QStringLiteral("/_sim/fail"), R"({"count":1,"status":500,"body":"No cluster leader","pathPrefix":"/v1/session/"})").status, 200);
        Reply r = c.put(QStringLiteral("/v1/session/create"));
        QCOMPARE(r.status, 500);
        QCOMPARE(r.body, QByteArray("No cluster leader"));
        QCOMPARE(c.put(QStringLiteral("/v1/session/create")).status, 200);

        QCOMPARE(c.put(QStringLiteral("/_sim/delay?ms=150")).status, 200);
        QVERIFY(c.get(QStringLiteral("/v1/status/leader")).elapsedMs >= 145);
        QCOMPARE(c.put(QStringLiteral("/_sim/clear-faults")).status, 200);

        QCOMPARE(c.put(QStringLiteral("/_sim/ttl-multiplier"), R"({"multiplier":0.5})").status, 200);
        QCOMPARE(m_sim->ttlMultiplier(), 0.5);
        c.put(QStringLiteral("/v1/kv/a"), "1");
        c.put(QStringLiteral("/v1/kv/a"), "2");
        const quint64 before = c.get(QStringLiteral("/v1/kv/a")).index();
        r = c.put(QStringLiteral("/_sim/rewind-index"), R"({"by":1})");
        QCOMPARE(r.status, 200);
        QCOMPARE(c.get(QStringLiteral("/v1/kv/a")).index(), before - 1);
        QCOMPARE(c.put(QStringLiteral("/_sim/leader"), R"({"leader":false})").status, 200);
        QCOMPARE(c.get(QStringLiteral("/v1/kv/a")).body, QByteArray("No cluster leader"));
        QCOMPARE(c.put(QStringLiteral("/_sim/leader?leader=true")).status, 200);
        const QString s = c.createSession();
        QCOMPARE(c.put(QStringLiteral("/_sim/lose-sessions")).status, 200);
        QCOMPARE(c.get(QStringLiteral("/v1/session/info/") + s).body, QByteArray("[]"));

        const QJsonArray log = c.get(QStringLiteral("/_sim/requests")).json().array();
        QVERIFY(!log.isEmpty());
        for (const QJsonValue &v : log)
            QVERIFY(!v.toObject().value(QStringLiteral("Path")).toString().startsWith(QLatin1String("/_sim")));
        QCOMPARE(log.last().toObject().value(QStringLiteral("Path")).toString(), QStringLiteral("/v1/session/info/") + s);
        QCOMPARE(c.send("DELETE", QStringLiteral("/_sim/requests")).status, 200);
        QCOMPARE(c.get(QStringLiteral("/_sim/requests")).body, QByteArray("[]"));

        QCOMPARE(c.put(QStringLiteral("/_sim/blackhole"), R"({"enabled":true,"pathPrefix":"/v1/kv/"})").status, 200);
        QCOMPARE(c.get(QStringLiteral("/v1/status/leader")).status, 200);
        QCOMPARE(c.put(QStringLiteral("/_sim/reset")).status, 200);
        QCOMPARE(c.get(QStringLiteral("/v1/kv/a")).status, 404);
        QCOMPARE(c.get(QStringLiteral("/v1/session/list")).body, QByteArray("[]"));
        QCOMPARE(m_sim->ttlMultiplier(), 2.0);
        QCOMPARE(c.get(QStringLiteral("/_sim/state")).json().object().value(QStringLiteral("Leader")).toBool(), true);
    }
};

QTEST_GUILESS_MAIN(TestConsulSimulator)
#include "tst_consulsimulator.moc"
