#!/usr/bin/env python3
"""bench/fdb_watch, the kernel-FDB watcher that times the mass move and the FDB benchmark, counts
what it is asked to count and nothing else. Each sub-test builds a VTEP namespace (br100 +
vxlan100, lab.vxlan_vtep) and writes FDB entries with `bridge fdb` while the watcher listens.

  extern-learn  --extern-learn --count 4 --progress 2: a MAC's VXLAN `self` entry and its bridge
                `master` entry count apart; the flood entry (00:00:00:00:00:00), an entry without
                extern_learn, another device's entry and a second notification for a counted
                entry do not count. It exits 0 with seen 4 and progress lines at 1, 2 and 4; the
                first entry is stamped after those others were written, the last after the
                last write began.
  dst           --dst 10.0.0.2 --mac-prefix 02:10 --count 2: a MAC pointing elsewhere counts
                only once replaced by an entry pointing at 10.0.0.2; another prefix never.
  short         --count 3 with two entries and --timeout 1: exits 1 after the timeout and
                reports seen 2.
  usage         no --dev, no --count, an unknown option, a bad prefix: exit 2.

Usage (root): python3 test_fdb_watch.py [--fdb-watch build/bench/fdb_watch] [--only NAME]
Not root: prints "SKIPPED: ..." and exits 0.
"""

import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402

LOCAL = "10.0.0.1"


def vtep(lab):
    ns = lab.netns("w")
    lab.ip(ns, "link", "set", "lo", "up")
    lab.vxlan_vtep(ns, LOCAL)
    lab.ip(ns, "link", "add", "br200", "type", "bridge")
    lab.ip(ns, "link", "add", "vxlan200", "type", "vxlan", "id", "200", "local", LOCAL,
           "dstport", "4790", "nolearning")
    lab.ip(ns, "link", "set", "vxlan200", "master", "br200")
    lab.ip(ns, "link", "set", "vxlan200", "up")
    return ns


def start(lab, args, ns, *opts):
    w = lab.spawn("fdb-watch", ns, [args.fdb_watch, "--dev", "vxlan100", *opts])
    w.expected_alive = False
    lab.poll_until(lambda: w.grep("^READY"), 10, "fdb_watch to subscribe")
    return w


def fdb(lab, ns, *words):
    lab.sh(ns, "bridge", "fdb", *words)


def report(w, want_rc):
    rc = w.wait_exit(15)
    if rc != want_rc:
        raise L.TestFailure(f"fdb_watch exited {rc}, not {want_rc}: {w.text()[-400:]}")
    lines = w.grep(r"^\{")
    if not lines:
        raise L.TestFailure(f"fdb_watch gave no report: {w.text()[-400:]}")
    return json.loads(lines[-1]), w


def test_extern_learn(args):
    with L.Lab("fdbw") as lab:
        ns = vtep(lab)
        w = start(lab, args, ns, "--extern-learn", "--count", "4", "--progress", "2",
                  "--timeout", "10")
        # Not counted: the flood entry, no extern_learn, another device.
        fdb(lab, ns, "append", "00:00:00:00:00:00", "dev", "vxlan100", "dst", "10.0.0.9",
            "self", "extern_learn")
        fdb(lab, ns, "add", "02:00:00:00:00:09", "dev", "vxlan100", "dst", "10.0.0.9", "self")
        fdb(lab, ns, "add", "02:00:00:00:00:0a", "dev", "vxlan200", "dst", "10.0.0.9", "self",
            "extern_learn")
        time.sleep(0.05)
        t_first = time.time()  # what came before must not have counted
        for mac, dst in (("02:00:00:00:00:01", "10.0.0.2"), ("02:00:00:00:00:02", "10.0.0.3")):
            fdb(lab, ns, "add", mac, "dev", "vxlan100", "dst", dst, "self", "extern_learn")
            time.sleep(0.05)
            # a second notification for the same self entry counts once
            fdb(lab, ns, "replace", mac, "dev", "vxlan100", "dst", "10.0.0.4", "self",
                "extern_learn")
            time.sleep(0.05)
            t_master = time.time()
            fdb(lab, ns, "add", mac, "dev", "vxlan100", "master", "extern_learn")
            time.sleep(0.05)
        got, w = report(w, 0)
        if got["seen"] != 4 or got["count"] != 4 or got["enobufs"] != 0:
            raise L.TestFailure(f"report {got}")
        # the first entry counted is the first MAC's self entry, the fourth the last write
        if not t_first <= got["first"] <= got["half"] <= t_master <= got["last"]:
            raise L.TestFailure(f"times {got} against {t_first:.6f} and {t_master:.6f}")
        progress = [int(line.split()[1]) for line in w.lines()
                    if len(line.split()) == 2 and not line.startswith("{")]
        if progress != [1, 2, 4]:
            raise L.TestFailure(f"progress lines at {progress}, not [1, 2, 4]")
        L.log(f"  4 entries of 2 MACs counted, 3 others not; {got['messages']} notifications")


def test_dst(args):
    with L.Lab("fdbw") as lab:
        ns = vtep(lab)
        w = start(lab, args, ns, "--dst", "10.0.0.2", "--mac-prefix", "02:10", "--count", "2",
                  "--timeout", "10")
        fdb(lab, ns, "add", "02:10:00:00:00:01", "dev", "vxlan100", "dst", "10.0.0.3", "self",
            "extern_learn")
        fdb(lab, ns, "add", "02:20:00:00:00:01", "dev", "vxlan100", "dst", "10.0.0.2", "self",
            "extern_learn")
        time.sleep(0.2)
        if not w.alive():
            raise L.TestFailure(f"fdb_watch ended before a MAC pointed at 10.0.0.2: {w.text()}")
        fdb(lab, ns, "replace", "02:10:00:00:00:01", "dev", "vxlan100", "dst", "10.0.0.2", "self",
            "extern_learn")
        fdb(lab, ns, "add", "02:10:00:00:00:02", "dev", "vxlan100", "dst", "10.0.0.2", "self")
        got, _ = report(w, 0)
        if got["seen"] != 2:
            raise L.TestFailure(f"report {got}")
        L.log("  a MAC counts once it points at --dst; another prefix never")


def test_short(args):
    with L.Lab("fdbw") as lab:
        ns = vtep(lab)
        w = start(lab, args, ns, "--extern-learn", "--count", "3", "--timeout", "1")
        fdb(lab, ns, "add", "02:00:00:00:00:01", "dev", "vxlan100", "dst", "10.0.0.2", "self",
            "extern_learn")
        fdb(lab, ns, "add", "02:00:00:00:00:01", "dev", "vxlan100", "master", "extern_learn")
        got, _ = report(w, 1)
        if got["seen"] != 2 or got["last"] != 0:
            raise L.TestFailure(f"report {got}")
        L.log("  timeout: exit 1, seen 2 of 3")


def test_usage(args):
    for argv in (["--count", "1"], ["--dev", "lo"], ["--dev", "lo", "--count", "1", "--what", "x"],
                 ["--dev", "lo", "--count", "1", "--mac-prefix", "2:10"],
                 ["--dev", "lo", "--count", "1", "--dst", "10.0.0"]):
        r = subprocess.run([args.fdb_watch, *argv], capture_output=True, text=True, timeout=10)
        if r.returncode != 2 or "usage" not in r.stderr:
            raise L.TestFailure(f"{argv}: exit {r.returncode}, {r.stderr!r}")
    L.log("  bad arguments: exit 2 with the usage line")


TESTS = [("extern-learn", test_extern_learn), ("dst", test_dst), ("short", test_short),
         ("usage", test_usage)]


def add_args(parser):
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--fdb-watch", default=os.path.join(here, "..", "..", "build", "bench",
                                                            "fdb_watch"))


def run(args):
    args.fdb_watch = os.path.abspath(args.fdb_watch)
    L.require_tools(args.fdb_watch, "ip", "bridge")
    L.run_subtests(TESTS, args.only, args)


if __name__ == "__main__":
    L.main(run, "test_fdb_watch", add_args)
