#!/usr/bin/env python3
"""Graceful restart helper (RFC 4724) and maximum prefixes (RFC 4486 Cease/1) of evpnd, against a
real GoBGP 3.10 peer, watched from a second GoBGP that is evpnd's route-reflector client:

   go (gobgpd, the peer)              rr (evpnd, RR, id 10.255.0.1)        obs (gobgpd, observer)
   g-r 10.0.2.1/30 ------------------ r-g 10.0.2.2/30
   VTEP 10.250.255.2 on lo            r-o 10.0.3.2/30 -------------------- o-r 10.0.3.1/30

All iBGP in AS 65000, family L2VPN EVPN only. The observer is a plain gobgpd: its global RIB shows
what evpnd advertises to it, and `gobgp monitor global rib` in its namespace logs every change,
so a withdrawal is seen even if it is undone between two polls.

Sub-tests (each in namespaces of its own; --only NAME picks some, a group name runs all of its
variants):
  gr-helper/restart   GoBGP advertises graceful restart for l2vpn-evpn (Restart Time 20 s) and
                      injects a type-2 and a type-3. kill -9 gobgpd (no NOTIFICATION): evpnd logs
                      "graceful restart helper: keeping 2 routes stale for 20 s" and the observer
                      keeps both routes. gobgpd is restarted with the same config and -r (Restart
                      State, and GoBGP then sets the Forwarding State bit) while its link is held
                      down, the routes are injected again, the link comes up: evpnd logs the
                      End-of-RIB with 0 stale routes swept. The observer is polled every 200 ms from
                      before the kill until 2 s after the original Restart Time would have run out:
                      both routes present in every sample, and its monitor logs no DELROUTE.
  gr-helper/expiry    the same up to the kill; gobgpd stays dead: the routes stay at the observer
                      until the Restart Time, then evpnd logs "stale timer expired, 2 stale routes
                      removed" (about 20 s after the kill) and they vanish from the observer.
  gr-helper/families  GoBGP's session also carries IPv4 unicast, without graceful restart for it
                      (its capability lists l2vpn-evpn only): after kill -9 evpnd removes the IPv4
                      route at once and keeps the type-2 and type-3 stale (RFC 4724 §4.2).
  gr-not-advertised   GoBGP without graceful restart: after kill -9 evpnd keeps nothing stale and
                      the routes leave the observer within 3 s.
  max-prefix/restart  evpnd's peer config `max_prefix { limit: 5 restart_after_s: 10 }`; GoBGP
                      injects 6 type-2 routes: evpnd logs "6 routes exceed the maximum of 5: closing
                      the session" and sends Cease/Maximum Number of Prefixes Reached (6/1), GoBGP
                      shows the NOTIFICATION received, the observer loses GoBGP's routes. A TCP
                      connection from GoBGP's address meanwhile is refused (closed at once, evpnd
                      logs the refusal). The
                      session stays down (evpnd and GoBGP polled every 200 ms) for at least 9 s,
                      comes back within 20 s of the close, and is closed again at the limit (GoBGP
                      still has 6 routes).
  max-prefix/warning  `max_prefix { limit: 5 warning_only: true }`: 6 and then 7 routes; the
                      session stays up, the observer gets all 7 routes, evpnd logs exactly one
                      warning and sends no NOTIFICATION.

Usage (root): python3 test_gr_maxprefix.py [--evpnd build/bgpd/daemon/evpnd] [--only gr-helper]
Not root: prints "SKIPPED: ..." and exits 0. EVT_KEEP=1 keeps the logs of a run.
"""

import json
import os
import re
import signal
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402

GO_IP, RR_GO_IP = "10.0.2.1", "10.0.2.2"
OBS_IP, RR_OBS_IP = "10.0.3.1", "10.0.3.2"
GO_VTEP, OBS_ID = "10.250.255.2", "10.250.255.3"
RR_ID = "10.255.0.1"
GO_RD = f"{GO_VTEP}:100"
GO_MAC, GO_MAC_IP = "02:bb:00:00:00:01", "192.168.100.12"
RESTART_TIME = 20          # GoBGP's advertised Restart Time (s)
MAX_RESTART = 10           # evpnd's max_prefix restart_after_s
POLL = 0.2                 # observer poll interval (s)
TIMEOUT = 30

# The peer's routes as the observer's RIB keys show them: every needle must be in the key.
T2_NEEDLES = ("[type:macadv]", f"[rd:{GO_RD}]", f"[mac:{GO_MAC}]", f"[ip:{GO_MAC_IP}]")
T3_NEEDLES = ("[type:multicast]", f"[rd:{GO_RD}]", f"[ip:{GO_VTEP}]")
GR_ROUTES = {"type-2": T2_NEEDLES, "type-3": T3_NEEDLES}


class Raw:
    """A config value written as is (a nested text-format message for evpnd_config)."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


def gobgp_toml(router_id, neighbor, graceful_restart=False, rr_client=False, ipv4=False):
    gr = f"""  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = {RESTART_TIME}
""" if graceful_restart else ""
    mp_gr = """    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
""" if graceful_restart else ""
    return f"""[global.config]
  as = 65000
  router-id = "{router_id}"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "{neighbor}"
    peer-as = 65000
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 1
    idle-hold-time-after-reset = 1
{gr}  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
{mp_gr}""" + ("""  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
""" if ipv4 else "")


class GoBgpd(L.GoBgp):
    """lab.GoBgp with extra gobgpd arguments (-r) and a log per incarnation, so that the same
    config can be started again after a kill -9."""

    def __init__(self, lab, ns, toml, tag, extra=()):  # GoBgp.__init__ skipped on purpose
        self.conf = os.path.join(lab.tmp, f"gobgpd-{tag}.toml")
        with open(self.conf, "w") as f:
            f.write(toml)
        L.Proc.__init__(self, lab, f"gobgpd-{tag}@{ns}", ns,
                        ["gobgpd", "-f", self.conf, "-p", "--pprof-disable",
                         "--api-hosts", f"{L.GOBGP_API}:{L.GOBGP_PORT}"] + list(extra),
                        os.path.join(lab.tmp, f"gobgpd-{tag}.log"), cwd=lab.tmp)


def start_gobgp(lab, ns, toml, tag, extra=()):
    p = GoBgpd(lab, ns, toml, tag, extra)
    lab.procs.append(p)
    p.wait_api()
    return p


def kill9(proc):
    """SIGKILL, no NOTIFICATION: the kernel closes the TCP connection."""
    proc.expected_alive = False
    proc.signal(signal.SIGKILL)
    try:
        proc.popen.wait(5)
    except Exception:  # noqa: BLE001
        raise L.TestFailure(f"{proc.name} survived SIGKILL")
    proc.stop()
    L.log(f"  kill -9 {proc.name} (pid {proc.pid})")


def build(lab):
    go, rr, obs = lab.netns("go"), lab.netns("rr"), lab.netns("obs")
    lab.veth(go, "g-r", rr, "r-g", f"{GO_IP}/30", f"{RR_GO_IP}/30")
    lab.veth(obs, "o-r", rr, "r-o", f"{OBS_IP}/30", f"{RR_OBS_IP}/30")
    lab.ip(go, "addr", "add", f"{GO_VTEP}/32", "dev", "lo")
    lab.ip(rr, "route", "add", f"{GO_VTEP}/32", "via", GO_IP)
    lab.ip(obs, "route", "add", f"{GO_VTEP}/32", "via", RR_OBS_IP)
    lab.sh(rr, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
    return go, rr, obs


def rr_config(max_prefix=None, ipv4=False):
    families = ["ADDRESS_FAMILY_L2VPN_EVPN"] + (["ADDRESS_FAMILY_IPV4_UNICAST"] if ipv4 else [])
    common = dict(remote_as=65000, route_reflector_client=True, hold_time_s=9, keepalive_s=3,
                  connect_retry_s=1, families=families)
    go_peer = dict(address=GO_IP, description="gobgp peer", **common)
    if max_prefix:
        go_peer["max_prefix"] = Raw(max_prefix)
    return L.evpnd_config(RR_ID, 65000, [
        go_peer, dict(address=OBS_IP, description="gobgp observer", **common)],
        listen=[RR_GO_IP, RR_OBS_IP])


def gobgp_state(go, neighbor):
    m = re.search(r"BGP state = (\w+)", go.cli("neighbor", neighbor))
    return m.group(1).lower() if m else None


def wait_sessions(lab, rr, go, obs, since=0):
    lab.poll_until(lambda: gobgp_state(go, RR_GO_IP) == "established", TIMEOUT,
                   "GoBGP's session to evpnd to be established")
    lab.poll_until(lambda: gobgp_state(obs, RR_OBS_IP) == "established", TIMEOUT,
                   "the observer's session to evpnd to be established")
    for ip in (GO_IP, OBS_IP):
        rr.wait_log(rf"peer {re.escape(ip)}: established, AS ", TIMEOUT, since=since)


def gobgp_keys(go):
    return list(json.loads(go.cli("global", "rib", "-a", "evpn", "-j") or "{}").keys())


def has(keys, needles):
    return any(all(n in k for n in needles) for k in keys)


def inject_gr_routes(go):
    go.cli("global", "rib", "-a", "evpn", "add", "macadv", GO_MAC, GO_MAC_IP, "etag", "0",
           "label", "100", "rd", GO_RD, "rt", "65000:100", "encap", "vxlan", "nexthop", GO_VTEP)
    go.cli("global", "rib", "-a", "evpn", "add", "multicast", GO_VTEP, "etag", "0", "rd", GO_RD,
           "rt", "65000:100", "encap", "vxlan", "pmsi", "ingress-repl", "100", GO_VTEP,
           "nexthop", GO_VTEP)


def mac(i):
    return f"02:cc:00:00:00:{i:02x}"


def inject_mac(go, i):
    go.cli("global", "rib", "-a", "evpn", "add", "macadv", mac(i), "0.0.0.0", "etag", "0",
           "label", "100", "rd", GO_RD, "rt", "65000:100", "encap", "vxlan", "nexthop", GO_VTEP)


def count_macs(keys):
    return sum(1 for k in keys if "[type:macadv]" in k and "[mac:02:cc:" in k)


class Watcher(threading.Thread):
    """Polls the observer's EVPN RIB every POLL seconds and records, per sample, which of the
    named routes were present."""

    def __init__(self, obs, routes):
        super().__init__(daemon=True)
        self.obs, self.routes = obs, routes
        self.samples = []      # (wall time, {name: present})
        self.errors = []
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            t0 = time.monotonic()
            try:
                keys = gobgp_keys(self.obs)
                self.samples.append((time.time(), {n: has(keys, nd)
                                                   for n, nd in self.routes.items()}))
            except Exception as e:  # noqa: BLE001 - recorded, reported by the test
                self.errors.append((time.time(), repr(e)))
            self._halt.wait(max(0.0, POLL - (time.monotonic() - t0)))

    def stop(self):
        self._halt.set()
        self.join(10)

    def missing(self, since=0.0, until=None):
        """Samples in [since, until] where some route was absent: [(time, [names])]."""
        return [(t, [n for n, ok in p.items() if not ok]) for t, p in list(self.samples)
                if t >= since and (until is None or t <= until) and not all(p.values())]

    def count(self, since=0.0, until=None):
        return sum(1 for t, _ in list(self.samples)
                   if t >= since and (until is None or t <= until))

    def max_gap(self, since, until):
        ts = [since] + [t for t, _ in list(self.samples) if since <= t <= until] + [until]
        return max(b - a for a, b in zip(ts, ts[1:]))


def fmt_missing(miss, t0):
    return ", ".join(f"+{t - t0:.1f}s {names}" for t, names in miss[:8])


def start_gr_lab(lab, args, graceful_restart, ipv4=False):
    """Topology, evpnd, observer (+ its monitor), GoBGP with a type-2 and a type-3 injected and
    seen by the observer. `ipv4`: GoBGP's session also carries IPv4 unicast, without graceful
    restart for it."""
    go_ns, rr_ns, obs_ns = build(lab)
    rr = lab.evpnd("evpnd-rr", rr_ns, args.evpnd, rr_config(ipv4=ipv4))
    obs = start_gobgp(lab, obs_ns, gobgp_toml(OBS_ID, RR_OBS_IP), "obs")
    toml = gobgp_toml(GO_VTEP, RR_GO_IP, graceful_restart=graceful_restart, ipv4=ipv4)
    go = start_gobgp(lab, go_ns, toml, "go1")
    wait_sessions(lab, rr, go, obs)
    gr_line = re.search(r"graceful-restart:\s*(.*)", go.cli("neighbor", RR_GO_IP))
    L.log(f"  GoBGP capabilities: graceful-restart: {gr_line.group(1) if gr_line else 'absent'}")
    if graceful_restart and (not gr_line or "advertised and received" not in gr_line.group(1)):
        raise L.TestFailure(f"graceful restart not negotiated between GoBGP and evpnd:\n"
                            f"{go.cli('neighbor', RR_GO_IP)}")
    monitor = lab.spawn("obs-monitor", obs_ns, ["gobgp", "-u", L.GOBGP_API, "-p",
                                                str(L.GOBGP_PORT), "monitor", "global", "rib",
                                                "--current", "-a", "evpn"])
    inject_gr_routes(go)
    lab.poll_until(lambda: all(has(gobgp_keys(obs), nd) for nd in GR_ROUTES.values()), TIMEOUT,
                   "the observer to have GoBGP's type-2 and type-3 (reflected by evpnd)")
    # The monitor saw both routes arrive: from here on it must report no DELROUTE (gr-helper).
    monitor.wait_log(r"^\S+ \[.*type:multicast", 10, "the observer's monitor to show the type-3")
    L.log("  observer has GoBGP's type-2 and type-3")
    return go_ns, rr_ns, obs_ns, rr, obs, go, toml, monitor


def delroutes(monitor, since):
    return monitor.grep(r"DELROUTE", since)


# ------------------------------------------------------------------------------ sub-tests
def test_gr_restart(args):
    with L.Lab("grr") as lab:
        go_ns, rr_ns, obs_ns, rr, obs, go, toml, monitor = start_gr_lab(lab, args, True)
        watcher = Watcher(obs, GR_ROUTES)
        watcher.start()
        try:
            lab.poll_until(lambda: watcher.count() >= 3, 10, "the observer watcher to start")
            mark, mon_mark = rr.mark(), monitor.mark()
            t_kill = time.time()
            kill9(go)
            line = rr.wait_log(rf"peer {re.escape(GO_IP)}: graceful restart helper: keeping "
                               r"(\d+) routes stale for (\d+) s", 10,
                               "evpnd to log the graceful restart helper line", since=mark)
            L.log(f"  evpnd: {line}")
            m = re.search(r"keeping (\d+) routes stale for (\d+) s", line)
            if (int(m.group(1)), int(m.group(2))) != (2, RESTART_TIME):
                raise L.TestFailure(f"expected 2 routes kept stale for {RESTART_TIME} s: {line}")
            # Several seconds of a dead peer: the observer keeps both routes.
            lab.hold_for(lambda: watcher.missing(t_kill), 5,
                         "a route left the observer while GoBGP was dead")
            # Restart with the same config and -r; the link is held down so that the routes are
            # re-injected before the session (and so GoBGP's End-of-RIB) comes back.
            lab.ip(go_ns, "link", "set", "g-r", "down")
            go2 = start_gobgp(lab, go_ns, toml, "go2", extra=["-r"])
            inject_gr_routes(go2)
            if not all(has(gobgp_keys(go2), nd) for nd in GR_ROUTES.values()):
                raise L.TestFailure("the restarted gobgpd does not hold the re-injected routes")
            lab.ip(go_ns, "link", "set", "g-r", "up")
            L.log(f"  gobgpd restarted with -r {time.time() - t_kill:.1f} s after the kill, "
                  "routes re-injected, link up")
            line = rr.wait_log(rf"peer {re.escape(GO_IP)}: established, AS ", TIMEOUT,
                               "evpnd to re-establish with the restarted GoBGP", since=mark)
            L.log(f"  evpnd: {line}")
            eor = rr.wait_log(rf"peer {re.escape(GO_IP)}: End-of-RIB for l2vpn-evpn "
                              r"\((\d+) stale routes swept\)", TIMEOUT,
                              "evpnd to receive GoBGP's End-of-RIB", since=mark)
            L.log(f"  evpnd: {eor}")
            swept = int(re.search(r"\((\d+) stale", eor).group(1))
            lab.poll_until(lambda: gobgp_state(go2, RR_GO_IP) == "established", TIMEOUT,
                           "the restarted GoBGP to show the session established")
            # Keep watching until past the original Restart Time: nothing may expire then.
            t_end = t_kill + RESTART_TIME + 2
            lab.poll_until(lambda: time.time() >= t_end, RESTART_TIME + 5,
                           "the original Restart Time to pass")
        finally:
            watcher.stop()
        for x in rr.grep(rf"peer {re.escape(GO_IP)}: .*(stale|End-of-RIB|restarted|session down"
                         r"|graceful)", mark):
            L.log(f"  evpnd: {x}")
        problems = []
        if swept != 0:
            problems.append(f"End-of-RIB swept {swept} stale routes (both were re-sent): {eor}")
        for bad in (r"stale timer expired", r"restarted without preserved forwarding"):
            got = rr.grep(rf"peer {re.escape(GO_IP)}: {bad}", mark)
            if got:
                problems.append(f"evpnd logged: {got}")
        miss = watcher.missing(t_kill - 1)
        n = watcher.count(t_kill - 1)
        gap = watcher.max_gap(t_kill - 1, t_end)
        L.log(f"  observer polled {n} times over {t_end - t_kill + 1:.0f} s (largest gap "
              f"{gap:.2f} s, {len(watcher.errors)} poll errors)")
        if miss:
            problems.append(f"a route was missing at the observer in {len(miss)} of {n} samples: "
                            f"{fmt_missing(miss, t_kill)} (after the kill)")
        if gap > 2.0:
            problems.append(f"the observer was not polled for {gap:.1f} s: the watch proves "
                            "little")
        dels = delroutes(monitor, mon_mark)
        if dels:
            problems.append(f"the observer's monitor saw withdrawals: {dels[:4]}")
        if problems:
            raise L.TestFailure("; ".join(problems))
        L.log("  both routes stayed at the observer throughout; End-of-RIB swept 0; no DELROUTE")
        readv = monitor.grep(r"\[ROUTE\]", mon_mark)
        L.log(f"  observer's monitor: {len(readv)} re-advertisement(s) (implicit replace, no "
              "withdrawal) since the kill")


def test_gr_expiry(args):
    with L.Lab("gre") as lab:
        go_ns, rr_ns, obs_ns, rr, obs, go, toml, monitor = start_gr_lab(lab, args, True)
        watcher = Watcher(obs, GR_ROUTES)
        watcher.start()
        try:
            lab.poll_until(lambda: watcher.count() >= 3, 10, "the observer watcher to start")
            mark = rr.mark()
            t_kill = time.time()
            kill9(go)
            line = rr.wait_log(rf"peer {re.escape(GO_IP)}: graceful restart helper: keeping "
                               r"(\d+) routes stale for (\d+) s", 10,
                               "evpnd to log the graceful restart helper line", since=mark)
            L.log(f"  evpnd: {line}")
            # Stale routes stay until (almost) the Restart Time.
            lab.hold_for(lambda: watcher.missing(t_kill), RESTART_TIME - 2,
                         "a stale route left the observer before the Restart Time")
            L.log(f"  routes still at the observer {time.time() - t_kill:.1f} s after the kill")
            exp = rr.wait_log(rf"peer {re.escape(GO_IP)}: stale timer expired, (\d+) stale "
                              r"routes removed", 10, "evpnd's stale timer to expire", since=mark)
            L.log(f"  evpnd: {exp}")
            lab.poll_until(lambda: not any(has(gobgp_keys(obs), nd) for nd in GR_ROUTES.values()),
                           5, "the stale routes to leave the observer after the stale timer")
            t_gone = time.time()
        finally:
            watcher.stop()
        t_exp = L.log_line_time(exp) or t_gone
        t_helper = L.log_line_time(line) or t_kill
        L.log(f"  stale timer fired {t_exp - t_helper:.2f} s after the helper line; routes gone "
              f"from the observer {t_gone - t_kill:.1f} s after the kill")
        problems = []
        if int(re.search(r"expired, (\d+) stale", exp).group(1)) != 2:
            problems.append(f"expected 2 stale routes removed: {exp}")
        if not RESTART_TIME - 0.5 <= t_exp - t_helper <= RESTART_TIME + 1.5:
            problems.append(f"the stale timer fired {t_exp - t_helper:.2f} s after the session "
                            f"went down (Restart Time {RESTART_TIME} s)")
        first_missing = watcher.missing(t_kill)
        if first_missing and first_missing[0][0] < t_helper + RESTART_TIME - 0.5:
            problems.append(f"a route left the observer early: "
                            f"{fmt_missing(first_missing, t_kill)}")
        if problems:
            raise L.TestFailure("; ".join(problems))


def test_gr_families(args):
    """GoBGP lists l2vpn-evpn but not ipv4-unicast in its graceful restart capability: after
    kill -9 evpnd keeps the EVPN routes stale and removes the IPv4 ones at once (RFC 4724 §4.2:
    only the families of the capability are retained)."""
    with L.Lab("grf") as lab:
        go_ns, rr_ns, obs_ns, rr, obs, go, toml, monitor = start_gr_lab(lab, args, True,
                                                                        ipv4=True)
        go.cli("global", "rib", "-a", "ipv4", "add", "10.66.0.0/24", "nexthop", GO_IP)
        lab.poll_until(lambda: "10.66.0.0/24" in [r["prefix"] for r in rr.ctl(
            "routes", "--family", "ipv4-unicast")[1].get("routes", [])], TIMEOUT,
            "evpnd to learn GoBGP's 10.66.0.0/24")
        mark = rr.mark()
        kill9(go)
        dropped = rr.wait_log(rf"peer {re.escape(GO_IP)}: ipv4-unicast is not in its graceful "
                              r"restart capability: 1 routes removed", 10,
                              "evpnd to drop the IPv4 route at once", since=mark)
        kept = rr.wait_log(rf"peer {re.escape(GO_IP)}: graceful restart helper: keeping 2 routes "
                           rf"stale for {RESTART_TIME} s", 10, "evpnd to keep the EVPN routes",
                           since=mark)
        L.log(f"  evpnd: {dropped}")
        L.log(f"  evpnd: {kept}")
        left = rr.ctl("routes", "--family", "ipv4-unicast")[1].get("routes", [])
        stale = [r for r in rr.ctl("evpn", "routes")[1].get("routes", []) if r.get("stale")]
        if left or len(stale) != 2:
            raise L.TestFailure(f"after the kill: IPv4 routes {left}, stale EVPN routes {stale}")
        L.log("  evpnctl: no IPv4 route left, the type-2 and type-3 are stale")


def test_gr_not_advertised(args):
    with L.Lab("grn") as lab:
        go_ns, rr_ns, obs_ns, rr, obs, go, toml, monitor = start_gr_lab(lab, args, False)
        mark = rr.mark()
        t_kill = time.time()
        kill9(go)
        lab.poll_until(lambda: not any(has(gobgp_keys(obs), nd) for nd in GR_ROUTES.values()),
                       3, "GoBGP's routes to leave the observer promptly (no graceful restart)",
                       interval=POLL)
        L.log(f"  routes gone from the observer {time.time() - t_kill:.2f} s after the kill")
        for x in rr.grep(rf"peer {re.escape(GO_IP)}: ", mark):
            L.log(f"  evpnd: {x}")
        kept = rr.grep(rf"peer {re.escape(GO_IP)}: graceful restart helper", mark)
        if kept:
            raise L.TestFailure(f"evpnd acted as GR helper for a peer without the capability: "
                                f"{kept}")
        if not rr.grep(rf"peer {re.escape(GO_IP)}: session down", mark):
            raise L.TestFailure("evpnd did not log the session going down")


PROBE = """
import socket, sys
s = socket.create_connection((sys.argv[1], 179), 3)
s.settimeout(3)
try:
    data = s.recv(4096)
except ConnectionResetError:
    data = b""
except socket.timeout:
    print("still open after 3 s")
    sys.exit(0)
print("closed" if not data else "evpnd sent " + data.hex())
"""


def probe_connect(lab, ns):
    """Opens a TCP connection to evpnd from namespace `ns` and reports what happened to it."""
    return lab.sh(ns, sys.executable, "-c", PROBE, RR_GO_IP, timeout=15).strip()


def max_prefix_lab(lab, args, max_prefix):
    go_ns, rr_ns, obs_ns = build(lab)
    rr = lab.evpnd("evpnd-rr", rr_ns, args.evpnd, rr_config(max_prefix=max_prefix))
    obs = start_gobgp(lab, obs_ns, gobgp_toml(OBS_ID, RR_OBS_IP), "obs")
    go = start_gobgp(lab, go_ns, gobgp_toml(GO_VTEP, RR_GO_IP), "go")
    wait_sessions(lab, rr, go, obs)
    return go_ns, rr, obs, go


CLOSE_RX = (rf"peer {re.escape(GO_IP)}: (\d+) routes exceed the maximum of 5: closing the "
            r"session")
CEASE_RX = (rf"peer {re.escape(GO_IP)}: sending NOTIFICATION "
            r"cease/maximum-number-of-prefixes-reached \(6/1\)")


def test_max_prefix_restart(args):
    with L.Lab("mpr") as lab:
        go_ns, rr, obs, go = max_prefix_lab(
            lab, args, f"{{ limit: 5 restart_after_s: {MAX_RESTART} }}")
        mark = rr.mark()
        for i in range(1, 6):
            inject_mac(go, i)
        lab.poll_until(lambda: count_macs(gobgp_keys(obs)) == 5, TIMEOUT,
                       "the observer to get 5 routes (at the limit, session up)")
        if rr.grep(CLOSE_RX, mark) or gobgp_state(go, RR_GO_IP) != "established":
            raise L.TestFailure("the session was closed at 5 routes (limit 5: only more than 5 "
                                "may close it)")
        L.log("  5 routes: session up, observer has 5")
        inject_mac(go, 6)
        close = rr.wait_log(CLOSE_RX, 10, "evpnd to close the session at the limit", since=mark)
        cease = rr.wait_log(CEASE_RX, 5, "evpnd to send Cease/Maximum Number of Prefixes Reached",
                            since=mark)
        t_close = L.log_line_time(close) or time.time()
        L.log(f"  evpnd: {close}")
        L.log(f"  evpnd: {cease}")
        after_close = rr.mark()
        # GoBGP saw the NOTIFICATION.
        lab.poll_until(lambda: gobgp_state(go, RR_GO_IP) != "established", 5,
                       "GoBGP to leave established")
        go_view = lab.poll_until(
            lambda: [x for x in go.lines() if re.search(r"(?i)notification", x)
                     and re.search(r"(?i)prefix|code 6|cease", x)], 5,
            "GoBGP to log the Cease NOTIFICATION it received")
        L.log(f"  gobgpd: {go_view[-1][:300]}")
        stats = go.cli("neighbor", RR_GO_IP)
        rcvd = re.search(r"Notifications:\s+(\d+)\s+(\d+)", stats)
        if not rcvd or int(rcvd.group(2)) < 1:
            raise L.TestFailure(f"`gobgp neighbor {RR_GO_IP}` counts no NOTIFICATION received:\n"
                                f"{stats}")
        L.log(f"  gobgp neighbor {RR_GO_IP}: Notifications sent {rcvd.group(1)}, received "
              f"{rcvd.group(2)}")
        # The session's routes left evpnd (a Cease is no graceful restart): the observer has none.
        lab.poll_until(lambda: count_macs(gobgp_keys(obs)) == 0, 5,
                       "GoBGP's routes to leave the observer after the Cease")
        # A connection from the peer's address while the session is held down is refused (GoBGP's
        # own retries come 5-10 s apart, so they may or may not fall into the window).
        probe = probe_connect(lab, go_ns)
        L.log(f"  TCP connection from {GO_IP} to evpnd during the hold-down: {probe}")
        if probe != "closed":
            raise L.TestFailure(f"evpnd did not refuse a connection from {GO_IP} during the "
                                f"max-prefix hold-down: {probe}")
        line = rr.wait_log(rf"peer {re.escape(GO_IP)}: incoming connection refused in Idle",
                           5, "evpnd to log the refused connection", since=after_close)
        L.log(f"  evpnd: {line}")
        # Down for restart_after_s: poll both sides until evpnd re-establishes.
        early = []

        def back_up():
            est = rr.grep(rf"peer {re.escape(GO_IP)}: established, AS ", after_close)
            st = gobgp_state(go, RR_GO_IP)
            now = time.time()
            if (est or st == "established") and now < t_close + MAX_RESTART - 1:
                early.append((now - t_close, est, st))
            return est

        est = lab.poll_until(back_up, MAX_RESTART + 10, "the session to come back after "
                             f"restart_after_s {MAX_RESTART} s", interval=POLL)
        t_up = L.log_line_time(est[0]) or time.time()
        L.log(f"  evpnd: {est[0]}")
        L.log(f"  session re-established {t_up - t_close:.2f} s after the close")
        refused = rr.grep(rf"peer {re.escape(GO_IP)}: incoming connection refused", after_close)
        L.log(f"  evpnd refused {len(refused)} incoming connections meanwhile (1 of them the "
              "test's probe)")
        if early:
            raise L.TestFailure(f"the session was up again {early[0][0]:.2f} s after the close "
                                f"(restart_after_s {MAX_RESTART}): {early[0]}")
        if t_up - t_close < MAX_RESTART - 1:
            raise L.TestFailure(f"re-established only {t_up - t_close:.2f} s after the close")
        # GoBGP still has 6 routes: closed again at the limit.
        again = rr.wait_log(CLOSE_RX, 15, "evpnd to close the re-established session again",
                            since=after_close)
        L.log(f"  evpnd: {again}")


def test_max_prefix_warning(args):
    with L.Lab("mpw") as lab:
        go_ns, rr, obs, go = max_prefix_lab(lab, args, "{ limit: 5 warning_only: true }")
        mark = rr.mark()
        for i in range(1, 7):
            inject_mac(go, i)
        lab.poll_until(lambda: count_macs(gobgp_keys(obs)) == 6, TIMEOUT,
                       "the observer to get all 6 routes")
        warn = rr.wait_log(rf"peer {re.escape(GO_IP)}: 6 routes exceed the maximum of 5$", 5,
                           "evpnd to warn about 6 routes over the maximum of 5", since=mark)
        L.log(f"  evpnd: {warn}")
        inject_mac(go, 7)
        lab.poll_until(lambda: count_macs(gobgp_keys(obs)) == 7, TIMEOUT,
                       "the observer to get the 7th route")

        def trouble():
            bad = rr.grep(rf"peer {re.escape(GO_IP)}: (Established -> |sending NOTIFICATION|"
                          r"session down)", mark)
            st = gobgp_state(go, RR_GO_IP)
            if st != "established":
                bad.append(f"GoBGP state {st}")
            return bad

        lab.hold_for(trouble, 3, "the session did not stay up with warning_only")
        warnings = rr.grep(rf"peer {re.escape(GO_IP)}: .*exceed the maximum", mark)
        if len(warnings) != 1:
            raise L.TestFailure(f"expected exactly one max-prefix warning, got {warnings}")
        L.log("  7 routes, session up, one warning")


TESTS = [("gr-helper/restart", test_gr_restart), ("gr-helper/expiry", test_gr_expiry),
         ("gr-helper/families", test_gr_families),
         ("gr-not-advertised", test_gr_not_advertised),
         ("max-prefix/restart", test_max_prefix_restart),
         ("max-prefix/warning", test_max_prefix_warning)]


def run(args):
    L.require_tools(args.evpnd, "ip", "gobgp", "gobgpd")
    L.run_subtests(TESTS, args.only, args)


if __name__ == "__main__":
    L.main(run, "test_gr_maxprefix")
