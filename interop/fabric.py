"""The interop fabric: a VXLAN/EVPN data centre in network namespaces, built on
tests/integration/lab.py (namespaces, veths, daemons, cleanup).

                         rr 10.0.0.254: evpnd (no VNI, kernel_fdb off) or gobgpd,
                         route reflector
                                         |
   +------------------- ul: underlay bridge ulbr, 10.0.0.0/24 -------------------+
   |                                     |                                       |
 v1 10.0.0.1 evpnd               v2 10.0.0.2 evpnd               v3 10.0.0.3 FRR 8.4
 [br100 + vxlan100]              [br100 + vxlan100]              [br100 + vxlan100]
   |                                     |                                       |
 h1 192.168.100.1                h2 192.168.100.2                h3 192.168.100.3

Every VTEP is an iBGP (AS 65000) route-reflector client of rr, family L2VPN EVPN only; its VTEP
address is the address of its underlay interface (one /24, so every VTEP, FRR included, has a
connected route to every other). VNI 100, RT 65000:100 (the RFC 8365 auto value on both evpnd
and FRR). Hosts are lab.quiet_host namespaces (IPv6 off): they send a frame only when a scenario
makes them, so the bridges learn a MAC exactly when the scenario says.

Everything here reads state through the speakers' own interfaces (evpnctl, vtysh, gobgp) and the
kernel (`bridge fdb show`), and waits by polling with a deadline.
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import lab as L  # noqa: E402

VNI = 100
AS = 65000
RR_IP = "10.0.0.254"
VTEP_IP = {1: "10.0.0.1", 2: "10.0.0.2", 3: "10.0.0.3"}
ZERO = "00:00:00:00:00:00"
SUBNET = "192.168.100"
HOME_HOSTS = {n: (f"02:00:00:00:00:0{n}", f"{SUBNET}.{n}") for n in VTEP_IP}
SESSION_TIMEOUT = 40


def timed_out(e):
    """A poll_until timeout (worth a message listing what each speaker had), as opposed to a
    daemon that died meanwhile (lab.check_alive's message, which must not be hidden)."""
    return str(e).startswith("timeout after")


class Host:
    """A host namespace with eth0 (MAC, IP) whose peer port p-<name> sits on br100 of a VTEP."""

    def __init__(self, name, ns, mac, ip, vtep):
        self.name, self.ns, self.mac, self.ip, self.vtep = name, ns, mac, ip, vtep

    @property
    def port(self):
        return f"p-{self.name}"[:15]

    def __repr__(self):
        return f"{self.name}({self.mac} {self.ip} at v{self.vtep})"


def frr_bgpd_conf(n):
    # `bgp graceful-restart`: FRR advertises the restarting-speaker capability for L2VPN EVPN, so
    # the reflector keeps its routes while its bgpd restarts (the default, helper only, would
    # make them go at once). `preserve-fw-state`: the restarted bgpd's OPEN has the F bit for
    # L2VPN EVPN; without it the reflector must drop the stale routes on reconnect (RFC 4724
    # §4.2). `timers connect 1`: come back quickly after a restart.
    return f"""hostname v{n}
log timestamp precision 3
router bgp {AS}
 bgp router-id {VTEP_IP[n]}
 no bgp default ipv4-unicast
 bgp graceful-restart
 bgp graceful-restart preserve-fw-state
 neighbor {RR_IP} remote-as {AS}
 neighbor {RR_IP} description rr
 neighbor {RR_IP} timers connect 1
 address-family l2vpn evpn
  neighbor {RR_IP} activate
  advertise-all-vni
 exit-address-family
"""


def evpnd_vtep_conf(n):
    peers = [dict(address=RR_IP, description="rr", remote_as=AS, hold_time_s=9, keepalive_s=3,
                  connect_retry_s=1)]
    return L.evpnd_config(VTEP_IP[n], AS, peers, listen=[VTEP_IP[n]],
                          evpn=L.evpn_block([dict(vni=VNI)], vtep=VTEP_IP[n]))


def evpnd_rr_conf(clients):
    peers = [dict(address=VTEP_IP[n], description=f"v{n}", remote_as=AS,
                  route_reflector_client=True, hold_time_s=9, keepalive_s=3, connect_retry_s=1)
             for n in clients]
    # A reflector only: no VNI, no kernel FDB.
    return L.evpnd_config(RR_IP, AS, peers, listen=[RR_IP], cluster_id=RR_IP,
                          evpn="evpn {\n  kernel_fdb: false\n}\n")


def gobgp_rr_toml(clients):
    out = f"""[global.config]
  as = {AS}
  router-id = "{RR_IP}"
  local-address-list = ["{RR_IP}"]
"""
    for n in clients:
        out += f"""[[neighbors]]
  [neighbors.config]
    neighbor-address = "{VTEP_IP[n]}"
    peer-as = {AS}
    description = "v{n}"
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 1
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "{RR_IP}"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
"""
    return out


class FdbPoller(threading.Thread):
    """Samples some VTEPs' FDB every `interval` seconds in the background and records every
    sample where a wanted entry was missing: `wanted` is {vtep: [(mac, dst), ...]} (self entries
    on vxlan100; ZERO for the flood list)."""

    def __init__(self, fabric, wanted, interval=0.1):
        super().__init__(daemon=True)
        self.fabric, self.wanted, self.interval = fabric, wanted, interval
        self.samples = 0
        self.misses = []  # (time.monotonic(), vtep, missing entries)
        self.errors = []
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            t = time.monotonic()
            for n, entries in self.wanted.items():
                try:
                    have = self.fabric.self_entries(n)
                except Exception as e:  # noqa: BLE001 - reported, never raised in the thread
                    self.errors.append(str(e))
                    continue
                missing = [e for e in entries if e not in have]
                if missing:
                    self.misses.append((t, n, missing))
            self.samples += 1
            self._halt.wait(max(0.0, self.interval - (time.monotonic() - t)))

    def stop(self):
        self._halt.set()
        self.join(5)


class Fabric:
    """One fabric: `kinds` maps VTEP number to "evpnd" or "frr"; `rr` is "evpnd" or "gobgp"."""

    def __init__(self, name, evpnd_bin, kinds=None, rr="evpnd"):
        self.name, self.evpnd_bin = name, evpnd_bin
        self.kinds = dict(kinds or {1: "evpnd", 2: "evpnd", 3: "frr"})
        self.rr_kind = rr
        self.lab = L.Lab(name)
        self.v, self.hosts, self.daemons = {}, {}, {}
        self.rr = None
        self.timings = {}
        self.broken = False
        self._announcers = {}  # host name -> its running arping

    def label(self):
        vteps = ", ".join(f"v{n} {k}" for n, k in sorted(self.kinds.items()))
        return f"{vteps}; rr {self.rr_kind}"

    # ------------------------------------------------------------------ build and teardown
    def build(self):
        lab = self.lab
        t0 = time.monotonic()
        ul = lab.netns("ul")
        lab.ip(ul, "link", "add", "ulbr", "type", "bridge")
        lab.ip(ul, "link", "set", "ulbr", "up")
        self.rr_ns = lab.netns("rr")
        lab.veth(self.rr_ns, "eth0", ul, "ulrr", f"{RR_IP}/24", None)
        lab.ip(ul, "link", "set", "ulrr", "master", "ulbr")
        for n in self.kinds:
            v = self.v[n] = lab.netns(f"v{n}")
            lab.veth(v, "eth0", ul, f"ul{n}", f"{VTEP_IP[n]}/24", None)
            lab.ip(ul, "link", "set", f"ul{n}", "master", "ulbr")
            lab.vxlan_vtep(v, VTEP_IP[n], VNI)
            mac, ip = HOME_HOSTS[n]
            self.add_host(f"h{n}", mac, ip, n)
        t_daemons = time.monotonic()
        if self.rr_kind == "gobgp":
            self.rr = lab.gobgp(self.rr_ns, gobgp_rr_toml(self.kinds))
        else:
            self.rr = lab.evpnd("evpnd-rr", self.rr_ns, self.evpnd_bin,
                                evpnd_rr_conf(self.kinds))
        for n in self.kinds:
            self.start_vtep(n)
        self.wait_sessions()
        self.timings["sessions_up_s"] = round(time.monotonic() - t_daemons, 3)
        self.wait_flood_lists()
        self.timings["flood_lists_s"] = round(time.monotonic() - t_daemons, 3)
        self.timings["build_s"] = round(time.monotonic() - t0, 3)

    def start_vtep(self, n):
        if self.kinds[n] == "frr":
            self.daemons[n] = self.lab.frr(self.v[n], frr_bgpd_conf(n), f"hostname v{n}\n")
        else:
            self.daemons[n] = self.lab.evpnd(f"evpnd-v{n}", self.v[n], self.evpnd_bin,
                                             evpnd_vtep_conf(n))

    def close(self):
        """Stops everything and deletes the namespaces. Returns the sanitizer reports found in
        evpnd's logs (an ASan/TSan build of evpnd), when lab.py knows how to find them."""
        for p in self._announcers.values():
            if p.poll() is None:
                p.kill()
            p.wait()
        self._announcers.clear()
        reports = []
        finder = getattr(self.lab, "sanitizer_reports", None)
        if finder and not self.lab.cleaned:
            try:
                reports = finder()
            except Exception as e:  # noqa: BLE001 - never let it stop the cleanup
                reports = [f"could not read sanitizer reports: {e}"]
        self.lab.cleanup()
        return reports

    def evpnd_vteps(self):
        return [n for n, k in self.kinds.items() if k == "evpnd"]

    def frr_vteps(self):
        return [n for n, k in self.kinds.items() if k == "frr"]

    # ------------------------------------------------------------------ hosts
    def add_host(self, name, mac, ip, vtep, announce=False):
        """A quiet host namespace `name` with eth0 (mac, ip/24) plugged into br100 of v<vtep>."""
        lab = self.lab
        ns = lab.quiet_host(name)
        h = Host(name, ns, mac, ip, vtep)
        v = self.v[vtep]
        lab.veth(ns, "eth0", v, h.port, f"{ip}/24", None, mac_a=mac, up=False)
        lab.ip(v, "link", "set", h.port, "master", "br100")
        lab.ip(v, "link", "set", h.port, "up")
        lab.ip(ns, "link", "set", "eth0", "up")
        self.hosts[name] = h
        if announce:
            self.announce(h)
        return h

    def remove_host(self, h):
        """The host is gone: its port leaves the bridge, its namespace is deleted."""
        p = self._announcers.pop(h.name, None)
        if p is not None and p.poll() is None:
            p.kill()
            p.wait()
        self.lab.ip(self.v[h.vtep], "link", "del", h.port)
        L._empty_and_delete_netns(h.ns)
        if h.ns in self.lab.namespaces:
            self.lab.namespaces.remove(h.ns)
        self.hosts.pop(h.name, None)

    def announce(self, h):
        """The host announces itself as a VM does when it starts or has moved: three
        gratuitous ARPs 200 ms apart (arping -U). Its VTEP's bridge learns the MAC on the host's
        port from the first. Returns at once: the first frame leaves now."""
        self.wait_quiet(h)
        self._announcers[h.name] = subprocess.Popen(
            ["ip", "netns", "exec", h.ns, "arping", "-q", "-U", "-c", "3", "-W", "0.2", "-i",
             "eth0", h.ip], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL, preexec_fn=L._die_with_parent)

    def wait_quiet(self, h, timeout=5):
        """Waits until the host has sent its last announcement. A VM that moves must be silent
        at its old place by then: a late frame there would make its old VTEP learn it again
        (a real move back, as far as the fabric can tell)."""
        p = self._announcers.pop(h.name, None)
        if p is not None:
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def ping_once(self, src, dst_ip, wait=1):
        r = subprocess.run(["ip", "netns", "exec", src.ns, "ping", "-c", "1", "-W", str(wait),
                            dst_ip], capture_output=True, text=True, timeout=wait + 5)
        return r.returncode == 0

    def ping(self, src, dst, timeout=10):
        """Polls until one ping from host src to dst (a Host or an IP) is answered; returns the
        seconds it took."""
        ip = dst.ip if isinstance(dst, Host) else dst
        t0 = time.monotonic()
        self.lab.poll_until(lambda: self.ping_once(src, ip), timeout,
                            f"{src.name} to ping {getattr(dst, 'name', ip)}", interval=0.05)
        return time.monotonic() - t0

    # ------------------------------------------------------------------ kernel FDB
    def fdb(self, n):
        """Every FDB entry in v<n> (`bridge fdb show`): list of (mac, dev, dst or None,
        'self'|'master', flags)."""
        out = []
        text = self.lab.sh(self.v[n], "bridge", "fdb", "show", timeout=10)
        for line in text.splitlines():
            w = line.split()
            if len(w) < 3 or w[1] != "dev":
                continue
            if w[0].startswith(("33:33", "01:00:5e", "01:80:c2")):
                continue
            dst = w[w.index("dst") + 1] if "dst" in w else None
            kind = "master" if "master" in w else "self" if "self" in w else "?"
            out.append((w[0], w[2], dst, kind, " ".join(w[3:])))
        return out

    def self_entries(self, n):
        """{(mac, dst)} of vxlan100's own (self) entries on v<n>: remote MACs and flood list."""
        return {(m, dst) for m, dev, dst, kind, _ in self.fdb(n)
                if dev == "vxlan100" and kind == "self" and dst}

    def flood_list(self, n):
        return sorted(dst for m, dst in self.self_entries(n) if m == ZERO)

    def where(self, n, mac, fdb=None):
        """Where v<n> forwards frames for `mac`: ('remote', VTEP address) when the bridge sends
        it to vxlan100 and vxlan100 has a self entry for it; ('local', port) when the bridge
        has it on an access port; None when it floods it (unknown). Inconsistent states
        (e.g. bridge on vxlan100 but no VTEP) come back as ('broken', detail)."""
        fdb = fdb if fdb is not None else self.fdb(n)
        master = [dev for m, dev, dst, kind, _ in fdb if m == mac and kind == "master"]
        selfs = [dst for m, dev, dst, kind, _ in fdb
                 if m == mac and dev == "vxlan100" and kind == "self" and dst]
        if master and master[0] != "vxlan100":
            return ("local", master[0])
        if len(selfs) > 1:
            return ("broken", f"several VTEPs {selfs}")
        if master and not selfs:
            return ("broken", "bridge entry on vxlan100 without a VTEP")
        if selfs and not master:
            return ("broken", f"VTEP {selfs[0]} but no bridge entry on vxlan100")
        return ("remote", selfs[0]) if selfs else None

    def expect_where(self, n, h_vtep, port=None):
        """What v<n> should say for a host at v<h_vtep> (on `port` there)."""
        if n == h_vtep:
            return ("local", port)
        return ("remote", VTEP_IP[h_vtep])

    def wait_converged(self, mac, vtep, port, timeout=15, interval=0.02, local_optional=False,
                       t0=None):
        """Polls every VTEP until each forwards `mac` to v<vtep>; returns {n: seconds from t0
        (default: now) until v<n> pointed there for good} and the total (the last VTEP). On
        timeout the failure lists what each VTEP has."""
        t0 = t0 if t0 is not None else time.monotonic()
        first = {}
        deadline = t0 + timeout
        last = {}
        while True:
            self.lab.check_alive()
            all_ok = True
            for n in self.kinds:
                w = self.where(n, mac)
                last[n] = w
                want = self.expect_where(n, vtep, port)
                ok = w == want or (n == vtep and local_optional and w is None)
                if ok and n not in first:
                    first[n] = time.monotonic() - t0
                if not ok:
                    first.pop(n, None)
                    all_ok = False
            if all_ok:
                return {f"v{n}": round(s, 3) for n, s in sorted(first.items())}, \
                    round(max(first.values()), 3)
            if time.monotonic() > deadline:
                detail = "; ".join(f"v{n} ({self.kinds[n]}): {last[n]}" for n in self.kinds)
                raise L.TestFailure(f"after {timeout} s not every FDB points {mac} at v{vtep} "
                                    f"({VTEP_IP[vtep]}): {detail}")
            time.sleep(interval)

    def wait_gone(self, mac, timeout=15):
        def gone():
            left = {n: self.where(n, mac) for n in self.kinds}
            return all(w is None for w in left.values())

        try:
            self.lab.poll_until(gone, timeout, f"{mac} to leave every FDB")
        except L.TestFailure as e:
            if not timed_out(e):
                raise
            left = {f"v{n}": self.where(n, mac) for n in self.kinds}
            raise L.TestFailure(f"{mac} is still in some FDB {timeout} s after its host left: "
                                f"{left}")

    def wait_flood_lists(self, timeout=SESSION_TIMEOUT):
        want = {n: sorted(VTEP_IP[m] for m in self.kinds if m != n) for n in self.kinds}

        def ok():
            return all(self.flood_list(n) == want[n] for n in self.kinds)

        try:
            self.lab.poll_until(ok, timeout, "every VTEP's flood list")
        except L.TestFailure as e:
            if not timed_out(e):
                raise
            got = {f"v{n}": self.flood_list(n) for n in self.kinds}
            raise L.TestFailure(f"flood lists (00:00:00:00:00:00 dst ...) after {timeout} s: "
                                f"{got}; want {dict((f'v{n}', w) for n, w in want.items())}")

    # ------------------------------------------------------------------ sessions
    def session_states(self):
        """{speaker: {peer: state}} from every speaker's own interface."""
        out = {}
        if self.rr_kind == "gobgp":
            out["rr"] = self.gobgp_neighbors()
        else:
            out["rr"] = self.evpnd_neighbors(self.rr)
        for n, d in self.daemons.items():
            if self.kinds[n] == "frr":
                out[f"v{n}"] = self.frr_neighbors(d)
            else:
                out[f"v{n}"] = self.evpnd_neighbors(d)
        return out

    @staticmethod
    def evpnd_neighbors(d):
        rc, out, _ = d.ctl("neighbor", check=False)
        if rc != 0 or not isinstance(out, dict):
            return {}
        return {p.get("address"): p.get("state") for p in out.get("peers", [])}

    @staticmethod
    def frr_neighbors(frr):
        try:
            s = frr.vtysh_json("show bgp l2vpn evpn summary json")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError):
            return {}
        return {ip: p.get("state") for ip, p in (s.get("peers") or {}).items()}

    def gobgp_neighbors(self):
        try:
            rows = json.loads(self.rr.cli("neighbor", "-j"))
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError):
            return {}
        return {r["conf"]["neighbor_address"]: r.get("state", {}).get("session_state")
                for r in rows}

    def sessions_up(self):
        states = self.session_states()
        want_rr = {VTEP_IP[n] for n in self.kinds}
        ok = {ip for ip, s in states["rr"].items() if str(s).lower() in ("established", "6")}
        if ok != want_rr:
            return None
        for n in self.kinds:
            if str(states[f"v{n}"].get(RR_IP, "")).lower() != "established":
                return None
        return states

    def wait_sessions(self, timeout=SESSION_TIMEOUT):
        try:
            return self.lab.poll_until(self.sessions_up, timeout, "every session Established",
                                       interval=0.2)
        except L.TestFailure as e:
            if not timed_out(e):
                raise
            raise L.TestFailure(f"sessions after {timeout} s: {self.session_states()}")

    # ------------------------------------------------------------------ speakers' MAC state
    def mac_state(self, n, mac):
        """(kind, VTEP, sequence) of `mac` as speaker v<n> holds it: kind 'local'/'remote'."""
        d = self.daemons[n]
        if self.kinds[n] == "frr":
            try:
                j = d.vtysh_json(f"show evpn mac vni {VNI} mac {mac} json")
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError):
                return None
            m = j.get(mac, j)
            kind = m.get("type")
            if kind not in ("local", "remote"):
                return None
            seq = m.get("localSequence" if kind == "local" else "remoteSequence")
            return (kind, VTEP_IP[n] if kind == "local" else m.get("remoteVtep"), seq)
        return d.mac_location(VNI, mac)

    def frr_bgp_seqs(self, n, mac, vtep):
        """{(rd, prefix): MAC mobility sequence} of the type-2 routes for `mac` originated by
        VTEP address `vtep` (RD <vtep>:N) in FRR v<n>'s BGP table (no MM community: 0)."""
        table = self.daemons[n].vtysh_json("show bgp l2vpn evpn route detail json")
        out = {}
        for rd, entries in table.items():
            if not isinstance(entries, dict) or not rd.startswith(f"{vtep}:"):
                continue
            for prefix, entry in entries.items():
                if not prefix.startswith(f"[2]:[0]:[48]:[{mac}]"):
                    continue
                for group in entry.get("paths") or []:
                    for path in group if isinstance(group, list) else [group]:
                        ecs = (path.get("extendedCommunity") or {}).get("string", "")
                        m = re.search(r"\bMM:(\d+)", ecs)
                        out[(rd, prefix)] = int(m.group(1)) if m else 0
        return out

    def rr_best(self, mac):
        """(next hop, MAC mobility sequence) of the reflector's best type-2 routes for `mac`
        (set of them: MAC-only and MAC+IP routes), from evpnd's Loc-RIB."""
        rc, out, _ = self.rr.ctl("evpn", "routes", "--type", "2", "--mac", mac, check=False)
        if rc != 0 or not isinstance(out, dict):
            return set()
        return {(r.get("next_hop"), r.get("mac_mobility_sequence", 0))
                for r in out.get("routes", []) if r.get("best")}

    def wait_mac_states(self, mac, vtep, seq, timeout=15):
        """Every speaker (and an evpnd reflector's Loc-RIB) holds `mac` at v<vtep> with
        sequence `seq`; returns what each one holds."""
        want = {n: ("local" if n == vtep else "remote", VTEP_IP[vtep], seq) for n in self.kinds}

        def now():
            got = {n: self.mac_state(n, mac) for n in self.kinds}
            if got != want:
                return None
            if self.rr_kind == "evpnd" and self.rr_best(mac) != {(VTEP_IP[vtep], seq)}:
                return None
            for n in self.frr_vteps():
                seqs = self.frr_bgp_seqs(n, mac, VTEP_IP[vtep])
                if not seqs or set(seqs.values()) != {seq}:
                    return None
            return got

        try:
            got = self.lab.poll_until(now, timeout, "mac states", interval=0.1)
        except L.TestFailure as e:
            if not timed_out(e):
                raise
            got = {f"v{n}": self.mac_state(n, mac) for n in self.kinds}
            rr = self.rr_best(mac) if self.rr_kind == "evpnd" else "-"
            bgp = {f"v{n}": self.frr_bgp_seqs(n, mac, VTEP_IP[vtep]) for n in self.frr_vteps()}
            raise L.TestFailure(f"{mac}: speakers do not all hold it at v{vtep} "
                                f"({VTEP_IP[vtep]}) with sequence {seq} after {timeout} s: "
                                f"{got}; reflector's best routes (next hop, seq): {rr}; FRR's "
                                f"BGP table, routes from {VTEP_IP[vtep]} (MM seq): {bgp}")
        out = {f"v{n}": list(s) for n, s in got.items()}
        for n in self.frr_vteps():
            out[f"v{n} bgp"] = sorted(f"{rd} {p} MM:{q}" for (rd, p), q in
                                      self.frr_bgp_seqs(n, mac, VTEP_IP[vtep]).items())
        return out

    # ------------------------------------------------------------------ continuous ping
    def start_ping(self, src, dst, interval=0.1):
        return self.lab.spawn(f"ping-{src.name}-{dst.name}-{int(time.time() * 1000) % 100000}",
                              src.ns, ["ping", "-n", "-O", "-i", str(interval), "-W", "1",
                                       dst.ip])

    @staticmethod
    def stop_ping(p):
        """SIGINT (ping prints its summary), returns (transmitted, received)."""
        p.expected_alive = False
        p.signal(signal.SIGINT)
        try:
            p.popen.wait(5)
        except subprocess.TimeoutExpired:
            p.stop()
        p.stop()
        m = re.search(r"(\d+) packets transmitted, (\d+) received", p.text())
        if not m:
            raise L.TestFailure(f"no summary from {p.name}: {p.text()[-300:]}")
        return int(m.group(1)), int(m.group(2))
