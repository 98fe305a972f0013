#!/bin/bash
# The dashboard at fleet scale: 100 jobs x 3 datacenters (three Consul simulators on loopback), the
# real window on the offscreen platform: idle and steady CPU, RSS, lock change -> row updated.
#   bench/dashboard.sh [BUILD_DIR] [SECONDS=30] [CHANGES=50]
# Builds jobslib-dashboardbench (and the simulator) first if the build tree is out of date.
set -euo pipefail
build=${1:-build}
[[ -f $build/CMakeCache.txt ]] || { echo "no build tree in $build: configure it first (cmake -S . -B $build -G Ninja)" >&2; exit 2; }
# Two cores at most: the machine is shared.
cmake --build "$build" --target jobslib-dashboardbench --parallel 2 >&2 \
  || { echo "cannot build jobslib-dashboardbench (needs BUILD_TESTING and the dashboard: Qt Widgets, Charts, QtKeychain)" >&2; exit 2; }
export QT_QPA_PLATFORM=offscreen
exec "$build/bin/jobslib-dashboardbench" --seconds "${2:-30}" --changes "${3:-50}"
