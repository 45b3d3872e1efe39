#!/usr/bin/env python3
"""The shipped examples work as written.

  configs   every examples/**/evpnd.conf and examples/leaf1.conf passes `evpnd --check-config`.
  frr-leaf  examples/frr-leaf/evpnd.conf and examples/frr-leaf/frr.conf, unchanged, in two
            namespaces joined by a veth (192.0.2.1 - 192.0.2.2), each with br100 + vxlan100 as
            the files' comments describe and a host behind it: the session comes up, each side
            learns the other's host MAC (evpnctl on evpnd, `show evpn mac vni 100` on FRR), the
            evpnd side's kernel FDB points the FRR host's MAC at 192.0.2.2, and the hosts ping
            each other across VXLAN (one VTEP evpnd, the other FRR).

Usage (root): python3 test_examples.py [--evpnd build/bgpd/daemon/evpnd] [--only NAME]
Not root: prints "SKIPPED: ..." and exits 0.
"""

import glob
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")
EV_IP, FRR_IP = "192.0.2.1", "192.0.2.2"
H1 = ("02:00:00:00:01:01", "10.0.100.1")  # behind evpnd
H2 = ("02:00:00:00:01:02", "10.0.100.2")  # behind FRR


def test_configs(args):
    files = sorted(glob.glob(os.path.join(EXAMPLES, "**", "evpnd.conf"), recursive=True))
    files.append(os.path.join(EXAMPLES, "leaf1.conf"))
    for path in files:
        r = subprocess.run([args.evpnd, "--check-config", "-c", path], capture_output=True,
                           text=True, timeout=30)
        if r.returncode != 0:
            raise L.TestFailure(f"{os.path.relpath(path, EXAMPLES)}: {r.stderr.strip()}")
    L.log(f"  {len(files)} example configurations are valid")


def host(lab, name, vtep_ns, mac, ip):
    h = lab.quiet_host(name)
    lab.veth(h, "eth0", vtep_ns, f"{name}p", f"{ip}/24", None, mac_a=mac)
    lab.ip(vtep_ns, "link", "set", f"{name}p", "master", "br100")
    return h


def test_frr_leaf(args):
    L.require_tools(f"{L.FRR_BIN}/zebra", f"{L.FRR_BIN}/bgpd", "vtysh", "bridge", "ping")
    with open(os.path.join(EXAMPLES, "frr-leaf", "evpnd.conf")) as f:
        ev_conf = f.read()
    with open(os.path.join(EXAMPLES, "frr-leaf", "frr.conf")) as f:
        frr_conf = f.read()
    with L.Lab("ex-frr") as lab:
        ev_ns, frr_ns = lab.netns("ev"), lab.netns("frr")
        lab.veth(ev_ns, "eth0", frr_ns, "eth0", f"{EV_IP}/24", f"{FRR_IP}/24")
        lab.vxlan_vtep(ev_ns, EV_IP)   # as the examples' comments say
        lab.vxlan_vtep(frr_ns, FRR_IP)
        h1 = host(lab, "h1", ev_ns, *H1)
        h2 = host(lab, "h2", frr_ns, *H2)
        ev = lab.evpnd("evpnd", ev_ns, args.evpnd, ev_conf)
        frr = lab.frr(frr_ns, frr_conf, "hostname frr-leaf\n")
        lab.poll_until(lambda: (rc := ev.ctl("neighbor", FRR_IP, check=False))[0] == 0 and
                       rc[1]["peers"][0]["state"] == "Established" or None, 30,
                       "the evpnd-FRR session")
        L.log("  session Established")
        for h in (h1, h2):
            subprocess.Popen(["ip", "netns", "exec", h, "ping", "-c", "1", "-W", "1", "-b",
                              "10.0.100.255"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        where = lab.poll_until(lambda: (m := ev.macs(100).get(H2[0])) and
                               m["location"] == "remote" and m["vtep"] == FRR_IP and m, 20,
                               "evpnd to learn the FRR host's MAC at 192.0.2.2")
        L.log(f"  evpnd: {H2[0]} remote at {where['vtep']}")

        def frr_has_h1():
            for line in frr.vtysh("show evpn mac vni 100").splitlines():
                if line.startswith(H1[0]) and "remote" in line and EV_IP in line:
                    return line
            return None
        L.log(f"  FRR: {' '.join(lab.poll_until(frr_has_h1, 20, 'FRR to learn h1').split())}")
        fdb = lab.sh(ev_ns, "bridge", "fdb", "show", "dev", "vxlan100")
        want = f"{H2[0]} dst {FRR_IP} self extern_learn"
        if want not in fdb:
            raise L.TestFailure(f"evpnd's kernel FDB lacks '{want}':\n{fdb}")

        def ping():
            r = lab.sh(h1, "ping", "-c", "1", "-W", "1", H2[1], check=False)
            return " 0% packet loss" in r or None
        lab.poll_until(ping, 15, "h1 (behind evpnd) to ping h2 (behind FRR)")
        L.log("  h1 -> h2 across VXLAN between an evpnd VTEP and an FRR VTEP: ok")
        lab.check_alive()


TESTS = [("configs", test_configs), ("frr-leaf", test_frr_leaf)]


def run(args):
    L.require_tools(args.evpnd, "ip")
    L.run_subtests(TESTS, args.only, args)


if __name__ == "__main__":
    L.main(run, "test_examples")
