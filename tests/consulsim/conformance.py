#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Conformance of jobslib-consul-sim with a Consul client nobody here wrote.

Runs Debian's python3-consul (python-consul 0.7.x) against the simulator program, so the
simulator is held to what a real client expects of Consul, not to its own idea of it:
sessions, lock contention between two sessions, blocking queries answered while another
client writes, session TTL expiry (with a short multiplier), TTL checks and health, ACL
tokens, and the fault controls under /_sim/.

Usage: conformance.py /path/to/jobslib-consul-sim
Prints "N passed, M failed" last and exits non-zero when anything failed.
"""

import base64
import json
import select
import subprocess
import sys
import threading
import time
import traceback
import urllib.request

import consul
from consul.base import CB

SIM = None  # the simulator program


class Simulator:
    """jobslib-consul-sim --port 0 as a subprocess; the port comes from its first line."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([SIM, "--port", "0", "--node", "conformance", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        assert ready, "the simulator printed nothing within 10 s"
        line = self.proc.stdout.readline().strip()
        assert line.startswith("listening on 127.0.0.1:"), line
        self.port = int(line.rsplit(":", 1)[1])

    def client(self, **kwargs):
        return consul.Consul(host="127.0.0.1", port=self.port, **kwargs)

    def control(self, what, body=None, method="PUT"):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request("http://127.0.0.1:%d/_sim/%s" % (self.port, what), data=data, method=method)
        with urllib.request.urlopen(req, timeout=5) as resp:
            return json.loads(resp.read() or b"null")

    def stop(self):
        self.proc.terminate()
        code = self.proc.wait(10)
        assert code == 0, "the simulator exited with %r on SIGTERM" % code
        # stdout holds exactly one line.
        assert self.proc.stdout.read() == "", "more than one line on stdout"


def wait_until(predicate, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# --------------------------------------------------------------------------- tests

def test_status_and_self(sim):
    c = sim.client()
    assert c.status.leader() == "127.0.0.1:8300"
    assert c.status.peers() == ["127.0.0.1:8300"]
    config = c.agent.self()["Config"]
    assert config["NodeName"] == "conformance"
    assert config["Datacenter"] == "dc1"


def test_kv(sim):
    c = sim.client()
    index, value = c.kv.get("conf/missing")
    assert value is None and int(index) >= 1  # python-consul reads X-Consul-Index from the 404
    assert c.kv.put("conf/a", "1") is True
    assert c.kv.put("conf/b", b"\x00\xff", flags=3304740253564472344) is True
    assert c.kv.put("conf/dir/c", "3") is True
    index, entry = c.kv.get("conf/a")
    assert entry["Value"] == b"1" and entry["Key"] == "conf/a"
    assert int(index) == entry["ModifyIndex"]
    assert c.kv.get("conf/b")[1]["Flags"] == 3304740253564472344
    assert c.kv.get("conf/b")[1]["Value"] == b"\x00\xff"
    _, entries = c.kv.get("conf/", recurse=True)
    assert [e["Key"] for e in entries] == ["conf/a", "conf/b", "conf/dir/c"]
    _, keys = c.kv.get("conf/", keys=True, separator="/")
    assert keys == ["conf/a", "conf/b", "conf/dir/"]
    modify = entry["ModifyIndex"]
    assert c.kv.put("conf/a", "2", cas=modify + 1000) is False
    assert c.kv.put("conf/a", "2", cas=modify) is True
    assert c.kv.put("conf/a", "3", cas=0) is False
    assert c.kv.put("conf/empty", None) is True
    assert c.kv.get("conf/empty")[1]["Value"] is None
    assert c.kv.delete("conf/dir/c", cas=1) is False
    assert c.kv.delete("conf/never", cas=7) is True
    assert c.kv.delete("conf/", recurse=True) is True
    assert c.kv.get("conf/", recurse=True)[1] is None


def test_sessions(sim):
    c = sim.client()
    sid = c.session.create(name="conformance", ttl=10, lock_delay=0)
    index, info = c.session.info(sid)
    assert info["ID"] == sid and info["Name"] == "conformance" and info["TTL"] == "10s"
    assert info["LockDelay"] == 0 and info["Behavior"] == "release"
    assert info["NodeChecks"] == ["serfHealth"] and info["Node"] == "conformance"
    assert int(index) == info["CreateIndex"]
    default = c.session.create()
    assert c.session.info(default)[1]["LockDelay"] == 15000000000
    assert {s["ID"] for s in c.session.list()[1]} == {sid, default}
    assert len(c.session.node("conformance")[1]) == 2
    assert c.session.node("elsewhere")[1] == []
    renewed = c.session.renew(sid)
    assert renewed["ID"] == sid and renewed["TTL"] == "10s"
    assert c.session.destroy(default) is True
    assert c.session.destroy(default) is True  # idempotent
    assert c.session.info(default)[1] is None
    try:
        c.session.renew(default)
        raise AssertionError("renew of a destroyed session must fail")
    except consul.NotFound as e:
        assert str(e) == "Session id '%s' not found" % default, str(e)
    # The client refuses TTLs below 10 s itself; the server's text, through the raw transport:
    try:
        c.http.put(CB.json(), "/v1/session/create", data=json.dumps({"TTL": "5s"}))
        raise AssertionError("a 5 s TTL must be refused")
    except consul.ConsulException as e:
        assert str(e) == "500 Invalid Session TTL '5000000000', must be between [10s=24h0m0s]", str(e)
    try:
        c.session.create(node="nowhere")
        raise AssertionError("an unknown node must be refused")
    except consul.ConsulException as e:
        assert str(e) == "500 Missing node registration", str(e)
    c.session.destroy(sid)


def test_lock_contention(sim):
    c1 = sim.client()
    c2 = sim.client()
    s1 = c1.session.create(name="one", lock_delay=1, ttl=30)
    s2 = c2.session.create(name="two", lock_delay=1, ttl=30)
    key = "jobs/conformance/lock"
    assert c1.kv.put(key, "owner-1", acquire=s1) is True
    assert c2.kv.put(key, "owner-2", acquire=s2) is False
    _, entry = c2.kv.get(key)
    assert entry["Session"] == s1 and entry["LockIndex"] == 1 and entry["Value"] == b"owner-1"
    assert c2.kv.put(key, "", release=s2) is False
    assert c1.kv.put(key, "owner-1b", acquire=s1) is True  # re-acquire: same LockIndex
    assert c1.kv.get(key)[1]["LockIndex"] == 1
    assert c1.kv.put(key, None, release=s1) is True
    _, entry = c1.kv.get(key)
    assert "Session" not in entry and entry["Value"] is None and entry["LockIndex"] == 1
    assert c2.kv.put(key, "owner-2", acquire=s2) is True
    _, entry = c2.kv.get(key)
    assert entry["Session"] == s2 and entry["LockIndex"] == 2
    # The holder's session is destroyed: released, and lock-delay (1 s) refuses even s1.
    assert c2.session.destroy(s2) is True
    _, entry = c1.kv.get(key)
    assert "Session" not in entry and entry["Value"] == b"owner-2"
    assert c1.kv.put(key, "owner-1", acquire=s1) is False
    assert wait_until(lambda: c1.kv.put(key, "owner-1", acquire=s1), 5, step=0.1), "lock-delay never ended"
    assert c1.kv.get(key)[1]["LockIndex"] == 3
    try:
        c1.kv.put(key, "x", acquire="5125b25b-0000-0000-0000-000000000000")
        raise AssertionError("an unknown session must be refused")
    except consul.ConsulException as e:
        assert str(e) == '500 invalid session "5125b25b-0000-0000-0000-000000000000"', str(e)
    c1.session.destroy(s1)


def test_txn_fence(sim):
    """runjob release-lock's fence: one transaction moves a held key to another session."""
    c = sim.client()
    raw = lambda response: (response.code, json.loads(response.body) if response.body else None)
    key = "jobs/conformance/fence"
    holder = c.session.create(name="holder", lock_delay=60, ttl=30)
    assert c.kv.put(key, "holder", acquire=holder) is True
    index, entry = c.kv.get(key)
    fence = c.session.create(name="fence", lock_delay=0, ttl=10)  # expires after 2 s here (x 0.2)

    def txn(modify_index):
        ops = [{"KV": {"Verb": "check-index", "Key": key, "Index": modify_index}},
               {"KV": {"Verb": "unlock", "Key": key, "Session": holder}},
               {"KV": {"Verb": "lock", "Key": key, "Session": fence, "Value": base64.b64encode(b"fence").decode()}}]
        return c.http.put(raw, "/v1/txn", data=json.dumps(ops))

    code, body = txn(entry["ModifyIndex"] - 1)
    assert code == 409 and body["Results"] is None and body["Errors"][0]["OpIndex"] == 0, (code, body)
    assert c.kv.get(key)[1]["Session"] == holder
    code, body = txn(entry["ModifyIndex"])
    assert code == 200 and body["Errors"] is None, (code, body)
    _, entry = c.kv.get(key)
    assert entry["Session"] == fence and entry["Value"] == b"fence" and entry["LockIndex"] == 2, entry
    # The old holder's session no longer holds the key: destroying it starts no lock-delay.
    assert c.session.destroy(holder) is True
    other = c.session.create(name="other", lock_delay=0, ttl=30)
    assert c.kv.put(key, "other", acquire=other) is False  # the fence holds it
    assert wait_until(lambda: "Session" not in c.kv.get(key)[1], 6), "the fence never expired"
    assert c.kv.put(key, "other", acquire=other) is True  # at once: the fence's lock-delay is 0
    assert c.kv.get(key)[1]["LockIndex"] == 3
    c.session.destroy(other)


def test_blocking_query(sim):
    reader = sim.client()
    writer = sim.client()
    key = "conf/blocking"
    writer.kv.put(key, "v1")
    index, _ = reader.kv.get(key)
    result = {}

    def block():
        start = time.monotonic()
        result["index"], result["entry"] = reader.kv.get(key, index=index, wait="10s")
        result["elapsed"] = time.monotonic() - start

    t = threading.Thread(target=block)
    t.start()
    time.sleep(0.3)  # let the query park; an unrelated write must not wake it
    writer.kv.put("conf/unrelated", "x")
    time.sleep(0.2)
    assert "index" not in result, "woken by a write to another key"
    written = time.monotonic()
    writer.kv.put(key, "v2")
    t.join(5)
    assert not t.is_alive()
    assert time.monotonic() - written < 0.5
    assert int(result["index"]) > int(index)
    assert result["entry"]["Value"] == b"v2"
    # No change: the wait runs out and the same index comes back.
    start = time.monotonic()
    same, entry = reader.kv.get(key, index=result["index"], wait="300ms")
    elapsed = time.monotonic() - start
    assert same == result["index"] and entry["Value"] == b"v2"
    assert 0.29 <= elapsed < 0.3 + 0.3 / 16 + 0.5, elapsed
    # A blocking wait on a missing key ends when it appears.
    missing_index, _ = reader.kv.get("conf/appears")
    later = {}
    t = threading.Thread(target=lambda: later.update(r=reader.kv.get("conf/appears", index=missing_index, wait="10s")))
    t.start()
    time.sleep(0.2)
    writer.kv.put("conf/appears", "here")
    t.join(5)
    assert later["r"][1]["Value"] == b"here"


def test_session_ttl_expiry(sim):
    c = sim.client()
    sid = c.session.create(ttl=10, lock_delay=0)  # 10 s x 0.2 = 2 s
    assert c.kv.put("conf/ttl-lock", "me", acquire=sid) is True
    start = time.monotonic()
    assert wait_until(lambda: c.session.info(sid)[1] is None, 6), "the session never expired"
    elapsed = time.monotonic() - start
    assert 1.8 <= elapsed < 3.5, elapsed
    _, entry = c.kv.get("conf/ttl-lock")
    assert "Session" not in entry and entry["Value"] == b"me"


def test_checks_and_health(sim):
    c = sim.client()
    assert c.agent.check.register("job", check=consul.Check.ttl("10s"), check_id="job", notes="n") is True
    checks = c.agent.checks()
    assert checks["job"]["Status"] == "critical" and checks["job"]["Type"] == "ttl"
    # python-consul 0.7 sends pass/warn/fail as GET; Consul >= 1.0 answers 405 (reference §1.1),
    # which this client's CB.bool() turns into False.
    assert c.agent.check.ttl_pass("job", "ok") is False
    assert c.http.put(CB.bool(), "/v1/agent/check/pass/job", params={"note": "ok"}) is True
    checks = c.agent.checks()
    assert checks["job"]["Status"] == "passing" and checks["job"]["Output"] == "ok"
    _, passing = c.health.state("passing")
    assert {h["CheckID"] for h in passing} == {"job", "serfHealth"}
    assert c.agent.service.register("web", service_id="web1", port=80, tags=["a"], check=consul.Check.ttl("10s")) is True
    index, web = c.health.checks("web")
    assert [h["CheckID"] for h in web] == ["service:web1"] and web[0]["Status"] == "critical"
    assert web[0]["ServiceName"] == "web" and web[0]["ServiceTags"] == ["a"]
    assert int(index) >= 1
    assert c.http.put(CB.bool(), "/v1/agent/check/warn/service:web1", params={"note": "slow"}) is True
    _, web = c.health.checks("web")
    assert web[0]["Status"] == "warning" and web[0]["Output"] == "slow"
    _, critical = c.health.state("critical")
    assert critical == []
    assert c.health.checks("nothing")[1] == []


def test_fault_controls(sim):
    c = sim.client()
    sim.control("fail", {"count": 1, "status": 500, "body": "No cluster leader", "pathPrefix": "/v1/kv/"})
    try:
        c.kv.get("conf/x")
        raise AssertionError("the injected failure did not happen")
    except consul.ConsulException as e:
        assert str(e) == "500 No cluster leader", str(e)
    assert c.kv.get("conf/x")[1] is None
    sim.control("requests", method="DELETE")
    sid = c.session.create(ttl=15)
    c.kv.put("conf/seq", "rec", acquire=sid)
    log = sim.control("requests", method="GET")
    assert [(r["Method"], r["Path"]) for r in log] == [("PUT", "/v1/session/create"), ("PUT", "/v1/kv/conf/seq")]
    assert json.loads(log[0]["Body"]) == {"ttl": "15s"}
    assert log[1]["Query"] == [["acquire", sid]] and log[1]["Body"] == "rec"
    sim.control("lose-sessions")
    assert c.session.list()[1] == []
    assert "Session" not in c.kv.get("conf/seq")[1]


def test_acl(_sim):
    acl = Simulator("--acl-token", "root")
    try:
        anonymous = acl.client()
        try:
            anonymous.kv.get("jobs/lock")
            raise AssertionError("the anonymous token must be refused")
        except consul.ACLPermissionDenied as e:
            assert str(e).startswith("Permission denied: anonymous token lacks permission 'key:read' on \"jobs/lock\""), str(e)
        try:
            acl.client(token="wrong").kv.put("jobs/lock", "x")
            raise AssertionError("an unknown token must be refused")
        except consul.ACLPermissionDenied as e:
            assert str(e) == "ACL not found", str(e)
        master = acl.client(token="root")
        assert master.kv.put("jobs/lock", "x") is True
        assert master.kv.get("jobs/lock")[1]["Value"] == b"x"
        acl.control("acl/tokens", {"SecretID": "reader", "AccessorID": "acc-r", "Rules": {"key_prefix": {"jobs/": {"policy": "read"}}}})
        reader = acl.client(token="reader")
        assert reader.kv.get("jobs/lock")[1]["Value"] == b"x"
        try:
            reader.kv.put("jobs/lock", "y")
            raise AssertionError("a read-only token must not write")
        except consul.ACLPermissionDenied as e:
            assert str(e) == "Permission denied: token with AccessorID 'acc-r' lacks permission 'key:write' on \"jobs/lock\"", str(e)
    finally:
        acl.stop()


TESTS = [test_status_and_self, test_kv, test_sessions, test_lock_contention, test_txn_fence, test_blocking_query,
         test_session_ttl_expiry, test_checks_and_health, test_fault_controls, test_acl]


def main():
    global SIM
    if len(sys.argv) != 2:
        print("usage: conformance.py /path/to/jobslib-consul-sim", file=sys.stderr)
        return 2
    SIM = sys.argv[1]
    print("python-consul %s" % getattr(consul, "__version__", "?"))
    passed = failed = 0
    sim = Simulator("--ttl-multiplier", "0.2")
    try:
        for test in TESTS:
            try:
                test(sim)
                passed += 1
                print("PASS %s" % test.__name__)
            except Exception:  # any failure, assertion or client error, is reported and counted
                failed += 1
                print("FAIL %s" % test.__name__)
                traceback.print_exc(file=sys.stdout)
    finally:
        try:
            sim.stop()
        except AssertionError as e:
            failed += 1
            print("FAIL simulator shutdown: %s" % e)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
