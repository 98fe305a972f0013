#!/bin/bash
# The whole test suite under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer:
# a separate build directory, every target instrumented. Run before each release (docs/release.md);
# not part of CI, whose time it would double.
#   scripts/sanitize.sh [CTEST ARGS...]       e.g. scripts/sanitize.sh -L consul
set -euo pipefail
cd "$(dirname "$0")/.."
build=${JOBSLIB_SANITIZE_BUILD_DIR:-build-asan}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJOBSLIB_WERROR=ON -DJOBSLIB_REQUIRE_DASHBOARD=ON \
  -DJOBSLIB_SANITIZE=address,undefined
cmake --build "$build"
# Leaks that are Qt's or the system's, not ours, are listed with the reason in the file.
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
ctest --test-dir "$build" --output-on-failure -j2 --timeout 900 "$@"
