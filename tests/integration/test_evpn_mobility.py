#!/usr/bin/env python3
"""MAC mobility (RFC 7432 §15) across three evpnd VTEPs on the loopback of one namespace:

   A 127.0.0.1 (route reflector, VTEP)      B 127.0.0.2 (client, VTEP)     C 127.0.0.3 (client, VTEP)
        +------------- iBGP AS 65000 ------------+------------------------------+

Every instance serves VNI 100 (RD auto, RT auto 65000:100); its VTEP address is its router ID.
Local MACs are declared in the configuration (`local_macs`) and changed with SIGHUP: a VM move
is the new VTEP learning the MAC first and the old VTEP ageing it afterwards, as a real move looks
(the new host's gratuitous ARP arrives before the old entry ages out). What each instance decided
is read from its debug log (the API arrives with the management issue).

Sub-tests (each in a namespace of its own; --only NAME picks some):
  flood       every instance's flood list for VNI 100 holds the other two VTEPs (type-3 routes
              with PMSI ingress replication, reflected by A).
  move-twice  MAC 52:54:00:00:01:01 starts behind B (sequence 0). Move 1 to C: C advertises
              sequence 1, B reports it moved away, A and B point at C with sequence 1. Move 2 to A:
              A advertises sequence 2, B and C point at A with sequence 2, C reports it moved
              away.
  duplicate   duplicate_mac_detection { max_moves: 3 window_s: 60 recovery_s: 6 }: the MAC flaps
              B -> C -> B -> C; some instance logs "duplicate" with a warning and stops
              advertising it, and about 6 s later logs the duplicate mark cleared.

Usage (root): python3 test_evpn_mobility.py [--evpnd build/bgpd/daemon/evpnd] [--only NAME]
Not root: prints "SKIPPED: ..." and exits 0. EVT_KEEP=1 keeps the logs of a run.
"""

import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402

VNI = 100
MAC = "52:54:00:00:01:01"
IPS = {"A": "127.0.0.1", "B": "127.0.0.2", "C": "127.0.0.3"}


def config(name, macs=(), duplicate=None):
    me = IPS[name]
    if name == "A":
        peers = [dict(address=IPS[n], remote_as=65000, route_reflector_client=True,
                      connect_retry_s=1, hold_time_s=9) for n in ("B", "C")]
    else:
        peers = [dict(address=IPS["A"], remote_as=65000, connect_retry_s=1, hold_time_s=9,
                      source_address=me)]
    evpn = L.evpn_block([dict(vni=VNI, local_macs=[dict(mac=m) for m in macs])],
                        duplicate=duplicate)
    return L.evpnd_config(me, 65000, peers, listen=[me], evpn=evpn)


def fabric(lab, evpnd, macs_at=None, duplicate=None):
    """Starts A, B and C in one namespace and waits for the four sessions."""
    ns = lab.netns("lo")
    for ip in IPS.values():
        if ip != "127.0.0.1":
            lab.ip(ns, "addr", "add", f"{ip}/8", "dev", "lo")
    macs_at = macs_at or {}
    daemons = {n: lab.evpnd(f"evpnd-{n}", ns, evpnd, config(n, macs_at.get(n, ()), duplicate))
               for n in IPS}
    for n in ("B", "C"):
        daemons["A"].wait_log(rf"peer {re.escape(IPS[n])}: established", 20, f"A established with {n}")
        daemons[n].wait_log(rf"peer 127\.0\.0\.1: established", 20, f"{n} established with A")
    return daemons


def expect_location(lab, daemons, where, sequence, timeout=10):
    """Every instance places MAC at VTEP IPS[where] with `sequence` (local there, remote
    elsewhere)."""
    want = {n: ("local" if n == where else "remote", IPS[where], sequence) for n in daemons}

    def now():
        return {n: d.mac_location(VNI, MAC) for n, d in daemons.items()}

    got = lab.poll_until(lambda: now() if now() == want else None, timeout,
                         f"every instance to place {MAC} at {where} with sequence {sequence}")
    L.log(f"  {MAC}: {got}")


def move(daemons, src, dst, duplicate=None):
    """The MAC appears at dst, then ages out at src."""
    mark = daemons[dst].reload(config(dst, [MAC], duplicate))
    daemons[dst].wait_log(rf"vni {VNI} mac {MAC}: advertise-local", 10, f"{dst} to advertise",
                          since=mark)
    daemons[src].reload(config(src, [], duplicate))


def test_flood(args):
    with L.Lab("flood") as lab:
        daemons = fabric(lab, args.evpnd)
        for n, d in daemons.items():
            for other in IPS:
                if other == n:
                    continue
                d.wait_log(rf"fdb: vni {VNI} flood add vtep {re.escape(IPS[other])}$", 10,
                           f"{n}'s flood list to gain {other}")
            if d.grep(rf"fdb: vni {VNI} flood add vtep {re.escape(IPS[n])}$"):
                raise L.TestFailure(f"{n} put its own VTEP on its flood list")
        L.log("  every flood list holds the two other VTEPs")
        lab.check_alive()


def test_move_twice(args):
    with L.Lab("move") as lab:
        daemons = fabric(lab, args.evpnd, macs_at={"B": [MAC]})
        expect_location(lab, daemons, "B", 0)
        L.log("  move 1: B -> C")
        mark_b = daemons["B"].mark()
        daemons["C"].reload(config("C", [MAC]))
        expect_location(lab, daemons, "C", 1)
        daemons["B"].wait_log(rf"vni {VNI} mac {MAC}: local-moved-away; at VTEP 127\.0\.0\.3 "
                              r"sequence 1", 10, "B to report the MAC moved away", since=mark_b)
        daemons["B"].reload(config("B", []))
        expect_location(lab, daemons, "C", 1)
        L.log("  move 2: C -> A")
        mark_c = daemons["C"].mark()
        daemons["A"].reload(config("A", [MAC]))
        daemons["C"].wait_log(rf"vni {VNI} mac {MAC}: local-moved-away; at VTEP 127\.0\.0\.1 "
                              r"sequence 2", 10, "C to report the MAC moved away", since=mark_c)
        daemons["C"].reload(config("C", []))
        expect_location(lab, daemons, "A", 2)
        lab.check_alive()


def test_duplicate(args):
    dad = dict(max_moves=3, window_s=60, recovery_s=6)
    with L.Lab("dup") as lab:
        daemons = fabric(lab, args.evpnd, macs_at={"B": [MAC]}, duplicate=dad)
        expect_location(lab, daemons, "B", 0)
        marks = {n: d.mark() for n, d in daemons.items()}
        src, dst = "B", "C"
        for _ in range(3):
            move(daemons, src, dst, dad)
            src, dst = dst, src
        pattern = rf"vni {VNI} mac {MAC}: duplicate \(moved 3 times within 1m\)"

        def detected():
            return [n for n, d in daemons.items() if d.grep(pattern, since=marks[n])]

        who = lab.poll_until(lambda: detected() or None, 10, "a duplicate-MAC warning")
        L.log(f"  duplicate detected by {who}: {daemons[who[0]].grep(pattern)[-1]}")
        d = daemons[who[0]]
        line = d.wait_log(rf"vni {VNI} mac {MAC}: duplicate mark cleared", 15,
                          f"{who[0]} to clear the duplicate mark after recovery_s")
        detected_at = L.log_line_time(d.grep(pattern)[-1])
        cleared_at = L.log_line_time(line)
        L.log(f"  cleared {cleared_at - detected_at:.1f} s after detection: {line}")
        if not 5.5 <= cleared_at - detected_at <= 8:
            raise L.TestFailure(f"recovery after {cleared_at - detected_at:.1f} s, expected ~6 s")
        lab.check_alive()


TESTS = [("flood", test_flood), ("move-twice", test_move_twice), ("duplicate", test_duplicate)]


def run(args):
    L.require_tools(args.evpnd, "ip")
    unknown = [o for o in args.only if o not in {n for n, _ in TESTS}]
    if unknown:
        raise L.TestFailure(f"unknown sub-test(s) {unknown}; known: {[n for n, _ in TESTS]}")
    L.run_subtests(TESTS, args.only, args)


if __name__ == "__main__":
    L.main(run, "test_evpn_mobility")
