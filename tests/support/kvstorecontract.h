// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "kv/kvstore.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace jobslib::test {

class KvAwait;

/*!
 * The server behind the KvStore under test, as the contract checks need it: what only the
 * backend's test can see or do (the Consul simulator's request log and parked queries, the etcd
 * client's requests, a write by another client). What it counts, it counts from the last mark().
 *
 * The expect...() functions check with QVERIFY/QCOMPARE, so a failure names the backend's check;
 * the contract stops as soon as one failed.
 */
class KvServerProbe
{
public:
    virtual ~KvServerProbe() = default;

    /*! Writes key as another client of the server (not through the store under test): the store learns of it only by watching. */
    virtual bool write(const QString &key, const QByteArray &value) = 0;

    /*! From now on: what the expect...() functions count (listings, server-side watches) starts here. */
    virtual void mark() = 0;
    /*!
     * Waits until the store's one server-side watch is in place, so that a change now must wake it,
     * or returns at once where the contract is to see a change that comes before it is in place.
     */
    virtual void waitUntilWatching() = 0;
    /*! Since mark(), the store started one server-side watch (of prefix) with one listing and nothing else; waits until it is in place. */
    virtual void expectOneWatchStarted(const QString &prefix) = 0;
    /*! Since mark(), still only the one server-side watch of prefix (changes came since: no new listing for them). */
    virtual void expectStillTheOneWatch(const QString &prefix) = 0;
    /*! Since mark(), the store started no server-side watch and listed nothing. */
    virtual void expectNoNewWatch() = 0;
    /*! The store has no server-side watch left (waits for it to end), as far as the server tells. */
    virtual void expectNoWatch() = 0;

    /*! Whether writing a key's value again is a change: etcd makes a new revision; Consul skips the write. */
    virtual bool sameValueIsAChange() const = 0;
    /*! KvItem::lockIndex of a key no lock held: etcd's create revision (> 0); Consul's LockIndex, 0. */
    virtual bool lockIndexIsCreateRevision() const = 0;
};

/*!
 * The KvStore contract, checked the same way against every backend (src/core/kv/kvstore.h): each
 * function is one test's worth, fails with QVERIFY/QCOMPARE at the check that failed, and uses its
 * own keys (an etcd cluster is shared by a program's tests). A caller that goes on after one
 * checks QTest::currentTestFailed() first. kv runs the calls, so that the caller's cleanup() can
 * check that every callback ran exactly once.
 */
namespace KvStoreContract {

/*! get, put (binary too), list (sorted, prefix only), remove (also of an absent key, not recursive); keys under "rw/". */
void readsAndWrites(KvStore &s, KvAwait &kv, const KvServerProbe &server);
/*! s cannot reach its server: a read fails with the reason, not silence. */
void readFailsWhenUnreachable(KvStore &s, KvAwait &kv);
/*! create() writes only an absent key. */
void createOnlyWhenAbsent(KvStore &s, KvAwait &kv);
/*! No holder: holderInfo("") answers that it does not exist (not a failure). */
void holderInfoOfNobody(KvStore &s, KvAwait &kv);

/*! A key watch reports the current value after watch() returned, then a change within 1 s, then the key's removal. */
void watchSeesAChangeWithinOneSecond(KvStore &s, KvAwait &kv, KvServerProbe &server);
/*! A key watch and a prefix watch share one server-side watch; each hears of its own keys only. */
void watchesShareOneServerWatch(KvStore &s, KvServerProbe &server);
/*! 300 key watches start one server-side watch (of their common prefix); a change reaches its watch only. */
void manyWatchesStartOneServerWatch(KvStore &s, KvServerProbe &server);
/*! The server-side watch narrows as watches go and ends with the last one; a watch may outlive its store (s is destroyed). */
void lastWatchGoneStopsTheServerWatch(std::unique_ptr<KvStore> s, KvServerProbe &server);
/*! A watch covered by what the store knows is reported from it, without a new server-side watch; one not covered widens the watch. */
void laterWatchGetsTheCurrentContent(KvStore &s, KvServerProbe &server);

} // namespace KvStoreContract

} // namespace jobslib::test
