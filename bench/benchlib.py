# SPDX-License-Identifier: BSD-3-Clause
"""What the lock benchmarks (consulbench.py, etcdbench.py) share: time, percentiles, the RESULT
line, waiting on a condition, a runjob process with its log, the task journal and the tasks
that write it. Python standard library only (/usr/bin/python3)."""

import math
import os
import signal
import socket
import subprocess
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
