#!/bin/bash
# Metrics overhead per loop iteration, RSS of 100 000 buffered points and the drain rate after an
# InfluxDB outage, against a real influxd (Debian package influxdb) started on loopback.
#   bench/metrics.sh [BUILD_DIR] [ITERATIONS=2000] [POINTS=100000]
set -euo pipefail
build=${1:-build}
bin=$build/bin/jobslib-metricsbench
[[ -x $bin ]] || { echo "no $bin: build with BUILD_TESTING=ON first" >&2; exit 2; }
command -v influxd >/dev/null || { echo "influxd not found: apt-get install influxdb" >&2; exit 2; }
exec "$bin" "${2:-2000}" "${3:-100000}"
