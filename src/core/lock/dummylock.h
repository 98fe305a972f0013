// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "lockbackend.h"

namespace jobslib {

/*! No exclusion at all (Python's DummyLock, `--disable-one-instance`): every acquire succeeds. */
class JOBSLIB_EXPORT DummyLock : public LockBackend
{
    Q_OBJECT
public:
    using LockBackend::LockBackend;
    QString backendName() const override { return QStringLiteral("dummy"); }
    QString lockKey() const override { return {}; }
    void acquire() override;
    void release() override;
    bool isHeld() const override { return m_held; }
    quint64 fencingToken() const override { return m_held ? m_token : 0; }
    void queryOwner() override;
    void forceRelease() override;

private:
    bool m_held = false;
    quint64 m_token = 0;
};

} // namespace jobslib
