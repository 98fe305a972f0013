// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "instancestate.h"
#include "lock/ownerrecord.h"

#include <QObject>

namespace jobslib {

class Context;

/*!
 * Liveness: after each successful run the runner calls write() with the Python-compatible state
 * record; `runjob check-liveness` calls read(). Asynchronous, one terminal signal each. Errors
 * are reported, never fatal for the loop.
 */
class JOBSLIB_EXPORT LivenessBackend : public QObject
{
    Q_OBJECT
public:
    explicit LivenessBackend(Context &context, QObject *parent = nullptr);
    ~LivenessBackend() override;

    virtual QString backendName() const = 0;
    virtual void write(const OwnerRecord &state) = 0;
    virtual void read() = 0;
    /*! The instance's state changed (heartbeat for the dashboard). Fire and forget; default: ignored. */
    virtual void reportState(const InstanceState &state);

Q_SIGNALS:
    void writeFinished(bool ok, const QString &error);
    void readFinished(const std::optional<jobslib::OwnerRecord> &state, const QString &error);

protected:
    Context &context() const { return m_context; }

private:
    Context &m_context;
};

} // namespace jobslib
