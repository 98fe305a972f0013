// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "backendregistry.h"

namespace jobslib {

BackendDescriptor etcdLockDescriptor();
BackendDescriptor etcdLivenessDescriptor();

} // namespace jobslib
