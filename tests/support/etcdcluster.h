// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QDeadlineTimer;

namespace jobslib::test {

/*!
 * A member's client URL: a QUrl that also converts to its string form ("http://127.0.0.1:PORT"),
 * so that it goes into a QList<QUrl> and a QStringList alike.
 */
class EtcdUrl : public QUrl
{
public:
    using QUrl::QUrl;
    EtcdUrl(const QUrl &url) // NOLINT(google-explicit-constructor)
        : QUrl(url)
    {
    }
    operator QString() const { return toString(); } // NOLINT(google-explicit-constructor)
};

/*!
 * A real etcd 3.x (Debian package "etcd-server", /usr/bin/etcd) as 1 or 3 child processes of a
 * test: the members of one new cluster, for integration tests of the etcd lock and liveness
 * backends, member failures included.
 *
 * Every member listens on free 127.0.0.1 ports only (client and peer), keeps its data in a
 * directory of its own inside one temporary directory, runs with election timings meant for
 * loopback (heartbeat 50 ms, election timeout 500 ms), logs warnings (zap, JSON lines) into
 * output(), and ignores the caller's ETCD_* / ETCDCTL_* variables (etcd takes every flag from its
 * environment too). Members die with the test (PR_SET_PDEATHSIG). stopMember() and killMember()
 * keep the data directory and the ports: startMember() brings the same member back on the same
 * ports (an outage, as a client sees it).
 *
 * Requests go to the v3 JSON gateway (POST /v3/...): they run the caller's event loop until they
 * are answered or their deadline passes; nothing blocks.
 *
 * Behaviour of etcd 3.4.23 worth knowing when testing a client against it:
 * - int64 fields are JSON strings ("revision":"5"); fields with their zero value are left out
 *   (no "kvs"/"count" for a missing key, no "succeeded" for a failed txn, no "TTL" in the
 *   keep-alive answer for an unknown or expired lease).
 * - Errors of unary calls: {"error":"etcdserver: ...","message":"etcdserver: ...","code":N} with
 *   the gRPC code N mapped to an HTTP status (e.g. 503/14 "etcdserver: request timed out" after
 *   ~6 s without quorum, 401/16 invalid auth token, 403/7 permission denied, 404/5 lease not
 *   found). Errors of streams (watch, keep-alive):
 *   {"error":{"grpc_code":14,"http_code":503,"message":"...","http_status":"Service Unavailable"}}.
 * - Streams answer one {"result":{...}} object per line (one HTTP chunk each). A keep-alive
 *   answers every request object of the body and ends with the body; a watch never ends by
 *   itself: SIGTERM of its member ends it with a stream error without a newline (14/503
 *   "transport is closing" or 1/408 "grpc: the client connection is closing"), SIGKILL breaks
 *   the connection (QNetworkReply: RemoteHostClosedError, now and then no error at all).
 * - The header "Grpc-Metadata-hasleader: true" makes a member without a leader fail at once
 *   (503, code 14, "etcdserver: no leader") instead of after the request timeout, and ends
 *   watches with that error when the leader is lost.
 * - A write that timed out without quorum can still be applied once the quorum is back.
 * - A restarted member without quorum accepts connections but answers no HTTP request (not
 *   even /health) until a quorum is back.
 */
class EtcdCluster : public QObject
{
    Q_OBJECT
public:
    struct Reply
    {
        int status = 0;        ///< HTTP status; 0 when there was no answer (error says why)
        QByteArray body;       ///< the body, or what arrived of it when timedOut
        QString error;         ///< why there was no (complete) answer; empty when there was one
        bool timedOut = false; ///< the deadline passed: no answer, or a response that did not end (a stream)
        bool ok() const { return status >= 200 && status < 300 && error.isEmpty(); }
        /*! The body as a JSON object (empty when it is none, e.g. a stream of several objects). */
        QJsonObject json() const;
        /*! The gateway's gRPC "code" (0 when absent), unary or stream error alike. */
        int grpcCode() const;
        /*! etcd's error text ("etcdserver: no leader"), unary or stream error alike; empty if none. */
        QString message() const;
        /*! "HTTP 503 (code 14): etcdserver: no leader", "HTTP 200", or "no answer: Connection refused". */
        QString describe() const;
    };
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    explicit EtcdCluster(QObject *parent = nullptr);
    /*! Kills every member (SIGKILL: the data goes anyway) and removes the temporary directory. */
    ~EtcdCluster() override;

    /*! The etcd program: /usr/bin/etcd, else the one in PATH; empty when it is not installed. */
    static QString program();
    /*! Whether program() is there (tests QSKIP naming the Debian package etcd-server otherwise). */
    static bool isAvailable() { return !program().isEmpty(); }

    /*!
     * Starts \a members (1 to 7; 1 or 3 make sense) members of one new cluster on free 127.0.0.1
     * client and peer ports, each with its own data directory, --initial-cluster-state new and a
     * cluster token of its own, and waits until every member answers GET /health with
     * {"health":"true"} (a leader exists and a quorum answers). When a port was taken by someone
     * else meanwhile, once more on new ports. Returns false with *error (and the tail of the
     * members' output) on failure. Only once per object.
     */
    bool start(int members = 1, QString *error = nullptr, int timeoutMs = 30000);
    int size() const { return int(m_members.size()); }

    EtcdUrl clientUrl(int member) const;
    QList<QUrl> clientUrls() const;
    /*! The client URLs of all members, comma-separated, as runjob's endpoints option takes them. */
    QString endpoints() const;
    quint16 clientPort(int member) const;
    quint16 peerPort(int member) const;
    /*! The member's name in the cluster: m0, m1, ... */
    QString name(int member) const;
    /*! The temporary directory with the members' data directories m0/, m1/, ... */
    QString directory() const;
    /*! The arguments of the member's last start (program() first), for diagnostics. */
    QStringList commandLine(int member) const;

    /*!
     * SIGTERM (a paused member is resumed for it), then waits for the member to end; SIGKILL
     * after the deadline. A leader hands its leadership over first. Data and ports are kept.
     */
    void stopMember(int member, int timeoutMs = 10000);
    /*! SIGKILL, then waits for the member to end. Data and ports are kept. */
    void killMember(int member);
    /*!
     * Starts a stopped member again with its data directory and ports. When the members running
     * then (this one included, paused ones not) make a quorum, waits until this one is healthy;
     * otherwise only until its client port accepts connections (it answers nothing before a
     * quorum is back: waitHealthy() after starting enough members).
     */
    bool startMember(int member, QString *error = nullptr, int timeoutMs = 30000);
    /*! SIGSTOP: the member is frozen, its connections stay open, requests to it hang. */
    void pauseMember(int member);
    /*! SIGCONT after pauseMember(). */
    void resumeMember(int member);
    bool isRunning(int member) const;
    bool isPaused(int member) const;

    /*!
     * Waits until each of \a members (default: every running member that is not paused) has
     * answered GET /health with {"health":"true"} (a leader, a quorum, no alarm).
     */
    bool waitHealthy(int timeoutMs = 30000, const QList<int> &members = {}, QString *error = nullptr);
    /*! GET /health of one member (status 200 {"health":"true"}, 503 {"health":"false"}, or 0). */
    Reply health(int member, int timeoutMs = 2000);
    /*! The member that is the Raft leader, as the running members' /v3/maintenance/status say; -1 if none. */
    int leader(int timeoutMs = 2000);

    /*!
     * POST of a v3 JSON gateway request to a member, e.g.
     * request(0, "/v3/kv/range", R"({"key":"Zm9v"})"); runs the event loop until the response
     * ended or the deadline passed (then Reply::timedOut, with the status and what arrived of a
     * stream). authToken goes into the Authorization header as it is (no "Bearer").
     */
    Reply request(int member, const QString &path, const QByteArray &jsonBody, int timeoutMs = 5000, const QByteArray &authToken = {});
    /*! The same with extra headers, e.g. {{"Grpc-Metadata-hasleader", "true"}}. */
    Reply request(int member, const QString &path, const QByteArray &jsonBody, const Headers &headers, int timeoutMs = 5000);

    /*!
     * Conveniences over the gateway (base64 inside), with the root token after enableAuth().
     * Without a member, the first running member that is not paused is asked, then the next one
     * when it does not answer or answers 5xx.
     */
    bool put(const QByteArray &key, const QByteArray &value, QString *error = nullptr);
    bool put(int member, const QByteArray &key, const QByteArray &value, QString *error = nullptr);
    /*! The value; nullopt when the key does not exist or on failure (*error set). */
    std::optional<QByteArray> get(const QByteArray &key, QString *error = nullptr);
    std::optional<QByteArray> get(int member, const QByteArray &key, QString *error = nullptr);
    /*! For a literal: QString's constructor from const char * exists (private) and would make get("k") ambiguous. */
    std::optional<QByteArray> get(const char *key, QString *error = nullptr) { return get(QByteArray(key), error); }
    /*! The value of a key given as text (UTF-8); empty when absent or on failure (JSON values). */
    QByteArray get(const QString &key);
    /*! Deletes the key (success when it did not exist too). */
    bool remove(const QByteArray &key, QString *error = nullptr);

    /*!
     * Enables authentication: user root with rootPassword, role root granted, POST
     * /v3/auth/enable; then authenticates as root for the conveniences above (token()). Every
     * other request needs a token from authenticate() from then on.
     */
    bool enableAuth(const QString &rootPassword, QString *error = nullptr);
    /*! POST /v3/auth/authenticate: the (simple) token, empty on failure. */
    QByteArray authenticate(const QString &user, const QString &password, QString *error = nullptr);
    /*!
     * Adds a user with a role of the same name that may read and write the keys starting with
     * keyPrefix (all keys when it is empty); as root after enableAuth().
     */
    bool addUser(const QString &user, const QString &password, const QByteArray &keyPrefix, QString *error = nullptr);
    /*! root's token after enableAuth(), empty before. */
    QByteArray token() const { return m_token; }

    /*! What the member printed so far (stdout and stderr, every start), for diagnostics. */
    QString output(int member) const;
    /*! The outputs of all members, each with its name, for a failing test's log. */
    QString outputs() const;

    /*! The end of a range that covers exactly the keys starting with prefix ("\0" for all keys when it is empty). */
    static QByteArray prefixEnd(const QByteArray &prefix);

private:
    struct Member
    {
        QProcess process;
        QString name;
        QString dataDir;
        quint16 clientPort = 0;
        quint16 peerPort = 0;
        QByteArray output;
        QStringList lastArguments;
        bool paused = false;
    };
    enum class Readiness { Healthy, Listening };

    bool validMember(int member) const { return member >= 0 && member < size(); }
    bool pickPorts(QString *error);
    QStringList arguments(int member, bool newCluster) const;
    bool launch(int member, bool newCluster, QString *error);
    bool waitReady(const QList<int> &members, Readiness readiness, const QDeadlineTimer &deadline, QString *error, bool *bindFailed = nullptr);
    bool accepts(int member, int timeoutMs);
    void killAll();
    QString outputTail(int member, qsizetype since) const;
    /*! Members running and not paused, in order. */
    QList<int> available() const;
    Reply send(const QByteArray &method, int member, const QString &path, const QByteArray &body, const Headers &headers, int timeoutMs,
               const std::function<bool()> &giveUp = nullptr);
    /*! A gateway request with root's token (re-authenticating once when it expired) to one member, or to any (member < 0). */
    Reply kvRequest(int member, const QString &path, const QByteArray &body, QString *error);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::vector<std::unique_ptr<Member>> m_members;
    QNetworkAccessManager m_network;
    QString m_clusterToken;
    QByteArray m_token;
    QString m_rootPassword;
    bool m_started = false;
};

} // namespace jobslib::test
