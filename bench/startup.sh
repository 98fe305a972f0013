#!/bin/bash
# Start-up to task start of `runjob --run-once` with the dummy lock: the time from exec() of
# runjob to the first instruction of the command task (its own clock reading), over N runs.
#   bench/startup.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}; runs=${2:-50}
runjob=$build/bin/runjob
[[ -x $runjob ]] || { echo "no $runjob: build first" >&2; exit 2; }
tostart=(); total=()
for ((i = 0; i < runs; i++)); do
  t0=$(date +%s%N)
  t1=$(JOBSLIB_LOGGING_LEVEL=warning "$runjob" --run-once --disable-one-instance -- date +%s%N)
  t2=$(date +%s%N)
  tostart+=($(((t1 - t0) / 1000)))
  total+=($(((t2 - t0) / 1000)))
done
stats() { sort -n | awk '{a[NR]=$1} END {printf "median %.1f ms, p90 %.1f ms, min %.1f ms", a[int((NR+1)/2)]/1000, a[int(NR*0.9)]/1000, a[1]/1000}'; }
echo "start-up to task start: $(printf '%s\n' "${tostart[@]}" | stats) ($runs runs; includes date's own exec)"
echo "whole run (exec to exit): $(printf '%s\n' "${total[@]}" | stats)"
