#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""How late the task of a holder that lost its lock dies, against jobslib-consul-sim (standard
library only). Its numbers are what the fence of `runjob release-lock` and the lease margins
must cover: the latest moment an old task can still run.

    killbench.py BUILD_DIR [REPS=10] [KILL_GRACE=3]

The holder (`--keep-lock --sleep-interval 3600`, `task.kill_grace` = KILL_GRACE) runs a command
task that ignores SIGTERM (`trap '' TERM`, inherited by its `sleep`) and journals its pid, so
only a SIGKILL ends it. The bench watches the task with a pidfd (os.pidfd_open): the moment the
pidfd turns readable, in a thread that does nothing else, is the task's death.

(a) lock loss -> SIGKILL by runjob's kill timer, REPS times, a fresh key and holder each time:
    `runjob release-lock --yes` moves the key to its fence session in one transaction (the holder's
    watch wakes at it); the time is that transaction's arrival in the simulator (its request log,
    AtMs, converted to the wall clock with the anchor of consulbench.py, +-1 ms). Lateness =
    death - transaction - KILL_GRACE: how late runjob's kill timer (a QTimer of the Clock, coarse
    for waits of 2 s and more) fires, plus hearing of the loss and delivering the kill. Also split:
    transaction -> `Lock has been lost` logged, and that line -> `Task did not stop within` logged
    (the timer itself, both on runjob's own clock), minus KILL_GRACE.
(b) frozen runjob -> the guard's SIGKILL, REPS times: once the task runs, the bench waits for a
    session renewal in the simulator's log, then 0.3 s (runjob has the answer and has told the
    guard the new deadline over its pipe), then SIGSTOPs runjob, which renews nothing more. The
    guard kills the task at the deadline it was given. Reported: death - (last renewal + TTL), the
    earliest moment Consul may expire the session (it may wait up to 2 x TTL; the simulator, as
    started here, does wait 2 x TTL), so negative = before; and the guard's own lateness, death -
    (last renewal + TTL - LeaseKeeper's margin - the runner's DeadlineSafetyMs), the deadline
    runjob handed the guard (estimated from the renewal's arrival: runjob sent it a moment
    before). The guard's line `jobslib-guard: ... killing the task` must be in runjob's log.

Prints p50 / p90 / max / min per measure and `RESULT` lines for bench/run.sh; exit 1 when a task
was not killed the expected way or lived past KILL_GRACE + 1 s (a) or past the lease's TTL (b).
"""

import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchlib import Journal, Runjob, now_ms, pct, result, wait_for  # noqa: E402
from consulbench import Sim, blocking_get_since, consul_env  # noqa: E402

TTL_S = 10               # Consul's minimum session TTL
MARGIN_MS = 1000         # LeaseKeeper::marginMs(TTL): min(1 s, TTL / 10)
DEADLINE_SAFETY_MS = 100  # Runner::DeadlineSafetyMs: the guard's deadline is the lease's minus this
GUARD_LINE = "jobslib-guard: the lock was not renewed in time (runjob unresponsive): killing the task"

# Ignores SIGTERM (so does its sleep: ignored signals survive exec); journals `start <instance>
# <token> <epoch us> <pid>`, then sleeps until it is killed.
STUBBORN_TASK = ('trap "" TERM; printf "start %s %s %s %s\\n" "$BENCH_INSTANCE" "$JOBSLIB_FENCING_TOKEN" "${EPOCHREALTIME/./}" "$$" '
                 '>> "$BENCH_JOURNAL"; while :; do sleep 3600 & wait $!; done')


class DeathWatch:
    """Stamps the wall-clock time (ms) at which process pid ends, from a thread blocked on its pidfd."""

    def __init__(self, pid, timeout_s):
        self.fd = os.pidfd_open(pid)
        self.at_ms = None
        self._thread = threading.Thread(target=self._run, args=(timeout_s,), daemon=True)
        self._thread.start()

    def _run(self, timeout_s):
        p = select.poll()
        p.register(self.fd, select.POLLIN)
        if p.poll(timeout_s * 1000):
            self.at_ms = now_ms()

    def wait(self, timeout_s):
        self._thread.join(timeout_s)
        os.close(self.fd)
        return self.at_ms


def start_holder(build, workdir, sim, journal, name, key, grace):
    sim.requests(sim.last_seq)
    seq = sim.last_seq
    n_before = len(journal.lines())
    env = consul_env(sim.address, key, ttl=TTL_S)
    h = Runjob(build, workdir, name, env, STUBBORN_TASK, extra_env={"BENCH_JOURNAL": journal.path, "JOBSLIB_TASK_KILL_GRACE": "%g" % grace})
    line = wait_for(lambda: next((l for l in journal.lines()[n_before:] if l[0] == "start" and l[1] == name), None), 15, "%s's task start" % name)
    return h, int(line[4]), seq


def stats(values, unit="ms"):
    return "p50 %.1f, p90 %.1f, max %.1f, min %.1f %s (n=%d)" % (pct(values, 50), pct(values, 90), max(values), min(values), unit, len(values))


def lock_loss(build, workdir, sim, journal, reps, grace):
    late, hear, timer, deliver, unc_all = [], [], [], [], []
    for i in range(reps):
        key = "bench/killlate/lost-%d" % i   # a fresh key: release-lock fences the last one
        h, pid, seq = start_holder(build, workdir, sim, journal, "L%d" % i, key, grace)
        try:
            wait_for(lambda: blocking_get_since(sim, key, seq), 10, "the holder's watch", poll=0.01)
            offset, unc = sim.anchor()
            seq0 = sim.last_seq
            death = DeathWatch(pid, grace + 15)
            env = {k: v for k, v in os.environ.items() if not k.startswith(("JOBSLIB_", "CONSUL_"))}
            env.update(consul_env(sim.address, key))
            env["JOBSLIB_LOGGING_LEVEL"] = "warning"
            out = subprocess.run([os.path.join(build, "bin", "runjob"), "release-lock", "--yes"], env=env,
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
            if out.returncode != 0 or not out.stdout.startswith("released"):
                raise RuntimeError("release-lock failed (%d): %s %s" % (out.returncode, out.stdout, out.stderr))
            t_death = death.wait(grace + 20)
            if t_death is None:
                raise RuntimeError("rep %d: the task (pid %d) still lives %g s after the lock loss" % (i + 1, pid, grace + 15))
            fence = [r for r in sim.requests(seq0) if r["Method"] == "PUT" and r["Path"] == "/v1/txn"]
            if not fence:
                raise RuntimeError("no fencing transaction in the simulator's log")
            t_fence = fence[0]["AtMs"] + 0.5 + offset
            t_lost = wait_for(lambda: h.log_time("Lock has been lost"), 5, "the holder's lock-lost line")
            t_kill = wait_for(lambda: h.log_time("Task did not stop within"), 5, "the holder's kill line (runjob's kill timer)")
            late.append(t_death - t_fence - grace * 1000)
            hear.append(t_lost - t_fence)
            timer.append(t_kill - t_lost - grace * 1000)
            deliver.append(t_death - t_kill)
            unc_all.append(unc)
            print("  lock loss %d: task dead %.1f ms after fence + kill grace" % (i + 1, late[-1]), file=sys.stderr, flush=True)
        finally:
            h.stop()
    print("(a) lock loss -> SIGKILL by runjob's kill timer, %d reps, kill_grace %g s, task ignoring SIGTERM:" % (reps, grace))
    print("  fencing txn + kill_grace -> task dead (lateness): %s" % stats(late))
    print("    fencing txn -> 'Lock has been lost' logged: %s" % stats(hear))
    print("    'Lock has been lost' + kill_grace -> 'Task did not stop within' logged (the timer): %s" % stats(timer))
    print("    'Task did not stop within' logged (right after the SIGKILL was sent) -> task dead: %s" % stats(deliver))
    print("  clock conversion uncertainty: max +-%.2f ms; log lines have 1 ms resolution" % max(unc_all))
    result("kill timer lateness: lock loss + kill_grace %g s -> task SIGKILLed, p50 / max (%d reps)" % (grace, reps),
           "%.1f / %.1f ms" % (pct(late, 50), max(late)), "-")
    result("of which runjob's kill timer alone (lock-lost line + kill_grace -> kill line) p50 / max / min",
           "%.1f / %.1f / %.1f ms" % (pct(timer, 50), max(timer), min(timer)), "-")
    return 0 if max(late) <= 1000 else 1


def frozen(build, workdir, sim, journal, reps, grace):
    before_ttl, guard_late, unc_all = [], [], []
    for i in range(reps):
        key = "bench/killlate/frozen-%d" % i   # a fresh key: the frozen holder's session lingers 2 x TTL
        h, pid, seq = start_holder(build, workdir, sim, journal, "F%d" % i, key, grace)
        frozen_runjob = False
        try:
            renewals = lambda since: [r for r in sim.requests(since) if r["Method"] == "PUT" and r["Path"].startswith("/v1/session/renew/")]  # noqa: E731
            seq_start = sim.last_seq
            wait_for(lambda: renewals(seq_start), TTL_S / 3 + 5, "a session renewal", poll=0.01)
            time.sleep(0.3)
            death = DeathWatch(pid, TTL_S + 10)
            h.signal(signal.SIGSTOP)
            frozen_runjob = True
            time.sleep(0.2)
            last = renewals(seq)[-1]   # runjob is frozen: nothing newer can come
            offset, unc = sim.anchor()
            t_death = death.wait(TTL_S + 15)
            if t_death is None:
                raise RuntimeError("rep %d: the task (pid %d) outlived the frozen runjob's lease" % (i + 1, pid))
            t_renew = last["AtMs"] + 0.5 + offset
            wait_for(lambda: GUARD_LINE in h.log(), 5, "the guard's line in runjob's log")
            before_ttl.append(t_death - (t_renew + TTL_S * 1000))
            guard_late.append(t_death - (t_renew + TTL_S * 1000 - MARGIN_MS - DEADLINE_SAFETY_MS))
            unc_all.append(unc)
            print("  freeze %d: task dead %.1f ms after the lease's TTL from its last renewal" % (i + 1, before_ttl[-1]), file=sys.stderr, flush=True)
        finally:
            if frozen_runjob:
                h.signal(signal.SIGCONT)
            h.stop()
    print("(b) runjob frozen (SIGSTOP) while its task runs -> SIGKILL by jobslib-guard, %d reps, TTL %d s:" % (reps, TTL_S))
    print("  last renewal received + TTL (earliest server-side expiry) -> task dead: %s" % stats(before_ttl))
    print("  guard's lateness (death - (renewal + TTL - %d ms margin - %d ms safety)): %s" % (MARGIN_MS, DEADLINE_SAFETY_MS, stats(guard_late)))
    print("  clock conversion uncertainty: max +-%.2f ms" % max(unc_all))
    result("frozen runjob: lease TTL from the last renewal -> guard's SIGKILL, p50 / max (%d reps; negative = before)" % reps,
           "%.1f / %.1f ms" % (pct(before_ttl, 50), max(before_ttl)), "< 0")
    result("jobslib-guard's lateness against the deadline it was given, p50 / max",
           "%.1f / %.1f ms" % (pct(guard_late, 50), max(guard_late)), "-")
    return 0 if max(before_ttl) < 0 else 1


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = os.path.abspath(argv[1])
    reps = int(argv[2]) if len(argv) > 2 else 10
    grace = float(argv[3]) if len(argv) > 3 else 3.0
    for b in ("runjob", "jobslib-guard", "jobslib-consul-sim"):
        if not os.access(os.path.join(build, "bin", b), os.X_OK):
            print("no %s/bin/%s: build first" % (build, b), file=sys.stderr)
            return 2
    workdir = tempfile.mkdtemp(prefix="jobslib-bench-")
    sim = Sim(build, workdir, "--ttl-multiplier", "2")
    try:
        journal = Journal(os.path.join(workdir, "journal"))
        rc = lock_loss(build, workdir, sim, journal, reps, grace)
        rc |= frozen(build, workdir, sim, journal, reps, grace)
        return rc
    finally:
        sim.stop()
        if os.environ.get("BENCH_KEEP"):
            print("work files kept in %s" % workdir, file=sys.stderr)
        else:
            subprocess.run(["rm", "-rf", workdir])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
