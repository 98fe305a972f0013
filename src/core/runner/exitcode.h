// SPDX-License-Identifier: BSD-3-Clause
#pragma once

namespace jobslib {

/*!
 * runjob's exit codes (docs/operations.md). The runner ends with them, the launcher and the
 * built-in commands return them.
 */
namespace ExitCode {
constexpr int Success = 0;      ///< run-once succeeded or was pending; check passed
constexpr int Failure = 1;      ///< run-once failed or was interrupted; check failed
constexpr int Usage = 2;        ///< bad command line, settings or environment; nothing started
constexpr int SelfFenced = 3;   ///< the lock was lost and a C++ task did not stop within the grace
constexpr int SignalBase = 128; ///< stopped by signal N: 128 + N (143 SIGTERM, 130 SIGINT)
} // namespace ExitCode

} // namespace jobslib
