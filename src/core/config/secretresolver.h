// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "config.h"
#include "util/expected.h"

#include <QObject>

#include <functional>

namespace jobslib {

/*!
 * Secret options (tokens, passwords) may name where the secret is instead of holding it:
 * `file:/etc/jobslib/consul.token` (a file not accessible by group or others) or
 * `keychain:SERVICE/KEY` (the system keychain through QtKeychain: Secret Service, KWallet...).
 * The resolver replaces such references with the secret before the backends are built; the
 * origin shown by --print-config says where it came from, the value stays masked.
 */
class JOBSLIB_EXPORT SecretResolver : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const Expected<Config> &)>;
    using QObject::QObject;

    /*! Whether any secret option holds a reference to resolve. */
    static bool hasReferences(const Config &config);
    /*! Resolves every reference; done runs once, possibly before resolve() returns (files only). */
    void resolve(const Config &config, Done done);

private:
    void next();
    class SecretStore *keychainStore();
    Config m_config;
    QStringList m_pending;
    Done m_done;
    class SecretStore *m_keychain = nullptr; ///< owned by the plugin loader's instance
    QString m_keychainError;
};

/*! Reads a secret file, refusing one that group or others may access (as ssh does). */
JOBSLIB_EXPORT Expected<QByteArray> readSecretFile(const QString &path);

} // namespace jobslib
