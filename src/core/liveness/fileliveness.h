// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "livenessbackend.h"

namespace jobslib {

/*!
 * Liveness in a local file (backend "file"): the state record as JSON, replaced atomically on
 * every write so a reader never sees half a record.
 */
class JOBSLIB_EXPORT FileLiveness : public LivenessBackend
{
    Q_OBJECT
public:
    explicit FileLiveness(Context &context, QObject *parent = nullptr);

    QString backendName() const override { return QStringLiteral("file"); }
    void write(const OwnerRecord &state) override;
    void read() override;

    /*! The configured path, else the default one in the runtime directory. */
    QString path() const;

private:
    QString m_configuredPath;
    mutable QString m_path;
};

} // namespace jobslib
