// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "metricpoint.h"

#include <QObject>

namespace jobslib {

class Context;

/*! How a backend's delivery goes: for /metrics, /readyz and the operator. */
struct JOBSLIB_EXPORT MetricsDelivery
{
    qint64 buffered = 0;  ///< points waiting for delivery
    qint64 delivered = 0; ///< points the server accepted
    qint64 dropped = 0;   ///< points dropped because the buffer was full
    qint64 rejected = 0;  ///< points the server refused for good (malformed, type conflict, not finite)
    qint64 failures = 0;  ///< failed delivery attempts
    bool healthy = true;  ///< the last attempt succeeded (or none was needed)
    QString lastError;    ///< of the last failed attempt, "" after a success
};

/*!
 * Metrics sink. push() never blocks and never fails the loop: network backends buffer and
 * retry. flush() lets the runner give buffered points a bounded chance before it exits;
 * it ends with flushed().
 */
class JOBSLIB_EXPORT MetricsBackend : public QObject
{
    Q_OBJECT
public:
    /*!
     * A backend of \a context, which must outlive it (its options, clock and network come from
     * there); Context::setMetrics() makes the Context its parent.
     */
    explicit MetricsBackend(Context &context, QObject *parent = nullptr);
    ~MetricsBackend() override;

    /*! Short backend name, the metrics.backend value that selects it ("file", "influxdb"). */
    virtual QString backendName() const = 0;
    /*!
     * Takes \a points for delivery: writes them or queues them. Called on the main thread by
     * Context::pushPoints(), which has already added the `task` tag and the timestamp. Must return
     * without waiting for a server; failures go to the log and delivery(), never to the caller.
     */
    virtual void push(const QList<MetricPoint> &points) = 0;
    /*! Default: nothing is buffered, flushed() is emitted on the next event loop turn. */
    virtual void flush();
    /*! Default (nothing is buffered): all zero, healthy. */
    virtual MetricsDelivery delivery() const { return {}; }

Q_SIGNALS:
    /*!
     * The flush() is over: nothing is buffered any more, or what is left is kept for later (a
     * spool file) or cannot be delivered now. runjob waits for it, with a deadline, before it exits.
     */
    void flushed();

protected:
    /*! The Context given to the constructor: configuration, clock, network access. */
    Context &context() const { return m_context; }

private:
    Context &m_context;
};

} // namespace jobslib
