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
    explicit MetricsBackend(Context &context, QObject *parent = nullptr);
    ~MetricsBackend() override;

    virtual QString backendName() const = 0;
    virtual void push(const QList<MetricPoint> &points) = 0;
    /*! Default: nothing is buffered, flushed() is emitted on the next event loop turn. */
    virtual void flush();
    /*! Default (nothing is buffered): all zero, healthy. */
    virtual MetricsDelivery delivery() const { return {}; }

Q_SIGNALS:
    void flushed();

protected:
    Context &context() const { return m_context; }

private:
    Context &m_context;
};

} // namespace jobslib
