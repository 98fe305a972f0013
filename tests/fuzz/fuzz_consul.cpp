// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target: what jobslib reads from Consul's HTTP answers (src/core/consul/consulclient.h):
// ConsulClient::parseKvEntry()/parseKvEntries(), and every call of the real ConsulClient answered
// by a fake network with the fuzzed status, X-Consul-Index header and body: KV get and listing,
// session create/renew/destroy/info, KV put/delete, transactions, agent/self, check register/update. So the
// parsing inside the client's callbacks (session info, true/false answers, the index header, error
// texts) is fuzzed as it runs, without a Consul.
//
// Input: "<HTTP status>\n<X-Consul-Index value>\n<body>". A status that is no number is 0: no HTTP
// answer (a network error); "0t" is a timeout. An empty index line sends no header.
//
// Invariants: every callback runs exactly once; a result is a value or an error, never both; a
// non-2xx answer is an error with that status and the body's text (save the documented 404s); the
// index is the header's decimal value; the two KV parsers agree with each other.

#include "fuzzsupport.h"

#include "consul/consulclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

#include <algorithm>
#include <cstring>
#include <optional>

using namespace jobslib;

namespace {

/*! The answer every request of one input gets. */
struct Answer
{
    int status = 0;
    bool timedOut = false;
    std::optional<QByteArray> index;
    QByteArray body;
};

Answer parseInput(const QByteArray &input)
{
    Answer a;
    const qsizetype first = input.indexOf('\n');
    const QByteArray statusLine = input.left(first < 0 ? input.size() : first);
    a.timedOut = statusLine == "0t";
    a.status = statusLine.toInt(); // not a number: 0
    if (first < 0)
        return a;
    const qsizetype second = input.indexOf('\n', first + 1);
    const QByteArray indexLine = input.mid(first + 1, second < 0 ? -1 : second - first - 1);
    if (!indexLine.isEmpty())
        a.index = indexLine;
    if (second >= 0)
        a.body = input.mid(second + 1);
    return a;
}

/*! A reply that has its whole answer at once; finish() makes it end, as QNetworkReplyImpl would. */
class FakeReply : public QNetworkReply
{
public:
    FakeReply(QNetworkAccessManager::Operation op, const QNetworkRequest &request, const Answer &answer, QObject *parent)
        : QNetworkReply(parent)
        , m_data(answer.body)
    {
        setOperation(op);
        setRequest(request);
        setUrl(request.url());
        if (answer.status != 0) {
            setAttribute(QNetworkRequest::HttpStatusCodeAttribute, answer.status);
            if (answer.index)
                setRawHeader(QByteArrayLiteral("X-Consul-Index"), *answer.index);
        } else if (answer.timedOut) {
            setError(QNetworkReply::OperationCanceledError, QStringLiteral("Operation canceled"));
        } else {
            setError(QNetworkReply::ConnectionRefusedError, QStringLiteral("Connection refused"));
        }
        open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }

    void finish()
    {
        setFinished(true);
        Q_EMIT finished();
    }

    void abort() override {}
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return m_data.size() - m_read + QNetworkReply::bytesAvailable(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = qMin<qint64>(maxSize, m_data.size() - m_read);
        if (n <= 0)
            return -1;
        memcpy(data, m_data.constData() + m_read, size_t(n));
        m_read += n;
        return n;
    }

private:
    QByteArray m_data;
    qint64 m_read = 0;
};

/*! Answers every request with the current Answer; the test finishes the reply. */
class FakeNetwork : public QNetworkAccessManager
{
public:
    Answer answer;
    FakeReply *last = nullptr;

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *) override
    {
        last = new FakeReply(op, request, answer, this);
        return last;
    }
};

FakeNetwork &network()
{
    static FakeNetwork *n = new FakeNetwork;
    return *n;
}

ConsulClient &client()
{
    static ConsulClient *c = new ConsulClient(&network(), ConsulEndpoint{});
    return *c;
}

bool is2xx(int status)
{
    return status >= 200 && status < 300;
}

/*! The index the header says: its decimal value, 0 when absent or not a number. */
quint64 expectedIndex(const Answer &a)
{
    if (!a.index || a.status == 0)
        return 0;
    return a.index->toULongLong();
}

/*!
 * Makes one call, finishes its reply and checks the callback ran once, with a value or an error;
 * for an answer that is an error on every endpoint (not 2xx, unless \a okStatus says it is fine),
 * with the status and the body's text.
 */
template<typename T, typename Call, typename Check>
void call(const Answer &answer, Call &&start, Check &&check, std::initializer_list<int> okStatus = {})
{
    int calls = 0;
    std::optional<ConsulResult<T>> result;
    QObject context;
    network().last = nullptr;
    start(&context, [&](const ConsulResult<T> &r) {
        ++calls;
        result = r;
    });
    FUZZ_CHECK(network().last != nullptr);
    FUZZ_CHECK(calls == 0); // never from within the call
    network().last->finish();
    FUZZ_CHECK(calls == 1);
    const ConsulResult<T> &r = *result;
    if (r.ok()) {
        FUZZ_CHECK(r.error.message.isEmpty());
    } else {
        FUZZ_CHECK(!r.error.describe().isEmpty());
    }
    const bool special = std::find(okStatus.begin(), okStatus.end(), answer.status) != okStatus.end();
    if (answer.status == 0) {
        FUZZ_CHECK(!r.ok());
        FUZZ_CHECK(r.error.isNetwork());
        FUZZ_CHECK(r.error.timedOut == answer.timedOut);
    } else if (!is2xx(answer.status) && !special) {
        FUZZ_CHECK(!r.ok());
        FUZZ_CHECK(r.error.httpStatus == answer.status);
        FUZZ_CHECK(r.error.message == QString::fromUtf8(answer.body.left(500)));
    }
    check(r);
}

bool sameEntry(const KvEntry &a, const KvEntry &b)
{
    return a.key == b.key && a.value == b.value && a.valueIsNull == b.valueIsNull && a.session == b.session && a.lockIndex == b.lockIndex
        && a.createIndex == b.createIndex && a.modifyIndex == b.modifyIndex && a.flags == b.flags;
}

void checkEntry(const KvEntry &e)
{
    if (e.valueIsNull)
        FUZZ_CHECK(e.value.isEmpty());
}

/*! The true/false answers: a value exactly when the trimmed body is one of them. */
void checkBoolAnswer(const Answer &a, const ConsulResult<bool> &r)
{
    if (a.status != 200)
        return;
    const QByteArray t = a.body.trimmed();
    FUZZ_CHECK(r.ok() == (t == "true" || t == "false"));
    if (r.ok())
        FUZZ_CHECK(*r.value == (t == "true"));
}

void parsers(const QByteArray &body)
{
    const auto one = ConsulClient::parseKvEntry(body);
    const auto all = ConsulClient::parseKvEntries(body);
    FUZZ_CHECK(one.ok() || !one.error.message.isEmpty());
    FUZZ_CHECK(all.ok() || !all.error.message.isEmpty());
    if (one.ok())
        checkEntry(*one.value);
    if (all.ok()) {
        for (const KvEntry &e : *all.value)
            checkEntry(e);
        // Whatever the listing accepts, the single read accepts too, and reads the same first entry.
        if (!all.value->isEmpty()) {
            FUZZ_CHECK(one.ok());
            FUZZ_CHECK(sameEntry(*one.value, all.value->constFirst()));
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz::run([&] {
        fuzz::ensureApplication();
        const QByteArray input = fuzz::bytes(data, size);
        const Answer a = parseInput(input);
        network().answer = a;
        ConsulClient &c = client();

        parsers(a.body);
        parsers(input);

        call<KvRead>(
            a, [&](QObject *ctx, auto done) { return c.kvGet(QStringLiteral("jobs/lock"), 0, 0, ctx, done); },
            [&](const ConsulResult<KvRead> &r) {
                if (!r.ok())
                    return;
                FUZZ_CHECK(r.value->index == expectedIndex(a));
                FUZZ_CHECK(r.value->entry.has_value() == (a.status != 404));
                if (r.value->entry)
                    checkEntry(*r.value->entry);
            },
            {404});
        call<KvList>(
            a, [&](QObject *ctx, auto done) { return c.kvList(QStringLiteral("jobs/"), 7, 1000, ctx, done); },
            [&](const ConsulResult<KvList> &r) {
                if (!r.ok())
                    return;
                FUZZ_CHECK(r.value->index == expectedIndex(a));
                if (a.status == 404)
                    FUZZ_CHECK(r.value->entries.isEmpty());
            },
            {404});
        call<std::optional<SessionInfo>>(
            a, [&](QObject *ctx, auto done) { return c.sessionInfo(QStringLiteral("adf4238a-882b-9ddc-4a9d-5b6758e4159e"), ctx, done); },
            [&](const ConsulResult<std::optional<SessionInfo>> &r) {
                if (r.ok())
                    FUZZ_CHECK(a.status == 200);
            });
        call<QString>(
            a, [&](QObject *ctx, auto done) { return c.createSession(QJsonObject{{QStringLiteral("TTL"), QStringLiteral("30s")}}, ctx, done); },
            [&](const ConsulResult<QString> &r) {
                if (r.ok())
                    FUZZ_CHECK(!r.value->isEmpty());
            });
        call<bool>(
            a, [&](QObject *ctx, auto done) { return c.renewSession(QStringLiteral("s"), ctx, done); },
            [&](const ConsulResult<bool> &r) {
                if (a.status == 404)
                    FUZZ_CHECK(r.ok() && !*r.value);
                if (a.status == 200)
                    FUZZ_CHECK(r.ok() && *r.value);
            },
            {404});
        call<bool>(
            a, [&](QObject *ctx, auto done) { return c.destroySession(QStringLiteral("s"), ctx, done); },
            [&](const ConsulResult<bool> &r) { checkBoolAnswer(a, r); });
        QUrlQuery acquire;
        acquire.addQueryItem(QStringLiteral("acquire"), QStringLiteral("s"));
        call<bool>(
            a, [&](QObject *ctx, auto done) { return c.kvPut(QStringLiteral("jobs/lock"), QByteArrayLiteral("{}"), acquire, ctx, done); },
            [&](const ConsulResult<bool> &r) { checkBoolAnswer(a, r); });
        call<bool>(
            a, [&](QObject *ctx, auto done) { return c.kvDelete(QStringLiteral("jobs/lock"), ctx, done); },
            [&](const ConsulResult<bool> &r) { checkBoolAnswer(a, r); });
        call<TxnAnswer>(
            a, [&](QObject *ctx, auto done) { return c.txn(QJsonArray{QJsonObject{{QStringLiteral("KV"), QJsonObject{}}}}, ctx, done); },
            [&](const ConsulResult<TxnAnswer> &r) {
                if (is2xx(a.status))
                    FUZZ_CHECK(r.ok() && r.value->committed && r.value->errors.isEmpty());
                if (r.ok() && a.status == 409)
                    FUZZ_CHECK(!r.value->committed && !r.value->errors.isEmpty());
            },
            {409});
        call<QJsonObject>(
            a, [&](QObject *ctx, auto done) { return c.agentSelf(ctx, done); },
            [&](const ConsulResult<QJsonObject> &r) {
                if (r.ok())
                    FUZZ_CHECK(!r.value->isEmpty());
            });
        call<bool>(
            a, [&](QObject *ctx, auto done) { return c.registerCheck(QJsonObject{{QStringLiteral("ID"), QStringLiteral("c")}}, ctx, done); },
            [&](const ConsulResult<bool> &r) { FUZZ_CHECK(r.ok() == (a.status == 200)); });
        call<bool>(
            a, [&](QObject *ctx, auto done) { return c.updateCheck(QStringLiteral("c"), QStringLiteral("passing"), QStringLiteral("ok"), ctx, done); },
            [&](const ConsulResult<bool> &r) { FUZZ_CHECK(r.ok() == (a.status == 200)); });

        // There is no event loop: deliver what was posted (the network manager's queued calls),
        // then delete the replies the client deleteLater()'d, or both pile up from input to input.
        QCoreApplication::sendPostedEvents();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    });
}
