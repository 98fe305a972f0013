#!/bin/bash
# Kill timer lateness, against jobslib-consul-sim: a holder's command task ignores SIGTERM, so only
# a SIGKILL ends it. (a) `runjob release-lock --yes` takes the lock: the fencing transaction (the
# simulator's request log) + KILL_GRACE -> the task's death (a pidfd), i.e. how late runjob's kill
# timer fires; (b) runjob is frozen (SIGSTOP) while the task runs: the last session renewal + TTL
# -> the task killed by jobslib-guard at its deadline. REPS repetitions of each.
#   bench/kill_lateness.sh [BUILD_DIR] [REPS=10] [KILL_GRACE=3]
set -euo pipefail
build=${1:-build}; n=${2:-10}; grace=${3:-3}
exec /usr/bin/python3 "$(dirname "$0")/killbench.py" "$build" "$n" "$grace"
