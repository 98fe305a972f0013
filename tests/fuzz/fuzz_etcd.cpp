// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target: what jobslib reads from etcd's v3 JSON gateway (src/core/etcd/etcdparse.h, which
// EtcdClient and EtcdWatch use): the answers of range, put, txn, deleterange and the lease calls,
// error bodies, and the watch and keepalive streams as the network delivers them, in chunks.
//
// Input: any bytes, used as the body of every answer and as a stream. The first byte also decides
// where the stream is cut into chunks (as network reads split and join the gateway's lines).
//
// Invariants: a result is a value or an error with a text; the stream splitter takes the same
// objects whatever the chunks; a key-value read back from the gateway's form of itself is equal;
// the documented value ranges (lease TTL >= -1, keepalive TTL >= 0, lease ID and put revision != 0).

#include "fuzzsupport.h"

#include "etcd/etcdparse.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace jobslib;
using namespace jobslib::etcdparse;

namespace {

template<typename T>
void checkResult(const EtcdResult<T> &r)
{
    if (r.ok())
        FUZZ_CHECK(r.error.message.isEmpty());
    else
        FUZZ_CHECK(!r.error.message.isEmpty() && !r.error.describe().isEmpty());
}

bool sameKv(const EtcdKv &a, const EtcdKv &b)
{
    return a.key == b.key && a.value == b.value && a.createRevision == b.createRevision && a.modRevision == b.modRevision
        && a.version == b.version && a.lease == b.lease;
}

/*! A key-value as the gateway writes it: bytes in base64, int64s as strings. Reads back the same. */
void checkKvRoundTrip(const EtcdKv &kv)
{
    const QJsonObject wire{{QStringLiteral("key"), QString::fromLatin1(kv.key.toBase64())},
                           {QStringLiteral("value"), QString::fromLatin1(kv.value.toBase64())},
                           {QStringLiteral("create_revision"), QString::number(kv.createRevision)},
                           {QStringLiteral("mod_revision"), QString::number(kv.modRevision)},
                           {QStringLiteral("version"), QString::number(kv.version)},
                           {QStringLiteral("lease"), QString::number(kv.lease)}};
    EtcdKv again;
    FUZZ_CHECK(parseKv(wire, again));
    FUZZ_CHECK(sameKv(kv, again));
}

void checkError(int status, const QByteArray &body)
{
    const EtcdError e = errorFromBody(status, body);
    FUZZ_CHECK(!e.message.isEmpty());
    // The stream error's http_code only stands in for a status that says nothing (none, or 2xx).
    if (status != 0 && (status < 200 || status >= 300))
        FUZZ_CHECK(e.httpStatus == status);
    FUZZ_CHECK(!e.describe().isEmpty());
}

/*! Every object the splitter takes off \a stream delivered in \a chunks, and whether it ended in garbage. */
QList<QByteArray> takeAll(const QList<QByteArray> &chunks, bool *garbage)
{
    QList<QByteArray> objects;
    QByteArray buffer;
    *garbage = false;
    for (const QByteArray &chunk : chunks) {
        buffer += chunk;
        for (;;) {
            QByteArray object;
            const qsizetype before = buffer.size();
            const Take taken = takeObject(buffer, &object);
            if (taken == Take::Incomplete)
                break;
            if (taken == Take::Garbage) {
                *garbage = true;
                return objects;
            }
            FUZZ_CHECK(buffer.size() < before); // progress: never the same object twice
            FUZZ_CHECK(object.startsWith('{'));
            objects << object;
        }
    }
    return objects;
}

void checkWatch(const QByteArray &object)
{
    const WatchResponse r = watchResponse(object);
    switch (r.kind) {
    case WatchResponse::Kind::Malformed:
        FUZZ_CHECK(!r.error.message.isEmpty() && r.events.isEmpty());
        break;
    case WatchResponse::Kind::Failed:
        FUZZ_CHECK(!r.error.message.isEmpty());
        if (r.error.compactRevision > 0)
            FUZZ_CHECK(r.error.grpcCode == 11);
        break;
    case WatchResponse::Kind::Result:
        FUZZ_CHECK(r.eventsMalformed == !r.error.message.isEmpty());
        for (const EtcdWatchEvent &e : r.events)
            checkKvRoundTrip(e.kv);
        break;
    }
    // The keepalive stream's first object goes through the same splitter.
    const auto keepAlive = keepAliveAnswer(object);
    checkResult(keepAlive);
    if (keepAlive.ok())
        FUZZ_CHECK(*keepAlive.value >= 0);
    (void)isStreamError(object);
}

void checkAnswers(const QByteArray &body)
{
    const auto put = putAnswer(body);
    checkResult(put);
    if (put.ok())
        FUZZ_CHECK(*put.value != 0);
    (void)authToken(body);
    const auto object = parseObject(body);
    if (!object)
        return;
    const QJsonObject &o = *object;

    const auto read = rangeAnswer(o);
    checkResult(read);
    const auto list = rangeListAnswer(o);
    checkResult(list);
    if (list.ok()) {
        for (const EtcdKv &kv : list.value->kvs)
            checkKvRoundTrip(kv);
        // A listing that reads every entry reads the first one as a single read does.
        FUZZ_CHECK(read.ok());
        FUZZ_CHECK(read.value->revision == list.value->revision);
        FUZZ_CHECK(read.value->kv.has_value() == !list.value->kvs.isEmpty());
        if (read.value->kv)
            FUZZ_CHECK(sameKv(*read.value->kv, list.value->kvs.constFirst()));
    }
    const auto create = createTxnAnswer(o);
    checkResult(create);
    if (create.ok()) {
        FUZZ_CHECK(create.value->created != create.value->existing.has_value());
        if (create.value->existing)
            checkKvRoundTrip(*create.value->existing);
    }
    checkResult(deleteTxnAnswer(o));
    checkResult(replaceTxnAnswer(o));
    checkResult(deleteRangeAnswer(o));
    const auto grant = leaseGrantAnswer(o);
    checkResult(grant);
    if (grant.ok())
        FUZZ_CHECK(*grant.value != 0);
    const auto ttl = leaseTtlAnswer(o);
    checkResult(ttl);
    if (ttl.ok())
        FUZZ_CHECK(ttl.value->ttlS >= -1 && ttl.value->exists() == (ttl.value->ttlS >= 0));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz::run([&] {
        const QByteArray input = fuzz::bytes(data, size);
        checkAnswers(input);
        for (const int status : {0, 200, 400, 401, 404, 503})
            checkError(status, input);

        // The stream whole, and cut into chunks of 1..16 bytes (the first byte says how long).
        bool garbageWhole = false;
        const QList<QByteArray> whole = takeAll({input}, &garbageWhole);
        const qsizetype step = input.isEmpty() ? 1 : 1 + (quint8(input.at(0)) % 16);
        QList<QByteArray> chunks;
        for (qsizetype i = 0; i < input.size(); i += step)
            chunks << input.mid(i, step);
        bool garbageChunked = false;
        const QList<QByteArray> chunked = takeAll(chunks, &garbageChunked);
        FUZZ_CHECK(whole == chunked);
        FUZZ_CHECK(garbageWhole == garbageChunked);
        for (const QByteArray &object : whole)
            checkWatch(object);
    });
}
