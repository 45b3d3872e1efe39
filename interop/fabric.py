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
import shutil
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
# The extra speakers of the `evpnd-rr-ext` fabric (scenarios 4, 6 and 9), each in a namespace of
# its own on the underlay:
GEN_IP = "10.0.0.100"     # bgp_routegen sending malformed UPDATEs to the reflector (scenario 6)
EXA_IP = "10.0.0.50"      # ExaBGP, a passive iBGP peer of the reflector: an independent decoder
ARISTA_IP = "10.0.0.21"   # the "Arista" leaf's BGP address and router ID (EOS's Loopback0)
ARISTA_VTEP = "10.0.0.22"  # its VTEP address (EOS's Loopback1, `vxlan source-interface`)
# The Arista leaf sits in a 4-octet private AS of its own (eBGP to v1, as Arista's EVPN designs
# give every leaf its own AS), so its route targets ASN:VNI are 4-octet-AS ones (type 0x02, RFC
# 5668) that no auto-derived import RT of the fabric matches: v1 imports them because its VNI 100
# is configured to, as examples/arista-leaf/evpnd.conf does.
ARISTA_AS = 4200000021
ARISTA_RT = f"{ARISTA_AS}:{VNI}"
# Duplicate MAC detection of the ext fabric's VTEPs, small enough for a quick test: evpnd's
# duplicate_mac_detection block and FRR's `dup-addr-detection` (FRR has no recovery timer
# without `freeze`, whose shortest value is 30 s: warning only).
DAD = dict(max_moves=3, window_s=30, recovery_s=5, freeze=False)


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


def frr_bgpd_conf(n, evpn_extra=()):
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
""" + "".join(f"  {line}\n" for line in evpn_extra) + """ exit-address-family
"""


def evpn_block(vtep, vni, route_targets=(), import_route_targets=(), duplicate=None):
    """evpnd's `evpn { ... }` block for one VNI (lab.evpn_block has no import_route_targets)."""
    out = ["evpn {", f'  vtep_address: "{vtep}"']
    if duplicate:
        out.append("  duplicate_mac_detection {")
        for key, value in duplicate.items():
            out.append(f"    {key}: {str(value).lower() if isinstance(value, bool) else value}")
        out.append("  }")
    out += ["  vnis {", f"    vni: {vni}"]
    out += [f'    route_targets: "{rt}"' for rt in route_targets]
    out += [f'    import_route_targets: "{rt}"' for rt in import_route_targets]
    out += ["  }", "}"]
    return "\n".join(out) + "\n"


def evpnd_vtep_conf(n, dad=None, arista=False, arista_peer=False):
    """`dad`: a duplicate_mac_detection block; `arista`: v<n>'s VNI 100 imports the Arista
    leaf's route target besides the fabric's own (an import list replaces the auto value, so
    both are named); `arista_peer`: v<n> also peers with the Arista leaf (eBGP, passive: the
    scenario's bgp_routegen connects). Scenario 9 adds that peer by a reload and removes it
    again: evpnd holds every FDB deletion until each configured peer has sent End-of-RIB (or
    restart_time_s, 120 s, is over), so a peer that stays down from the start would keep every
    FDB deletion of v<n> back for two minutes (see README, "Facts")."""
    peers = [dict(address=RR_IP, description="rr", remote_as=AS, hold_time_s=9, keepalive_s=3,
                  connect_retry_s=1)]
    rts, import_rts = (), ()
    if arista:
        rts, import_rts = (f"{AS}:{VNI}",), (ARISTA_RT,)
    if arista_peer:
        # next_hop_unchanged: what v<n> passes on to the Arista leaf keeps its VTEP (an EVPN
        # next hop is the VTEP; eBGP would make it v<n>'s address by default).
        peers.append(dict(address=ARISTA_IP, description="arista leaf (bgp_routegen)",
                          remote_as=ARISTA_AS, passive=True, hold_time_s=9, keepalive_s=3,
                          connect_retry_s=1, next_hop_unchanged=True))
    return L.evpnd_config(VTEP_IP[n], AS, peers, listen=[VTEP_IP[n]],
                          evpn=evpn_block(VTEP_IP[n], VNI, rts, import_rts, dad))


def evpnd_rr_conf(clients, gen=False, exabgp=False):
    """`gen`: a passive iBGP peer for scenario 6's bgp_routegen (not a client: the reflector
    reflects its routes to the clients); `exabgp`: ExaBGP (a client), which is passive itself:
    the reflector connects to it."""
    peers = [dict(address=VTEP_IP[n], description=f"v{n}", remote_as=AS,
                  route_reflector_client=True, hold_time_s=9, keepalive_s=3, connect_retry_s=1)
             for n in clients]
    if gen:
        peers.append(dict(address=GEN_IP, description="bgp_routegen (malformed UPDATEs)",
                          remote_as=AS, passive=True, hold_time_s=9, keepalive_s=3,
                          connect_retry_s=1))
    if exabgp:
        # A client, so that it gets every route the reflector holds, the non-client
        # bgp_routegen's included (RFC 4456 §6: a non-client's routes go to clients only).
        peers.append(dict(address=EXA_IP, description="exabgp (decoder)", remote_as=AS,
                          route_reflector_client=True, hold_time_s=9, keepalive_s=3,
                          connect_retry_s=1))
    # A reflector only: no VNI, no kernel FDB.
    return L.evpnd_config(RR_IP, AS, peers, listen=[RR_IP], cluster_id=RR_IP,
                          evpn="evpn {\n  kernel_fdb: false\n}\n")


# ExaBGP's API process: appends every JSON line ExaBGP writes to it to the file named by its
# argument (the scenario reads the file).
EXABGP_DUMP = """import sys
with open(sys.argv[1], "a") as out:
    for line in sys.stdin:
        out.write(line)
        out.flush()
"""


def exabgp_conf(dump_py, out_path):
    """ExaBGP 4.2: passive iBGP peer of the reflector, L2VPN EVPN only, every UPDATE and
    NOTIFICATION it receives and every session change handed parsed (JSON) to the API process."""
    return f"""process decoder {{
    run /usr/bin/python3 {dump_py} {out_path};
    encoder json;
}}
neighbor {RR_IP} {{
    router-id {EXA_IP};
    local-address {EXA_IP};
    local-as {AS};
    peer-as {AS};
    passive true;
    hold-time 9;
    family {{
        l2vpn evpn;
    }}
    api {{
        processes [ decoder ];
        receive {{
            parsed;
            update;
            notification;
        }}
        neighbor-changes;
    }}
}}
"""


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
    """One fabric: `kinds` maps VTEP number to "evpnd" or "frr"; `rr` is "evpnd" or "gobgp".
    Extras (the `evpnd-rr-ext` fabric): `dad` turns duplicate MAC detection on every VTEP to
    these values (evpnd's block, FRR's dup-addr-detection); `gen` adds the namespace `gen`
    (GEN_IP) and a passive peer for it on the evpnd reflector; `exabgp` runs ExaBGP in the
    namespace `exa` (EXA_IP) as a peer of the evpnd reflector; `arista` adds the namespace `ar`
    (ARISTA_IP, ARISTA_VTEP) and a passive eBGP peer for it on v<arista>, whose VNI 100 also
    imports ARISTA_RT."""

    def __init__(self, name, evpnd_bin, kinds=None, rr="evpnd", dad=None, gen=False,
                 exabgp=False, arista=None, routegen=None):
        self.name, self.evpnd_bin = name, evpnd_bin
        self.kinds = dict(kinds or {1: "evpnd", 2: "evpnd", 3: "frr"})
        self.rr_kind = rr
        self.dad, self.gen, self.exabgp, self.arista = dad, gen, exabgp, arista
        self.routegen_bin = routegen
        self.lab = L.Lab(name)
        self.v, self.hosts, self.daemons = {}, {}, {}
        self.rr = None
        self.extra_ns = {}  # "gen", "exa", "ar" -> namespace
        self.exa = None  # the ExaBGP process
        self.exa_out = None  # its API process's JSON lines
        self.timings = {}
        self.broken = False
        self._announcers = {}  # host name -> its running arping

    def label(self):
        vteps = ", ".join(f"v{n} {k}" for n, k in sorted(self.kinds.items()))
        extras = []
        if self.dad:
            extras.append("duplicate detection {max_moves} moves in {window_s} s, recovery "
                          "{recovery_s} s".format(**self.dad))
        if self.gen:
            extras.append(f"bgp_routegen peer {GEN_IP}")
        if self.exabgp:
            extras.append(f"ExaBGP {EXA_IP}")
        if self.arista:
            extras.append(f"Arista leaf {ARISTA_IP} (AS {ARISTA_AS}) at v{self.arista}")
        return f"{vteps}; rr {self.rr_kind}" + (f"; {', '.join(extras)}" if extras else "")

    # ------------------------------------------------------------------ build and teardown
    def build_underlay(self):
        """The underlay bridge, the reflector's namespace and one VTEP namespace per kind (with
        br100 + vxlan100 for VNI 100) on it; returns the underlay namespace."""
        lab = self.lab
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
        return ul

    def build(self):
        lab = self.lab
        t0 = time.monotonic()
        ul = self.build_underlay()
        for n in self.kinds:
            mac, ip = HOME_HOSTS[n]
            self.add_host(f"h{n}", mac, ip, n)
        for key, on, addrs in (("gen", self.gen, [GEN_IP]), ("exa", self.exabgp, [EXA_IP]),
                               ("ar", self.arista, [ARISTA_IP, ARISTA_VTEP])):
            if not on:
                continue
            ns = self.extra_ns[key] = lab.netns(key)
            lab.veth(ns, "eth0", ul, f"ul{key}", f"{addrs[0]}/24", None)
            for a in addrs[1:]:
                lab.ip(ns, "addr", "add", f"{a}/24", "dev", "eth0")
            lab.ip(ul, "link", "set", f"ul{key}", "master", "ulbr")
        t_daemons = time.monotonic()
        if self.rr_kind == "gobgp":
            self.rr = lab.gobgp(self.rr_ns, gobgp_rr_toml(self.kinds))
        else:
            self.rr = lab.evpnd("evpnd-rr", self.rr_ns, self.evpnd_bin,
                                evpnd_rr_conf(self.kinds, gen=self.gen, exabgp=self.exabgp))
        if self.exabgp:
            self.start_exabgp()
        for n in self.kinds:
            self.start_vtep(n)
        self.wait_sessions()
        self.timings["sessions_up_s"] = round(time.monotonic() - t_daemons, 3)
        self.wait_flood_lists()
        self.timings["flood_lists_s"] = round(time.monotonic() - t_daemons, 3)
        self.timings["build_s"] = round(time.monotonic() - t0, 3)

    def start_vtep(self, n):
        if self.kinds[n] == "frr":
            extra = []
            if self.dad:
                extra.append(f"dup-addr-detection max-moves {self.dad['max_moves']} time "
                             f"{self.dad['window_s']}")
            self.daemons[n] = self.lab.frr(self.v[n], frr_bgpd_conf(n, extra),
                                           f"hostname v{n}\n")
        else:
            self.daemons[n] = self.lab.evpnd(f"evpnd-v{n}", self.v[n], self.evpnd_bin,
                                             evpnd_vtep_conf(n, self.dad, self.arista == n))

    def set_arista_peer(self, on):
        """Adds (or removes) v<arista>'s peer for the Arista leaf by a configuration reload;
        returns the log mark from before the reload."""
        n = self.arista
        return self.daemons[n].reload(evpnd_vtep_conf(n, self.dad, True, arista_peer=on))

    def start_exabgp(self):
        """ExaBGP 4.2 in `exa`: passive (it listens on EXA_IP:179; the reflector connects), runs
        as root, no CLI pipes; its API process appends every received UPDATE, parsed, as one
        JSON line to exabgp.json in the lab directory."""
        tmp = self.lab.tmp
        dump = os.path.join(tmp, "exabgp_dump.py")
        with open(dump, "w") as f:
            f.write(EXABGP_DUMP)
        self.exa_out = os.path.join(tmp, "exabgp.json")
        conf = os.path.join(tmp, "exabgp.conf")
        with open(conf, "w") as f:
            f.write(exabgp_conf(dump, self.exa_out))
        env = {"exabgp.daemon.user": "root", "exabgp.daemon.drop": "false",
               "exabgp.tcp.bind": EXA_IP, "exabgp.api.cli": "false",
               "exabgp.log.destination": "stdout"}
        self.exa = self.lab.spawn("exabgp", self.extra_ns["exa"],
                                  ["env"] + [f"{k}={v}" for k, v in env.items()] +
                                  [shutil.which("exabgp") or "/usr/sbin/exabgp", conf])

    def exabgp_messages(self):
        """Every JSON message ExaBGP's API process has written so far, in order."""
        if not self.exa_out or not os.path.exists(self.exa_out):
            return []
        out = []
        with open(self.exa_out) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass  # a line being written
        return out

    def routegen(self, name, ns_key, args):
        """Starts bgp_routegen in the extra namespace `ns_key` with `args` (--json is added);
        returns its Proc (output: the log lines on stderr, then the JSON report on stdout). It
        may end by itself (a NOTIFICATION from the peer): not a daemon that must stay up."""
        if not self.routegen_bin or not os.access(self.routegen_bin, os.X_OK):
            raise L.TestFailure(f"bgp_routegen not found at {self.routegen_bin} (build the "
                                f"bgp_routegen target, or pass --routegen)")
        tag = int(time.time() * 1000) % 100000
        p = self.lab.spawn(f"routegen-{name}-{tag}", self.extra_ns[ns_key],
                           [self.routegen_bin, "--json"] + [str(a) for a in args])
        p.expected_alive = False
        return p

    @staticmethod
    def routegen_report(p):
        """The JSON report of a finished bgp_routegen (its last line starting with '{')."""
        for line in reversed(p.lines()):
            if line.startswith("{"):
                try:
                    return json.loads(line)
                except ValueError:
                    break
        return None

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
        if not want_rr <= ok:  # the reflector's other peers (ExaBGP, bgp_routegen) aside
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

    def evpnd_mac(self, n, mac):
        """evpnd v<n>'s MAC entry (`evpnctl evpn macs --vni 100`, JSON) for `mac`, or None."""
        rc, out, _ = self.daemons[n].ctl("evpn", "macs", "--vni", VNI, check=False)
        if rc != 0 or not isinstance(out, dict):
            return None
        return next((m for m in out.get("macs", []) if m.get("mac") == mac), None)

    def frr_mac(self, n, mac):
        """FRR v<n>'s zebra entry for `mac` (`show evpn mac vni 100 mac M json`), or None."""
        try:
            j = self.daemons[n].vtysh_json(f"show evpn mac vni {VNI} mac {mac} json")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError):
            return None
        m = j.get(mac, j)
        return m if m.get("type") else None

    def frr_duplicates(self, n):
        """FRR v<n>'s `show evpn mac vni 100 duplicate json`: {mac: entry} (zebra's MACs
        flagged duplicate)."""
        try:
            j = self.daemons[n].vtysh_json(f"show evpn mac vni {VNI} duplicate json")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError):
            return {}
        return {k: v for k, v in (j.get("macs") or {}).items()} if "macs" in j else \
            {k: v for k, v in j.items() if isinstance(v, dict)}

    def rr_routes(self, mac=None, source=None):
        """The evpnd reflector's Loc-RIB routes (every path, not only the best), for one MAC
        and/or from one source (a peer address)."""
        args = ["evpn", "routes"] + (["--mac", mac] if mac else [])
        rc, out, _ = self.rr.ctl(*args, check=False)
        if rc != 0 or not isinstance(out, dict):
            return []
        return [x for x in out.get("routes", []) if source is None or x.get("source") == source]

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
