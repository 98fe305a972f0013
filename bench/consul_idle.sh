#!/bin/bash
# Consul requests per minute of one idle runjob (keep-lock, sleep-interval 3600): a holder, and a
# standby waiting while the bench itself holds the key with a silent session; ttl 30 and 86400.
# Each case runs alone on its own simulator (so no request has to be attributed), all four at
# once; the simulator's request log is cleared once the instance is idle and read SECONDS later.
#   bench/consul_idle.sh [BUILD_DIR] [SECONDS=60]
set -euo pipefail
build=${1:-build}; n=${2:-60}
exec /usr/bin/python3 "$(dirname "$0")/consulbench.py" idle "$build" "$n"
