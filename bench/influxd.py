# SPDX-License-Identifier: BSD-3-Clause
"""A real InfluxDB 1.x (Debian's influxdb, `influxd -config FILE`) on loopback for the soak test,
with its data in workdir and two free 127.0.0.1 ports (HTTP, backup RPC), never 8086/8088.
restart() keeps data and ports. Standard library only."""

import json
import os
import signal
import shutil
import subprocess
import urllib.parse
import urllib.request

from benchlib import clean_env, free_port, wait_for

INFLUXD = os.environ.get("INFLUXD") or shutil.which("influxd") or "/usr/bin/influxd"

CONFIG = """# Written by bench/influxd.py.
reporting-enabled = false
reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{dir}/meta"
[data]
  dir = "{dir}/data"
  wal-dir = "{dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{http}"
  auth-enabled = false
  log-enabled = false
  access-log-path = ""
  https-enabled = false
  unix-socket-enabled = false
  pprof-enabled = false
[ifql]
  enabled = false
[logging]
  level = "warn"
  suppress-logo = true
"""


class Influxd:
    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "influxdb")
        os.makedirs(self.dir, exist_ok=True)
        ports = set()
        while len(ports) < 2:
            p = free_port()
            if p not in (8086, 8088):
                ports.add(p)
        self.http_port, rpc = sorted(ports)
        self.config = os.path.join(self.dir, "influxdb.conf")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(dir=self.dir, http=self.http_port, rpc=rpc))
        self.url = "http://127.0.0.1:%d" % self.http_port
        self.log = open(os.path.join(workdir, "influxd.log"), "ab")
        self.proc = None
        self.start()

    def start(self):
        if self.running():
            return
        self.proc = subprocess.Popen([INFLUXD, "-config", self.config], env=clean_env(), stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log, start_new_session=True)
        wait_for(self.ping, 30, "influxd on %s" % self.url, poll=0.05)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def ping(self):
        if self.proc.poll() is not None:
            raise RuntimeError("influxd exited with %s (see influxd.log)" % self.proc.returncode)
        try:
            with urllib.request.urlopen(self.url + "/ping", timeout=2) as r:
                return r.status == 204
        except OSError:
            return False

    def stop(self):
        """A graceful stop (SIGTERM): what InfluxDB acknowledged stays stored."""
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def query(self, q, db=None):
        params = {"q": q, "epoch": "ns"}
        if db:
            params["db"] = db
        req = urllib.request.Request(self.url + "/query", data=urllib.parse.urlencode(params).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=30) as r:
            body = json.loads(r.read())
        for res in body.get("results", []):
            if "error" in res:
                raise RuntimeError("InfluxQL %r: %s" % (q, res["error"]))
        return body
