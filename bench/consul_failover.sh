#!/bin/bash
# Graceful failover latency with the Consul lock, against jobslib-consul-sim: two runjob instances
# (keep-lock, sleep-interval 3600) and a command task journalling `start <instance> <token> <ms>`;
# the holder is sent SIGTERM and restarted as the next standby, HANDOVERS times. Measured: the
# holder's `PUT ?release=` (simulator's request log) -> the standby's task start (journal).
# The work is done by bench/consulbench.py (Python standard library only).
#   bench/consul_failover.sh [BUILD_DIR] [HANDOVERS=100]
set -euo pipefail
build=${1:-build}; n=${2:-100}
exec /usr/bin/python3 "$(dirname "$0")/consulbench.py" failover "$build" "$n"
