# SPDX-License-Identifier: BSD-3-Clause
"""What the lock benchmarks (consulbench.py, etcdbench.py) share: time, percentiles, the RESULT
line, waiting on a condition, a runjob process with its log, the task journal and the tasks
that write it. Python standard library only (/usr/bin/python3)."""

import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time

def now_ms():
    return time.time_ns() / 1e6


def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]


def result(metric, measured, target):
    print("RESULT\t%s\t%s\t%s" % (metric, measured, target), flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout, what, poll=0.005):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TimeoutError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(poll)


def clean_env():
    """This process's environment without anything that configures runjob, Consul or etcd clients."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("JOBSLIB_", "CONSUL_", "ETCDCTL_"))}


class Runjob:
    """One runjob process; records its exit time from a waiter thread."""

    def __init__(self, build, workdir, name, backend_env, task_script, extra_env=None, args=None):
        self.name = name
        self.log_path = os.path.join(workdir, "runjob-%s-%d.log" % (name, int(time.time_ns())))
        env = clean_env()
        env.update(backend_env)
        env["JOBSLIB_LOGGING_FORMAT"] = "%(created)f %(name)s %(levelname)s %(message)s"
        env["BENCH_INSTANCE"] = name
        if extra_env:
            env.update(extra_env)
        argv = [os.path.join(build, "bin", "runjob")] + (args or ["--keep-lock", "--sleep-interval", "3600"]) + ["--", "/bin/bash", "-c", task_script]
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log_path, "wb"), start_new_session=True)
        self.exit_ms = None
        self._waiter = threading.Thread(target=self._wait, daemon=True)
        self._waiter.start()

    def _wait(self):
        self.proc.wait()
        self.exit_ms = now_ms()

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def log_time(self, text):
        """Epoch ms of the first log line containing text, or None."""
        for line in self.log().splitlines():
            if text in line:
                try:
                    return float(line.split(" ", 1)[0]) * 1000
                except ValueError:
                    return None
        return None

    def running(self):
        return self.proc.poll() is None

    def signal(self, sig):
        if self.running():
            os.kill(self.proc.pid, sig)

    def join(self, timeout=15):
        self._waiter.join(timeout)
        if self._waiter.is_alive():
            raise TimeoutError("runjob %s did not exit" % self.name)
        return self.proc.returncode

    def stop(self):
        if self.running():
            self.signal(signal.SIGTERM)
            try:
                self.join(15)
            except TimeoutError:
                self.proc.kill()
                self.proc.wait()


class Journal:
    def __init__(self, path):
        self.path = path
        open(path, "w").close()

    def lines(self):
        with open(self.path) as f:
            return [l.split() for l in f.read().splitlines() if l.strip()]


# A command task appending `start <instance> <token> <epoch_ms>`: bash's $EPOCHREALTIME needs no fork.
START_TASK = 'printf "start %s %s %s\\n" "$BENCH_INSTANCE" "$JOBSLIB_FENCING_TOKEN" "${EPOCHREALTIME/./}" >> "$BENCH_JOURNAL"'
# A long task that appends `stopped <instance> <epoch_ms>` when its process group gets SIGTERM.
LONG_TASK = ('trap \'printf "stopped %s %s\\n" "$BENCH_INSTANCE" "${EPOCHREALTIME/./}" >> "$BENCH_JOURNAL"; exit 143\' TERM; '
             + START_TASK + '; while :; do sleep 3600 & wait $!; done')


def us_to_ms(text):
    return int(text) / 1000.0


def describe(values, unit="ms"):
    return "p50 %.1f %s, p90 %.1f %s, p99 %.1f %s, max %.1f %s, min %.1f %s (n=%d)" % (
        pct(values, 50), unit, pct(values, 90), unit, pct(values, 99), unit, max(values), unit, min(values), unit, len(values))


# ---------------------------------------------------------------------------------------------


def explain_worst_case_s(build, env, args):
    """The crash worst case in seconds that `runjob --explain` states for these settings, plus
    the next iteration it adds for instances that do not keep the lock."""
    import re
    full = clean_env()
    full.update(env)
    out = subprocess.run([os.path.join(build, "bin", "runjob"), "--explain", *args, "--", "true"], env=full,
                         capture_output=True, text=True, timeout=30).stdout
    worst = max(float(x) for x in re.findall(r"worst case ([0-9.]+) s", out))
    return worst + sum(float(x) for x in re.findall(r"add up to ([0-9.]+) s", out))


def crash_failover(build, workdir, backend_env, reps, label):
    """kill -9 of the holder (runjob; jobslib-guard kills its task) -> the standby's task start,
    reps times, two instances with keep-lock. Returns 0 when every takeover came within the worst
    case that `runjob --explain` states for the same settings."""
    journal = Journal(os.path.join(workdir, "journal"))
    env = {"BENCH_JOURNAL": journal.path}
    args = ["--keep-lock", "--sleep-interval", "3600"]
    bound_s = explain_worst_case_s(build, backend_env, args)
    procs = []

    def start(name):
        r = Runjob(build, workdir, name, backend_env, START_TASK, extra_env=env, args=args)
        procs.append(r)
        return r

    def wait_standby(r):
        wait_for(lambda: "Sleep for 3600 seconds" in r.log() or not r.running(), 30, "%s to become a standby" % r.name)
        if not r.running():
            raise RuntimeError("runjob %s exited:\n%s" % (r.name, r.log()))

    gaps = []
    try:
        holder = start("A")
        wait_for(lambda: "lock is kept" in holder.log(), 30, "A to hold the lock")
        standby = start("B")
        wait_standby(standby)
        last_token = max(int(l[2]) for l in journal.lines())
        for i in range(reps):
            n_before = len(journal.lines())
            t_kill = now_ms()
            holder.signal(signal.SIGKILL)
            line = wait_for(lambda: next((l for l in journal.lines()[n_before:] if l[0] == "start"), None), bound_s + 30,
                            "the standby's task start (crash %d)" % (i + 1), poll=0.01)
            gaps.append(us_to_ms(line[3]) - t_kill)
            if line[1] != standby.name or int(line[2]) <= last_token:
                raise RuntimeError("crash %d: %s started with token %s (expected %s, above %d)" % (i + 1, line[1], line[2], standby.name, last_token))
            last_token = int(line[2])
            holder.join()
            old = holder.name
            holder, standby = standby, start(old + "'")
            wait_standby(standby)
            print("  crash %d: standby ran the task %.1f s after kill -9" % (i + 1, gaps[-1] / 1000), file=sys.stderr, flush=True)
    finally:
        for p in procs:
            p.stop()
    print("%s crash failover over %d kill -9 of the holder: %s; --explain worst case %.1f s" % (label, reps, describe(gaps), bound_s))
    result("%s crash failover (kill -9 -> standby's task start, %d crashes) p50 / max" % (label, reps),
           "%.1f / %.1f s" % (pct(gaps, 50) / 1000, max(gaps) / 1000), "<= %g s (--explain)" % bound_s)
    return 0 if max(gaps) <= bound_s * 1000 else 1
