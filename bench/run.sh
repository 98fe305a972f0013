#!/bin/bash
# All benchmarks, one table: start-up, idle cost, graceful and crash failover (Consul simulator and
# etcd), lock-loss reaction, kill timer lateness, idle Consul requests, metrics overhead, the
# dashboard at fleet size.
# Each benchmark's full output goes to stderr; the table to stdout.
#   bench/run.sh [BUILD_DIR]
# InfluxDB metrics (bench/metrics.sh) need influxd, the etcd ones etcd (Debian etcd-server). Sizes can be changed with HANDOVERS (100), LOCKLOSS_REPS (20), STARTUP_RUNS (50),
# IDLE_SECONDS (30, bench/idle.sh), CONSUL_IDLE_SECONDS (60), CRASHES (5), KILL_REPS (10, bench/kill_lateness.sh,
# kill_grace 3 s) and DASHBOARD_SECONDS (30).
set -uo pipefail
build=${1:-build}
here=$(dirname "$0")
[[ -x $build/bin/runjob && -x $build/bin/jobslib-consul-sim ]] || { echo "no $build/bin/runjob or jobslib-consul-sim: build first" >&2; exit 2; }
rows=(); failed=0
row() { rows+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"); }
run() { # name command...: runs it, its output to stderr and into $out
  echo "== $* ($(date '+%F %T'), load:$(uptime | sed 's/.*load average://'))" >&2
  out=$("$@" 2>&1) || { failed=1; echo "(exit code $?)" >&2; }
  printf '%s\n' "$out" >&2
}
echo "bench/run.sh $build on $(hostname), $(nproc) cores, $(date '+%F %T %Z')" >&2
load_start=$(uptime | sed 's/.*load average: //')

cmd="bench/startup.sh $build ${STARTUP_RUNS:-50}"
run "$here/startup.sh" "$build" "${STARTUP_RUNS:-50}"
row "start-up to task start, median (--run-once, dummy lock)" "$(sed -n 's/^start-up to task start: median \([0-9.]* ms\).*/\1/p' <<<"$out")" "<= 30 ms" "$cmd"
row "whole --run-once, median (exec to exit)" "$(sed -n 's/^whole run (exec to exit): median \([0-9.]* ms\).*/\1/p' <<<"$out")" "-" "$cmd"

cmd="bench/idle.sh $build ${IDLE_SECONDS:-30}"
run "$here/idle.sh" "$build" "${IDLE_SECONDS:-30}"
row "idle RSS (file lock, keep-lock, command task)" "$(sed -n 's/^idle RSS: \([0-9.]* MB\).*threads: \([0-9]*\)/\1 (\2 threads)/p' <<<"$out")" "<= 15 MB" "$cmd"
row "wake-ups while sleeping (${IDLE_SECONDS:-30} s)" "$(sed -n 's/^over .* idle: \([0-9]*\) context switches.*, \([0-9]*\) clock ticks.*/\1 context switches, \2 CPU ticks/p' <<<"$out")" "0" "$cmd"

for b in "consul_failover.sh ${HANDOVERS:-100}" "consul_crash.sh ${CRASHES:-5}" "consul_lockloss.sh ${LOCKLOSS_REPS:-20}" \
         "kill_lateness.sh ${KILL_REPS:-10}" "consul_idle.sh ${CONSUL_IDLE_SECONDS:-60}" "etcd_failover.sh ${HANDOVERS:-100}" "etcd_crash.sh ${CRASHES:-5}" \
         "etcd_lockloss.sh ${LOCKLOSS_REPS:-20}" "dashboard.sh ${DASHBOARD_SECONDS:-30}"; do
  set -- $b
  cmd="bench/$1 $build $2"
  run "$here/$1" "$build" "$2"
  while IFS=$'\t' read -r tag metric measured target; do
    [[ $tag == RESULT ]] && row "$metric" "$measured" "$target" "$cmd"
  done <<<"$out"
  grep -q '^RESULT' <<<"$out" || row "$1" "FAILED (see stderr)" "" "$cmd"
done

cmd="bench/metrics.sh $build"
run "$here/metrics.sh" "$build"
row "metrics per iteration (9 points): push in the loop / CPU incl. delivery" "$(sed -n 's/^metrics per iteration (9 points): push \([0-9.]* us\).*, \([0-9.]* us\) CPU.*/\1 \/ \2/p' <<<"$out")" "-" "$cmd"
row "RSS of 100 000 buffered points (InfluxDB down)" "$(sed -n 's/^memory: .*RSS +\([0-9.]* MB\) (\([0-9]*\) bytes per point).*/\1 (\2 B\/point)/p' <<<"$out")" "-" "$cmd"
row "drain rate after an outage (100 000 points)" "$(sed -n 's/^drain after outage: .* = \([0-9]*\) points\/s.*; \([0-9]*\) stored.*/\1 points\/s (\2 stored)/p' <<<"$out")" "-" "$cmd"

echo "Measured $(date '+%F %T %Z') on $(nproc) cores; load average at start: $load_start, at end: $(uptime | sed 's/.*load average: //')"
echo
echo "| metric | measured | target | command |"
echo "|---|---|---|---|"
for r in "${rows[@]}"; do
  IFS=$'\t' read -r m v t c <<<"$r"
  echo "| $m | ${v:-?} | ${t:--} | \`$c\` |"
done
exit $failed
