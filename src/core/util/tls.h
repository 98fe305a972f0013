// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"

#include <QSslConfiguration>
#include <QString>

namespace jobslib {

/*!
 * The TLS settings of an https client of a lock, liveness or metrics server: the system CAs, or
 * those of caFile (PEM) when given; no peer verification when verify is false.
 */
JOBSLIB_EXPORT QSslConfiguration clientTlsConfiguration(const QString &caFile, bool verify);

} // namespace jobslib
