#!/bin/bash
# Lock-loss reaction with the etcd lock, against a real single-member etcd that the driver starts on
# free loopback ports: a holder runs a long command task that journals `stopped <us>` on SIGTERM;
# `runjob release-lock --yes` from another process revokes the holder's lease. Measured: the key's
# deletion (the bench's own watch) -> the holder's task stopped, and the release-lock command's
# start -> the task stopped, over REPS repetitions (a fresh holder and key each time).
#   bench/etcd_lockloss.sh [BUILD_DIR] [REPS=20]
set -euo pipefail
build=${1:-build}; n=${2:-20}
exec /usr/bin/python3 "$(dirname "$0")/etcdbench.py" lockloss "$build" "$n"
