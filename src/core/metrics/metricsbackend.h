// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "metricpoint.h"

#include <QObject>

namespace jobslib {

class Context;

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

Q_SIGNALS:
    void flushed();

protected:
    Context &context() const { return m_context; }

private:
    Context &m_context;
};

} // namespace jobslib
