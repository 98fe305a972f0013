// SPDX-License-Identifier: BSD-3-Clause
// ConsulLock against the in-process Consul simulator: Python's wire sequence, fencing tokens,
// renewal, the local deadline, watches, lock-delay, force-release, ACLs and bad answers.
#include "app/backendregistry.h"
#include "app/context.h"
#include "consulsimulator.h"
#include "statestore.h"
#include "lock/consullock.h"
#include "lock/leasekeeper.h"
#include "util/clock.h"
#include "fakeclock.h"
#include "testcontext.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace jobslib;
using namespace jobslib::consulsim;
using namespace jobslib::test;

namespace {
const QString Key = QStringLiteral("jobs/test/lock");
}

class TestConsulLock : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void acquireAndReleaseFollowPythonsWire();
    void contendedFollowsPythonsWire();
    void tokensGrowAcrossHolders();
    void standbyIsFreedWhenHolderReleases();
    void forceReleaseIsNoticedWithinOneSecond();
    void forceReleaseFencesTheKeyBeyondTheLockDelay();
    void forceReleaseOfAChangedLockDoesNothing();
    void forceReleaseWithoutAnAnswerKeepsTheFence();
    void lostSessionsThenLockDelayBackOff();
    void renewalErrorsAreRetried();
    void unreachableConsulLosesBeforeTheServerCould();
    void aclTokenRequiredWrongAndRight();
    void malformedAnswerIsNeverBelieved();
    void queryOwnerShowsHolder();
    void failedReleaseFreesTheLockOnceConsulAnswers();
    void lockDelayBackOffEndsWithTheLockDelay();
    void keptLockPastItsDeadlineIsAcquiredAnew();
    void storeThatLostItsStateIsAnImmediateLoss();
    void indexGoingBackwardsIsALoss();

private:
    std::unique_ptr<Context> context(const QHash<QString, QString> &extra = {}) const;
    ConsulLock *lockOf(Context &c) const { return qobject_cast<ConsulLock *>(c.lock()); }
    /*! Acquires the lock of c (it must be free): the fencing token, 0 when it was not acquired within 5 s. */
    quint64 acquire(Context &c) const
    {
        QSignalSpy acquired(lockOf(c), &LockBackend::acquired);
        lockOf(c)->acquire();
        return acquired.wait(5000) ? acquired.constFirst().constFirst().toULongLong() : 0;
    }
    QList<LoggedRequest> consulRequests() const;

    std::unique_ptr<ConsulSimulator> m_sim;
    BackendRegistry m_registry = BackendRegistry::builtins();
};

void TestConsulLock::init()
{
    ConsulSimulator::Options o;
    o.ttlMultiplier = 1.0; // Consul's contract is "never before TTL"; 1.0 is its tightest case
    o.aclMasterToken = QString();
    m_sim = std::make_unique<ConsulSimulator>(o);
    QString error;
    QVERIFY2(m_sim->start(&error), qPrintable(error));
}

void TestConsulLock::cleanup()
{
    m_sim.reset();
}

std::unique_ptr<Context> TestConsulLock::context(const QHash<QString, QString> &extra) const
{
    QHash<QString, QString> v{{QStringLiteral("one_instance.backend"), QStringLiteral("consul")},
                              {QStringLiteral("one_instance.consul.address"), m_sim->address()},
                              {QStringLiteral("one_instance.consul.key"), Key},
                              {QStringLiteral("one_instance.consul.ttl"), QStringLiteral("10")},
                              {QStringLiteral("one_instance.consul.timeout"), QStringLiteral("2")},
                              {QStringLiteral("fqdn"), QStringLiteral("host-a.example.com")}};
    for (auto it = extra.cbegin(); it != extra.cend(); ++it)
        v.insert(it.key(), it.value());
    return testContext(m_registry, v, QStringLiteral("job"));
}

QList<LoggedRequest> TestConsulLock::consulRequests() const
{
    QList<LoggedRequest> r;
    const auto log = m_sim->requestLog();
    for (const LoggedRequest &l : log) {
        // Blocking queries (the holder's own watch) run beside the sequence under test.
        if (l.path.startsWith(QLatin1String("/v1/")) && !l.rawQuery.contains("index="))
            r << l;
    }
    return r;
}

static QString queryValue(const LoggedRequest &r, const QString &name)
{
    for (const auto &[k, v] : r.query) {
        if (k == name)
            return v;
    }
    return {};
}

void TestConsulLock::acquireAndReleaseFollowPythonsWire()
{
    auto ctx = context();
    ConsulLock *lock = lockOf(*ctx);
    QSignalSpy acquired(lock, &LockBackend::acquired);
    lock->acquire();
    QVERIFY(acquired.wait(5000));
    QCOMPARE(acquired.constFirst().constFirst().toULongLong(), 1u);
    QVERIFY(lock->isHeld());

    const auto log = consulRequests();
    QVERIFY(log.size() >= 3);
    QCOMPARE(log.at(0).method, QStringLiteral("PUT"));
    QCOMPARE(log.at(0).path, QStringLiteral("/v1/session/create"));
    const QJsonObject create = QJsonDocument::fromJson(log.at(0).body).object();
    QCOMPARE(create.value(QLatin1String("LockDelay")).toString(), QStringLiteral("1s"));
    QCOMPARE(create.value(QLatin1String("TTL")).toString(), QStringLiteral("10s"));
    QVERIFY(!create.contains(QLatin1String("Behavior"))); // Consul's default, release, as Python
    QVERIFY(!create.contains(QLatin1String("Checks")));   // default serfHealth, as Python
    QCOMPARE(log.at(1).path, QStringLiteral("/v1/kv/") + Key);
    const QString session = queryValue(log.at(1), QStringLiteral("acquire"));
    QVERIFY(!session.isEmpty());
    // The owner record: Python's four fields first, in its byte format.
    QVERIFY2(log.at(1).body.startsWith("{\"fqdn\": \"host-a.example.com\", \"timestamp\": "), log.at(1).body.constData());
    QVERIFY(log.at(1).body.contains("\"time_utc\": \""));
    QVERIFY(log.at(1).body.contains("\"time_local\": \""));
    QVERIFY(log.at(1).body.contains("\"fencing_token\": 1"));
    QCOMPARE(log.at(2).method, QStringLiteral("GET"));

    m_sim->clearRequestLog();
    QSignalSpy released(lock, &LockBackend::released);
    lock->release();
    QVERIFY(released.wait(5000));
    // released() comes only after the session is destroyed: a runjob exiting right after
    // releasing leaves no session behind.
    const auto rel = consulRequests();
    const auto releaseIt = std::find_if(rel.cbegin(), rel.cend(), [](const LoggedRequest &r) { return r.method == QLatin1String("PUT") && r.path.startsWith(QLatin1String("/v1/kv/")); });
    QVERIFY(releaseIt != rel.cend());
    QCOMPARE(queryValue(*releaseIt, QStringLiteral("release")), session);
    QVERIFY(releaseIt->body.isEmpty()); // as Python: the value is wiped
    const auto destroyIt = std::find_if(rel.cbegin(), rel.cend(), [&](const LoggedRequest &r) { return r.path == QStringLiteral("/v1/session/destroy/") + session; });
    QVERIFY2(destroyIt != rel.cend(), "the session must not leak");
    QVERIFY(releaseIt < destroyIt); // release first: destroying a holding session would start lock-delay
}

void TestConsulLock::contendedFollowsPythonsWire()
{
    auto a = context();
    auto b = context({{QStringLiteral("fqdn"), QStringLiteral("host-b.example.com")}});
    QVERIFY(acquire(*a));
    m_sim->clearRequestLog();
    QSignalSpy notAcquired(lockOf(*b), &LockBackend::notAcquired);
    lockOf(*b)->acquire();
    QVERIFY(notAcquired.wait(5000));
    const auto owner = notAcquired.constFirst().constFirst().value<LockOwner>();
    QVERIFY(owner.held);
    QVERIFY(owner.record);
    QCOMPARE(owner.record->fqdn, QStringLiteral("host-a.example.com"));
    // Python's sequence: create, acquire (false), destroy, GET for the owner.
    QTRY_VERIFY_WITH_TIMEOUT(consulRequests().size() >= 4, 5000);
    const auto log = consulRequests();
    QCOMPARE(log.at(0).path, QStringLiteral("/v1/session/create"));
    QVERIFY(!queryValue(log.at(1), QStringLiteral("acquire")).isEmpty());
    QStringList rest{log.at(2).method + QLatin1Char(' ') + log.at(2).path.section(QLatin1Char('/'), 0, 3),
                     log.at(3).method + QLatin1Char(' ') + log.at(3).path.section(QLatin1Char('/'), 0, 3)};
    rest.sort();
    QCOMPARE(rest, (QStringList{QStringLiteral("GET /v1/kv/jobs"), QStringLiteral("PUT /v1/session/destroy")}));
    QVERIFY(!lockOf(*b)->isHeld());
}

void TestConsulLock::tokensGrowAcrossHolders()
{
    auto a = context();
    auto b = context();
    quint64 last = 0;
    for (int i = 0; i < 4; ++i) {
        ConsulLock *lock = lockOf(i % 2 ? *b : *a);
        QSignalSpy acquired(lock, &LockBackend::acquired);
        lock->acquire();
        QVERIFY(acquired.wait(5000));
        const quint64 token = acquired.constFirst().constFirst().toULongLong();
        QVERIFY(token > last);
        last = token;
        QSignalSpy released(lock, &LockBackend::released);
        lock->release();
        QVERIFY(released.wait(5000));
    }
    QCOMPARE(last, 4u);
}

void TestConsulLock::standbyIsFreedWhenHolderReleases()
{
    auto a = context();
    auto b = context();
    QSignalSpy acquired(lockOf(*a), &LockBackend::acquired);
    lockOf(*a)->acquire();
    QVERIFY(acquired.wait(5000));
    QSignalSpy freed(lockOf(*b), &LockBackend::freed);
    lockOf(*b)->watchForRelease();
    QVERIFY(!freed.wait(300)); // held: no wake-up
    QElapsedTimer t;
    t.start();
    lockOf(*a)->release();
    QVERIFY(freed.wait(2000));
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    QSignalSpy bAcquired(lockOf(*b), &LockBackend::acquired);
    lockOf(*b)->acquire();
    QVERIFY(bAcquired.wait(5000));
    QCOMPARE(bAcquired.constFirst().constFirst().toULongLong(), 2u);
}

void TestConsulLock::forceReleaseIsNoticedWithinOneSecond()
{
    auto a = context();
    auto admin = context();
    QVERIFY(acquire(*a));
    QSignalSpy lost(lockOf(*a), &LockBackend::lost);
    QSignalSpy done(lockOf(*admin), &LockBackend::forceReleaseFinished);
    QElapsedTimer t;
    t.start();
    lockOf(*admin)->forceRelease();
    QVERIFY(done.wait(5000));
    QVERIFY(done.constFirst().constFirst().toBool());
    QVERIFY(lost.count() || lost.wait(2000));
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    QVERIFY(!lockOf(*a)->isHeld());
}

void TestConsulLock::forceReleaseFencesTheKeyBeyondTheLockDelay()
{
    // lock_delay 0: without the fence a standby would take the key while the old holder may
    // still be stopping its task (for up to the kill grace, 10 s by default).
    // The holder's kill grace (20 s, from its owner record) is longer than the releaser's (12.5 s):
    // the fence covers the holder's.
    auto a = context({{QStringLiteral("one_instance.consul.lock_delay"), QStringLiteral("0")}, {QStringLiteral("task.kill_grace"), QStringLiteral("20")}});
    auto b = context({{QStringLiteral("fqdn"), QStringLiteral("host-b.example.com")}});
    auto admin = context({{QStringLiteral("fqdn"), QStringLiteral("ops.example.com")}, {QStringLiteral("task.kill_grace"), QStringLiteral("12.5")}});
    QCOMPARE(ConsulLock::fenceSeconds(admin->config()), 19); // 12.5 s rounded up + 1 s + the 5 s margin
    QCOMPARE(ConsulLock::fenceSeconds(admin->config(), 20), 26);
    QCOMPARE(ConsulLock::fenceSeconds(admin->config(), 2), 19);
    const quint64 token = acquire(*a);
    QVERIFY(token);
    QSignalSpy lost(lockOf(*a), &LockBackend::lost);
    QSignalSpy done(lockOf(*admin), &LockBackend::forceReleaseFinished);
    lockOf(*admin)->forceRelease();
    QVERIFY(done.wait(5000));
    QVERIFY2(done.constFirst().at(0).toBool(), qPrintable(done.constFirst().at(1).toString()));
    QVERIFY2(done.constFirst().at(1).toString().contains(QStringLiteral("taken from host-a.example.com")), qPrintable(done.constFirst().at(1).toString()));
    QVERIFY2(done.constFirst().at(1).toString().contains(QStringLiteral("free in 26 to 52 s")), qPrintable(done.constFirst().at(1).toString()));
    QVERIFY(lost.count() || lost.wait(2000));

    // The standby is refused: the key is held by the fence session, in the releaser's name.
    QSignalSpy bNot(lockOf(*b), &LockBackend::notAcquired);
    QSignalSpy bAcquired(lockOf(*b), &LockBackend::acquired);
    lockOf(*b)->acquire();
    QVERIFY(bNot.wait(5000));
    const LockOwner fence = bNot.constFirst().constFirst().value<LockOwner>();
    QVERIFY(fence.held);
    QCOMPARE(fence.record->fqdn, QStringLiteral("ops.example.com"));
    QCOMPARE(fence.fencingToken, token + 1);
    QSignalSpy owner(lockOf(*b), &LockBackend::ownerQueried);
    lockOf(*b)->queryOwner();
    QVERIFY(owner.wait(5000));
    const QString detail = owner.constFirst().constFirst().value<std::optional<LockOwner>>()->detail;
    QVERIFY2(detail.contains(QStringLiteral("TTL 26s, lock-delay 0 s")), qPrintable(detail));

    // When the fence expires (shortened here), the key is free at once: its lock-delay is 0.
    m_sim->setTtlMultiplier(0.1);
    QSignalSpy freed(lockOf(*b), &LockBackend::freed);
    lockOf(*b)->watchForRelease();
    QVERIFY(freed.wait(5000));
    m_sim->setTtlMultiplier(1.0);
    lockOf(*b)->acquire();
    QVERIFY(bAcquired.wait(5000));
    QCOMPARE(bAcquired.constFirst().constFirst().toULongLong(), token + 2);
}

void TestConsulLock::forceReleaseOfAChangedLockDoesNothing()
{
    // The holder changes between release-lock's read and its transaction: check-index refuses,
    // the new holder keeps the lock and the fence session is destroyed again.
    auto a = context();
    auto admin = context();
    QVERIFY(acquire(*a));
    QSignalSpy lost(lockOf(*a), &LockBackend::lost);
    // release-lock reads the key, then creates its fence session (delayed here); meanwhile the
    // holder rewrites its record (as its token correction does), which moves ModifyIndex.
    m_sim->setResponseDelay(300, QStringLiteral("/v1/session/create"));
    m_sim->clearRequestLog(); // the holder's own session/create is in it
    QSignalSpy done(lockOf(*admin), &LockBackend::forceReleaseFinished);
    lockOf(*admin)->forceRelease();
    const auto fenceRequested = [this] {
        const auto log = m_sim->requestLog();
        return std::any_of(log.cbegin(), log.cend(), [](const LoggedRequest &l) { return l.path == QLatin1String("/v1/session/create"); });
    };
    QTRY_VERIFY_WITH_TIMEOUT(fenceRequested(), 5000);
    const QString holderSession = m_sim->store()->kvGet(Key)->session;
    QVERIFY(m_sim->store()->kvLock(Key, QByteArrayLiteral("{\"fqdn\": \"host-a.example.com\"}"), 0, holderSession).ok);
    QVERIFY(done.wait(5000));
    m_sim->clearFaults();
    QVERIFY(!done.constFirst().at(0).toBool());
    QVERIFY2(done.constFirst().at(1).toString().contains(QStringLiteral("changed hands")), qPrintable(done.constFirst().at(1).toString()));
    QVERIFY(lockOf(*a)->isHeld());
    QCOMPARE(m_sim->store()->kvGet(Key)->session, holderSession);
    QVERIFY(lost.isEmpty());
    // Only the holder's session is left: the fence was destroyed again.
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->store()->sessions().size(), 1, 5000);
}

void TestConsulLock::forceReleaseWithoutAnAnswerKeepsTheFence()
{
    // The transaction is carried out, but its answer comes after the client's timeout (2 s): the
    // fence must stay, or the key would be free while the old task may still be stopping.
    auto a = context();
    auto admin = context();
    QVERIFY(acquire(*a));
    QSignalSpy lost(lockOf(*a), &LockBackend::lost);
    m_sim->setResponseDelay(3000, QStringLiteral("/v1/txn"), FaultInjector::DelayPoint::AfterHandling);
    QSignalSpy done(lockOf(*admin), &LockBackend::forceReleaseFinished);
    lockOf(*admin)->forceRelease();
    QVERIFY(done.wait(10000));
    m_sim->clearFaults();
    QVERIFY(!done.constFirst().at(0).toBool());
    QVERIFY2(done.constFirst().at(1).toString().contains(QStringLiteral("if the release went through, the lock is fenced")),
             qPrintable(done.constFirst().at(1).toString()));
    QVERIFY(lost.count() || lost.wait(2000)); // the holder saw its key move
    const consulsim::KvEntry *key = m_sim->store()->kvGet(Key);
    QVERIFY(key && !key->session.isEmpty());
    QVERIFY2(m_sim->store()->session(key->session), "the fence session was destroyed");
}

void TestConsulLock::lostSessionsThenLockDelayBackOff()
{
    auto a = context({{QStringLiteral("one_instance.consul.lock_delay"), QStringLiteral("1")}});
    auto b = context();
    QSignalSpy acquired(lockOf(*a), &LockBackend::acquired);
    lockOf(*a)->acquire();
    QVERIFY(acquired.wait(5000));
    QSignalSpy lost(lockOf(*a), &LockBackend::lost);
    QElapsedTimer t;
    t.start();
    m_sim->loseAllSessions(); // as after a leader change with lost state: lock-delay applies
    QVERIFY(lost.wait(2000));
    // During the lock-delay Consul refuses everybody; the standby backs off and gets it after.
    QSignalSpy bNot(lockOf(*b), &LockBackend::notAcquired);
    lockOf(*b)->acquire();
    QVERIFY(bNot.wait(5000));
    QVERIFY(!bNot.constFirst().constFirst().value<LockOwner>().held);
    QVERIFY(bNot.constFirst().constFirst().value<LockOwner>().detail.contains(QStringLiteral("lock-delay")));
    QSignalSpy freed(lockOf(*b), &LockBackend::freed);
    QSignalSpy bAcquired(lockOf(*b), &LockBackend::acquired);
    for (int i = 0; i < 20 && bAcquired.isEmpty(); ++i) {
        lockOf(*b)->watchForRelease();
        QVERIFY(freed.wait(6000));
        lockOf(*b)->acquire();
        QTRY_VERIFY_WITH_TIMEOUT(!bAcquired.isEmpty() || bNot.size() > i + 1, 5000);
    }
    QVERIFY(!bAcquired.isEmpty());
    QVERIFY2(t.elapsed() >= 1000, "acquired inside the lock-delay");
    QVERIFY(t.elapsed() < 4000);
}

void TestConsulLock::renewalErrorsAreRetried()
{
    auto a = context();
    QVERIFY(acquire(*a));
    QSignalSpy lost(lockOf(*a), &LockBackend::lost);
    m_sim->failNext(2, 500, QByteArrayLiteral("No cluster leader"), QStringLiteral("/v1/session/renew"));
    // TTL 10 s: renewals every 1.3 s (a third of the 4 s the 6 s margin leaves); two failures are
    // retried 0.4 s apart, the third succeeds, well before the deadline 4 s after the last one.
    QTRY_VERIFY_WITH_TIMEOUT(std::count_if(m_sim->requestLog().cbegin(), m_sim->requestLog().cend(),
                                           [](const LoggedRequest &r) { return r.path.startsWith(QLatin1String("/v1/session/renew/")); })
                                 >= 3,
                             9000);
    QVERIFY(lost.isEmpty());
    QVERIFY(lockOf(*a)->isHeld());
}

void TestConsulLock::unreachableConsulLosesBeforeTheServerCould()
{
    auto a = context();
    QSignalSpy acquired(lockOf(*a), &LockBackend::acquired);
    QElapsedTimer sinceAcquire;
    sinceAcquire.start();
    lockOf(*a)->acquire();
    QVERIFY(acquired.wait(5000));
    QSignalSpy lost(lockOf(*a), &LockBackend::lost);
    m_sim->setBlackhole(true);
    QVERIFY(lost.wait(15000));
    // The session was created (and never renewed) after sinceAcquire started: the local deadline
    // (the TTL of 10 s less 1 s for the kill and the 5 s margin) fired at least the margin before
    // Consul could have expired the session, and not before the 4 s it proved.
    QVERIFY2(sinceAcquire.elapsed() < 10000 - LockBackend::FenceMarginS * 1000, qPrintable(QString::number(sinceAcquire.elapsed())));
    QVERIFY(sinceAcquire.elapsed() >= LeaseKeeper::windowMs(10000, 0));
    QVERIFY(!lockOf(*a)->isHeld());
}

void TestConsulLock::aclTokenRequiredWrongAndRight()
{
    m_sim.reset();
    ConsulSimulator::Options o;
    o.aclMasterToken = QStringLiteral("s3cr3t-master");
    m_sim = std::make_unique<ConsulSimulator>(o);
    QVERIFY(m_sim->start());
    for (const auto &[token, ok] : {std::pair{QString(), false}, std::pair{QStringLiteral("wrong"), false}, std::pair{QStringLiteral("s3cr3t-master"), true}}) {
        auto c = context({{QStringLiteral("one_instance.consul.token"), token}});
        QSignalSpy acquired(lockOf(*c), &LockBackend::acquired);
        QSignalSpy failed(lockOf(*c), &LockBackend::acquireFailed);
        lockOf(*c)->acquire();
        QTRY_VERIFY_WITH_TIMEOUT(!acquired.isEmpty() || !failed.isEmpty(), 5000);
        QCOMPARE(!acquired.isEmpty(), ok);
        if (!ok)
            QVERIFY2(failed.constFirst().constFirst().toString().contains(QStringLiteral("HTTP 403")), qPrintable(failed.constFirst().constFirst().toString()));
    }
    // The token travels in the X-Consul-Token header, never in a URL.
    for (const LoggedRequest &r : m_sim->requestLog())
        QVERIFY(!r.rawQuery.contains("s3cr3t"));
}

void TestConsulLock::malformedAnswerIsNeverBelieved()
{
    auto a = context();
    m_sim->failNext(1, 200, QByteArrayLiteral("<html>proxy says hi</html>"), QStringLiteral("/v1/kv/"), QByteArrayLiteral("PUT"));
    QSignalSpy acquired(lockOf(*a), &LockBackend::acquired);
    QSignalSpy failed(lockOf(*a), &LockBackend::acquireFailed);
    lockOf(*a)->acquire();
    QVERIFY(failed.wait(5000));
    QVERIFY(failed.constFirst().constFirst().toString().contains(QStringLiteral("malformed")));
    QVERIFY(acquired.isEmpty());
    QVERIFY(!lockOf(*a)->isHeld());
}

void TestConsulLock::queryOwnerShowsHolder()
{
    auto a = context();
    QVERIFY(acquire(*a));
    auto b = context();
    QSignalSpy queried(lockOf(*b), &LockBackend::ownerQueried);
    lockOf(*b)->queryOwner();
    QVERIFY(queried.wait(5000));
    const auto owner = queried.constFirst().constFirst().value<std::optional<LockOwner>>();
    QVERIFY(owner && owner->held);
    QCOMPARE(owner->record->fqdn, QStringLiteral("host-a.example.com"));
    QCOMPARE(owner->record->fencingToken, 1u);
    QVERIFY2(owner->detail.contains(QStringLiteral("TTL 10s")), qPrintable(owner->detail));
}

// Found by bench/soak.sh: a release whose PUT and session destroy both failed left the key held
// by a session nobody renewed, and the job stood still until Consul expired it (2 x TTL).
void TestConsulLock::failedReleaseFreesTheLockOnceConsulAnswers()
{
    auto a = context();
    QVERIFY(acquire(*a));
    const QString session = m_sim->store()->sessions().constFirst().id;

    // The release PUT, the destroy and its first background retry fail.
    m_sim->failNext(3, 500, QByteArrayLiteral("rpc error: No cluster leader"), QStringLiteral("/v1/"), QByteArrayLiteral("PUT"));
    QSignalSpy releaseFailed(lockOf(*a), &LockBackend::releaseFailed);
    QElapsedTimer sinceRelease;
    sinceRelease.start();
    lockOf(*a)->release();
    QVERIFY(releaseFailed.wait(5000));
    QVERIFY(m_sim->store()->session(session));

    // Destroyed by a later retry (0.5 s, then 1 s), long before Consul's own expiry (TTL 10 s).
    QTRY_VERIFY_WITH_TIMEOUT(!m_sim->store()->session(session), 5000);
    QVERIFY2(sinceRelease.elapsed() < 5000, qPrintable(QString::number(sinceRelease.elapsed())));
    const jobslib::consulsim::KvEntry *entry = m_sim->store()->kvGet(Key);
    QVERIFY(!entry || entry->session.isEmpty());
}

// The back-off after refusals by lock-delay belongs to that lock-delay: once somebody holds the
// key again, its graceful release must free a standby at once, not a back-off (up to 5 s) later.
void TestConsulLock::lockDelayBackOffEndsWithTheLockDelay()
{
    auto a = context({{QStringLiteral("one_instance.consul.lock_delay"), QStringLiteral("2")}});
    auto b = context();
    QSignalSpy aAcquired(lockOf(*a), &LockBackend::acquired);
    lockOf(*a)->acquire();
    QVERIFY(aAcquired.wait(5000));
    QSignalSpy lost(lockOf(*a), &LockBackend::lost);
    m_sim->loseAllSessions(); // lock-delay 2 s
    QVERIFY(lost.wait(2000));
    QSignalSpy bNot(lockOf(*b), &LockBackend::notAcquired);
    for (int i = 1; i <= 3; ++i) { // three refusals: the back-off grows to 1 s
        lockOf(*b)->acquire();
        QVERIFY(bNot.wait(5000));
        QVERIFY(!bNot.constLast().constFirst().value<LockOwner>().held);
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->store()->lockDelayRemainingMs(Key), qint64(0), 5000);
    lockOf(*a)->acquire();
    QVERIFY(aAcquired.wait(5000));
    lockOf(*b)->acquire();
    QVERIFY(bNot.wait(5000));
    QVERIFY(bNot.constLast().constFirst().value<LockOwner>().held);

    QSignalSpy freed(lockOf(*b), &LockBackend::freed);
    lockOf(*b)->watchForRelease();
    QElapsedTimer t;
    t.start();
    lockOf(*a)->release(); // graceful: no lock-delay
    QVERIFY(freed.wait(5000));
    QVERIFY2(t.elapsed() < 500, qPrintable(QStringLiteral("freed %1 ms after the release").arg(t.elapsed())));
}

// Issue 15: frozen past the lease while holding the lock (keep_lock), the next iteration's
// acquire() comes before the lease's own deadline timer. It must not answer "still yours".
void TestConsulLock::keptLockPastItsDeadlineIsAcquiredAnew()
{
    auto ctx = context();
    auto fake = std::make_unique<FakeClock>();
    FakeClock *clock = fake.get();
    ctx->setClock(std::move(fake));
    ConsulLock *lock = lockOf(*ctx);
    const quint64 first = acquire(*ctx);
    QVERIFY(first > 0);
    clock->freeze(25000); // 2 x TTL + 5 s: the local deadline (9 s) passed, no timer fired yet

    QSignalSpy lost(lock, &LockBackend::lost);
    QSignalSpy acquired(lock, &LockBackend::acquired);
    QSignalSpy notAcquired(lock, &LockBackend::notAcquired);
    QSignalSpy failed(lock, &LockBackend::acquireFailed);
    lock->acquire();
    QVERIFY(QTest::qWaitFor([&] { return acquired.size() + notAcquired.size() + failed.size() > 0; }, 5000));
    QCOMPARE(lost.size(), 1);
    QVERIFY2(lost.constFirst().constFirst().toString().contains(QStringLiteral("deadline passed")), qPrintable(lost.constFirst().constFirst().toString()));
    // One answer, and never the old acquisition: the old session was destroyed (its lock-delay
    // refuses the fresh try) or a new one holds the key with a larger token.
    QTest::qWait(200);
    QCOMPARE(acquired.size() + notAcquired.size() + failed.size(), 1);
    if (!acquired.isEmpty())
        QVERIFY(acquired.constFirst().constFirst().toULongLong() > first);
    clock->advance(0); // the overdue deadline timer: the lock is already lost, nothing more
    QCOMPARE(lost.size(), 1);
}

void TestConsulLock::storeThatLostItsStateIsAnImmediateLoss()
{
    // A rebuilt cluster: no sessions, no keys, the index back at the start. Consul holds a
    // blocking query whose index is above its own until the wait runs out, so the holder's watch
    // (shortened here from 5 min) learns it at its next answer, and its next renewal (TTL/3) at the
    // latest. Whichever sees it first, the loss is immediate: the key is gone.
    auto ctx = context();
    ConsulLock *lock = lockOf(*ctx);
    lock->setWatchWaitMs(1000);
    QVERIFY(acquire(*ctx) > 0);
    QSignalSpy lost(lock, &LockBackend::lost);
    QElapsedTimer t;
    t.start();
    m_sim->reset();
    QVERIFY(lost.wait(5000));
    const QString reason = lost.constFirst().constFirst().toString();
    qInfo("lost %lld ms after the store lost its state: %s", t.elapsed(), qPrintable(reason));
    QVERIFY2(reason.contains(QStringLiteral("deleted")), qPrintable(reason));
    QVERIFY2(t.elapsed() < 2500, qPrintable(QString::number(t.elapsed()))); // the watch's answer, before the renewal at 3.3 s
}

void TestConsulLock::indexGoingBackwardsIsALoss()
{
    auto ctx = context();
    ConsulLock *lock = lockOf(*ctx);
    lock->setWatchWaitMs(500);
    QVERIFY(acquire(*ctx) > 0);
    QSignalSpy lost(lock, &LockBackend::lost);
    m_sim->rewindIndex(5); // a snapshot restore: the key and session are there, the index went back
    QVERIFY(lost.wait(5000));
    QVERIFY2(lost.constFirst().constFirst().toString().contains(QStringLiteral("index went backwards")), qPrintable(lost.constFirst().constFirst().toString()));
}

QTEST_GUILESS_MAIN(TestConsulLock)
#include "tst_consullock.moc"
