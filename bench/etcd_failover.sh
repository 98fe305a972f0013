#!/bin/bash
# Graceful failover latency with the etcd lock, against a real single-member etcd that the driver
# starts on free loopback ports (Debian's etcd-server): two runjob instances (keep-lock,
# sleep-interval 3600) and a command task journalling `start <instance> <token> <us>`; the holder is
# sent SIGTERM and restarted as the next standby, HANDOVERS times. Measured: the lock key's deletion
# (the holder revoking its lease, seen by the bench's own watch) -> the standby's task start.
# The work is done by bench/etcdbench.py (Python standard library only).
#   bench/etcd_failover.sh [BUILD_DIR] [HANDOVERS=100]
set -euo pipefail
build=${1:-build}; n=${2:-100}
exec /usr/bin/python3 "$(dirname "$0")/etcdbench.py" failover "$build" "$n"
