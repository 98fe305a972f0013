// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "util/expected.h"

#include <QHash>
#include <QObject>

#include <functional>

namespace jobslib::dashboard {

/*!
 * Tokens and passwords of the dashboard (a datacenter's Consul token or etcd password, a job's
 * InfluxDB password): in the system keychain through QtKeychain, never in the settings file.
 *
 * When the keychain cannot be used (no Secret Service, locked, refused), secrets are kept for
 * this session only, in memory, and keychainProblem() says why, so the UI can tell the operator
 * once instead of failing every connection. A secret that was never stored reads as "".
 */
class CredentialStore : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const Expected<QString> &)>;

    /*! service: the keychain's service name ("jobslib-dashboard"; tests use their own). */
    explicit CredentialStore(const QString &service, QObject *parent = nullptr);

    void read(const QString &key, QObject *context, Done done);
    /*! Stores secret (empty: removes it); done gets "" or, on failure, the error (the value is kept for the session then). */
    void write(const QString &key, const QString &secret, QObject *context, std::function<void(const QString &error)> done);

    /*! Why the keychain is not used ("" while it works). */
    QString keychainProblem() const { return m_problem; }
    bool sessionOnly() const { return !m_problem.isEmpty(); }
    /*! Skips the keychain from now on (tests, --no-keychain). */
    void useSessionOnly(const QString &why);

Q_SIGNALS:
    /*! The keychain failed for the first time: from now on secrets are kept for the session only. */
    void keychainUnavailable(const QString &problem);

private:
    void fallBack(const QString &problem);

    QString m_service;
    QString m_problem;
    QHash<QString, QString> m_session;
};

} // namespace jobslib::dashboard
