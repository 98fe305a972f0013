#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A Python jobslib 3.2.1 instance, as far as the Consul lock is concerned.

Emulates jobslib.oneinstance.consul.ConsulLock and the loop of BaseTask.__call__ around it
(reference jobslib-python.md sections 3 and 4.3) with Debian's python3-consul, the way jobslib
uses its client:

- acquire(): the owner record is json.dumps of fqdn, timestamp, time_utc, time_local (in that
  order, Python's default separators); session.create(lock_delay=..., ttl=...) (the body is
  {"lockdelay": "1s", "ttl": "10s"}: no Name, Behavior, Checks or Node); kv.put(key, record,
  acquire=sid). On False (or an exception) it destroys the session; the loop then reads the owner
  with kv.get(key) for its "Can't acquire lock (lock owner is ...)" line.
- release(): kv.put(key, None, release=sid), an empty body; the session is NOT destroyed (Python's
  session leak).
- renewal: session.renew(sid) while the work runs. Python renews from SIGALRM at exactly ttl and
  relies on Consul's 2 x TTL grace; the tests run the simulator with --ttl-multiplier 1 (Consul's
  contract: "never before TTL"), so this emulation renews every ttl/2 instead, as a task calling
  extend_lock() under a shorter alarm would. It changes when renewals happen, not what is sent.

The work is the command after "--", run once per acquired iteration (a task that calls a
program), with JOBSLIB_FENCING_TOKEN=0: Python has no fencing token.

Usage: pyjobslib_lock.py --address HOST:PORT --key KEY [--fqdn NAME] [--ttl 10] [--lock-delay 1]
         [--iterations N | --duration S] [--interval S] [--jitter S] -- COMMAND ARGS...
Logs Python's lines on stderr; prints "iterations N acquired M" last on stdout; exit 0.
"""

import argparse
import datetime
import json
import os
import random
import socket
import subprocess
import sys
import time

import consul


def log(level, message):
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    sys.stderr.write("%s jobslib.oneinstance.consul %s %s\n" % (stamp, level, message))
    sys.stderr.flush()


class OneInstanceWatchdogError(BaseException):
    pass


class ConsulLock:
    """jobslib.oneinstance.consul.ConsulLock of jobslib 3.2.1."""

    def __init__(self, client, key, ttl, lock_delay, fqdn):
        self.client = client
        self.key = key
        self.ttl = ttl
        self.lock_delay = lock_delay
        self.fqdn = fqdn
        self._session_id = None
        self._refresh_lock_flag = False

    def get_state(self):
        # The same record as BaseLiveness.get_state(): key order and json.dumps defaults matter.
        now = time.time()
        utc = datetime.datetime.utcfromtimestamp(now)
        local = datetime.datetime.fromtimestamp(now)
        return json.dumps({
            "fqdn": self.fqdn,
            "timestamp": int(now),
            "time_utc": utc.strftime("%Y-%m-%d %H:%M:%S"),
            "time_local": local.strftime("%Y-%m-%d %H:%M:%S"),
        })

    def acquire(self):
        record = self.get_state()
        session_id = self.client.session.create(lock_delay=self.lock_delay, ttl=self.ttl)
        try:
            acquired = self.client.kv.put(self.key, record, acquire=session_id)
        except Exception as exc:  # as jobslib: log, destroy, not acquired
            log("ERROR", "Can't acquire lock: %r" % (exc,))
            self.client.session.destroy(session_id)
            return False
        if acquired:
            self._session_id = session_id
            self._refresh_lock_flag = False
            return True
        log("ERROR", "Can't acquire lock")
        self.client.session.destroy(session_id)
        return False

    def release(self):
        # With no session python-consul drops the parameter: a bare PUT (Python's quirk).
        released = self.client.kv.put(self.key, None, release=self._session_id)
        if released:
            self._session_id = None
            self._refresh_lock_flag = False
            return True
        log("ERROR", "Can't release lock")
        return False

    def refresh(self):
        self._refresh_lock_flag = True
        return True

    def renew(self):
        """The watchdog's renewal (SIGALRM in jobslib): renew if refreshed, else the lock expired."""
        if not self._refresh_lock_flag:
            raise OneInstanceWatchdogError("Lock has expired")
        try:
            self.client.session.renew(self._session_id)
        except Exception as exc:
            log("ERROR", "Can't extend lock: %r" % (exc,))
            raise OneInstanceWatchdogError("Can't extend lock")
        self._refresh_lock_flag = False

    def get_lock_owner_info(self):
        _, data = self.client.kv.get(self.key)
        if data is None or data.get("Value") is None:
            return None
        try:
            info = json.loads(data["Value"])
        except ValueError:
            log("ERROR", "Invalid lock owner info")
            return None
        return info if isinstance(info, dict) else None


def run_work(lock, command, renew_every):
    """The task: the command, with extend_lock() + renewal every renew_every seconds while it runs."""
    env = dict(os.environ, JOBSLIB_FENCING_TOKEN="0", JOBSLIB_LOCK_KEY=lock.key)
    proc = subprocess.Popen(command, env=env)
    last_renewal = time.monotonic()
    while True:
        try:
            return proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            pass
        if time.monotonic() - last_renewal >= renew_every:
            lock.refresh()
            lock.renew()
            last_renewal = time.monotonic()
            log("INFO", "Lock extended")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--fqdn", default=socket.getfqdn())
    parser.add_argument("--ttl", type=int, default=10)
    parser.add_argument("--lock-delay", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=0)
    parser.add_argument("--duration", type=float, default=0)
    parser.add_argument("--interval", type=float, default=0.5, help="run_interval: iterations start every S seconds")
    parser.add_argument("--jitter", type=float, default=0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command to run as the work is required after --")

    host, port = args.address.rsplit(":", 1)
    client = consul.Consul(host=host, port=int(port))
    lock = ConsulLock(client, args.key, args.ttl, args.lock_delay, args.fqdn)
    renew_every = args.ttl / 2.0

    deadline = time.monotonic() + args.duration if args.duration else None
    iterations = acquired = 0
    while True:
        if args.iterations and iterations >= args.iterations:
            break
        if deadline is not None and time.monotonic() >= deadline:
            break
        iterations += 1
        start = time.monotonic()
        try:
            if lock.acquire():
                acquired += 1
                log("INFO", "Run task")
                try:
                    code = run_work(lock, command, renew_every)
                    log("INFO", "Task done" if code == 0 else "task failed: exit code %d" % code)
                finally:
                    lock.release()
            else:
                info = lock.get_lock_owner_info()
                if info:
                    log("INFO", "Can't acquire lock (lock owner is %s, locked at %s UTC)" % (info.get("fqdn"), info.get("time_utc")))
                else:
                    log("INFO", "Can't acquire lock")
        except OneInstanceWatchdogError as exc:
            log("ERROR", "Lock has expired: %s" % exc)
        except Exception as exc:  # the loop's "task failed": Consul errors from acquire() included
            log("ERROR", "task failed: %r" % (exc,))
        sleep = max(start + args.interval - time.monotonic(), 0) + random.uniform(0, args.jitter)
        time.sleep(sleep)
    print("iterations %d acquired %d" % (iterations, acquired))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
