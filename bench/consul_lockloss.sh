#!/bin/bash
# Lock-loss reaction with the Consul lock, against jobslib-consul-sim: a holder runs a long command
# task that journals `stopped <ms>` on SIGTERM; `runjob release-lock --yes` from another process
# destroys the holder's session. Measured: the session destroy (simulator's request log) -> the
# holder's task stopped (journal), over REPS repetitions (a fresh holder and key each time).
#   bench/consul_lockloss.sh [BUILD_DIR] [REPS=20]
set -euo pipefail
build=${1:-build}; n=${2:-20}
exec /usr/bin/python3 "$(dirname "$0")/consulbench.py" lockloss "$build" "$n"
