// SPDX-License-Identifier: BSD-3-Clause
#include "launcher.h"

namespace jobslib {
Launcher::Launcher() : m_backends(BackendRegistry::builtins()) {}
Launcher::~Launcher() = default;
int Launcher::exec(const QStringList &) { return 0; }
} // namespace jobslib
