#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Consul benchmarks of runjob against jobslib-consul-sim (standard library only).

    consulbench.py failover BUILD_DIR [HANDOVERS]   graceful failover latency (release -> standby's task start)
    consulbench.py crash    BUILD_DIR [CRASHES]    crash failover (kill -9 of the holder -> standby's task start; TTL 10, lock-delay 1)
    consulbench.py lockloss BUILD_DIR [REPS]        force-release (key moved to the fence) -> holder's task stopped
    consulbench.py idle     BUILD_DIR [SECONDS]     Consul requests per minute of an idle holder and standby

Times: the task journal holds wall-clock (epoch) milliseconds taken by the task itself (bash's
$EPOCHREALTIME, no fork). The simulator logs each request with AtMs, milliseconds on its own
monotonic clock (QElapsedTimer) since it started, taken when the request has been read. Before
every measurement an anchor request (GET /v1/status/leader?bench-anchor=N) is sent and timed on
the wall clock; offset = midpoint of its round trip - its AtMs (+0.5 for AtMs' truncation). The
round trip of the best of 3 anchors bounds the conversion error (reported; typically < 1 ms).

Every run prints its numbers and a last line `RESULT<TAB>metric<TAB>measured<TAB>target` per
metric, which bench/run.sh collects into its table.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchlib import (LONG_TASK, START_TASK, Journal, Runjob, crash_failover, describe, now_ms, pct, result, us_to_ms,  # noqa: E402
                      wait_for)


class Sim:
    """One jobslib-consul-sim process and its /_sim/ control API."""

    def __init__(self, build, workdir, *args):
        self.proc = subprocess.Popen([os.path.join(build, "bin", "jobslib-consul-sim"), "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=open(os.path.join(workdir, "sim.log"), "ab"),
                                     text=True, start_new_session=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on (\S+:\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError("simulator did not start: %r" % line)
        self.address = m.group(1)
        self.base = "http://" + self.address
        self._anchors = 0
        self.last_seq = 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def http(self, method, path, body=None, timeout=10):
        req = urllib.request.Request(self.base + path, data=body, method=method)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = r.read()
        return json.loads(data) if data else None

    def requests(self, since=0):
        log = self.http("GET", "/_sim/requests?since=%d" % since)
        if log:
            self.last_seq = max(self.last_seq, max(r["Sequence"] for r in log))
        return log

    def clear_requests(self):
        self.http("DELETE", "/_sim/requests")

    def anchor(self, samples=3):
        """Returns (offset, uncertainty): wall_ms = AtMs + offset, within +- uncertainty ms."""
        best = None
        for _ in range(samples):
            self._anchors += 1
            tag = "bench-anchor=%d" % self._anchors
            since = self.last_seq
            t0 = now_ms()
            self.http("GET", "/v1/status/leader?" + tag)
            t1 = now_ms()
            entry = [r for r in self.requests(since) if r["RawQuery"] == tag]
            if not entry:
                raise RuntimeError("anchor request not in the simulator's log")
            offset = (t0 + t1) / 2 - (entry[0]["AtMs"] + 0.5)
            unc = (t1 - t0) / 2 + 0.5
            if best is None or unc < best[1]:
                best = (offset, unc)
        return best


def consul_env(address, key, ttl=None):
    env = {"JOBSLIB_ONE_INSTANCE_BACKEND": "consul",
           "JOBSLIB_ONE_INSTANCE_CONSUL_ADDRESS": address,
           "JOBSLIB_ONE_INSTANCE_CONSUL_KEY": key,
           "JOBSLIB_LOGGING_LEVEL": "info"}
    if ttl is not None:
        env["JOBSLIB_ONE_INSTANCE_CONSUL_TTL"] = str(ttl)
    return env


def blocking_get_since(sim, key, seq):
    """True once a blocking query (index=) on key was received after sequence seq."""
    return any(r["Method"] == "GET" and r["Path"] == "/v1/kv/" + key and "index=" in r["RawQuery"]
               for r in sim.requests(seq))


def failover(build, workdir, handovers):
    sim = Sim(build, workdir)
    key = "bench/failover"
    journal = Journal(os.path.join(workdir, "journal"))
    env = {"BENCH_JOURNAL": journal.path}
    procs = []

    def start(name):
        sim.requests(sim.last_seq)
        seq = sim.last_seq
        r = Runjob(build, workdir, name, consul_env(sim.address, key), START_TASK, extra_env=env)
        procs.append(r)
        return r, seq

    def wait_standby(r, seq):
        wait_for(lambda: "Sleep for 3600 seconds\n" in r.log() or not r.running(), 10, "%s to become a standby" % r.name)
        if not r.running():
            raise RuntimeError("runjob %s exited:\n%s" % (r.name, r.log()))
        wait_for(lambda: blocking_get_since(sim, key, seq), 10, "%s's blocking query" % r.name, poll=0.01)

    try:
        a, _ = start("A")
        wait_for(lambda: "lock is kept" in a.log(), 10, "A to hold the lock")
        b, seq = start("B")
        wait_standby(b, seq)
        holder, standby = a, b
        by_release, by_signal, by_exit, anchor_unc, exit_codes = [], [], [], [], []
        phases = {"wake": [], "acquire": [], "spawn": []}
        last_token = max(int(l[2]) for l in journal.lines())
        for i in range(handovers):
            n_before = len(journal.lines())
            offset, unc = sim.anchor()
            seq0 = sim.last_seq
            t_signal = now_ms()
            holder.signal(signal.SIGTERM)
            line = wait_for(lambda: next((l for l in journal.lines()[n_before:] if l[0] == "start"), None), 15,
                            "the standby's task start (handover %d)" % (i + 1), poll=0.002)
            rc = holder.join()
            exit_codes.append(rc)
            if line[1] != standby.name:
                raise RuntimeError("handover %d: %s started, expected %s" % (i + 1, line[1], standby.name))
            token = int(line[2])
            if token <= last_token:
                raise RuntimeError("handover %d: fencing token %d did not grow (last %d)" % (i + 1, token, last_token))
            last_token = token
            t_start = us_to_ms(line[3])
            release = [r for r in sim.requests(seq0)
                       if r["Method"] == "PUT" and r["Path"] == "/v1/kv/" + key and "release=" in r["RawQuery"]]
            if not release:
                raise RuntimeError("handover %d: no ?release= PUT in the simulator's log" % (i + 1))
            t_release = release[0]["AtMs"] + 0.5 + offset
            by_release.append(t_start - t_release)
            # Where the time goes, from the standby's requests after the release.
            after = [r for r in sim.requests(seq0) if r["Sequence"] > release[0]["Sequence"]]
            create = next((r for r in after if r["Path"] == "/v1/session/create"), None)
            confirm = next((r for r in after if create and r["Sequence"] > create["Sequence"] and r["Method"] == "GET"
                            and r["Path"] == "/v1/kv/" + key and "index=" not in r["RawQuery"]), None)
            if create and confirm:
                phases["wake"].append(create["AtMs"] - release[0]["AtMs"])
                phases["acquire"].append(confirm["AtMs"] - create["AtMs"])
                phases["spawn"].append(t_start - (confirm["AtMs"] + 0.5 + offset))
            by_signal.append(t_start - t_signal)
            by_exit.append(t_start - holder.exit_ms)
            anchor_unc.append(unc)
            # The old holder comes back as the new standby.
            old = holder.name
            holder = standby
            standby, seq = start(old)
            wait_standby(standby, seq)
            if (i + 1) % 10 == 0:
                print("  %d handovers, last %.1f ms" % (i + 1, by_release[-1]), file=sys.stderr, flush=True)
        # Python jobslib leaks one session per acquire; runjob destroys its own after releasing.
        time.sleep(0.5)   # the last standby's refused session is destroyed asynchronously
        live_sessions = len(sim.http("GET", "/_sim/state")["Sessions"])
        sessions_created = sum(1 for r in sim.requests(0) if r["Path"] == "/v1/session/create")
    finally:
        for p in procs:
            p.stop()
        sim.stop()

    print("graceful failover over %d handovers (Consul simulator, keep-lock, sleep 3600, two runjob instances)" % handovers)
    print("  release PUT (simulator log) -> standby's task start: %s" % describe(by_release))
    print("  SIGTERM to holder           -> standby's task start: %s" % describe(by_signal))
    print("  holder's exit (waitpid)     -> standby's task start: %s" % describe(by_exit))
    if phases["wake"]:
        print("  phases (p50 / max): release -> standby's session create (watch wakes, 0-50 ms jitter) %.1f / %.1f ms;"
              % (pct(phases["wake"], 50), max(phases["wake"])))
        print("    session create -> acquire confirmed (create, PUT ?acquire=, GET) %.1f / %.1f ms;"
              % (pct(phases["acquire"], 50), max(phases["acquire"])))
        print("    confirming GET received -> task's first instruction (answer, jobslib-guard + bash exec) %.1f / %.1f ms"
              % (pct(phases["spawn"], 50), max(phases["spawn"])))
    print("  sessions: %d created in all, %d alive at the end (the holder's: runjob destroys every other one)"
          % (sessions_created, live_sessions))
    print("  clock conversion uncertainty: max +-%.2f ms; holder exit codes: %s; fencing tokens grew every time"
          % (max(anchor_unc), sorted(set(exit_codes))))
    result("Consul graceful failover p50 (release -> task start, %d handovers)" % handovers, "%.1f ms" % pct(by_release, 50), "<= 100 ms")
    result("Consul graceful failover p90", "%.1f ms" % pct(by_release, 90), "-")
    result("Consul graceful failover p99", "%.1f ms" % pct(by_release, 99), "<= 500 ms")
    result("Consul graceful failover max", "%.1f ms" % max(by_release), "-")
    result("Consul sessions alive after %d handovers (created: %d)" % (handovers, sessions_created), "%d" % live_sessions, "1 (no leak)")
    result("Consul failover SIGTERM -> standby task start p50 / p99", "%.1f / %.1f ms" % (pct(by_signal, 50), pct(by_signal, 99)), "-")
    return 0 if pct(by_release, 50) <= 100 and pct(by_release, 99) <= 500 else 1


# ---------------------------------------------------------------------------------------------
def lockloss(build, workdir, reps):
    sim = Sim(build, workdir)
    journal = Journal(os.path.join(workdir, "journal"))
    by_fence, by_command, noticed, unc_all, cmd_to_fence = [], [], [], [], []
    procs = []
    try:
        for i in range(reps):
            key = "bench/lockloss/%d" % i   # a fresh key: the last one is fenced for 10-20 s
            sim.requests(sim.last_seq)
            seq = sim.last_seq
            n_before = len(journal.lines())
            h = Runjob(build, workdir, "H%d" % i, consul_env(sim.address, key), LONG_TASK, extra_env={"BENCH_JOURNAL": journal.path})
            procs.append(h)
            wait_for(lambda: any(l[0] == "start" for l in journal.lines()[n_before:]), 10, "the holder's task start")
            # Its own-key watch (a blocking query) is in place.
            wait_for(lambda: blocking_get_since(sim, key, seq), 10, "the holder's watch", poll=0.01)
            offset, unc = sim.anchor()
            seq0 = sim.last_seq
            env = {k: v for k, v in os.environ.items() if not k.startswith(("JOBSLIB_", "CONSUL_"))}
            env.update(consul_env(sim.address, key))
            env["JOBSLIB_LOGGING_LEVEL"] = "warning"
            t_cmd = now_ms()
            out = subprocess.run([os.path.join(build, "bin", "runjob"), "release-lock", "--yes"], env=env,
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
            if out.returncode != 0 or not out.stdout.startswith("released"):
                raise RuntimeError("release-lock failed (%d): %s %s" % (out.returncode, out.stdout, out.stderr))
            line = wait_for(lambda: next((l for l in journal.lines()[n_before:] if l[0] == "stopped"), None), 15,
                            "the holder's task to stop (rep %d)" % (i + 1), poll=0.002)
            t_stop = us_to_ms(line[2])
            # release-lock moves the key to its fence session in one transaction: that is when the
            # holder's watch wakes (the destroy of its session follows).
            fence = [r for r in sim.requests(seq0) if r["Method"] == "PUT" and r["Path"] == "/v1/txn"]
            if not fence:
                raise RuntimeError("no fencing transaction in the simulator's log")
            t_fence = fence[0]["AtMs"] + 0.5 + offset
            by_fence.append(t_stop - t_fence)
            by_command.append(t_stop - t_cmd)
            cmd_to_fence.append(t_fence - t_cmd)
            unc_all.append(unc)
            t_lost = wait_for(lambda: h.log_time("Lock has been lost"), 5, "the holder's lock-lost log line")
            noticed.append(t_lost - t_fence)
            h.stop()
            if (i + 1) % 5 == 0:
                print("  %d repetitions, last %.1f ms" % (i + 1, by_fence[-1]), file=sys.stderr, flush=True)
    finally:
        for p in procs:
            p.stop()
        sim.stop()
    print("lock-loss reaction over %d force-releases (runjob release-lock --yes moves the key to a fence session)" % reps)
    print("  fencing txn (simulator log) -> holder's task stopped: %s" % describe(by_fence))
    print("  fencing txn -> holder logs 'Lock has been lost' (log %%(created)f): %s" % describe(noticed))
    print("  release-lock command started -> holder's task stopped: %s" % describe(by_command))
    print("  release-lock command started -> its fencing txn received: %s" % describe(cmd_to_fence))
    print("  clock conversion uncertainty: max +-%.2f ms" % max(unc_all))
    result("Consul lock-loss reaction p50 (key moved by release-lock -> task stopped, %d reps)" % reps, "%.1f ms" % pct(by_fence, 50), "<= 1 s")
    result("Consul lock-loss reaction max", "%.1f ms" % max(by_fence), "<= 1 s")
    result("Consul lock-loss incl. release-lock start-up p50 / max", "%.1f / %.1f ms" % (pct(by_command, 50), max(by_command)), "-")
    return 0 if max(by_fence) <= 1000 else 1


# ---------------------------------------------------------------------------------------------
def classify(r):
    p, q = r["Path"], r["RawQuery"]
    if p.startswith("/v1/session/renew/"):
        return "session renew"
    if p.startswith("/v1/kv/") and r["Method"] == "GET":
        return "KV blocking query" if "index=" in q else "KV read"
    return "%s %s" % (r["Method"], re.sub(r"/[0-9a-f-]{36}$", "/<id>", p))


def idle_one(build, workdir, role, ttl, window, out):
    """role 'holder': a runjob that holds the lock; 'standby': a runjob waiting while a plain
    session (made here, silent afterwards) holds it. Each in its own simulator."""
    wd = os.path.join(workdir, "%s-%s" % (role, ttl))
    os.makedirs(wd)
    sim = Sim(build, wd)
    key = "bench/idle"
    r = None
    try:
        if role == "standby":
            sid = sim.http("PUT", "/v1/session/create", json.dumps({"TTL": "86400s", "Name": "bench holder"}).encode())["ID"]
            if sim.http("PUT", "/v1/kv/%s?acquire=%s" % (key, sid), b'{"fqdn": "bench-holder"}') is not True:
                raise RuntimeError("the bench could not take the lock")
        seq = sim.last_seq
        r = Runjob(build, wd, role, consul_env(sim.address, key, ttl), "true")
        marker = "lock is kept" if role == "holder" else "Sleep for 3600 seconds\n"
        wait_for(lambda: marker in r.log() or not r.running(), 15, "the %s to go idle" % role)
        if not r.running():
            raise RuntimeError("runjob exited:\n" + r.log())
        wait_for(lambda: blocking_get_since(sim, key, seq), 10, "the %s's blocking query" % role, poll=0.01)
        waits = [re.search(r"wait=([0-9a-z]+)", e["RawQuery"]) for e in sim.requests(seq)
                 if e["Method"] == "GET" and "index=" in e["RawQuery"]]
        wait = waits[-1].group(1) if waits and waits[-1] else "?"
        time.sleep(0.2)
        sim.clear_requests()
        time.sleep(window)   # the idle window being measured
        log = sim.requests(0)
        kinds = {}
        for e in log:
            k = classify(e)
            kinds[k] = kinds.get(k, 0) + 1
        out[(role, ttl)] = (len(log), kinds, wait)
    except Exception as e:  # reported by the caller
        out[(role, ttl)] = e
    finally:
        if r:
            r.stop()
        sim.stop()


def idle(build, workdir, window):
    out = {}
    cases = [("holder", 30), ("holder", 86400), ("standby", 30), ("standby", 86400)]
    threads = [threading.Thread(target=idle_one, args=(build, workdir, role, ttl, window, out)) for role, ttl in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("Consul requests of one idle runjob over %g s (keep-lock, sleep-interval 3600; each case alone on its own simulator)" % window)
    rc = 0
    for role, ttl in cases:
        v = out.get((role, ttl))
        if isinstance(v, Exception) or v is None:
            print("  %-7s ttl %-5d: FAILED: %s" % (role, ttl, v))
            rc = 1
            continue
        n, kinds, wait = v
        per_min = n * 60.0 / window
        detail = ", ".join("%d %s" % (c, k) for k, c in sorted(kinds.items())) or "none"
        print("  %-7s ttl %-5d: %d requests = %.1f per minute (%s); its blocking query waits %s"
              % (role, ttl, n, per_min, detail, wait))
        result("Consul requests/min, idle %s, ttl %d" % (role, ttl), "%.1f" % per_min, "-")
    return rc


def main(argv):
    if len(argv) < 3 or argv[1] not in ("failover", "crash", "lockloss", "idle"):
        print(__doc__, file=sys.stderr)
        return 2
    what, build = argv[1], os.path.abspath(argv[2])
    for b in ("runjob", "jobslib-consul-sim"):
        if not os.access(os.path.join(build, "bin", b), os.X_OK):
            print("no %s/bin/%s: build first" % (build, b), file=sys.stderr)
            return 2
    workdir = tempfile.mkdtemp(prefix="jobslib-bench-")
    keep = os.environ.get("BENCH_KEEP")
    try:
        if what == "failover":
            return failover(build, workdir, int(argv[3]) if len(argv) > 3 else 100)
        if what == "crash":
            sim = Sim(build, workdir)  # sessions expire at 2 x TTL, as Consul's do
            try:
                env = consul_env(sim.address, "bench/crash", ttl=10)
                env["JOBSLIB_ONE_INSTANCE_CONSUL_LOCK_DELAY"] = "1"
                return crash_failover(build, workdir, env, int(argv[3]) if len(argv) > 3 else 5, "Consul")
            finally:
                sim.stop()
        if what == "lockloss":
            return lockloss(build, workdir, int(argv[3]) if len(argv) > 3 else 20)
        return idle(build, workdir, float(argv[3]) if len(argv) > 3 else 60)
    finally:
        if keep:
            print("work files kept in %s" % workdir, file=sys.stderr)
        else:
            subprocess.run(["rm", "-rf", workdir])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
