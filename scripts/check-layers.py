#!/usr/bin/env python3
"""Checks that every #include in src/ points down the layers of docs/architecture.md.

    scripts/check-layers.py [--no-known] [SOURCE_DIR]
        exit 0: clean; 1: an include runs against the layers
        --no-known: without the KNOWN exceptions (for a source tree that is not this one)

A room is a directory under src/core (util, config, ...) or one of src/'s programs. A file may
include headers of its own room and of rooms below it; rooms on the same level (the transports,
the backends) do not include each other. Qt, the standard library and generated headers
(jobslib_export.h, jobslib_version.h) are not rooms and are always allowed.

KNOWN lists the arrows that still run the wrong way, each with the step of issue 16 that removes
it. An arrow that is not listed fails the check; a listed one that is gone fails too (remove it
from the list), so the list only shrinks.
"""
import os
import re
import sys

# Bottom-up. Rooms of one level may not include each other.
LEVELS = [
    ["util"],                                   # clock, result type, logging, small helpers
    ["config"],                                 # options, settings file, environment, Config
    ["consul", "etcd"],                         # the transports
    ["kv"],                                     # key-value stores on the transports, action log
    ["lock", "liveness", "metrics"],            # the backends
    ["task"],                                   # the task, which may extend and read the lock
    ["runner"],                                 # the loop
    ["status"],                                 # /livez /readyz /status /metrics
    ["app"],                                    # composition root: Context, registry, --explain
    ["commands"],                               # built-in commands on a Context
    ["launcher"],                               # runjob's command line and start-up
    ["api"],                                    # src/core/jobslib.h: the public API in one include
    ["cli", "guard", "keychain"],               # programs and helpers on top of the library
    ["dashboard"],                              # the operator's window
]
RANK = {room: level for level, rooms in enumerate(LEVELS) for room in rooms}

# (from room, to room): why it is still there. Issue 16 removes these one by one.
KNOWN = {
    ("lock", "app"): "backends are made from Context; next: from typed settings and an environment",
    ("liveness", "app"): "as lock",
    ("metrics", "app"): "as lock",
    ("task", "app"): "BaseTask::attach() takes the Context a task may use",
    ("runner", "app"): "Runner takes the Context; next: its backends and clock handed in",
    ("status", "app"): "RunMonitor reads the Context's backends; next: handed in",
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def room_of(path, src):
    rel = os.path.relpath(path, src).split(os.sep)
    if rel[0] == "core":
        return rel[1] if len(rel) > 2 else "api"
    return rel[0] if len(rel) > 1 else None


def included_room(header, here):
    """The room of an include: "lock/x.h" names one; "x.h" is the including file's own."""
    parts = header.split("/")
    if len(parts) == 1:
        return here
    return parts[0] if parts[0] in RANK else None


def main():
    args = sys.argv[1:]
    known = KNOWN
    if args and args[0] == "--no-known":
        known = {}
        args = args[1:]
    src = os.path.join(args[0] if args else os.path.join(os.path.dirname(__file__), ".."), "src")
    found = {}
    unknown_rooms = set()
    for dirpath, _, files in os.walk(src):
        for name in files:
            if not name.endswith((".h", ".cpp", ".c")):
                continue
            path = os.path.join(dirpath, name)
            here = room_of(path, src)
            if here is None:
                continue
            if here not in RANK:
                unknown_rooms.add(here)
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    there = included_room(m.group(1), here)
                    if there is None or there == here:
                        continue
                    if RANK[there] >= RANK[here]:
                        found.setdefault((here, there), []).append("%s:%d: %s" % (os.path.relpath(path, src), number, m.group(1)))
    failed = False
    for room in sorted(unknown_rooms):
        print("check-layers: src/%s is in no layer: add it to LEVELS (and to docs/architecture.md)" % room)
        failed = True
    for arrow, where in sorted(found.items()):
        if arrow in known:
            continue
        failed = True
        print("check-layers: %s includes %s, which is %s it:" % (arrow[0], arrow[1], "beside" if RANK[arrow[0]] == RANK[arrow[1]] else "above"))
        for w in where:
            print("  src/" + w)
    for arrow in sorted(set(known) - set(found)):
        failed = True
        print("check-layers: %s no longer includes %s: remove it from KNOWN" % arrow)
    still = [a for a in known if a in found]
    print("check-layers: %d known arrows (%d includes) still run upwards" % (len(still), sum(len(found[a]) for a in still)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
