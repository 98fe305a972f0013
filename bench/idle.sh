#!/bin/bash
# Idle cost of a looping runjob with a command task that keeps its lock and sleeps an hour:
# resident memory, CPU time and context switches (wake-ups) over an idle window.
#   bench/idle.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
build=${1:-build}; window=${2:-10}
runjob=$(realpath "$build/bin/runjob")
dir=$(mktemp -d); trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
JOBSLIB_ONE_INSTANCE_FILE_PATH=$dir/lock "$runjob" --keep-lock --sleep-interval 3600 -- true 2> "$dir/log" &
pid=$!
for _ in $(seq 100); do grep -q "lock is kept" "$dir/log" && break; sleep 0.1; done
grep -q "lock is kept" "$dir/log" || { echo "runjob did not reach its sleep" >&2; cat "$dir/log" >&2; exit 1; }
switches() { awk '/ctxt_switches/ {s += $2} END {print s}' /proc/$pid/task/*/status; }
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }
s0=$(switches); c0=$(cpu)
sleep "$window"   # the idle window being measured, not a wait for a condition
s1=$(switches); c1=$(cpu)
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
threads=$(ls /proc/$pid/task | wc -l)
echo "idle RSS: $((rss / 1024)).$(((rss % 1024) * 10 / 1024)) MB ($rss kB), threads: $threads"
echo "over ${window} s idle: $((s1 - s0)) context switches (all threads), $((c1 - c0)) clock ticks of CPU"
