#!/bin/bash
# Crash failover with the etcd lock, against a real single-member etcd: two runjob instances with
# keep-lock, TTL 5 s; the holder is killed with kill -9 and comes back as the next standby,
# CRASHES times. Measured: kill -9 -> the standby's task start, against the worst case
# `runjob --explain` states for the same settings.
#   bench/etcd_crash.sh [BUILD_DIR] [CRASHES=5]
set -euo pipefail
build=${1:-build}; n=${2:-5}
exec /usr/bin/python3 "$(dirname "$0")/etcdbench.py" crash "$build" "$n"
