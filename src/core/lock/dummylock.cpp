// SPDX-License-Identifier: BSD-3-Clause
#include "dummylock.h"

#include "util/deferred.h"

namespace jobslib {

void DummyLock::acquire()
{
    if (!m_held)
        ++m_token;
    m_held = true;
    deferred(this, [this] { Q_EMIT acquired(m_token); });
}

void DummyLock::release()
{
    m_held = false;
    deferred(this, [this] { Q_EMIT released(); });
}

void DummyLock::queryOwner()
{
    deferred(this, [this] { Q_EMIT ownerQueried(LockOwner{}, QString()); });
}

void DummyLock::forceRelease()
{
    deferred(this, [this] { Q_EMIT forceReleaseFinished(true, QStringLiteral("the dummy lock is never held by anybody")); });
}

} // namespace jobslib
