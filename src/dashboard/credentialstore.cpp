// SPDX-License-Identifier: BSD-3-Clause
#include "credentialstore.h"

#include <qt6keychain/keychain.h>

namespace jobslib::dashboard {

CredentialStore::CredentialStore(const QString &service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{
}

void CredentialStore::useSessionOnly(const QString &why)
{
    m_problem = why;
}

void CredentialStore::fallBack(const QString &problem)
{
    if (!m_problem.isEmpty())
        return;
    m_problem = problem;
    Q_EMIT keychainUnavailable(problem);
}

void CredentialStore::read(const QString &key, QObject *context, Done done)
{
    if (sessionOnly() || m_session.contains(key)) {
        done(m_session.value(key));
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setKey(key);
    job->setAutoDelete(true);
    connect(job, &QKeychain::Job::finished, context, [this, job, key, done](QKeychain::Job *) {
        switch (job->error()) {
        case QKeychain::NoError:
            done(job->textData());
            return;
        case QKeychain::EntryNotFound:
            done(QString());
            return;
        default:
            // Whatever kept us from the keychain (no Secret Service, access denied...) will keep
            // doing so: say it once and stay in memory, instead of an error on every connection.
            fallBack(job->errorString());
            done(m_session.value(key));
        }
    });
    job->start();
}

void CredentialStore::write(const QString &key, const QString &secret, QObject *context, std::function<void(const QString &)> done)
{
    if (secret.isEmpty())
        m_session.remove(key);
    else
        m_session.insert(key, secret);
    if (sessionOnly()) {
        done(QString());
        return;
    }
    QKeychain::Job *job;
    if (secret.isEmpty()) {
        job = new QKeychain::DeletePasswordJob(m_service, this);
    } else {
        auto *write = new QKeychain::WritePasswordJob(m_service, this);
        write->setTextData(secret);
        job = write;
    }
    job->setKey(key);
    job->setAutoDelete(true);
    connect(job, &QKeychain::Job::finished, context, [this, job, secret, done](QKeychain::Job *) {
        if (job->error() == QKeychain::NoError || (secret.isEmpty() && job->error() == QKeychain::EntryNotFound)) {
            done(QString());
            return;
        }
        fallBack(job->errorString());
        done(job->errorString());
    });
    job->start();
}

} // namespace jobslib::dashboard
