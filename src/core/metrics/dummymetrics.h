// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "metricsbackend.h"

namespace jobslib {

/*! Python's DummyMetrics: drops every point. */
class JOBSLIB_EXPORT DummyMetrics : public MetricsBackend
{
    Q_OBJECT
public:
    using MetricsBackend::MetricsBackend;
    QString backendName() const override { return QStringLiteral("dummy"); }
    void push(const QList<MetricPoint> &) override {}
};

} // namespace jobslib
