// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QString>

namespace jobslib::consulsim {

/*!
 * Go's time.Duration text forms. Consul parses every duration it receives (TTL, LockDelay,
 * ?wait=) with time.ParseDuration and prints bounds with Duration.String(), and clients match
 * the resulting error texts, so both are reproduced to the byte.
 */
namespace goduration {

/*! time.ParseDuration: nanoseconds, or false with Go's error text in *error. */
bool parse(const QString &text, qint64 *nanoseconds, QString *error);
/*! Duration.String(): "10s", "24h0m0s", "1.5ms", "0s". */
QString format(qint64 nanoseconds);
/*! The time package's quote(): "..." with non-ASCII and control bytes as \xNN. */
QString quote(const QString &text);

constexpr qint64 Nanosecond = 1;
constexpr qint64 Microsecond = 1000;
constexpr qint64 Millisecond = 1000 * Microsecond;
constexpr qint64 Second = 1000 * Millisecond;
constexpr qint64 Minute = 60 * Second;
constexpr qint64 Hour = 60 * Minute;

} // namespace goduration
} // namespace jobslib::consulsim
