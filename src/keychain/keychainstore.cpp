// SPDX-License-Identifier: BSD-3-Clause
// The keychain secret store: QtKeychain (Secret Service, KWallet...) behind jobslib::SecretStore.
#include "config/secretstore.h"

#include <qt6keychain/keychain.h>

namespace {

class KeychainStore : public QObject, public jobslib::SecretStore
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID JOBSLIB_SECRET_STORE_IID)
    Q_INTERFACES(jobslib::SecretStore)
public:
    void read(const QString &service, const QString &key, QObject *context, Done done) override
    {
        auto *job = new QKeychain::ReadPasswordJob(service, context);
        job->setKey(key);
        job->setAutoDelete(true);
        connect(job, &QKeychain::Job::finished, context, [job, done](QKeychain::Job *) {
            if (job->error() != QKeychain::NoError)
                done(jobslib::Expected<QString>::failure(job->errorString()));
            else
                done(job->textData());
        });
        job->start();
    }
};

} // namespace

#include "keychainstore.moc"
