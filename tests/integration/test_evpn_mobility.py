#!/usr/bin/env python3
"""MAC mobility (RFC 7432 §15) across three evpnd VTEPs on the loopback of one namespace:

   A 127.0.0.1 (route reflector, VTEP)      B 127.0.0.2 (client, VTEP)     C 127.0.0.3 (client, VTEP)
        +------------- iBGP AS 65000 ------------+------------------------------+

Every instance serves VNI 100 (RD auto, RT auto 65000:100); its VTEP address is its router ID.
Local MACs are declared in the configuration (`local_macs`) and changed with SIGHUP: a VM move
is the new VTEP learning the MAC first and the old VTEP ageing it afterwards, as a real move looks
(the new host's gratuitous ARP arrives before the old entry ages out). What each instance decided
is read through its management API (`evpnctl --json evpn macs`).

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

  frr-move    evpnd (VTEP 10.250.255.2) and a real FRR 8.4 VTEP (zebra + bgpd, advertise-all-vni,
              VTEP 10.250.255.1, bridge br100 + vxlan100 in its namespace), iBGP. The MAC starts
              declared at evpnd: FRR's `show evpn mac vni 100` has it remote at 10.250.255.2.
              Move to FRR (the host behind FRR's port h1p sends a frame): FRR advertises it with
              MM:1 (`show bgp l2vpn evpn route detail json`) and evpnd logs it moved away to
              10.250.255.1 with sequence 1. Move back (evpnd learns it again): evpnd advertises
              sequence 2, FRR's table shows MM:2 on evpnd's route and its MAC table points at
              10.250.255.2 again.

Usage (root): python3 test_evpn_mobility.py [--evpnd build/bgpd/daemon/evpnd] [--only NAME]
Not root: prints "SKIPPED: ..." and exits 0. EVT_KEEP=1 keeps the logs of a run.
"""

import json
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


FRR_VTEP, EV_VTEP = "10.250.255.1", "10.250.255.2"
FRR_IP, EV_IP = "10.0.1.1", "10.0.1.2"
FRR_CONF = f"""hostname evt-frr
log timestamp precision 3
router bgp 65000
 bgp router-id {FRR_VTEP}
 no bgp default ipv4-unicast
 neighbor {EV_IP} remote-as 65000
 address-family l2vpn evpn
  neighbor {EV_IP} activate
  advertise-all-vni
 exit-address-family
"""
MAC_PREFIX = f"[2]:[0]:[48]:[{MAC}]"


def ev_config(macs):
    evpn = L.evpn_block([dict(vni=VNI, local_macs=[dict(mac=m) for m in macs])], vtep=EV_VTEP)
    return L.evpnd_config(EV_VTEP, 65000, [dict(address=FRR_IP, remote_as=65000,
                                                 connect_retry_s=1)], listen=[EV_IP], evpn=evpn)


def frr_paths(frr, prefix):
    """{rd: extended community string} of every path FRR holds for `prefix`."""
    table = frr.vtysh_json("show bgp l2vpn evpn route detail json")
    out = {}
    for rd, entries in table.items():
        if not isinstance(entries, dict) or prefix not in entries:
            continue
        for group in entries[prefix].get("paths") or []:
            for path in group if isinstance(group, list) else [group]:
                out[rd] = (path.get("extendedCommunity") or {}).get("string", "")
    return out


def frr_path_with(frr, vtep, community):
    """The extended communities of FRR's path for the MAC under an RD of `vtep` (router-id:N)
    when they hold `community`, else None."""
    for rd, ecs in frr_paths(frr, MAC_PREFIX).items():
        if rd.startswith(f"{vtep}:") and community in ecs:
            return f"{rd}: {ecs}"
    return None


def frr_mac_line(frr):
    for line in frr.vtysh(f"show evpn mac vni {VNI}").splitlines():
        if line.startswith(MAC):
            return line.split()
    return None


def test_frr_move(args):
    L.require_tools(f"{L.FRR_BIN}/zebra", f"{L.FRR_BIN}/bgpd", "vtysh", "bridge")
    with L.Lab("frr-move") as lab:
        # The host speaks only when told to: no DAD or MLD frames that would make FRR's bridge
        # learn it again (and FRR re-claim it) at a random moment.
        frr_ns, ev_ns, h1 = lab.netns("frr"), lab.netns("ev"), lab.quiet_host("h1")
        lab.veth(frr_ns, "f-e", ev_ns, "e-f", f"{FRR_IP}/30", f"{EV_IP}/30")
        lab.ip(frr_ns, "addr", "add", f"{FRR_VTEP}/32", "dev", "lo")
        lab.ip(ev_ns, "addr", "add", f"{EV_VTEP}/32", "dev", "lo")
        # FRR uses a route only if its next hop (the VTEP) is reachable.
        lab.ip(frr_ns, "route", "add", f"{EV_VTEP}/32", "via", EV_IP)
        lab.ip(ev_ns, "route", "add", f"{FRR_VTEP}/32", "via", FRR_IP)
        lab.vxlan_vtep(frr_ns, FRR_VTEP, VNI)
        lab.veth(h1, "eth0", frr_ns, "h1p", "192.168.100.1/24", None, mac_a=MAC, up=False)
        lab.ip(frr_ns, "link", "set", "h1p", "master", "br100")
        lab.ip(frr_ns, "link", "set", "h1p", "up")
        ev = lab.evpnd("evpnd", ev_ns, args.evpnd, ev_config([MAC]))
        frr = lab.frr(frr_ns, FRR_CONF, "hostname evt-frr\n")
        ev.wait_log(rf"peer {re.escape(FRR_IP)}: established", 30, "evpnd established with FRR")

        L.log("  start: the MAC is local at evpnd")
        line = lab.poll_until(lambda: (m := frr_mac_line(frr)) and "remote" in m and
                              EV_VTEP in m and m, 20, "FRR's MAC table to hold it at evpnd")
        L.log(f"  FRR show evpn mac: {' '.join(line)}")

        L.log("  move 1: evpnd -> FRR (the host appears on FRR's port h1p)")
        mark = ev.mark()
        # The host sends a frame: FRR's bridge learns the MAC on h1p (the kernel moves the entry
        # off vxlan100 even though zebra installed it there with extern_learn).
        lab.ip(h1, "link", "set", "eth0", "up")
        lab.sh(h1, "ping", "-c", "1", "-W", "1", "-b", "192.168.100.255", check=False)
        ecs = lab.poll_until(lambda: frr_path_with(frr, FRR_VTEP, "MM:1"), 20,
                             "FRR to advertise the MAC with MM:1")
        L.log(f"  FRR's own route: {ecs}")
        line = ev.wait_log(rf"vni {VNI} mac {MAC}: local-moved-away; at VTEP "
                           rf"{re.escape(FRR_VTEP)} sequence 1", 20,
                           "evpnd to see FRR's sequence 1 and give the MAC up", since=mark)
        L.log(f"  evpnd: {line}")
        where = lab.poll_until(lambda: (w := ev.mac_location(VNI, MAC)) == ("remote", FRR_VTEP, 1)
                               and w, 10, "evpnd's API to show the MAC at FRR with sequence 1")
        L.log(f"  evpnctl evpn macs: {where}")
        ev.reload(ev_config([]))  # the old location ages out

        L.log("  move 2: FRR -> evpnd")
        mark = ev.reload(ev_config([MAC]))
        line = ev.wait_log(rf"vni {VNI} mac {MAC}: advertise-local; at local VTEP "
                           rf"{re.escape(EV_VTEP)} sequence 2", 20, "evpnd to advertise sequence 2",
                           since=mark)
        L.log(f"  evpnd: {line}")
        ecs = lab.poll_until(lambda: frr_path_with(frr, EV_VTEP, "MM:2"), 20,
                             "FRR to show evpnd's route with MM:2")
        L.log(f"  FRR's copy of evpnd's route: {ecs}")
        line = lab.poll_until(lambda: (m := frr_mac_line(frr)) and "remote" in m and
                              EV_VTEP in m and m, 20, "FRR's MAC table to point at evpnd again")
        L.log(f"  FRR show evpn mac: {' '.join(line)}")
        lab.check_alive()


TESTS = [("flood", test_flood), ("move-twice", test_move_twice), ("duplicate", test_duplicate),
         ("frr-move", test_frr_move)]


def run(args):
    L.require_tools(args.evpnd, "ip")
    L.run_subtests(TESTS, args.only, args)


if __name__ == "__main__":
    L.main(run, "test_evpn_mobility")
