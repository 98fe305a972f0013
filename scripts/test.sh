#!/bin/bash
# Builds with warnings as errors and runs the whole test suite (what .ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${JOBSLIB_BUILD_DIR:-build-ci}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJOBSLIB_WERROR=ON -DJOBSLIB_REQUIRE_DASHBOARD=ON -DJOBSLIB_REQUIRE_APIDOC=ON
cmake --build "$build"
ctest --test-dir "$build" --output-on-failure -j2 --timeout 600
# The fuzzers, bounded: a clang build of the library and the targets in build-fuzz (tests/fuzz/README.md).
scripts/fuzz.sh "${JOBSLIB_FUZZ_SECONDS:-15}"
