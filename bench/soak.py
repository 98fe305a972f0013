#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Fault-injection soak test of runjob: the claims "never two active instances", "nothing lost"
and "bounded failover", checked on what really happened. Standard library only.

    soak.py --seconds N --backend consul|etcd [--instances K] [--build DIR] [--seed S] [--workdir DIR]
            [--faults NAME,...]

Starts the backend (jobslib-consul-sim, or a real 3-member etcd cluster), a real InfluxDB and K
runjob instances (default 3; even ones with --keep-lock, odd ones without, all --sleep-interval 1)
that share one lock and run a command task. The task appends `start`, a `step` every 0.1 s and
`end` lines, each with the instance, its fencing token and the time, to one journal. For N
seconds faults are injected one after the other, each followed by the job running again:
kill -9 and restart of an instance, SIGSTOP/SIGCONT of an instance for longer than the TTL,
SIGSTOP of the holder while it sleeps keeping the lock, past the server's real expiry of its
lease (so that a standby takes over meanwhile), InfluxDB restarts; for Consul 500 answers, slow
answers, a blackhole and dropped connections (the simulator's /_sim/ API); for etcd the kill and
restart of a member. --faults picks some of them by name (FAULT_NAMES below). Then every fault
is undone, the job must run once more, and the instances are stopped with SIGTERM.

The checker then verifies:
- no overlap: the journal lines of two executions (first to last line) never interleave;
- fencing tokens: from one execution to the next they never go down, and two instances never
  share one;
- the job kept running: no gap between two executions exceeds the failover arithmetic of
  `runjob --explain` (its worst case, plus the next iteration for instances without keep_lock,
  plus the fault's own length, plus 3 s for start-up and the journal's 0.1 s grain);
- the frozen holder came back: after its SIGCONT it finishes an iteration (a "Sleep for" line)
  within a minute, instead of hanging;
- metrics: every point an instance queued (its `jobslib.metrics.points` debug lines, logged once
  the point is in the spool) is stored in InfluxDB, and InfluxDB holds no point that no instance
  queued. InfluxDB stores a point once per series and timestamp, so a re-sent point cannot be
  stored twice: "exactly once" is "each queued point present, nothing else".

The last line is the summary; the exit code is 1 on any violation, 2 when it could not run.
"""

import argparse
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchlib import Runjob, explain_worst_case_s, wait_for  # noqa: E402

LOCK_KEY = "jobslib/soak/lock"
DATABASE = "soak"
# start, a step every 0.1 s for 0.5 to 1.4 s, end; times in microseconds ($EPOCHREALTIME, no fork).
TASK = ('j() { printf "%s %s %s %s\\n" "$1" "$BENCH_INSTANCE" "$JOBSLIB_FENCING_TOKEN" "${EPOCHREALTIME/./}" >> "$SOAK_JOURNAL"; }; '
        'j start; n=$((5 + RANDOM % 10)); for ((i = 0; i < n; i++)); do sleep 0.1; j step; done; j end')
LOGGING = '{"version": 1, "root": {"level": "INFO"}, "loggers": {"jobslib.metrics.points": {"level": "DEBUG"}}}'
STARTUP_SLACK_S = 3.0
# The line runjob logs when an iteration ends and it sleeps holding the lock (keep_lock).
SLEEP_KEPT = re.compile(rb"Sleep for [0-9.]+ seconds, lock is kept\n")
# What the freeze-keep-lock fault adds to the server's expiry, so that a standby has taken over
# (its lock-delay back-off and the start of its task included) well before the SIGCONT.
FREEZE_BEYOND_EXPIRY_S = (3.0, 5.0)


def log(msg):
    print("%8.1f  %s" % (time.monotonic() - T0, msg), flush=True)


T0 = time.monotonic()


# ----------------------------------------------------------------------------------------------
# The world: backend, InfluxDB, instances

class ConsulBackend:
    name = "consul"
    ttl = 10  # Consul's minimum session TTL
    ttl_multiplier = 2  # the simulator expires a session TTL x this after its last renewal, as Consul may
    lock_delay = 1
    # When the lock of a holder that stopped renewing is free for a standby at the latest.
    expiry_s = ttl * ttl_multiplier + lock_delay

    def __init__(self, build, workdir):
        from consulbench import Sim
        self.sim = Sim(build, workdir, "--ttl-multiplier", str(self.ttl_multiplier))

    def env(self):
        return {"JOBSLIB_ONE_INSTANCE_BACKEND": "consul", "JOBSLIB_ONE_INSTANCE_CONSUL_ADDRESS": self.sim.address,
                "JOBSLIB_ONE_INSTANCE_CONSUL_KEY": LOCK_KEY, "JOBSLIB_ONE_INSTANCE_CONSUL_TTL": str(self.ttl),
                "JOBSLIB_ONE_INSTANCE_CONSUL_LOCK_DELAY": str(self.lock_delay), "JOBSLIB_ONE_INSTANCE_CONSUL_TIMEOUT": "3"}

    def faults(self):
        return [("consul-500", self.fail), ("consul-slow", self.delay), ("consul-blackhole", self.blackhole), ("consul-drop", self.drop)]

    def ctl(self, what, **params):
        import urllib.parse
        self.sim.http("PUT", "/_sim/%s?%s" % (what, urllib.parse.urlencode(params)))

    def fail(self, rng):
        n = rng.randint(3, 10)
        self.ctl("fail", count=n, status=500, body="rpc error: No cluster leader")
        return "consul: the next %d requests answered 500" % n, 0.0

    def delay(self, rng):
        ms, secs = rng.randint(300, 2000), rng.uniform(4, 8)
        self.ctl("delay", ms=ms)
        time.sleep(secs)
        self.ctl("delay", ms=0)
        return "consul: every answer %d ms late for %.1f s" % (ms, secs), secs + ms / 1000.0

    def blackhole(self, rng):
        secs = rng.uniform(3, 8)
        self.ctl("blackhole", enabled="true")
        time.sleep(secs)
        self.ctl("blackhole", enabled="false")
        return "consul: blackhole for %.1f s" % secs, secs

    def drop(self, rng):
        self.ctl("drop-connections")
        return "consul: every connection dropped", 0.0

    def restore(self):
        self.ctl("clear-faults")
        self.sim.clear_requests()  # the request log grows with every long poll

    def tick(self):
        self.sim.clear_requests()

    def stop(self):
        self.sim.stop()


class EtcdBackend:
    name = "etcd"
    ttl = 9  # the shortest runjob accepts: the 6 s margin and 3 s to renew
    expiry_s = ttl  # etcd revokes an expired lease within 0.5 s after its TTL; no lock-delay

    def __init__(self, build, workdir):
        from etcdcluster import EtcdCluster
        self.cluster = EtcdCluster(workdir, 3, name="soak")

    def env(self):
        return {"JOBSLIB_ONE_INSTANCE_BACKEND": "etcd", "JOBSLIB_ONE_INSTANCE_ETCD_ENDPOINTS": self.cluster.endpoints,
                "JOBSLIB_ONE_INSTANCE_ETCD_KEY": LOCK_KEY, "JOBSLIB_ONE_INSTANCE_ETCD_TTL": str(self.ttl),
                "JOBSLIB_ONE_INSTANCE_ETCD_TIMEOUT": "2"}

    def faults(self):
        return [("etcd-member", self.member_outage), ("etcd-member", self.member_outage)]

    def member_outage(self, rng):
        i, secs = rng.randrange(len(self.cluster.procs)), rng.uniform(2, 8)
        self.cluster.kill_member(i)
        time.sleep(secs)
        self.cluster.start_member(i)
        wait_for(lambda: self.cluster.member_healthy(i), 30, "etcd member %d back" % i, poll=0.1)
        # A member that was the leader costs an election (500 ms timeout) on top.
        return "etcd: member %s killed for %.1f s" % (self.cluster.names[i], secs), secs + 1.0

    def restore(self):
        for i in range(len(self.cluster.procs)):
            self.cluster.start_member(i)
        wait_for(self.cluster.healthy, 30, "etcd cluster healthy", poll=0.1)

    def tick(self):
        pass

    def stop(self):
        self.cluster.stop()


class Instance:
    """One instance slot; every (re)start is a new generation with its own runjob log."""

    def __init__(self, world, index):
        self.world, self.index, self.generation = world, index, 0
        self.name = "i%d" % index
        self.keep_lock = index % 2 == 0
        self.runs = []  # every Runjob of this slot, for their logs
        self.stopped = False
        self.start()

    def args(self):
        return (["--keep-lock"] if self.keep_lock else []) + ["--sleep-interval", "1"]

    def env(self):
        w = self.world
        env = dict(w.backend.env())
        # One job, as in production: the instances differ by host name only, which the metric
        # points carry where they must (jobslib_* series in InfluxDB).
        env.update({"SOAK_JOURNAL": w.journal, "JOBSLIB_JOB_NAME": "soak", "JOBSLIB_FQDN": self.name + ".soak.test", "JOBSLIB_LOGGING": LOGGING,
                    "JOBSLIB_METRICS_BACKEND": "influxdb", "JOBSLIB_METRICS_INFLUXDB_HOST": "127.0.0.1",
                    "JOBSLIB_METRICS_INFLUXDB_PORT": str(w.influx.http_port), "JOBSLIB_METRICS_INFLUXDB_DBNAME": DATABASE,
                    "JOBSLIB_METRICS_INFLUXDB_RETRY_MAX_WAIT": "2", "JOBSLIB_METRICS_INFLUXDB_TIMEOUT": "3",
                    "JOBSLIB_METRICS_INFLUXDB_SPOOL": os.path.join(w.workdir, "spool-" + self.name)})
        return env

    def start(self):
        self.generation += 1
        self.current = Runjob(self.world.build, self.world.workdir, "%s.g%d" % (self.name, self.generation),
                              self.env(), TASK, args=self.args())
        self.runs.append(self.current)
        self.stopped = False

    def kill9(self):
        self.current.signal(signal.SIGKILL)
        self.current.join(10)

    def freeze(self):
        self.current.signal(signal.SIGSTOP)
        self.stopped = True

    def thaw(self):
        self.current.signal(signal.SIGCONT)
        self.stopped = False

    def ensure_running(self):
        if self.stopped:
            self.thaw()
        if not self.current.running():
            log("instance %s exited with %s: restarted" % (self.current.name, self.current.proc.returncode))
            self.start()

    def logs(self):
        return [r.log() for r in self.runs]

    # Following the current generation's log: byte offsets, so that only new lines are read.
    def log_size(self):
        try:
            return os.path.getsize(self.current.log_path)
        except OSError:
            return 0

    def log_from(self, offset):
        with open(self.current.log_path, "rb") as f:
            f.seek(offset)
            return f.read()


class World:
    def __init__(self, args):
        from influxd import Influxd
        self.build, self.workdir, self.rng = args.build, args.workdir, random.Random(args.seed)
        self.journal = os.path.join(self.workdir, "journal")
        open(self.journal, "w").close()
        self.influx = Influxd(self.workdir)
        self.influx.query("CREATE DATABASE %s" % DATABASE)
        self.backend = ConsulBackend(self.build, self.workdir) if args.backend == "consul" else EtcdBackend(self.build, self.workdir)
        self.freeze_keep_lock_s = args.freeze_keep_lock_seconds
        self.bound = 0.0  # set by main() from runjob --explain
        self.stuck = []  # frozen holders that did not finish an iteration after their SIGCONT
        self.instances = []
        self.instances = [Instance(self, i) for i in range(args.instances)]

    # Faults every backend gets. Each returns (description, how long it kept the job from running).
    def kill9(self, rng):
        inst = rng.choice(self.instances)
        inst.kill9()
        pause = rng.uniform(0, 3)
        time.sleep(pause)
        inst.start()
        return "kill -9 %s, restarted after %.1f s" % (inst.runs[-2].name, pause), 0.0

    def freeze(self, rng):
        inst = rng.choice(self.instances)
        secs = self.backend.ttl + rng.uniform(1, 5)
        inst.freeze()
        time.sleep(secs)
        inst.thaw()
        return "SIGSTOP %s for %.1f s (TTL %d s)" % (inst.current.name, secs, self.backend.ttl), 0.0

    def freeze_keep_lock(self, rng):
        """Freezes the holder right after a run, while it sleeps keeping the lock (keep_lock), for
        longer than the server's real expiry of its lease plus a few seconds, so that a standby
        takes over and runs meanwhile; then SIGCONT. Whatever the frozen runjob does when it wakes
        (its overdue sleep timer and its lease deadline fire together) must not start a run beside
        the new holder's: the overlap and token checks see it if it does (issue 15)."""
        secs = self.freeze_keep_lock_s or self.backend.expiry_s + rng.uniform(*FREEZE_BEYOND_EXPIRY_S)
        candidates = [i for i in self.instances if i.keep_lock]
        give_up = time.monotonic() + self.bound + 60
        for attempt in range(1, 6):
            # Only lines written from now on count: the next end of a run that keeps the lock.
            marks = {c.name: (c.current, c.log_size()) for c in candidates}
            found = None
            while found is None:
                if time.monotonic() > give_up:
                    raise TimeoutError("no keep-lock instance went to sleep holding the lock")
                for c in candidates:
                    run, mark = marks[c.name]
                    if c.current is not run or not run.running():
                        marks[c.name] = (c.current, 0)  # restarted meanwhile: its new log from the start
                        continue
                    m = SLEEP_KEPT.search(c.log_from(mark))
                    if m:
                        found = (c, mark + m.end())
                        break
                else:
                    time.sleep(0.01)
            inst, asleep_from = found
            inst.freeze()
            frozen_at = time.time()
            time.sleep(0.05)
            # Still asleep when the SIGSTOP landed: nothing of its runner after the "Sleep" line (a
            # 1 s sleep; the log is followed every 10 ms).
            if b" jobslib.runner " not in inst.log_from(asleep_from):
                break
            inst.thaw()
            log("freeze-keep-lock: %s had left its sleep before the SIGSTOP (attempt %d), trying again" % (inst.current.name, attempt))
        else:
            raise RuntimeError("could not freeze a keep-lock holder while it slept")
        time.sleep(max(0.0, frozen_at + secs - time.time()))
        thawed_at = time.time()  # taken before the SIGCONT: this process may lose the CPU right after it
        inst.thaw()
        takeover = next((e for e in read_journal(self.journal) if frozen_at < e["start"] < thawed_at and e["instance"] != inst.current.name), None)
        took = ("%s took over after %.1f s (token %d)" % (takeover["instance"], takeover["start"] - frozen_at, takeover["token"])
                if takeover else "NO standby ran during the freeze")
        # It must come back: finish an iteration (with the fix: see that its lease ran out and
        # become a standby) instead of hanging in a state nothing moves it out of.
        try:
            wait_for(lambda: re.search(rb"(?m)^[0-9.]+ jobslib\.runner INFO Sleep for ", inst.log_from(asleep_from)) or not inst.current.running(),
                     60, "%s to finish an iteration after SIGCONT" % inst.current.name, poll=0.1)
        except TimeoutError:
            self.stuck.append("%s did not finish an iteration within 60 s of its SIGCONT (frozen %.1f s asleep with the lock)" % (inst.current.name, secs))
        # For the record (the checker decides): did it run its task right after waking?
        woke = next((e for e in read_journal(self.journal) if e["instance"] == inst.current.name and frozen_at < e["start"] <= thawed_at + 5), None)
        ran = ("; on SIGCONT it ran its task after %.2f s with token %d" % (woke["start"] - thawed_at, woke["token"]) if woke
               else "; no run of its own within 5 s of SIGCONT")
        return ("SIGSTOP %s asleep with the lock kept for %.1f s (lease expiry %d s): %s%s"
                % (inst.current.name, secs, self.backend.expiry_s, took, ran)), 0.0

    def influx_restart(self, rng):
        secs = rng.uniform(1, 5)
        self.influx.stop()
        time.sleep(secs)
        self.influx.start()
        return "InfluxDB down for %.1f s" % secs, 0.0

    def faults(self, names=None):
        """(name, function) pairs, drawn from with equal weight; names: only these."""
        every = [("kill9", self.kill9), ("freeze", self.freeze), ("freeze-keep-lock", self.freeze_keep_lock),
                 ("influx-down", self.influx_restart)] + self.backend.faults()
        return [f for f in every if names is None or f[0] in names]

    def restore(self):
        self.backend.restore()
        self.influx.start()
        for inst in self.instances:
            inst.ensure_running()

    def stop(self):
        for inst in self.instances:
            if inst.stopped:
                inst.thaw()
            inst.current.stop()
        self.backend.stop()
        self.influx.stop()


# ----------------------------------------------------------------------------------------------
# Reading what happened

def read_journal(path):
    """Executions in start order: dicts with instance, token, start, last (seconds), ended."""
    executions, open_by_instance = [], {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 4:
                continue  # a line cut by kill -9 of the task
            kind, inst, token, t = parts[0], parts[1], int(parts[2] or 0), int(parts[3]) / 1e6
            if kind == "start":
                e = {"instance": inst, "token": token, "start": t, "last": t, "ended": False}
                executions.append(e)
                open_by_instance[inst] = e
            elif inst in open_by_instance:
                e = open_by_instance[inst]
                e["last"] = max(e["last"], t)
                e["ended"] = e["ended"] or kind == "end"
    executions.sort(key=lambda e: e["start"])
    return executions


def journal_starts(path):
    with open(path) as f:
        return sum(1 for line in f if line.startswith("start "))


def check_executions(executions):
    overlaps, token_errors, gaps = [], [], []
    latest = None  # the execution whose last line is the latest so far
    for prev, cur in zip(executions, executions[1:]):
        if cur["token"] < prev["token"]:
            token_errors.append("token went down: %s %d then %s %d" % (prev["instance"], prev["token"], cur["instance"], cur["token"]))
        elif cur["token"] == prev["token"] and cur["instance"] != prev["instance"]:
            token_errors.append("token %d used by %s and %s" % (cur["token"], prev["instance"], cur["instance"]))
    for e in executions:
        if latest is not None and e["start"] < latest["last"] and e["instance"] != latest["instance"]:
            overlaps.append("%s (token %d) started %.3f s before %s (token %d) wrote its last line"
                            % (e["instance"], e["token"], latest["last"] - e["start"], latest["instance"], latest["token"]))
        if latest is not None:
            gaps.append((e["start"] - latest["last"], latest["last"], e["start"]))
        if latest is None or e["last"] > latest["last"]:
            latest = e
    return overlaps, token_errors, gaps


LINE = re.compile(r"(?<!\\) ")

# The names --faults takes, per backend, in the order World.faults() lists them.
FAULT_NAMES = {"consul": ["kill9", "freeze", "freeze-keep-lock", "influx-down", "consul-500", "consul-slow", "consul-blackhole", "consul-drop"],
               "etcd": ["kill9", "freeze", "freeze-keep-lock", "influx-down", "etcd-member"]}


def parse_series(series):
    """measurement,k=v,... (line protocol escapes) -> (measurement, sorted tag tuples)."""
    parts = re.split(r"(?<!\\),", series)
    unescape = lambda s: re.sub(r"\\([ ,=])", r"\1", s)  # noqa: E731
    tags = tuple(sorted(tuple(unescape(x) for x in re.split(r"(?<!\\)=", p, maxsplit=1)) for p in parts[1:]))
    return unescape(parts[0]), tags


def queued_points(instances):
    points = set()
    for inst in instances:
        for text in inst.logs():
            for m in re.finditer(r"jobslib\.metrics\.points DEBUG Queued (.*)$", text, re.M):
                fields = LINE.split(m.group(1).strip())
                if len(fields) == 3:
                    points.add(parse_series(fields[0]) + (int(fields[2]),))
    return points


def stored_points(influx):
    body = influx.query('SELECT * FROM /.*/ GROUP BY *', db=DATABASE)
    points = set()
    for res in body.get("results", []):
        for s in res.get("series", []):
            tags = tuple(sorted((k, v) for k, v in (s.get("tags") or {}).items() if v != ""))
            for row in s["values"]:
                points.add((s["name"], tags, int(row[0])))
    return points


# ----------------------------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, required=True, help="how long faults are injected")
    p.add_argument("--backend", choices=("consul", "etcd"), required=True)
    p.add_argument("--instances", type=int, default=3)
    p.add_argument("--build", default="build", help="build directory with bin/runjob and bin/jobslib-consul-sim")
    p.add_argument("--seed", type=int, default=None, help="seed of the fault schedule (default: random, printed)")
    p.add_argument("--workdir", default=None, help="keep everything here (default: a temporary directory, removed on success)")
    p.add_argument("--faults", default=None, metavar="NAME,...",
                   help="inject only these faults: " + ", ".join(FAULT_NAMES["consul"]) + " (consul), "
                   + ", ".join(n for n in FAULT_NAMES["etcd"] if n not in FAULT_NAMES["consul"]) + " (etcd); default: all of the backend's")
    p.add_argument("--freeze-keep-lock-seconds", type=float, default=None, metavar="S",
                   help="how long freeze-keep-lock freezes the holder (default: the backend's lease expiry + 3..5 s); "
                   "a diagnostic, e.g. to try the old freeze's TTL + 1..5 s")
    args = p.parse_args()
    if args.seconds <= 0 or args.instances < 2:
        p.error("--seconds must be > 0 and --instances at least 2")
    names = None
    if args.faults is not None:
        names = set(n.strip() for n in args.faults.split(",") if n.strip())
        unknown = names - set(FAULT_NAMES[args.backend])
        if not names or unknown:
            p.error("--faults: %s not among the %s faults (%s)" % (", ".join(sorted(unknown)) or "nothing", args.backend, ", ".join(FAULT_NAMES[args.backend])))
    args.build = os.path.abspath(args.build)
    for tool in (os.path.join(args.build, "bin", "runjob"), os.path.join(args.build, "bin", "jobslib-guard")):
        if not os.access(tool, os.X_OK):
            print("soak: %s missing: build first" % tool, file=sys.stderr)
            return 2
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    keep = args.workdir is not None
    args.workdir = os.path.abspath(args.workdir) if keep else tempfile.mkdtemp(prefix="jobslib-soak-")
    os.makedirs(args.workdir, exist_ok=True)
    log("soak: %s, %d instances, %.0f s of faults (%s), seed %d, work directory %s"
        % (args.backend, args.instances, args.seconds, "all" if names is None else ",".join(sorted(names)), args.seed, args.workdir))

    world = World(args)
    assert set(n for n, _ in world.faults()) == set(FAULT_NAMES[args.backend]), "FAULT_NAMES out of date"
    bound = 0.0
    for inst in world.instances:
        bound = max(bound, explain_worst_case_s(args.build, inst.env(), inst.args()))
    log("failover bound from runjob --explain: %.1f s (+ each fault's own length + %.0f s)" % (bound, STARTUP_SLACK_S))
    world.bound = bound
    faults, fault_windows, kinds = [], [], {}  # (begin, end, allowed gap); faults injected by name
    try:
        wait_for(lambda: journal_starts(world.journal) > 0, bound + 30, "the first run")
        end_at = time.monotonic() + args.seconds
        while time.monotonic() < end_at:
            name, fault = world.rng.choice(world.faults(names))
            begin = time.time()
            what, blocked = fault(world.rng)
            faults.append(what)
            kinds[name] = kinds.get(name, 0) + 1
            fault_windows.append((begin, time.time(), bound + blocked + STARTUP_SLACK_S))
            log("fault %d: %s" % (len(faults), what))
            # One fault at a time: the next comes once the job ran again, so that every gap
            # has one cause and its bound.
            starts = journal_starts(world.journal)
            for inst in world.instances:
                inst.ensure_running()
            wait_for(lambda: journal_starts(world.journal) > starts, bound + blocked + 60, "a run after the fault", poll=0.05)
            world.backend.tick()
            time.sleep(world.rng.uniform(0.5, 2))
        world.restore()
        starts = journal_starts(world.journal)
        wait_for(lambda: journal_starts(world.journal) > starts, bound + 60, "a run after the faults ended", poll=0.05)
    except Exception as e:  # noqa: BLE001 - reported, then the checker still runs on what happened
        faults.append("harness error: %s" % e)
        log("ERROR: %s" % e)
    finally:
        try:
            world.restore()
        finally:
            world.stop()

    executions = read_journal(world.journal)
    overlaps, token_errors, gaps = check_executions(executions)
    gap_errors, max_gap, max_allowed = [], 0.0, bound + STARTUP_SLACK_S
    for gap, after, before in gaps:
        # A gap is allowed the bound of the fault(s) during it, or the plain bound.
        allowed = max([bound + STARTUP_SLACK_S] + [a for b, e, a in fault_windows if b <= before and e >= after - bound])
        if gap > max_gap:
            max_gap, max_allowed = gap, allowed
        if gap > allowed:
            gap_errors.append("no run for %.1f s (%s to %s), allowed %.1f s"
                              % (gap, time.strftime("%H:%M:%S", time.localtime(after)), time.strftime("%H:%M:%S", time.localtime(before)), allowed))
    world.influx.start()
    queued, stored = queued_points(world.instances), stored_points(world.influx)
    world.influx.stop()
    lost, unexpected = queued - stored, stored - queued
    harness_errors = [f for f in faults if f.startswith("harness error")]
    for kind, items in (("OVERLAP", overlaps), ("TOKEN", token_errors), ("GAP", gap_errors), ("STUCK", world.stuck), ("HARNESS", harness_errors),
                        ("LOST POINT", sorted(lost)[:20]), ("UNEXPECTED POINT", sorted(unexpected)[:20])):
        for item in items:
            log("%s: %s" % (kind, item))
    log("faults by kind: " + (", ".join("%s %d" % (k, kinds[k]) for k in FAULT_NAMES[args.backend] if k in kinds) or "none"))
    runs = sum(1 for e in executions if e["ended"])
    violations = len(overlaps) + len(token_errors) + len(gap_errors) + len(world.stuck) + len(lost) + len(unexpected) + len(harness_errors)
    ok = violations == 0 and runs > 0 and len(queued) > 0
    print("soak %s %.0f s seed %d: %d runs, %d faults, %d overlaps, %d token errors, %d stuck, max gap %.1f s (allowed %.1f s), "
          "%d points queued, %d lost, %d unexpected: %s"
          % (args.backend, args.seconds, args.seed, runs, len(faults) - len(harness_errors), len(overlaps), len(token_errors),
             len(world.stuck), max_gap, max_allowed, len(queued), len(lost), len(unexpected), "PASS" if ok else "FAIL"), flush=True)
    if ok and not keep:
        shutil.rmtree(args.workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
