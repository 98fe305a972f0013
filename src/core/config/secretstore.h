// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"
#include "util/expected.h"

#include <QObject>
#include <QtPlugin>

#include <functional>

namespace jobslib {

/*!
 * Where `keychain:SERVICE/KEY` secrets come from. Implemented by the jobslib_keychain plugin
 * (QtKeychain), loaded only when a keychain reference is used: runjob itself does not link the
 * D-Bus stack, which keeps its start-up fast.
 */
class JOBSLIB_EXPORT SecretStore
{
public:
    virtual ~SecretStore();
    using Done = std::function<void(const Expected<QString> &)>;
    /*! Reads one secret; done runs once, in context's thread. */
    virtual void read(const QString &service, const QString &key, QObject *context, Done done) = 0;
};

} // namespace jobslib

#define JOBSLIB_SECRET_STORE_IID "org.jobslib.SecretStore/1.0"
Q_DECLARE_INTERFACE(jobslib::SecretStore, JOBSLIB_SECRET_STORE_IID)
