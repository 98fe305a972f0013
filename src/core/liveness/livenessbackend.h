// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "instancestate.h"
#include "util/ownerrecord.h"

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
    /*!
     * A backend of \a context, which must outlive it (its options, clock and network come from
     * there); Context::setLiveness() makes the Context its parent.
     */
    explicit LivenessBackend(Context &context, QObject *parent = nullptr);
    ~LivenessBackend() override;

    /*! Short backend name, the liveness.backend value that selects it ("file", "consul", "etcd"). */
    virtual QString backendName() const = 0;
    /*!
     * Stores \a state as OwnerRecord::toJson() where read() and Python's readers find it,
     * replacing the previous record (the dummy backend stores nothing); ends with
     * writeFinished(). The runner calls it only after a successful run, as Python does, with
     * Python's four fields plus pid and datacenter.
     */
    virtual void write(const OwnerRecord &state) = 0;
    /*!
     * Fetches the record last written to the backend's file or key, by whichever instance wrote
     * it; ends with readFinished().
     */
    virtual void read() = 0;
    /*! The instance's state changed (heartbeat for the dashboard). Fire and forget; default: ignored. */
    virtual void reportState(const InstanceState &state);

Q_SIGNALS:
    /*! The write() is over: \a ok, else \a error says why. The runner logs a failure and goes on. */
    void writeFinished(bool ok, const QString &error);
    /*!
     * The read() is over: \a state is the record with \a error "", or std::nullopt and \a error
     * says why (nothing written yet, unreachable, not a record). The dummy backend always
     * reports a record of now, so its check always passes, as in Python.
     */
    void readFinished(const std::optional<jobslib::OwnerRecord> &state, const QString &error);

protected:
    /*! The Context given to the constructor: configuration, clock, network access. */
    Context &context() const { return m_context; }

private:
    Context &m_context;
};

} // namespace jobslib
