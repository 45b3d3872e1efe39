#!/usr/bin/env python3
"""Kernel FDB, BGP end to end (issue 9, "fdb"): N remote MACs from one BGP peer until they are in
the kernel FDB of a VXLAN device, for a whole daemon: FRR 8.4 (zebra + bgpd) and evpnd. Run by
bench/fdb_bench.sh after its fib-sync, raw netlink and `bridge -batch` modes; prints one JSON line
per daemon in fdb_bench's format ({"mode", "entries", "seconds", "entries_per_s",
"kernel_entries", ...}).

Per daemon, in a namespace of its own (tests/integration/lab.py's Lab: cleaned up whatever
happens): br100 + vxlan100 (VNI 100, local 10.250.255.1, nolearning; lab.vxlan_vtep, as
interop/fabric.py builds its VTEPs), an underlay interface ul0 (one end of a veth pair; this
kernel has no dummy driver) with 10.250.255.1/24 so that the remote VTEP 10.250.255.2 is a
connected next hop (FRR's bgpd resolves EVPN next hops through zebra). The daemon is the VTEP for VNI 100:
  frr    zebra + bgpd as lab.Frr starts them (-F datacenter, zebra -s 64 MB netlink buffer),
         bgpd.conf of interop/fabric.py's FRR VTEPs: router bgp 65000, l2vpn evpn,
         advertise-all-vni (auto RD/RT: RT 65000:100), the peer passive
  evpnd  evpnd with VNI 100 (vtep_address 10.250.255.1, auto RT 65000:100, kernel_fdb on by
         default), the peer passive, log level info
bgp_routegen (iBGP, from 10.250.255.3 on ul1 to the daemon at 10.250.255.1:179, hold 90 s)
sends N type-2 routes (MAC only, VNI 100, RT 65000:100, next hop 10.250.255.2, as many per
4096-byte UPDATE as fit) and one type-3 route (ingress replication to 10.250.255.2).

What is timed: from the sender's first UPDATE (`first_update_unix` in its JSON report, wall
clock) to the kernel holding all N MACs, each as two extern_learn entries on vxlan100 (the VXLAN
`self` entry with `dst` and the bridge `master` entry; the flood entry 00:00:00:00:00:00 is not
counted), as fdb_bench counts them. The moment comes from bench/fdb_watch in the namespace
(--extern-learn: a libmnl socket on RTNLGRP_NEIGH with a 64 MB receive buffer) that counts the
distinct entries and stamps the notification completing 2N with the wall clock of the read that
brought it (`bridge -timestamp monitor fdb` lost notifications to ENOBUFS at 5k MACs from zebra;
until 2026-11-28 a Python watcher parsed the 2N notifications in the interpreter, on the same two
cores as the daemon it timed). Its progress every 10k entries goes to the JSON (`progress`).
Every 5 s, and at the end, the kernel is also dumped (`bridge fdb show dev vxlan100`): if the
watcher missed notifications, the end of the first dump that shows 2N is the time instead
(`method: poll`). Past --timeout seconds the run stops and reports the count it reached and the
rate up to then (`complete: false`).

usage: fdb_daemons.py --build DIR --entries N [--impl frr --impl evpnd] [--timeout 180]
                      [--max-load 0.8] [--max-wait 900]
"""
import argparse
import json
import os
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
sys.path.insert(0, HERE)
import fabric as F  # noqa: E402  (lab.py, frr_bgpd_conf's shape, evpn_block)
import bgp_bench as B  # noqa: E402  (wait_quiet, loadavg)

L = F.L
AS, VNI = 65000, 100
# The daemon's BGP address is its VTEP address on ul0; the sender's is on ul1, the other end of
# the veth pair (both local to the namespace: the session runs over lo). FRR's bgpd with zebra
# resets a session whose local address is on no interface zebra reports (127.0.0.1 on lo:
# "nexthop_set failed").
LOCAL_VTEP, REMOTE_VTEP = "10.250.255.1", "10.250.255.2"
DAEMON, SENDER = LOCAL_VTEP, "10.250.255.3"
# a build, a test or another benchmark running makes the machine unfit to measure (ninja and the
# other bench drivers too, besides bgp_bench's list)
B.BUSY = B.BUSY + "|ninja|bench/bgp_bench.py|move_bench.py"


def frr_bgpd_conf():
    """interop/fabric.py's FRR VTEP configuration (frr_bgpd_conf) with the route generator as the
    one passive iBGP peer instead of the reflector."""
    conf = F.frr_bgpd_conf(1)
    conf = conf.replace(f"bgp router-id {F.VTEP_IP[1]}", f"bgp router-id {DAEMON}")
    conf = conf.replace(f" neighbor {F.RR_IP} description rr\n", f" neighbor {F.RR_IP} passive\n")
    conf = conf.replace(f" neighbor {F.RR_IP} timers connect 1\n",
                        f" neighbor {F.RR_IP} timers 30 90\n")
    conf = conf.replace(F.RR_IP, SENDER)
    assert SENDER in conf and "advertise-all-vni" in conf
    return conf


def evpnd_conf():
    peers = [dict(address=SENDER, description="bgp_routegen", remote_as=AS, passive=True,
                  hold_time_s=90, keepalive_s=30)]
    return L.evpnd_config(DAEMON, AS, peers, listen=[DAEMON],
                          evpn=F.evpn_block(LOCAL_VTEP, VNI))


def kernel_count(lab, ns):
    """extern_learn unicast entries on vxlan100 (self + master), as fdb_bench.sh counts them."""
    out = lab.sh(ns, "bridge", "fdb", "show", "dev", "vxlan100", timeout=120)
    return sum(1 for line in out.splitlines()
               if "extern_learn" in line and not line.startswith("00:00:00:00:00:00"))


def run_one(impl, a):
    res = {"mode": impl if impl == "frr" else "evpnd-bgp", "entries": a.entries}
    res.update(B.wait_quiet(a.max_load, a.max_wait))
    with L.Lab(f"fdb{impl[:2]}") as lab:
        ns = lab.netns("v")
        lab.ip(ns, "link", "set", "lo", "up")
        # no dummy driver in this kernel: a veth pair, both ends in the namespace
        lab.ip(ns, "link", "add", "ul0", "type", "veth", "peer", "name", "ul1")
        lab.ip(ns, "addr", "add", f"{LOCAL_VTEP}/24", "dev", "ul0")
        lab.ip(ns, "addr", "add", f"{SENDER}/24", "dev", "ul1")
        lab.ip(ns, "link", "set", "ul1", "up")
        lab.ip(ns, "link", "set", "ul0", "up")
        lab.vxlan_vtep(ns, LOCAL_VTEP, VNI)
        if impl == "frr":
            d = lab.frr(ns, frr_bgpd_conf(), "hostname v1\n")
            # zebra has found the VXLAN device and told bgpd: VNI 100 is there
            lab.poll_until(lambda: str(VNI) in d.vtysh("show bgp l2vpn evpn vni"), 30,
                           "FRR to know VNI 100")
            pids = [d.zebra.pid, d.bgpd.pid]
        else:
            d = lab.evpnd("evpnd", ns, os.path.join(a.build, "bgpd/daemon/evpnd"), evpnd_conf(),
                          log_level="info")
            lab.poll_until(lambda: d.ctl("global", check=False)[0] == 0, 30, "evpnd's API")
            pids = [d.pid]
        time.sleep(1.0)
        want = 2 * a.entries
        mon = lab.spawn(f"watch-{impl}", ns, [
            os.path.join(a.build, "bench/fdb_watch"), "--dev", "vxlan100", "--extern-learn",
            "--count", str(want), "--progress", "10000", "--timeout", str(a.timeout + 10)])
        mon.expected_alive = False
        lab.poll_until(lambda: mon.grep("^READY"), 10, "the FDB watcher")
        time.sleep(0.5)
        cpu0 = {p: B.proc_cpu_s(p) for p in pids}
        gen = lab.spawn(f"routegen-{impl}", ns, [
            os.path.join(a.build, "tests/tools/bgp_routegen"), "--connect", f"{DAEMON}:179",
            "--bind", SENDER, "--local-as", str(AS), "--remote-as", str(AS),
            "--router-id", SENDER, "--routes", str(a.entries), "--vni", str(VNI),
            "--next-hop", REMOTE_VTEP, "--type3", "1", "--hold", "90", "--json"])
        gen.expected_alive = False
        done_at, method, seen, progress, errors = None, None, 0, [], []  # from the watcher
        t_start = time.time()
        last_dump = t_start
        while True:
            time.sleep(0.1)
            lab.check_alive()
            progress, errors = [], []
            for line in mon.lines():
                if line.startswith("{"):  # the report: the watcher has ended
                    got = json.loads(line)
                    seen = got["seen"]
                    if seen == want:
                        done_at, method = got["last"], "watch"
                    if got["enobufs"] or got.get("truncated"):
                        errors.append(f"ENOBUFS x{got['enobufs']}, truncated "
                                      f"x{got.get('truncated')}: notifications lost")
                    continue
                w = line.split()
                if len(w) == 2:
                    seen = int(w[1])
                    progress.append((float(w[0]), seen))
            if done_at is not None:
                break
            now = time.time()
            if now - last_dump >= 5.0:
                dumped = kernel_count(lab, ns)
                last_dump = time.time()
                B.log(f"{impl}: {dumped} of {want} kernel entries after {now - t_start:.1f} s "
                      f"(watcher {seen})")
                if dumped >= want:  # the watcher missed some: the end of this dump
                    done_at, method = last_dump, "poll"
                    break
            if now - t_start > a.timeout:
                break
            if not gen.alive() and not seen and now - t_start > 5:
                B.log(f"{impl}: the sender exited before any entry reached the kernel")
                break
        end_wall = time.time()
        cpu = {p: round(B.proc_cpu_s(p) - cpu0[p], 2) for p in pids}
        kernel = kernel_count(lab, ns)
        if impl == "frr":
            try:
                s = d.vtysh_json("show bgp l2vpn evpn summary json")
                res["bgp_pfx_rcd"] = s.get("peers", {}).get(SENDER, {}).get("pfxRcd")
                res["zebra_macs"] = d.vtysh_json(f"show evpn vni {VNI} json").get("numMacs")
            except Exception as e:  # noqa: BLE001 - figures only
                res["note_vtysh"] = str(e)
        else:
            try:
                peer = [p for p in d.ctl("neighbor")[1].get("peers", [])
                        if p.get("address") == SENDER]
                res["evpnd_routes_best"] = peer[0].get("routes_best") if peer else None
            except Exception as e:  # noqa: BLE001 - figures only
                res["note_evpnctl"] = str(e)
        gen.stop()
        rep = F.Fabric.routegen_report(gen) or {}
        t0 = rep.get("first_update_unix")
        res["kernel_entries"] = kernel
        res["watcher_entries"] = seen
        res["watcher_errors"] = errors[-5:]
        res["sender"] = {k: rep.get(k) for k in ("exit_code", "updates", "routes", "type3",
                                                 "first_update_unix", "last_update_unix",
                                                 "error") if k in rep}
        res["cpu_s"] = list(cpu.values())
        if t0 is not None:  # [seconds after the first UPDATE, kernel entries] from the watcher
            res["progress"] = [[round(t - t0, 3), n] for t, n in progress]
        if t0 is None:
            res.update(seconds=None, entries_per_s=None, complete=False,
                       note="no first UPDATE in the sender's report")
        elif done_at is not None:
            s = done_at - t0
            res.update(seconds=round(s, 3), entries_per_s=round(a.entries / s), complete=True,
                       method=method)
        else:
            s = end_wall - t0
            macs = kernel // 2
            res.update(seconds=round(s, 3), entries_per_s=round(macs / s), complete=False,
                       reached_macs=macs,
                       note=f"timeout: {kernel} of {want} kernel entries after {s:.1f} s")
        res["load_after"] = B.loadavg()
    return res


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--entries", type=int, default=100000)
    p.add_argument("--impl", action="append")
    p.add_argument("--timeout", type=float, default=180)
    p.add_argument("--max-load", type=float, default=0.8)
    p.add_argument("--max-wait", type=float, default=900)
    a = p.parse_args()
    L.skip_unless_root()
    for impl in a.impl or ["frr", "evpnd"]:
        B.log(f"fdb end to end: {impl}, {a.entries} MACs")
        try:
            r = run_one(impl, a)
        except Exception as e:  # noqa: BLE001 - one daemon failing must not lose the others
            r = {"mode": impl if impl == "frr" else "evpnd-bgp", "entries": a.entries,
                 "seconds": None, "entries_per_s": None, "kernel_entries": 0, "complete": False,
                 "note": f"failed: {e}"}
        print(json.dumps(r, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
