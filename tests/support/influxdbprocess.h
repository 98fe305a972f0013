// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QByteArray>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QVariantMap>

#include <functional>
#include <memory>

namespace jobslib::test {

/*!
 * A real InfluxDB 1.x server (influxd, Debian package "influxdb") as a child process of a test,
 * for integration tests of the InfluxDB metrics backend.
 *
 * It listens on free 127.0.0.1 ports only (HTTP and the backup/RPC service), keeps its meta, data
 * and WAL in a temporary directory of its own, reports nothing, stores no _internal statistics
 * and ignores the caller's INFLUXDB_* environment. stop() keeps the directory and the ports, so a
 * following start() resumes the same database on the same port (an outage, as a client sees it).
 * Requests run the caller's event loop until they are answered or their deadline passes; nothing
 * blocks.
 *
 * Behaviour of influxd 1.6.7 worth knowing when testing a client against it:
 * - /ping is not authenticated (204 even with auth-enabled).
 * - With auth-enabled and no user yet, only "CREATE USER ... WITH ALL PRIVILEGES" is accepted;
 *   other queries get 403 "error authorizing query: create admin user first or disable
 *   authentication", writes 403 "user is required to write to database \"DB\"".
 * - Field types are fixed per shard (7-day shard groups for the default retention policy), not
 *   per measurement: a conflicting type is refused (400, "partial write: field type conflict:")
 *   only when the point lands in a shard that already has the field with another type.
 */
class InfluxDbProcess : public QObject
{
    Q_OBJECT
public:
    struct Reply
    {
        int status = 0;       ///< HTTP status; 0 when there was no answer (error says why)
        QByteArray body;
        QString error;        ///< why there was no answer; empty when status != 0
        bool ok() const { return status >= 200 && status < 300; }
    };

    explicit InfluxDbProcess(QObject *parent = nullptr);
    /*! Stops the server and removes its temporary directory. */
    ~InfluxDbProcess() override;

    /*! The influxd program (found in PATH, else /usr/bin/influxd); empty when it is not installed. */
    static QString program();

    /*!
     * Starts influxd on free 127.0.0.1 ports (kept from an earlier start()) with its own temporary
     * data directory (meta, data, wal), reporting disabled, the backup/RPC service on a free
     * loopback port too, [monitor] store-enabled = false, and waits until GET /ping answers 204.
     * authEnabled: [http] auth-enabled = true. Returns false with *error on failure (with the
     * tail of influxd's output).
     */
    bool start(bool authEnabled = false, QString *error = nullptr, int timeoutMs = 20000);
    /*!
     * SIGTERM, then waits for the process to end (SIGKILL after the deadline). The data directory
     * and the ports are kept: start() again resumes the same database on the same port.
     */
    void stop(int timeoutMs = 10000);
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }

    /*! The HTTP port (0 before the first start()). */
    quint16 port() const { return m_httpPort; }
    /*! The backup/RPC port (top-level bind-address). */
    quint16 rpcPort() const { return m_rpcPort; }
    QString host() const { return QStringLiteral("127.0.0.1"); }
    /*! "http://127.0.0.1:PORT" */
    QString url() const;
    /*! The server's temporary directory (influxdb.conf, meta/, data/, wal/). */
    QString directory() const;
    /*!
     * From the next start() on, influxd logs every HTTP request ([http] log-enabled) and every
     * query ([data] query-log-enabled) into output(). Off by default.
     */
    void setRequestLogEnabled(bool enabled) { m_requestLog = enabled; }

    /*! Any request; pathAndQuery starts with '/'; basic auth when user is not empty. */
    Reply request(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body = {}, const QByteArray &contentType = {},
                  const QString &user = {}, const QString &password = {}, int timeoutMs = 10000);
    /*! GET /ping (204 when the server is up; status 0 when nobody listens). */
    Reply ping(int timeoutMs = 2000);
    /*! POST /query (form q=..., db=...), basic auth when user is not empty. */
    Reply query(const QString &q, const QString &db = {}, const QString &user = {}, const QString &password = {}, int timeoutMs = 10000);
    /*!
     * CREATE DATABASE db. After createAdmin() it authenticates as that admin (with auth enabled,
     * nothing but creating the admin works without credentials).
     */
    bool createDatabase(const QString &db, QString *error = nullptr);
    /*!
     * CREATE USER user WITH PASSWORD 'password' WITH ALL PRIVILEGES (works without credentials
     * while no user exists); remembers the credentials for createDatabase().
     */
    bool createAdmin(const QString &user, const QString &password, QString *error = nullptr);
    /*! POST /write?db=db&precision=ns with raw line protocol; basic auth when user is not empty. 204 on success. */
    Reply write(const QString &db, const QByteArray &lineProtocol, const QString &user = {}, const QString &password = {});
    /*!
     * Runs a query with epoch=ns and returns the rows of results[0].series[*], each row a map
     * column -> value with the series' tags added (GROUP BY). "time" is an integer (qint64 ns).
     * Numbers come from JSON: a float field whose value is whole (1.0) reads as an integer.
     * Empty on failure, with *error set (HTTP error, or the statement's "error").
     */
    QList<QVariantMap> select(const QString &db, const QString &influxQl, const QString &user = {}, const QString &password = {},
                              QString *error = nullptr);

    /*! What influxd printed so far (stdout and stderr, every start), for diagnostics. */
    QString output() const { return QString::fromLocal8Bit(m_output); }

    /*! The "error" of a /query answer: the HTTP-level one, or that of the first failing statement. */
    static QString queryError(const Reply &reply);

private:
    bool pickPorts(QString *error);
    bool writeConfig(bool authEnabled, QString *error);
    bool startOnce(bool authEnabled, int timeoutMs, QString *error, bool *bindFailed);
    QString outputTail(qsizetype since) const;
    /*! request(), giving up early when giveUp() (if any) turns true. */
    Reply send(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body, const QByteArray &contentType, const QString &user,
               const QString &password, int timeoutMs, const std::function<bool()> &giveUp);

    QProcess m_process;
    QNetworkAccessManager m_network;
    std::unique_ptr<QTemporaryDir> m_dir;
    QByteArray m_output;
    quint16 m_httpPort = 0;
    quint16 m_rpcPort = 0;
    bool m_requestLog = false;
    QString m_adminUser;
    QString m_adminPassword;
};

} // namespace jobslib::test
