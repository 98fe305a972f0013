#!/bin/bash
# Builds the fuzz targets with clang, libFuzzer, ASan and UBSan (build-fuzz: the library and the
# fuzzers only) and runs each for SECONDS (default 15) after replaying its seeds and regressions.
#   scripts/fuzz.sh [SECONDS]
# A failure prints the reproducer; tests/fuzz/README.md says how to turn it into a regression test.
# Needs clang and libFuzzer's runtime (scripts/install-deps.sh test installs clang-14 and libclang-rt-14-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS]" >&2; exit 2; }
build=${JOBSLIB_FUZZ_BUILD_DIR:-build-fuzz}
# Debian's clang is clang-14; a plain `clang` (from clang-14's alternatives or another version) also does.
cc=$(command -v clang-14 || command -v clang || true)
cxx=$(command -v clang++-14 || command -v clang++ || true)
[[ -n $cc && -n $cxx ]] || { echo "fuzz: clang not found (scripts/install-deps.sh test installs it)" >&2; exit 1; }
# The dashboard is not fuzzed: leave it out (its Qt modules need not even be installed). Building
# only the target `fuzzers` leaves out everything else (runjob, the example plugin, the tests).
cmake -S . -B "$build" -G Ninja -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DJOBSLIB_FUZZ=ON -DJOBSLIB_FUZZ_SECONDS="$seconds" -DJOBSLIB_BUILD_DASHBOARD=OFF >/dev/null
cmake --build "$build" --target fuzzers -- -j2
rm -f "$build"/fuzz/*/summary.txt
ctest --test-dir "$build" -L fuzz --output-on-failure -j2
cat "$build"/fuzz/*/summary.txt
