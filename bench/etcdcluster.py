# SPDX-License-Identifier: BSD-3-Clause
"""A real etcd cluster of 1 or 3 members on loopback for the benchmarks and the soak test
(`etcd` from Debian's etcd-server, or $ETCD). Standard library only.

Every member has its own data directory under workdir and two free 127.0.0.1 ports (client,
peer), and runs with election timings meant for loopback (heartbeat 50 ms, election 500 ms).
kill_member() and start_member() keep the data directory and the ports: the member comes back as
itself, which is what an outage looks like to a client."""

import json
import os
import shutil
import signal
import subprocess
import urllib.request

from benchlib import clean_env, free_port, wait_for

ETCD = os.environ.get("ETCD") or shutil.which("etcd") or "/usr/bin/etcd"


class EtcdCluster:
    def __init__(self, workdir, members=1, name="bench"):
        self.workdir = workdir
        ports = set()
        while len(ports) < 2 * members:
            ports.add(free_port())
        ports = sorted(ports)
        self.names = ["%s%d" % (name, i) for i in range(members)]
        self.client_urls = ["http://127.0.0.1:%d" % p for p in ports[:members]]
        self.peer_urls = ["http://127.0.0.1:%d" % p for p in ports[members:]]
        self.initial_cluster = ",".join("%s=%s" % (n, u) for n, u in zip(self.names, self.peer_urls))
        self.url = self.client_urls[0]
        self.client_port = ports[0]  # the first member's
        self.endpoints = ",".join(self.client_urls)
        self.procs = [None] * members
        for i in range(members):
            self._spawn(i, "new")
        try:
            wait_for(self.healthy, 30, "etcd cluster %s to be healthy" % self.endpoints, poll=0.05)
        except Exception:
            self.stop()
            raise

    def _spawn(self, i, state):
        client, peer = self.client_urls[i], self.peer_urls[i]
        env = {k: v for k, v in clean_env().items() if not k.startswith("ETCD_")}
        self.procs[i] = subprocess.Popen(
            [ETCD, "--name", self.names[i], "--data-dir", os.path.join(self.workdir, "etcd-" + self.names[i]),
             "--listen-client-urls", client, "--advertise-client-urls", client,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", self.initial_cluster, "--initial-cluster-state", state,
             "--heartbeat-interval", "50", "--election-timeout", "500",
             "--log-level", "warn", "--logger", "zap"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.workdir, "etcd-%s.log" % self.names[i]), "ab"), start_new_session=True)

    def member_healthy(self, i):
        if self.procs[i] is None or self.procs[i].poll() is not None:
            return False
        try:
            with urllib.request.urlopen(self.client_urls[i] + "/health", timeout=2) as r:
                return json.loads(r.read()).get("health") == "true"
        except (OSError, ValueError):
            return False

    def healthy(self):
        for i, p in enumerate(self.procs):
            if p is not None and p.poll() is not None:
                raise RuntimeError("etcd %s exited with %s (see etcd-%s.log)" % (self.names[i], p.returncode, self.names[i]))
        return all(self.member_healthy(i) for i in range(len(self.procs)))

    def running(self, i):
        return self.procs[i] is not None and self.procs[i].poll() is None

    def kill_member(self, i):
        if self.running(i):
            os.kill(self.procs[i].pid, signal.SIGKILL)
            self.procs[i].wait()

    def start_member(self, i):
        """Brings a killed member back as itself (same data, same ports)."""
        if not self.running(i):
            self._spawn(i, "existing")

    def stop(self):
        for i in range(len(self.procs)):
            self.kill_member(i)

    def call(self, path, body, timeout=10):
        """POST to the JSON gateway of the first member that answers."""
        error = None
        for url in self.client_urls:
            req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=timeout) as r:
                    return json.loads(r.read())
            except OSError as e:
                error = e
        raise error
