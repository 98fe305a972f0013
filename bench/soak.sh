#!/bin/bash
# Fault-injection soak test: K runjob instances on one lock (Consul simulator or a real 3-member
# etcd), a real InfluxDB, N seconds of kill -9, SIGSTOP past the TTL, backend and InfluxDB faults;
# then checks no overlapping runs, growing fencing tokens, gaps within `runjob --explain`'s
# failover arithmetic and every queued metric point stored. Last line: the summary; exit 1 on any
# violation. The work is done by bench/soak.py (Python standard library only), which says more.
#   bench/soak.sh --seconds N --backend consul|etcd [--instances K] [--build DIR] [--seed S] [--workdir DIR]
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/soak.py" "$@"
