// SPDX-License-Identifier: BSD-3-Clause
#include "metricsbackend.h"

#include <QTimer>

namespace jobslib {

MetricsBackend::MetricsBackend(Context &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{
}

MetricsBackend::~MetricsBackend() = default;

void MetricsBackend::flush()
{
    QTimer::singleShot(0, this, &MetricsBackend::flushed);
}

} // namespace jobslib
