// SPDX-License-Identifier: BSD-3-Clause
#include "dummyliveness.h"

#include "app/context.h"
#include "util/clock.h"
#include "util/deferred.h"

namespace jobslib {

void DummyLiveness::write(const OwnerRecord &)
{
    deferred(this, [this] { Q_EMIT writeFinished(true, QString()); });
}

void DummyLiveness::read()
{
    const OwnerRecord now = OwnerRecord::now(context().fqdn(), context().clock().utcNow());
    deferred(this, [this, now] { Q_EMIT readFinished(now, QString()); });
}

} // namespace jobslib
