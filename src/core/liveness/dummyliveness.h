// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "livenessbackend.h"

namespace jobslib {

/*! Python's DummyLiveness: write() does nothing, read() returns "now", so checks always pass. */
class JOBSLIB_EXPORT DummyLiveness : public LivenessBackend
{
    Q_OBJECT
public:
    using LivenessBackend::LivenessBackend;
    QString backendName() const override { return QStringLiteral("dummy"); }
    void write(const OwnerRecord &state) override;
    void read() override;
};

} // namespace jobslib
