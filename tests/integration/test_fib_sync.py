#!/usr/bin/env python3
"""fib-sync against the real kernel: three VTEPs in network namespaces, each with evpnd, a bridge
br100, a VXLAN device vxlan100 (VNI 100, nolearning) and a host namespace behind an access port.

   h1 (192.168.100.1)     h2 (192.168.100.2)      h3 (192.168.100.3)
        |                      |                        |
   v1 [br100 vxlan100]    v2 [br100 vxlan100]     v3 [br100 vxlan100]      evpnd in each
   10.0.0.1 ------------- ul (underlay bridge) --------- 10.0.0.2, 10.0.0.3
   evpnd v1 is the route reflector for v2 and v3 (iBGP AS 65000).

Every FDB entry on vxlan100 comes from evpnd: the hosts reach each other only through what it
wrote. Sub-tests (each in namespaces of its own; --only NAME picks some):
  fdb        flood lists (00:00:00:00:00:00 dst <other VTEP>, extern_learn) on every VTEP; the
             hosts send a frame, the bridges learn them, and every VTEP gets the two remote MACs
             (self dst VTEP extern_learn + master br100 extern_learn); then h3's port goes away
             (its MAC is withdrawn): every other VTEP drops it; an operator deletes an entry by
             hand: evpnd puts it back; an operator's own static entry is never touched.
  static     with sticky_static_macs, an operator's static bridge entry on v1 is advertised
             sticky; the same MAC learned on v3 raises a sticky conflict there and never moves
             the MAC away from v1 (RFC 7432 §15.2).
  caps       v1's evpnd runs as user nobody with CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only (as
             examples/systemd/evpnd.service runs it): it listens on port 179, programs the FDB,
             serves its API; the hosts ping.
  ping       h1 pings h2 and h3 across VXLAN.
  ipv6       the same fabric with IPv6 VTEP addresses (fd00::1-3) and BGP sessions over IPv6:
             flood lists, remote MACs with IPv6 destinations, pings.
  move       h2 (same MAC and IP) shows up at v3 while its old port at v2 is still there: every
             VTEP's FDB points h2's MAC at v3 (v2's stale local entry replaced by evpnd's remote
             one), the old port goes, pings from h1 resume; the time from the host's first frame
             at v3 to v1's FDB update is printed.
  restart/kill, restart/term
             evpnd on v1 is killed (SIGKILL) or stopped (SIGTERM) and started again: the FDB
             keeps every entry meanwhile (fib-sync stops before the sessions; the restarted
             evpnd holds deletions until every peer's End-of-RIB), afterwards holds exactly the
             same entries, and `bridge monitor fdb` saw no deletion on vxlan100.
  hold       v1's evpnd stops, v3's stops for good, v1's restarts with a restart time of 4 s:
             v1's `evpnctl global` says fib-sync is "holding" (v2's End-of-RIB came, v3's never
             will) and v1 keeps every entry, v3's too, until the restart time is over; then
             "synced", and v3's entries go.
  reload-global
             v1's router ID changes (SIGHUP): every session restarts and the RIB is rebuilt;
             meanwhile h3 leaves. v1 keeps every other entry throughout (held until End-of-RIB)
             and then drops h3's, which no route backs any more.
  device     vxlan100 on v1 goes down and up, then is deleted and created again: evpnd writes
             its entries again each time, and h1 reaches h2.

Usage (root): python3 test_fib_sync.py [--evpnd build/bgpd/daemon/evpnd] [--only NAME]
Not root: prints "SKIPPED: ..." and exits 0. EVT_KEEP=1 keeps the logs of a run.
"""

import os
import re
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402

VNI = 100
VTEPS = {1: "10.0.0.1", 2: "10.0.0.2", 3: "10.0.0.3"}
VTEPS6 = {1: "fd00::1", 2: "fd00::2", 3: "fd00::3"}
HOST_IP = {n: f"192.168.100.{n}" for n in VTEPS}
HOST_MAC = {n: f"02:00:00:00:00:0{n}" for n in VTEPS}
ZERO = "00:00:00:00:00:00"
NOBODY = 65534
# CAP_NET_BIND_SERVICE (10) and CAP_NET_ADMIN (12).
CAPS_NET = (1 << 10) | (1 << 12)


def evpnd_conf(n, vteps=VTEPS, sticky_static=False):
    """evpnd on v<n>: router ID 10.0.0.<n> (a BGP identifier is IPv4), sessions and VTEP address
    from `vteps` (IPv4 or IPv6)."""
    me = vteps[n]
    if n == 1:
        peers = [dict(address=vteps[m], remote_as=65000, route_reflector_client=True,
                      connect_retry_s=1, hold_time_s=9) for m in (2, 3)]
    else:
        peers = [dict(address=vteps[1], remote_as=65000, connect_retry_s=1, hold_time_s=9)]
    evpn = L.evpn_block([dict(vni=VNI)], vtep=me)
    if sticky_static:
        evpn = evpn.replace("evpn {", "evpn {\n  sticky_static_macs: true", 1)
    return L.evpnd_config(VTEPS[n], 65000, peers, listen=[me], evpn=evpn)


class Fabric:
    def __init__(self, lab, evpnd, vteps=VTEPS, sticky_static=False, unprivileged=()):
        self.lab, self.evpnd_bin, self.vteps = lab, evpnd, vteps
        self.sticky_static = sticky_static
        self.unprivileged = set(unprivileged)
        v6 = ":" in vteps[1]
        ul = lab.netns("ul")
        lab.ip(ul, "link", "add", "ulbr", "type", "bridge")
        lab.ip(ul, "link", "set", "ulbr", "up")
        self.v, self.h, self.evpnd = {}, {}, {}
        for n, vtep in vteps.items():
            v = self.v[n] = lab.netns(f"v{n}")
            lab.veth(v, "eth0", ul, f"ul{n}", None if v6 else f"{vtep}/24", None)
            if v6:  # usable at once: no duplicate address detection
                lab.ip(v, "addr", "add", f"{vtep}/64", "dev", "eth0", "nodad")
            lab.ip(ul, "link", "set", f"ul{n}", "master", "ulbr")
            lab.vxlan_vtep(v, vtep, VNI)
            self.h[n] = lab.quiet_host(f"h{n}")  # silent until the test makes it speak
            self.attach(n, n)
        for n in VTEPS:
            self.start(n)
        for n in (2, 3):
            self.evpnd[1].wait_log(rf"peer {re.escape(vteps[n])}: established", 20,
                                   f"v1 established with v{n}")
            self.evpnd[n].wait_log(rf"peer {re.escape(vteps[1])}: established", 20,
                                   f"v{n} established")

    def start(self, n, conf=None):
        """evpnd on v<n>, with evpnd_conf(n) unless `conf` is given."""
        kwargs = {}
        if n in self.unprivileged:
            # As examples/systemd/evpnd.service runs it: an unprivileged user with
            # CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only, its API socket in a directory it owns.
            caps = "-all,+net_admin,+net_bind_service"
            kwargs["wrapper"] = ["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY),
                                 "--clear-groups", "--inh-caps", caps, "--ambient-caps", caps,
                                 "--bounding-set", caps, "--no-new-privs"]
            kwargs["api_dir"] = os.path.join(self.lab.tmp, f"run-v{n}")
            os.makedirs(kwargs["api_dir"], exist_ok=True)
            os.chown(kwargs["api_dir"], NOBODY, NOBODY)
        self.evpnd[n] = self.lab.evpnd(f"evpnd-v{n}", self.v[n], self.evpnd_bin,
                                       conf or evpnd_conf(n, self.vteps, self.sticky_static),
                                       **kwargs)

    def attach(self, host, vtep, as_host=None):
        """Host namespace h<host> gets an eth0 (the MAC and IP of host `as_host`, by default its
        own) plugged into br100 of v<vtep>."""
        lab, h, v = self.lab, self.h[host], self.v[vtep]
        port = f"h{host}p"
        who = as_host if as_host is not None else host
        lab.veth(h, "eth0", v, port, f"{HOST_IP[who]}/24", None, mac_a=HOST_MAC[who], up=False)
        lab.ip(v, "link", "set", port, "master", "br100")
        lab.ip(v, "link", "set", port, "up")
        lab.ip(h, "link", "set", "eth0", "up")

    def detach(self, host, vtep):
        self.lab.ip(self.v[vtep], "link", "del", f"h{host}p")

    def announce(self, host):
        """The host sends one broadcast frame, so its bridge learns its MAC (without waiting for
        ping's one-second reply timeout)."""
        subprocess.Popen(["ip", "netns", "exec", self.h[host], "ping", "-c", "1", "-W", "1", "-b",
                          "192.168.100.255"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def fdb(self, n):
        """vxlan100's entries on v<n>: {(mac, 'self'|'master', dst or None): flags string}."""
        out = {}
        for line in self.lab.sh(self.v[n], "bridge", "fdb", "show", "dev", "vxlan100").splitlines():
            words = line.split()
            if not words or words[0].startswith("33:33") or words[0].startswith("01:00:5e"):
                continue
            dst = words[words.index("dst") + 1] if "dst" in words else None
            kind = "self" if "self" in words else "master" if "master" in words else "?"
            out[(words[0], kind, dst)] = " ".join(words[1:])
        return out


def expected_fdb(n, hosts_at, vteps=VTEPS):
    """What evpnd should have written on v<n>: flood entries for the other VTEPs, and for every
    host behind another VTEP its self and master entries."""
    want = set()
    for m, vtep in vteps.items():
        if m != n:
            want.add((ZERO, "self", vtep))
    for host, at in hosts_at.items():
        if at != n:
            want.add((HOST_MAC[host], "self", vteps[at]))
            want.add((HOST_MAC[host], "master", None))
    return want


def ours(fdb):
    return {k for k, flags in fdb.items() if "extern_learn" in flags}


def wait_fdb(lab, fabric, hosts_at, what, timeout=15):
    def want(n):
        return expected_fdb(n, hosts_at, fabric.vteps)

    def check():
        got = {n: ours(fabric.fdb(n)) for n in VTEPS}
        return got if all(got[n] == want(n) for n in VTEPS) else None
    try:
        return lab.poll_until(check, timeout, what)
    except L.TestFailure:
        for n in VTEPS:
            L.log(f"  v{n} has {sorted(ours(fabric.fdb(n)))}")
            L.log(f"  v{n} wants {sorted(want(n))}")
        raise


def learned_fabric(lab, args, **kwargs):
    """A Fabric whose flood lists are complete and whose three hosts have then sent a frame:
    every VTEP holds the other two MACs."""
    f = Fabric(lab, args.evpnd, **kwargs)
    wait_fdb(lab, f, {}, "the flood lists")
    for n in VTEPS:
        f.announce(n)
    wait_fdb(lab, f, {1: 1, 2: 2, 3: 3}, "every VTEP to hold the remote MACs")
    return f


def ping(lab, fabric, src, dst, timeout=10):
    def ok():
        r = lab.sh(fabric.h[src], "ping", "-c", "1", "-W", "1", HOST_IP[dst], check=False)
        return " 0% packet loss" in r or None
    lab.poll_until(ok, timeout, f"h{src} to ping h{dst}")


def test_fdb(args):
    with L.Lab("fdb") as lab:
        f = Fabric(lab, args.evpnd)
        wait_fdb(lab, f, {}, "the flood lists on every VTEP")
        L.log("  flood lists: ok")
        for n in VTEPS:
            f.announce(n)
        wait_fdb(lab, f, {1: 1, 2: 2, 3: 3}, "every VTEP to hold the two remote MACs")
        L.log(f"  v1: {sorted(ours(f.fdb(1)))}")
        # An operator's own static entry on vxlan100 stays untouched.
        static_mac = "02:00:00:00:00:99"
        lab.sh(f.v[1], "bridge", "fdb", "add", static_mac, "dev", "vxlan100", "dst", "10.0.0.9",
               "self", "permanent")
        L.log("  h3 leaves v3 (port removed): its MAC is withdrawn")
        f.detach(3, 3)
        wait_fdb(lab, f, {1: 1, 2: 2}, "h3's MAC to vanish from v1 and v2")
        L.log("  an operator deletes v1's entry for h2 by hand: evpnd puts it back")
        lab.sh(f.v[1], "bridge", "fdb", "del", HOST_MAC[2], "dev", "vxlan100", "self")
        wait_fdb(lab, f, {1: 1, 2: 2}, "v1's entry for h2 to come back")
        if (static_mac, "self", "10.0.0.9") not in f.fdb(1):
            raise L.TestFailure("the operator's static entry on v1 was removed")
        L.log("  the operator's static entry is still there")
        lab.check_alive()


def test_ping(args):
    with L.Lab("ping") as lab:
        f = learned_fabric(lab, args)
        ping(lab, f, 1, 2)
        ping(lab, f, 1, 3)
        ping(lab, f, 3, 2)
        L.log("  h1 -> h2, h1 -> h3, h3 -> h2 across VXLAN: ok")
        lab.check_alive()


def test_move(args):
    with L.Lab("move") as lab:
        f = learned_fabric(lab, args)
        ping(lab, f, 1, 2)
        L.log("  h2 moves from v2 to v3: it appears at v3 (same MAC and IP) while its old port "
              "at v2 is still there")
        f.h["2b"] = lab.quiet_host("h2b")
        f.attach("2b", 3, as_host=2)
        start = time.monotonic()
        f.announce("2b")

        def v1_points_at_v3():
            return (HOST_MAC[2], "self", VTEPS[3]) in ours(f.fdb(1)) or None
        lab.poll_until(v1_points_at_v3, 10, "v1's FDB to point h2's MAC at v3", interval=0.01)
        L.log(f"  v1's FDB followed the move in {(time.monotonic() - start) * 1000:.0f} ms "
              "(from the host's first frame at v3, polled every 10 ms)")
        # v2's bridge still has h2's old entry on h2p: evpnd replaces it with its remote entry
        # (the MAC moved away, RFC 7432 §15.1).
        wait_fdb(lab, f, {1: 1, 2: 3, 3: 3}, "every FDB to point h2's MAC at v3 (v2's stale "
                 "local entry replaced)")
        f.detach(2, 2)
        ping(lab, f, 1, 2)
        L.log("  h1 -> h2 resumes")
        line = f.evpnd[1].grep(rf"vni {VNI} mac {HOST_MAC[2]}: .*; at VTEP 10\.0\.0\.3 sequence 1")
        if not line:
            raise L.TestFailure("v1 did not log h2's MAC at v3 with sequence 1")
        lab.check_alive()


def restart(args, sig):
    with L.Lab(f"restart-{sig.name}") as lab:
        f = learned_fabric(lab, args)
        hosts = {1: 1, 2: 2, 3: 3}
        before = f.fdb(1)
        # Every FDB change on v1 from here on, to prove nothing was deleted and put back.
        monitor = lab.spawn("bridge-monitor", f.v[1], ["bridge", "monitor", "fdb"])
        time.sleep(0.3)  # let the monitor subscribe before the kill
        L.log(f"  {sig.name} to evpnd on v1")
        f.evpnd[1].expected_alive = False
        f.evpnd[1].signal(sig)
        f.evpnd[1].wait_exit(5)
        if ours(f.fdb(1)) != expected_fdb(1, hosts):
            raise L.TestFailure(f"v1's FDB changed while evpnd was dead: {sorted(ours(f.fdb(1)))}")
        L.log("  restart it")
        mark = f.evpnd[1].mark()
        f.start(1)
        f.evpnd[1].wait_log(r"fib-sync: End-of-RIB from every peer", 30,
                            "the restarted evpnd to release its graceful-restart hold", since=mark)

        def drift():
            got = ours(f.fdb(1))
            return None if got == expected_fdb(1, hosts) else sorted(got)
        L.hold_for(drift, 3, "v1's FDB changed after the restart")
        after = f.fdb(1)
        if ours(after) != ours(before):
            raise L.TestFailure(f"v1's FDB differs after the restart: {sorted(ours(after))}")
        L.log(f"  v1 holds the same {len(ours(after))} entries before and after")
        deleted = [line for line in monitor.lines() if line.startswith("Deleted") and
                   "vxlan100" in line]
        if deleted:
            raise L.TestFailure(f"entries were deleted on v1 across the restart: {deleted}")
        L.log("  `bridge monitor fdb` on v1 saw no deletion on vxlan100")
        ping(lab, f, 1, 2)
        lab.check_alive()


def test_restart_kill(args):
    restart(args, signal.SIGKILL)


def test_restart_term(args):
    restart(args, signal.SIGTERM)


def test_hold(args):
    with L.Lab("hold") as lab:
        f = learned_fabric(lab, args)
        L.log("  v1's evpnd stops, then v3's for good; v1 restarts with a restart time of 4 s")
        f.evpnd[1].stop()
        f.evpnd[3].stop()
        mark = f.evpnd[1].mark()
        f.start(1, evpnd_conf(1).replace("global {", "global {\n  graceful_restart { "
                                         "restart_time_s: 4 }", 1))

        def fib_state():
            rc, g, _ = f.evpnd[1].ctl("global", check=False)
            return g.get("fib_state") if rc == 0 else None
        lab.poll_until(lambda: fib_state() == "holding" or None, 10,
                       "v1's fib-sync to report that it holds the kernel's entries")
        # Everything from before the restart is kept, v3's entries too.
        held = ours(f.fdb(1))
        if held != expected_fdb(1, {1: 1, 2: 2, 3: 3}):
            raise L.TestFailure(f"v1 should hold every entry while holding: {sorted(held)}")
        L.log(f"  v1 holding its {len(held)} entries, v3's among them")
        f.evpnd[1].wait_log(r"fib-sync: restart time over", 15, "v1's hold to end at the "
                            "restart time, v3 being down", since=mark)
        lab.poll_until(lambda: fib_state() == "synced" or None, 5, "v1's fib-sync to be synced")
        # v3's entries, which no route backs, go now.
        lab.poll_until(lambda: ours(f.fdb(1)) == expected_fdb(1, {1: 1, 2: 2},
                                                              {1: VTEPS[1], 2: VTEPS[2]}) or None,
                       5, "v1 to drop v3's entries after the hold")
        L.log("  restart time over: synced, v3's entries gone")
        lab.check_alive()


def test_reload_global(args):
    with L.Lab("reload") as lab:
        f = learned_fabric(lab, args)
        monitor = lab.spawn("bridge-monitor", f.v[1], ["bridge", "monitor", "fdb"])
        time.sleep(0.3)
        L.log("  v1's router ID changes (a global change: every session of v1 restarts, the RIB "
              "is rebuilt); meanwhile h3 leaves v3")
        f.detach(3, 3)
        mark = f.evpnd[1].reload(evpnd_conf(1).replace('router_id: "10.0.0.1"',
                                                       'router_id: "10.0.0.101"'))
        f.evpnd[1].wait_log(r"fib-sync: End-of-RIB from every peer", 30,
                            "v1 to release its hold after the sessions came back", since=mark)
        # h3's entries, which no route backs any more, go; everything else stays put.
        wait_fdb(lab, f, {1: 1, 2: 2}, "v1 to drop h3 and keep the rest")
        deleted = [line for line in monitor.lines() if line.startswith("Deleted") and
                   "vxlan100" in line and HOST_MAC[3] not in line]
        if deleted:
            raise L.TestFailure(f"entries were deleted on v1 across the reload: {deleted}")
        L.log("  v1 dropped only h3's entries; `bridge monitor fdb` saw no other deletion")
        ping(lab, f, 1, 2)
        lab.check_alive()


def test_device(args):
    with L.Lab("device") as lab:
        f = learned_fabric(lab, args)
        hosts = {1: 1, 2: 2, 3: 3}
        v1 = f.v[1]
        L.log("  vxlan100 on v1 goes down and up (the kernel flushes the non-permanent ones)")
        lab.ip(v1, "link", "set", "vxlan100", "down")
        lab.ip(v1, "link", "set", "vxlan100", "up")
        wait_fdb(lab, f, hosts, "v1's entries to be written again")
        L.log("  vxlan100 on v1 is deleted and created again")
        lab.ip(v1, "link", "del", "vxlan100")
        lab.ip(v1, "link", "add", "vxlan100", "type", "vxlan", "id", str(VNI), "local", VTEPS[1],
               "dstport", "4789", "nolearning")
        lab.ip(v1, "link", "set", "vxlan100", "master", "br100", "addrgenmode", "none")
        lab.ip(v1, "link", "set", "vxlan100", "type", "bridge_slave", "learning", "off")
        lab.ip(v1, "link", "set", "vxlan100", "up")
        wait_fdb(lab, f, hosts, "v1's entries on the new vxlan100")
        ping(lab, f, 1, 2)
        L.log("  h1 -> h2 across the new device: ok")
        lab.check_alive()


def test_ipv6(args):
    with L.Lab("ipv6") as lab:
        f = Fabric(lab, args.evpnd, vteps=VTEPS6)
        wait_fdb(lab, f, {}, "the flood lists (IPv6 VTEPs)")
        for n in VTEPS:
            f.announce(n)
        wait_fdb(lab, f, {1: 1, 2: 2, 3: 3}, "every VTEP to hold the remote MACs (IPv6 VTEPs)")
        L.log(f"  v1: {sorted(ours(f.fdb(1)))}")
        ping(lab, f, 1, 2)
        ping(lab, f, 3, 1)
        L.log("  h1 -> h2 and h3 -> h1 across VXLAN over IPv6: ok")
        lab.check_alive()


def test_static(args):
    mac = "02:00:00:00:00:77"
    with L.Lab("static") as lab:
        f = Fabric(lab, args.evpnd, sticky_static=True)
        wait_fdb(lab, f, {}, "the flood lists")
        L.log(f"  an operator pins {mac} on v1's port h1p (static entry)")
        lab.sh(f.v[1], "bridge", "fdb", "add", mac, "dev", "h1p", "master", "static")
        for n in (2, 3):
            f.evpnd[n].wait_log(rf"vni {VNI} mac {mac}: install-remote; at VTEP 10\.0\.0\.1 "
                                r"sequence 0 sticky", 10, f"v{n} to install it as sticky at v1")
        L.log(f"  a host behind v3 sends frames from the same MAC: v3 must not take it "
              "(RFC 7432 §15.2)")
        lab.ip(f.h[3], "link", "set", "eth0", "address", mac)
        f.announce(3)
        line = f.evpnd[3].wait_log(rf"vni {VNI} mac {mac}: conflicting claims on a sticky", 10,
                                   "v3 to report the sticky conflict")
        L.log(f"  v3: {line}")
        L.hold_for(lambda: f.evpnd[1].grep(rf"vni {VNI} mac {mac}: local-moved-away"), 2,
                   "v1 gave up its sticky MAC")
        if (mac, "self", VTEPS[1]) not in ours(f.fdb(2)):
            raise L.TestFailure("v2 no longer points the sticky MAC at v1")
        # v3's bridge had moved the MAC to h3p when the frame came; evpnd puts its entry back.
        lab.poll_until(lambda: {(mac, "self", VTEPS[1]), (mac, "master", None)} <= ours(f.fdb(3))
                       or None, 10, "v3's bridge entry to point at vxlan100 again")
        L.log("  v1 keeps it; v2 and v3 still send it to v1")
        lab.check_alive()


def test_caps(args):
    with L.Lab("caps") as lab:
        f = Fabric(lab, args.evpnd, unprivileged={1})
        status = open(f"/proc/{f.evpnd[1].pid}/status").read()
        uid = re.search(r"^Uid:\s+(\d+)", status, re.M).group(1)
        cap_eff = int(re.search(r"^CapEff:\s+([0-9a-f]+)", status, re.M).group(1), 16)
        if uid != str(NOBODY) or cap_eff != CAPS_NET:
            raise L.TestFailure(f"v1's evpnd runs as uid {uid} with CapEff {cap_eff:#x}, "
                                f"expected {NOBODY} and {CAPS_NET:#x}")
        L.log(f"  v1's evpnd: uid {uid}, CapEff {cap_eff:#x} (net_admin, net_bind_service)")
        for n in VTEPS:
            f.announce(n)
        wait_fdb(lab, f, {1: 1, 2: 2, 3: 3}, "every VTEP (v1 unprivileged) to hold the MACs")
        ping(lab, f, 1, 2)
        g = f.evpnd[1].ctl("global")[1]
        if g["fib_state"] != "synced":
            raise L.TestFailure(f"v1's fib-sync is {g['fib_state']}")
        L.log("  BGP on port 179, the FDB written, the API served, pings across VXLAN: ok")
        lab.check_alive()


TESTS = [("fdb", test_fdb), ("caps", test_caps), ("ipv6", test_ipv6), ("static", test_static), ("ping", test_ping), ("move", test_move),
         ("restart/kill", test_restart_kill), ("restart/term", test_restart_term),
         ("hold", test_hold), ("reload-global", test_reload_global), ("device", test_device)]


def run(args):
    L.require_tools(args.evpnd, "ip", "bridge", "ping")
    L.run_subtests(TESTS, args.only, args)


if __name__ == "__main__":
    L.main(run, "test_fib_sync")
