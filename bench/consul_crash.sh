#!/bin/bash
# Crash failover with the Consul lock, against jobslib-consul-sim (sessions expire at 2 x TTL, as
# Consul's do): two runjob instances with keep-lock, TTL 10 s, lock-delay 1 s; the holder is
# killed with kill -9 and comes back as the next standby, CRASHES times. Measured: kill -9 -> the
# standby's task start, against the worst case `runjob --explain` states for the same settings.
# The work is done by bench/benchlib.py's crash_failover() (Python standard library only).
#   bench/consul_crash.sh [BUILD_DIR] [CRASHES=5]
set -euo pipefail
build=${1:-build}; n=${2:-5}
exec /usr/bin/python3 "$(dirname "$0")/consulbench.py" crash "$build" "$n"
