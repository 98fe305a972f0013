// SPDX-License-Identifier: BSD-3-Clause
#include "livenessbackend.h"

namespace jobslib {

LivenessBackend::LivenessBackend(Context &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{
    qRegisterMetaType<std::optional<jobslib::OwnerRecord>>();
}

LivenessBackend::~LivenessBackend() = default;

void LivenessBackend::reportState(const InstanceState &)
{
}

} // namespace jobslib
