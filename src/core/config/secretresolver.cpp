// SPDX-License-Identifier: BSD-3-Clause
#include "secretresolver.h"

#include <QFile>
#include <QFileInfo>

#include "secretstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QPluginLoader>

#include <sys/stat.h>

namespace jobslib {

namespace {
const QString filePrefix = QStringLiteral("file:");
const QString keychainPrefix = QStringLiteral("keychain:");

bool isReference(const QString &value)
{
    return value.startsWith(filePrefix) || value.startsWith(keychainPrefix);
}
} // namespace

Expected<QByteArray> readSecretFile(const QString &path)
{
    using R = Expected<QByteArray>;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return R::failure(QStringLiteral("cannot read '%1': %2").arg(path, f.errorString()));
    struct stat st{};
    if (::fstat(f.handle(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
        return R::failure(QStringLiteral("'%1' is accessible by group or others (mode %2); chmod 600 it").arg(path).arg(st.st_mode & 0777, 3, 8, QLatin1Char('0')));
    return f.readAll().trimmed();
}

SecretStore::~SecretStore() = default;

SecretStore *SecretResolver::keychainStore()
{
    if (m_keychain)
        return m_keychain;
    const QStringList candidates{QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(QStringLiteral("../lib/jobslib/libjobslib_keychain.so")),
                                 QStringLiteral(JOBSLIB_INSTALL_LIBDIR "/libjobslib_keychain.so")};
    QStringList errors;
    for (const QString &file : candidates) {
        if (!QFileInfo::exists(file))
            continue;
        QPluginLoader loader(file);
        if (auto *store = qobject_cast<SecretStore *>(loader.instance())) {
            m_keychain = store;
            return store;
        }
        errors << loader.errorString();
    }
    m_keychainError = errors.isEmpty() ? QStringLiteral("keychain support is not installed (no libjobslib_keychain.so in %1)").arg(candidates.join(QStringLiteral(", ")))
                                       : QStringLiteral("cannot load keychain support: %1").arg(errors.join(QStringLiteral("; ")));
    return nullptr;
}

bool SecretResolver::hasReferences(const Config &config)
{
    for (const OptionSpec &spec : config.table().options()) {
        if (spec.secret && isReference(config.string(spec.name)))
            return true;
    }
    return false;
}

void SecretResolver::resolve(const Config &config, Done done)
{
    m_config = config;
    m_done = std::move(done);
    m_pending.clear();
    for (const OptionSpec &spec : config.table().options()) {
        if (spec.secret && isReference(config.string(spec.name)))
            m_pending << spec.name;
    }
    next();
}

void SecretResolver::next()
{
    if (m_pending.isEmpty()) {
        m_done(m_config);
        return;
    }
    const QString name = m_pending.takeFirst();
    const QString reference = m_config.string(name);
    const auto fail = [this, name, reference](const QString &why) {
        m_done(Expected<Config>::failure(QStringLiteral("option '%1': value '%2' from %3: %4").arg(name, reference, m_config.origin(name), why)));
    };
    if (reference.startsWith(filePrefix)) {
        const auto secret = readSecretFile(reference.mid(filePrefix.size()));
        if (!secret)
            return fail(secret.error());
        m_config = m_config.withValue(name, QString::fromUtf8(secret.value()), QStringLiteral("file"));
        next();
        return;
    }
    const QString where = reference.mid(keychainPrefix.size());
    const auto slash = where.indexOf(QLatin1Char('/'));
    if (slash <= 0 || slash == where.size() - 1)
        return fail(QStringLiteral("expected keychain:SERVICE/KEY"));
    SecretStore *store = keychainStore();
    if (!store)
        return fail(m_keychainError);
    store->read(where.left(slash), where.mid(slash + 1), this, [this, name, fail](const Expected<QString> &secret) {
        if (!secret) {
            fail(QStringLiteral("cannot read it from the system keychain: %1").arg(secret.error()));
            return;
        }
        m_config = m_config.withValue(name, secret.value(), QStringLiteral("keychain"));
        next();
    });
}

} // namespace jobslib
