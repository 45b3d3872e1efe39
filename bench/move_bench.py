#!/usr/bin/env python3
"""MAC move convergence, evpnd against FRR 8.4 in one run (issue 9, "move"); bench/move.sh runs it.

Topology (interop/fabric.py's, built by its Fabric class with an FRR reflector added here):
three VTEP namespaces v1 10.0.0.1, v2 10.0.0.2, v3 10.0.0.3 and a route reflector rr 10.0.0.254
on an underlay bridge; each VTEP has br100 + vxlan100 (VNI 100, nolearning; lab.vxlan_vtep).
Run A: evpnd on the VTEPs and as the reflector; run B: FRR (zebra + bgpd, advertise-all-vni) on
the VTEPs and FRR (zebra + bgpd) as the reflector. Duplicate MAC detection is off in both
(evpnd `duplicate_mac_detection { max_moves: 0 }`, FRR `no dup-addr-detection`).

A host namespace `hm` has two ports: a1 into br100 of v1 and a2 into br100 of v2 (the same MAC on
both; the host sends on one side at a time). Frames are written by AF_PACKET sockets bound to a1
and a2, opened inside hm.

Single move (--moves times): a gratuitous ARP from the moving MAC on the new side; t0 = time.time()
just before the send; t1 = the timestamp `bridge -timestamp monitor fdb` (running in v3) prints
for the first notification of `MAC dev vxlan100 dst <new VTEP> self`. The monitor stamps each
message with gettimeofday when it reads it: t1 includes the monitor's wake-up. Monitors in v1 and
v2 give, from the same clock, when the new VTEP's bridge learned the MAC on its port (`learn`) and
when the old VTEP pointed it at the new one (`old`); tcpdump on the reflector's eth0 (kernel
timestamps) gives when the new VTEP's first UPDATE arrived there and the reflector's first UPDATE
to v3 left. After each move: wait until the old VTEP
points at the new one too, then a settle time, then the next move back.

Mass move (--macs N): N source MACs sent from a1 (one frame each, to br100's own MAC so nothing
floods); wait until v3 (and v2) point all N at v1; settle; then one frame per MAC from a2 as fast
as the socket takes them. Time from the first frame to v3 pointing all N at v2: bench/fdb_watch
(--fdb-watch) in v3 listens to the kernel's neighbour notifications and stamps, with the
time.time() clock, the read that brought the last of the N MACs' first notification with dst v2
(also the first MAC's and the median one's). Afterwards one dump of v3's FDB (`bridge fdb show
dev vxlan100`) must show all N at v2. Plus the first and last UPDATE from v2 into the reflector
and from the reflector to v3 (tcpdump there). Until 2026-11-28 the figure came from polling that
dump every 0.05 s and from `bridge -timestamp monitor fdb` writing to a file; both loaded the two
cores during the move (the monitor alone 14% of them, the polls 10%), the poll rounded the time
up to its end and the monitor lost notifications to ENOBUFS in most runs.

Single moves during an ingest (--ingest [N], default N 1,000,000; evpnd only, no mass move):
after the single moves, bgp_routegen in a namespace `gen` (10.0.0.100), an iBGP
route-reflector client of the reflector (hold 9 s like every session here), sends N type-2
routes with VNI 999 / RT 65000:999 / RD 10.0.0.0:999, whose keys sort before the VTEPs' (no
VTEP imports them: the reflector stores and reflects them, the VTEPs receive them, drop them
on receipt (route-target-filtered) and program none); from its start until the reflector
(routes_received and routes_best of that peer) and every VTEP (routes received from the
reflector, kept or route-target-filtered) have all N, polled with `evpnctl neighbor`
every --ingest-poll s, the MAC moves back and forth as above (settle --ingest-settle). A move
overlapped the ingest when its frame left after the generator's first UPDATE (its report's
first_update_unix) and v3 pointed at the new VTEP before the last poll that still found a
speaker short of N. Sessions
(state_since, last_down_reason, last_notification from `evpnctl neighbor`) are compared before
and after, and the logs grepped for hold timer / NOTIFICATION / session down.

usage: move_bench.py --evpnd BIN [--impl evpnd --impl frr] [--moves 100] [--macs 10000]
                     [--settle 0.2] [--ingest [N] --routegen BIN] [--out JSON]
"""
import argparse
import ctypes
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ next to bench/bgp_bench.py
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
sys.path.insert(0, HERE)
import fabric as F  # noqa: E402
import bgp_bench as B  # noqa: E402  (wait_quiet, loadavg, machine)

L = F.L
VTEP_IP, RR_IP, AS = F.VTEP_IP, F.RR_IP, F.AS
MOVER_MAC = "02:00:00:00:aa:01"
MOVER_IP = "192.168.100.201"
MASS_PREFIX = "02:10"
NO_DAD = {"max_moves": 0}  # proto/config.proto: 0 turns evpnd's detection off
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def mass_mac(i):
    return f"{MASS_PREFIX}:00:{(i >> 16) & 0xff:02x}:{(i >> 8) & 0xff:02x}:{i & 0xff:02x}"


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def garp(mac, ip):
    m = mac_bytes(mac)
    a = socket.inet_aton(ip)
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + m + a + b"\0" * 6 + a
    return (b"\xff" * 6 + m + b"\x08\x06" + arp).ljust(60, b"\0")


def frame_to(dst, src):
    """A frame to `dst` (br100's own MAC: delivered to the bridge device and dropped there, so
    it floods nowhere) from `src`, EtherType 0x88B5 (local experimental)."""
    return (dst + src + b"\x88\xb5").ljust(60, b"\0")


def packet_socket(ns, ifname):
    """An AF_PACKET socket bound to `ifname` in namespace `ns`: this thread enters the namespace
    for the socket() call and returns to its own."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if _libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
        try:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            s.bind((ifname, 0))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        finally:
            if _libc.setns(own, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")
    finally:
        os.close(own)
        os.close(target)
    return s


def parse_monitor(lines, stamp, errors):
    """Yields (epoch, deleted?, mac, dev, dst or None, text) for each notification printed by
    `bridge -timestamp monitor fdb` (each after its "Timestamp:" line); other lines go to
    `errors`."""
    ts = None
    for line in lines:
        if line.startswith("Timestamp:"):
            ts = stamp(line)
            continue
        w = line.split()
        if not w:
            continue
        if ts is None or "dev" not in w:
            errors.append(line.strip())
            continue
        deleted = w[0] == "Deleted"
        if deleted:
            w = w[1:]
        dst = w[w.index("dst") + 1] if "dst" in w else None
        yield (ts, deleted, w[0], w[w.index("dev") + 1], dst, line.strip())


class FdbMonitor(threading.Thread):
    """`bridge -timestamp monitor fdb` in a namespace; keeps every notification as (epoch seconds
    from the "Timestamp:" line before it, deleted?, mac, dev, dst or None, text)."""

    def __init__(self, ns):
        super().__init__(daemon=True)
        self.ns = ns
        self.events = []
        self.cond = threading.Condition()
        self._sec_cache = {}
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, "stdbuf", "-oL", "bridge", "-timestamp", "monitor", "fdb"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
            preexec_fn=L._die_with_parent)
        self.errors = []
        self.start()

    def _stamp(self, line):
        # "Timestamp: Sat Nov 28 02:22:53 2026 962513 usec" (local time, like time.mktime)
        w = line.split()
        key = " ".join(w[1:6])
        sec = self._sec_cache.get(key)
        if sec is None:
            sec = self._sec_cache[key] = time.mktime(time.strptime(key, "%a %b %d %H:%M:%S %Y"))
        return sec + int(w[6]) / 1e6

    def run(self):
        for ev in parse_monitor(self.proc.stdout, self._stamp, self.errors):
            with self.cond:
                self.events.append(ev)
                self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.events)

    def wait(self, pred, since, timeout):
        """The first event from index `since` on for which pred(event) holds, or None after
        `timeout` seconds."""
        deadline = time.monotonic() + timeout
        i = since
        with self.cond:
            while True:
                while i < len(self.events):
                    if pred(self.events[i]):
                        return self.events[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def since(self, i):
        with self.cond:
            return self.events[i:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.join(3)


def frr_rr_conf(clients):
    out = [f"hostname rr", "log timestamp precision 3", f"router bgp {AS}",
           f" bgp router-id {RR_IP}", f" bgp cluster-id {RR_IP}", " no bgp default ipv4-unicast"]
    for n in clients:
        out += [f" neighbor {VTEP_IP[n]} remote-as {AS}", f" neighbor {VTEP_IP[n]} timers connect 1"]
    out.append(" address-family l2vpn evpn")
    for n in clients:
        out += [f"  neighbor {VTEP_IP[n]} activate",
                f"  neighbor {VTEP_IP[n]} route-reflector-client"]
    out.append(" exit-address-family")
    return "\n".join(out) + "\n"


def evpnd_rr_conf(clients, gen=False):
    """interop/fabric.py's reflector; with `gen`, bgp_routegen (F.GEN_IP, passive: it connects)
    is one more route-reflector client, with the fabric's timers (hold 9 s, keepalive 3 s)."""
    if not gen:
        return F.evpnd_rr_conf(clients)
    peers = [dict(address=VTEP_IP[n], description=f"v{n}", remote_as=AS,
                  route_reflector_client=True, hold_time_s=9, keepalive_s=3, connect_retry_s=1)
             for n in clients]
    peers.append(dict(address=F.GEN_IP, description="bgp_routegen (ingest)", remote_as=AS,
                      route_reflector_client=True, passive=True, hold_time_s=9, keepalive_s=3,
                      connect_retry_s=1))
    return L.evpnd_config(RR_IP, AS, peers, listen=[RR_IP], cluster_id=RR_IP,
                          evpn="evpn {\n  kernel_fdb: false\n}\n")


class MoveFabric(F.Fabric):
    """interop/fabric.py's fabric with every VTEP and the reflector of one implementation
    (Fabric knows evpnd or GoBGP reflectors; an FRR one is added here), duplicate detection off,
    evpnd at log level info, no home hosts, and the two-legged mover host `hm`."""

    def __init__(self, impl, evpnd_bin, routegen=None):
        """`routegen`: the bgp_routegen binary for an ingest during the moves (evpnd only): adds
        the namespace `gen` (F.GEN_IP) and the generator as a reflector client."""
        super().__init__(f"mv-{impl}", evpnd_bin, kinds={1: impl, 2: impl, 3: impl}, rr=impl,
                         dad=NO_DAD if impl == "evpnd" else None, gen=bool(routegen),
                         routegen=routegen)
        self.impl = impl

    def build(self):
        lab = self.lab
        t0 = time.monotonic()
        ul = self.build_underlay()
        # The mover: one namespace, a leg into br100 of v1 (a1) and of v2 (a2), one MAC.
        self.hm = lab.quiet_host("hm")
        for n in (1, 2):
            lab.veth(self.hm, f"a{n}", self.v[n], "p-hm", mac_a=MOVER_MAC, up=False)
            lab.ip(self.v[n], "link", "set", "p-hm", "master", "br100")
            lab.ip(self.v[n], "link", "set", "p-hm", "up")
            lab.ip(self.hm, "link", "set", f"a{n}", "up")
        if self.gen:
            ns = self.extra_ns["gen"] = lab.netns("gen")
            lab.veth(ns, "eth0", ul, "ulgen", f"{F.GEN_IP}/24", None)
            lab.ip(ul, "link", "set", "ulgen", "master", "ulbr")
        t_daemons = time.monotonic()
        if self.impl == "frr":
            self.rr = lab.frr(self.rr_ns, frr_rr_conf(self.kinds), "hostname rr\n")
        else:
            self.rr = lab.evpnd("evpnd-rr", self.rr_ns, self.evpnd_bin,
                                evpnd_rr_conf(self.kinds, self.gen), log_level="info")
        for n in self.kinds:
            self.start_vtep(n)
        self.wait_sessions()
        self.timings["sessions_up_s"] = round(time.monotonic() - t_daemons, 3)
        self.wait_flood_lists()
        self.timings["build_s"] = round(time.monotonic() - t0, 3)

    def start_vtep(self, n):
        if self.impl == "frr":
            self.daemons[n] = self.lab.frr(self.v[n], F.frr_bgpd_conf(n, ["no dup-addr-detection"]),
                                           f"hostname v{n}\n")
        else:
            self.daemons[n] = self.lab.evpnd(f"evpnd-v{n}", self.v[n], self.evpnd_bin,
                                             F.evpnd_vtep_conf(n, self.dad), log_level="info")

    def session_states(self):
        if self.rr_kind != "frr":
            return super().session_states()
        out = {"rr": self.frr_neighbors(self.rr)}
        for n, d in self.daemons.items():
            out[f"v{n}"] = self.frr_neighbors(d)
        return out

    def dad_state(self):
        """What each VTEP says about duplicate detection (a check that it is off)."""
        if self.impl == "frr":
            out = {}
            for n, d in self.daemons.items():
                text = d.vtysh("show evpn")
                out[f"v{n}"] = " ".join(line.strip() for line in text.splitlines()
                                        if "uplicate" in line)
            return out
        return {f"v{n}": F.evpnd_vtep_conf(n, self.dad).split("duplicate_mac_detection")[1]
                .split("}")[0].split()[1:] for n in self.kinds}

    def count_at(self, n, prefix, dst):
        """MACs starting with `prefix` that v<n>'s vxlan100 points at `dst` (self entries)."""
        text = self.lab.sh(self.v[n], "bridge", "fdb", "show", "dev", "vxlan100", timeout=30)
        needle = f" dst {dst} self"
        return sum(1 for line in text.splitlines()
                   if line.startswith(prefix) and needle in line)

    def rx_dropped(self, n, ifname):
        j = json.loads(self.lab.ip(self.v[n], "-s", "-j", "link", "show", ifname))
        return j[0]["stats64"]["rx"]["dropped"]

    def bridge_mac(self, n):
        return json.loads(self.lab.ip(self.v[n], "-j", "link", "show", "br100"))[0]["address"]


def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def summary(values):
    if not values:
        return None
    return {"count": len(values), "median_ms": round(statistics.median(values), 3),
            "p90_ms": round(pct(values, 90), 3), "p99_ms": round(pct(values, 99), 3),
            "max_ms": round(max(values), 3), "min_ms": round(min(values), 3),
            "mean_ms": round(statistics.fmean(values), 3)}


def self_to(mac, dst, dev="vxlan100"):
    return lambda e: not e[1] and e[2] == mac and e[3] == dev and e[4] == dst


def old_vtep_to(mac, dst):
    """The old VTEP forwards `mac` over VXLAN: its self entry now names `dst`, or (FRR, whose
    self entry from an earlier time there may still name `dst`) the bridge entry moved to
    vxlan100."""
    return lambda e: not e[1] and e[2] == mac and e[3] == "vxlan100" and \
        (e[4] == dst or " master " in e[5])


def learned_on(mac, port="p-hm"):
    return lambda e: not e[1] and e[2] == mac and e[3] == port


def bgp_packets(path):
    """(epoch, src, dst, TCP payload length) of every segment with data in a `tcpdump -tt -n`
    text log (port 179). KEEPALIVEs are 19 bytes; anything larger carries an UPDATE."""
    out = []
    with open(path, errors="replace") as fh:
        for line in fh:
            w = line.split()
            if len(w) < 5 or w[1] != "IP" or "length" not in w:
                continue
            try:
                n = int(w[w.index("length") + 1].rstrip(":"))
                out.append((float(w[0]), w[2].rsplit(".", 1)[0], w[4].rstrip(":").rsplit(".", 1)[0],
                            n))
            except ValueError:
                continue
    return out


def add_bgp_times(rows, path):
    """Per move: when the new VTEP's first UPDATE reached the reflector (`bgp_in_ms`) and when
    the reflector's first UPDATE to v3 left (`bgp_out_ms`), from tcpdump's kernel timestamps on
    the reflector's eth0."""
    pk = [p for p in bgp_packets(path) if p[3] > 19]
    for r in rows:
        new = VTEP_IP[int(r["to"][1])]
        t0 = r["t0"]
        bin_ = next((p[0] for p in pk if p[0] >= t0 and p[1] == new and p[2] == RR_IP), None)
        bout = next((p[0] for p in pk if p[0] >= t0 and p[1] == RR_IP and p[2] == VTEP_IP[3]),
                    None)
        r["bgp_in_ms"] = round((bin_ - t0) * 1e3, 3) if bin_ else None
        r["bgp_out_ms"] = round((bout - t0) * 1e3, 3) if bout else None


def one_move(f, mons, socks, i, cur, settle, rows, failures, timeout=10.0):
    """Move number i (0-based) of MOVER_MAC from v<cur> to the other side (see single_moves);
    appends its row (or a failure); returns the new side."""
    mac = MOVER_MAC
    frame = garp(mac, MOVER_IP)
    new, old = 3 - cur, cur
    marks = {n: mons[n].mark() for n in mons}
    t0 = time.time()
    socks[new].send(frame)
    ev3 = mons[3].wait(self_to(mac, VTEP_IP[new]), marks[3], timeout)
    if ev3 is None:
        failures.append({"move": i + 1, "to": f"v{new}", "t0": round(t0, 6),
                         "v3": str(f.where(3, mac))})
        L.log(f"move {i + 1}: v3 did not point at v{new} within {timeout} s "
              f"({f.where(3, mac)})")
        # put it back where the next move expects it
        socks[new].send(frame)
        f.lab.poll_until(lambda: f.where(3, mac) == ("remote", VTEP_IP[new]), 30,
                         f"{mac} at v{new} on v3", interval=0.05)
    evo = mons[old].wait(old_vtep_to(mac, VTEP_IP[new]), marks[old], 2.0)
    evl = mons[new].wait(learned_on(mac), marks[new], 1.0)
    if ev3 is not None:
        row = {"move": i + 1, "to": f"v{new}", "t0": round(t0, 6),
               "v3_ms": round((ev3[0] - t0) * 1e3, 3),
               "old_vtep_ms": round((evo[0] - t0) * 1e3, 3) if evo else None,
               "learn_ms": round((evl[0] - t0) * 1e3, 3) if evl else None}
        rows.append(row)
    # the old VTEP must point at the new one before the MAC moves back (a real move)
    f.lab.poll_until(lambda: f.where(old, mac) == ("remote", VTEP_IP[new]), 30,
                     f"{mac} at v{new} on v{old}", interval=0.02)
    time.sleep(settle)
    return new


def single_moves(f, mons, socks, moves, settle, timeout=10.0):
    mac = MOVER_MAC
    frame = garp(mac, MOVER_IP)
    # Start at v1: learned there, v2 and v3 point at v1.
    socks[1].send(frame)
    f.lab.poll_until(lambda: f.where(3, mac) == ("remote", VTEP_IP[1])
                     and f.where(2, mac) == ("remote", VTEP_IP[1]), 30,
                     f"{mac} at v1 on v2 and v3", interval=0.05)
    time.sleep(1.0)
    rows, failures = [], []
    cur = 1
    for i in range(moves):
        cur = one_move(f, mons, socks, i, cur, settle, rows, failures, timeout)
    return rows, failures


# ---- a single move during an ingest (--ingest N) --------------------------------------------
# The generator's routes: VNI 999, so RT 65000:999 (bgp_routegen's default RT is local AS:VNI)
# and RD 10.0.0.0:999 (--ingest-rd-ip), which no VTEP imports (VNI 100 imports the auto RT
# 65000:100): the reflector stores and reflects them, every VTEP receives them and drops them on
# receipt (route-target-filtered), none programs them. MACs
# 02:30:00:00:00:00 + i, apart from the mover's and the mass move's.
GEN_VNI = 999
GEN_MAC_OFFSET = 0x3000000000
LOG_ALARMS = r"(?i)hold.?timer|notification|session down|established -> |cease|down reason"


def taken_in(p):
    """The routes a VTEP has taken in from a peer (Peer JSON): those it keeps, and those it
    dropped on receipt because no VNI of its imports them (route-target-filtered, which a VTEP
    whose only peer is the reflector does: evpn.retain_route_target_all)."""
    return int(p.get("routes_received", 0)) + int(
        p.get("routes_rejected", {}).get("route-target-filtered", 0))


def neighbors(d):
    """{address: Peer JSON} from `evpnctl neighbor` (empty on error)."""
    rc, out, _ = d.ctl("neighbor", check=False)
    if rc != 0 or not isinstance(out, dict):
        return {}
    return {p.get("address"): p for p in out.get("peers", [])}


class IngestPoller(threading.Thread):
    """Polls `evpnctl neighbor` on the reflector and on v1, v2, v3 in turn, every `interval` s,
    until each holds the generator's N routes: the reflector when its peer GEN_IP has
    routes_received and routes_best >= N; v<n> when its peer rr has taken in (taken_in: kept or
    route-target-filtered) >= its count before the ingest + N - 2 (the mover's own route(s) from
    the reflector come and go with the moves: at most 2, a MAC and a MAC+IP route, i.e. 2 in a
    million). Per speaker: every sample (start, end, count) and, once done, `done` = end of the first poll that showed all N and `after` = start of the last poll that
    did not (the speaker was still short of N then)."""

    SLACK = 2

    def __init__(self, f, n_routes, base, interval=0.2):
        super().__init__(daemon=True)
        self.f, self.n, self.base, self.interval = f, n_routes, base, interval
        self.speakers = [("rr", f.rr)] + [(f"v{n}", f.daemons[n]) for n in sorted(f.daemons)]
        self.samples = {k: [] for k, _ in self.speakers}
        self.done = {}
        self.errors = []
        self._halt = threading.Event()

    def all_done(self):
        return len(self.done) == len(self.speakers)

    def run(self):
        while not self._halt.is_set() and not self.all_done():
            t = time.time()
            for key, d in self.speakers:
                if key in self.done:
                    continue
                a = time.time()
                try:
                    peers = neighbors(d)
                except Exception as e:  # noqa: BLE001 - reported, never raised in the thread
                    self.errors.append(f"{key}: {e}")
                    continue
                b = time.time()
                if key == "rr":
                    p = peers.get(F.GEN_IP, {})
                    got = min(int(p.get("routes_received", 0)), int(p.get("routes_best", 0)))
                else:
                    p = peers.get(RR_IP, {})
                    got = taken_in(p) - self.base[key]
                self.samples[key].append((round(a, 4), round(b, 4), got))
                need = self.n if key == "rr" else self.n - self.SLACK
                if got >= need:
                    before = [s for s in self.samples[key] if s[2] < need]
                    self.done[key] = {"done": b, "after": before[-1][0] if before else None}
            self._halt.wait(max(0.0, self.interval - (time.time() - t)))

    def stop(self):
        self._halt.set()
        self.join(10)


def pcap_hits(path, needle):
    """Epoch times of the TCP segments in a pcap file (Ethernet, IPv4) whose payload contains
    `needle` (bytes), and the number of segments read."""
    hits, count = [], 0
    with open(path, "rb") as fh:
        head = fh.read(24)
        if len(head) < 24:
            return hits, count
        endian = "<" if head[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        nano = head[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        while True:
            rec = fh.read(16)
            if len(rec) < 16:
                break
            sec, frac, incl, _ = struct.unpack(endian + "IIII", rec)
            data = fh.read(incl)
            count += 1
            if len(data) < 34 or data[12:14] != b"\x08\x00":
                continue
            ihl = (data[14] & 0x0f) * 4
            tcp = 14 + ihl
            if len(data) < tcp + 20:
                continue
            payload = data[tcp + (data[tcp + 12] >> 4) * 4:]
            if needle in payload:
                hits.append(sec + frac / (1e9 if nano else 1e6))
    return hits, count


def grep_logs(f, extra=()):
    """Lines of every evpnd's log (and of the `extra` Procs) matching LOG_ALARMS."""
    out = {}
    procs = [("rr", f.rr)] + [(f"v{n}", d) for n, d in sorted(f.daemons.items())] + list(extra)
    for key, p in procs:
        hits = p.grep(LOG_ALARMS)
        out[key] = {"matches": len(hits), "lines": hits[:10],
                    "established_lines": len(p.grep(r"(?i)established"))}
    return out


def session_snapshot(f):
    """Per speaker: {peer: (state, state_since_unix_ns, last_down_reason, last_notification)}."""
    out = {}
    for key, d in [("rr", f.rr)] + [(f"v{n}", d) for n, d in sorted(f.daemons.items())]:
        out[key] = {a: [p.get("state"), str(p.get("state_since_unix_ns", "")),
                        p.get("last_down_reason", ""), p.get("last_notification", "")]
                    for a, p in neighbors(d).items()}
    return out


def ingest_moves(f, mons, socks, cur, a):
    """Starts bgp_routegen in `gen` (an iBGP reflector client sending a.ingest type-2 routes
    that no VTEP imports) and, from the moment it starts until the reflector and every VTEP hold
    all of them, moves MOVER_MAC back and forth as single_moves does (settle a.ingest_settle).
    Which moves overlapped the ingest is decided afterwards from the timestamps: a move counts
    when its frame left after the generator's first UPDATE and v3 pointed at the new VTEP
    before the last speaker was seen still short of N."""
    n_routes = a.ingest
    out = {"routes": n_routes, "vni": GEN_VNI, "route_target": f"{AS}:{GEN_VNI}",
           "rd": f"{a.ingest_rd_ip}:{GEN_VNI}", "mac_first": "02:30:00:00:00:00",
           "settle_s": a.ingest_settle, "poll_interval_s": a.ingest_poll}
    base = {}
    for n, d in sorted(f.daemons.items()):
        base[f"v{n}"] = taken_in(neighbors(d).get(RR_IP, {}))
    out["vtep_received_before"] = base
    out["sessions_before"] = session_snapshot(f)
    cap = f.lab.spawn("tcpdump-rr-ingest", f.rr_ns, ["tcpdump", "-i", "eth0", "-n", "-tt", "-l",
                                                     "-s", "96", "tcp port 179"])
    cap.expected_alive = False
    # Full segments from the reflector to v3, to find the mover's UPDATE in them: splits each
    # move into "until the reflector sent it to v3" and "v3 until its FDB".
    pcap3 = os.path.join(f.lab.tmp, "rr-to-v3.pcap")
    cap3 = f.lab.spawn("tcpdump-rr-v3-full", f.rr_ns, [
        "tcpdump", "-i", "eth0", "-n", "-s", "0", "-B", "65536", "-w", pcap3,
        f"src host {RR_IP} and dst host {VTEP_IP[3]} and tcp port 179"])
    cap3.expected_alive = False
    time.sleep(1.0)
    poller = IngestPoller(f, n_routes, base, a.ingest_poll)
    poller.start()
    t_start = time.time()
    gen = f.routegen("ingest", "gen", [
        "--connect", f"{RR_IP}:179", "--bind", F.GEN_IP, "--local-as", AS, "--remote-as", AS,
        "--router-id", F.GEN_IP, "--hold", 9, "--routes", n_routes, "--vni", GEN_VNI,
        "--mac-offset", GEN_MAC_OFFSET, "--next-hop", F.GEN_IP, "--rd-ip", a.ingest_rd_ip])
    rows, failures = [], []
    i = 0
    deadline = t_start + a.ingest_timeout
    while not poller.all_done() and time.time() < deadline and i < a.ingest_max_moves:
        cur = one_move(f, mons, socks, i, cur, a.ingest_settle, rows, failures)
        i += 1
    t_moves_end = time.time()
    if not poller.all_done():
        f.lab.poll_until(poller.all_done, max(1.0, deadline - time.time()),
                         f"every speaker to hold the {n_routes} routes", interval=0.2)
    poller.stop()
    time.sleep(1.0)
    out["sessions_after"] = session_snapshot(f)
    out["sessions_changed"] = {
        k: {p: [out["sessions_before"][k].get(p), v]
            for p, v in out["sessions_after"][k].items()
            if out["sessions_before"][k].get(p) != v and p != F.GEN_IP}
        for k in out["sessions_after"]}
    out["generator_session"] = out["sessions_after"]["rr"].get(F.GEN_IP)
    out["generator_alive"] = gen.alive()
    # the logs before the generator is stopped (its Cease would match)
    out["log_alarms"] = grep_logs(f, [("routegen", gen)])
    out["fdb_v3_entries"] = len(f.fdb(3))
    gen.signal(15)
    try:
        gen.popen.wait(15)
    except subprocess.TimeoutExpired:
        gen.popen.kill()
    gen.stop()
    rep = f.routegen_report(gen) or {}
    out["routegen"] = {k: v for k, v in rep.items() if k != "peer"}
    cap.stop()
    cap3.stop()
    out["pcap_rr_to_v3_tcpdump"] = [line for line in cap3.lines() if "packets" in line]
    mover_hits, out["pcap_rr_to_v3_segments"] = pcap_hits(pcap3, mac_bytes(MOVER_MAC))
    for r in rows:
        h = next((t for t in mover_hits if t >= r["t0"]), None)
        r["rr_to_v3_ms"] = round((h - r["t0"]) * 1e3, 3) if h else None
        r["v3_after_rr_ms"] = round(r["v3_ms"] - r["rr_to_v3_ms"], 3) if h else None
    first = rep.get("first_update_unix")
    out["moves_started"] = i
    out["moves_s"] = round(t_moves_end - t_start, 3)
    out["failures"] = failures
    pk = [x for x in bgp_packets(cap.log_path) if x[3] > 19]
    gen_in = [x[0] for x in pk if x[1] == F.GEN_IP and x[2] == RR_IP]
    # the ingest's segments to v3: over 300 bytes (a reflected mover UPDATE is about 100)
    to3 = [x[0] for x in pk if x[1] == RR_IP and x[2] == VTEP_IP[3] and x[0] >= t_start
           and x[3] > 300]
    ends = {}
    if first:
        out["first_update_unix"] = first
        out["generator_send_s"] = rep.get("send_s")
        out["gen_first_segment_at_rr_s"] = round(gen_in[0] - first, 4) if gen_in else None
        out["gen_last_segment_at_rr_s"] = round(gen_in[-1] - first, 4) if gen_in else None
        out["rr_last_segment_to_v3_s"] = round(to3[-1] - first, 4) if to3 else None
        for key, dn in poller.done.items():
            ends[key] = dn
            out[f"ingest_{key}_s"] = round(dn["done"] - first, 3)
            out[f"ingest_{key}_after_s"] = round(dn["after"] - first, 3) if dn["after"] else None
    out["polls"] = {k: len(v) for k, v in poller.samples.items()}
    out["poll_errors"] = poller.errors[-5:]
    out["samples"] = poller.samples
    # which moves overlapped the ingest
    last_short = max((e["after"] for e in ends.values() if e["after"]), default=None)
    rr_short = ends.get("rr", {}).get("after")
    for r in rows:
        t1 = r["t0"] + r["v3_ms"] / 1e3
        if first is None or r["t0"] < first:
            r["phase"] = "before first UPDATE"
        elif rr_short and t1 <= rr_short:
            r["phase"] = "reflector ingesting"
        elif last_short and t1 <= last_short:
            r["phase"] = "VTEPs ingesting"
        else:
            r["phase"] = "ingest ending or over"
    add_bgp_times(rows, cap.log_path)
    over = [r for r in rows if r["phase"] in ("reflector ingesting", "VTEPs ingesting")]
    out["overlapped"] = len(over)
    out["overlapped_rr"] = sum(1 for r in over if r["phase"] == "reflector ingesting")
    for key, sel in (("v3", over), ("v3_all_moves", rows),
                     ("v3_reflector_ingesting", [r for r in over
                                                 if r["phase"] == "reflector ingesting"]),
                     ("v3_vteps_ingesting", [r for r in over
                                             if r["phase"] == "VTEPs ingesting"]),
                     ("v3_after", [r for r in rows if r["phase"] == "ingest ending or over"])):
        out[key] = summary([r["v3_ms"] for r in sel])
    # (no `rr out` from the text capture here: the reflector's first UPDATE to v3 after t0 is
    # the ingest's; `rr_to_v3` is the first segment to v3 carrying the mover's MAC, from the
    # full capture, and `v3_after_rr` the rest of the move)
    for key in ("learn", "bgp_in", "old_vtep", "rr_to_v3", "v3_after_rr"):
        vals = [r[f"{key}_ms"] for r in over if r.get(f"{key}_ms") is not None]
        out[key] = summary(vals)
    out["rows"] = rows
    return out, cur


def send_all(sock, frames):
    t0 = time.time()
    for fr in frames:
        sock.send(fr)
    return t0, time.time()


def ns_cpu_ns(ns, exclude=()):
    """CPU time (ns, /proc/PID/task/*/schedstat) of the processes in namespace `ns` so far."""
    total = 0
    out = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout
    for pid in out.split():
        if int(pid) in exclude:
            continue
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/schedstat") as fh:
                    total += int(fh.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def mass_move(f, socks, n_macs, timeout, watch_bin):
    """The pipe monitors are stopped by now. v3's FDB is watched by bench/fdb_watch (see the
    module's docstring), whose output goes to a file; this process only waits for it to exit."""
    macs = [mass_mac(i) for i in range(n_macs)]
    out = {"macs": n_macs}
    # Learn all at v1.
    br1 = mac_bytes(f.bridge_mac(1))
    t0, t_sent = send_all(socks[1], [frame_to(br1, mac_bytes(m)) for m in macs])
    def all_at(n, vtep):
        return f.count_at(n, MASS_PREFIX, VTEP_IP[vtep]) >= n_macs
    f.lab.poll_until(lambda: all_at(3, 1) and all_at(2, 1), max(timeout, 60),
                     f"{n_macs} MACs at v1 on v3 and v2", interval=0.2)
    out["learn_at_v1_s"] = round(time.time() - t0, 3)  # only a bound (0.2 s polls, two VTEPs)
    out["v1_port_rx_dropped_learn"] = f.rx_dropped(1, "p-hm")
    time.sleep(2.0)
    # The move.
    br2 = mac_bytes(f.bridge_mac(2))
    frames = [frame_to(br2, mac_bytes(m)) for m in macs]
    drops_before = f.rx_dropped(2, "p-hm")
    watch = f.lab.spawn("fdb-watch-v3-mass", f.v[3], [
        watch_bin, "--dev", "vxlan100", "--dst", VTEP_IP[2], "--mac-prefix", MASS_PREFIX,
        "--count", str(n_macs), "--timeout", str(timeout)])
    watch.expected_alive = False
    f.lab.poll_until(lambda: watch.grep("^READY"), 10, "fdb_watch in v3", interval=0.05)
    cap = f.lab.spawn("tcpdump-rr-mass", f.rr_ns, ["tcpdump", "-i", "eth0", "-n", "-tt", "-l",
                                                   "-s", "96", "tcp port 179"])
    cap.expected_alive = False
    time.sleep(1.0)
    # The daemons' CPU time over the move (every process in each node's namespace but the
    # watcher and tcpdump): the two cores are shared by all five nodes and the frame sender.
    nodes = {"rr": f.rr_ns, **{f"v{n}": f.v[n] for n in (1, 2, 3)}}
    harness = (watch.pid, cap.pid)
    cpu_before = {k: ns_cpu_ns(ns, harness) for k, ns in nodes.items()}
    t0, t_sent = send_all(socks[2], frames)
    out["t0"] = t0
    out["send_s"] = round(t_sent - t0, 4)
    watch.wait_exit(timeout + 10)
    out["cpu_ms"] = {k: round((ns_cpu_ns(ns, harness) - cpu_before[k]) / 1e6, 1)
                     for k, ns in nodes.items()}
    report = watch.grep(r"^\{")
    if not report:
        raise L.TestFailure(f"fdb_watch in v3 gave no report: {watch.text()[-500:]}")
    got = json.loads(report[-1])
    out["v2_port_rx_dropped"] = f.rx_dropped(2, "p-hm") - drops_before
    # The kernel's own word: one dump of v3's FDB after the watcher is done.
    out["dump_after"] = f.count_at(3, MASS_PREFIX, VTEP_IP[2])
    out["watch_seen"], out["watch_enobufs"] = got["seen"], got["enobufs"]
    out["watch_truncated"] = got.get("truncated", 0)
    out["converged"] = got["seen"] == n_macs and out["dump_after"] >= n_macs
    if got["seen"] == n_macs:
        out["watch_s"] = round(got["last"] - t0, 4)
        out["watch_first_s"] = round(got["first"] - t0, 4)
        out["watch_half_s"] = round(got["half"] - t0, 4)
    else:
        out["watch_s"] = None
        out["note"] = (f"not converged within {timeout} s: the watcher saw {got['seen']} of "
                       f"{n_macs} at v2 on v3 ({got['enobufs']} ENOBUFS); the dump shows "
                       f"{out['dump_after']}")
    time.sleep(0.3)
    cap.stop()
    # BGP on the reflector's eth0 (kernel timestamps): v2's UPDATEs in, the reflector's to v3 out
    pk = [x for x in bgp_packets(cap.log_path) if x[3] > 19 and x[0] >= t0]
    into = [x[0] for x in pk if x[1] == VTEP_IP[2] and x[2] == RR_IP]
    outof = [x[0] for x in pk if x[1] == RR_IP and x[2] == VTEP_IP[3]]
    for key, ts in (("bgp_in", into), ("bgp_out", outof)):
        out[f"{key}_first_s"] = round(ts[0] - t0, 4) if ts else None
        out[f"{key}_last_s"] = round(ts[-1] - t0, 4) if ts else None
        out[f"{key}_segments"] = len(ts)
    return out


def run_impl(impl, a):
    res = {"impl": impl}
    res.update(B.wait_quiet(a.max_load, a.max_wait))
    f = MoveFabric(impl, a.evpnd, a.routegen if a.ingest else None)
    mons = {}
    socks = {}
    try:
        f.build()
        res["build"] = dict(f.timings)
        res["duplicate_detection"] = f.dad_state()
        for n in (1, 2, 3):
            mons[n] = FdbMonitor(f.v[n])
        for n in (1, 2):
            socks[n] = packet_socket(f.hm, f"a{n}")
        time.sleep(0.5)
        L.log(f"{impl}: {a.moves} single moves")
        cap = f.lab.spawn(f"tcpdump-rr-{impl}", f.rr_ns,
                          ["tcpdump", "-i", "eth0", "-n", "-tt", "-l", "-s", "96", "tcp port 179"])
        cap.expected_alive = False
        time.sleep(1.0)
        rows, failures = single_moves(f, mons, socks, a.moves, a.settle)
        time.sleep(0.3)
        cap.stop()
        add_bgp_times(rows, cap.log_path)
        res["single"] = {"moves": a.moves, "settle_s": a.settle, "failures": failures,
                         "v3": summary([r["v3_ms"] for r in rows]),
                         "old_vtep": summary([r["old_vtep_ms"] for r in rows
                                              if r["old_vtep_ms"] is not None]),
                         "learn": summary([r["learn_ms"] for r in rows
                                           if r["learn_ms"] is not None]),
                         "bgp_in": summary([r["bgp_in_ms"] for r in rows
                                            if r["bgp_in_ms"] is not None]),
                         "bgp_out": summary([r["bgp_out_ms"] for r in rows
                                             if r["bgp_out_ms"] is not None]),
                         "rows": rows}
        s = res["single"]["v3"]
        if s:
            L.log(f"{impl}: single move to v3 median {s['median_ms']} ms, p99 {s['p99_ms']} ms, "
                  f"max {s['max_ms']} ms")
        if a.ingest:
            L.log(f"{impl}: single moves during an ingest of {a.ingest} routes")
            cur = 1 if a.moves % 2 == 0 else 2
            res["during_ingest"], _ = ingest_moves(f, mons, socks, cur, a)
            g = res["during_ingest"]
            L.log(f"{impl}: {g['overlapped']} moves overlapped the ingest: {g['v3']}")
        if a.macs and not a.ingest:
            L.log(f"{impl}: mass move of {a.macs} MACs")
            for m in mons.values():
                m.stop()
            time.sleep(1.0)
            res["mass"] = mass_move(f, socks, a.macs, a.mass_timeout, a.fdb_watch)
            L.log(f"{impl}: mass {res['mass']}")
        res["sessions_after"] = f.session_states()
        res["alive"] = all(p.alive() for p in f.lab.procs if p.expected_alive)
    finally:
        for s in socks.values():
            s.close()
        for m in mons.values():
            m.stop()
        f.close()
    res["load_after"] = B.loadavg()
    return res


def fmt(v, unit=""):
    return "-" if v is None else f"{v}{unit}"


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def report(doc):
    r = {x["impl"]: x for x in doc["results"]}
    print()
    print("single MAC move, first frame at the new VTEP -> v3's FDB points at it (ms)")
    print(f"{'impl':6} {'count':>5} {'median':>8} {'p90':>8} {'p99':>8} {'max':>8} "
          f"{'learn med':>9} {'at rr med':>9} {'rr out med':>10} {'old VTEP med':>12} "
          f"{'fail':>4}")
    for impl, x in r.items():
        s, sl, so = x["single"]["v3"] or {}, x["single"]["learn"] or {}, x["single"]["old_vtep"] or {}
        bi, bo = x["single"]["bgp_in"] or {}, x["single"]["bgp_out"] or {}
        print(f"{impl:6} {fmt(s.get('count')):>5} {fmt(s.get('median_ms')):>8} "
              f"{fmt(s.get('p90_ms')):>8} {fmt(s.get('p99_ms')):>8} {fmt(s.get('max_ms')):>8} "
              f"{fmt(sl.get('median_ms')):>9} {fmt(bi.get('median_ms')):>9} "
              f"{fmt(bo.get('median_ms')):>10} {fmt(so.get('median_ms')):>12} "
              f"{len(x['single']['failures']):>4}")
    if any("mass" in x for x in r.values()):
        print()
        print("mass move, first frame from v2's side -> v3's FDB points all MACs at v2 (s)")
        print(f"{'impl':6} {'MACs':>6} {'all s':>8} {'first s':>8} {'half s':>8} "
              f"{'send s':>7} {'at rr s':>8} {'rr out s':>8} {'drops':>5} {'dump':>6} "
              f"CPU ms rr/v1/v2/v3")
        for impl, x in r.items():
            m = x.get("mass")
            if not m:
                continue
            print(f"{impl:6} {m['macs']:>6} {fmt(m.get('watch_s')):>8} "
                  f"{fmt(m.get('watch_first_s')):>8} {fmt(m.get('watch_half_s')):>8} "
                  f"{m['send_s']:>7} {fmt(m.get('bgp_in_last_s')):>8} "
                  f"{fmt(m.get('bgp_out_last_s')):>8} {m['v2_port_rx_dropped']:>5} "
                  f"{m['dump_after']:>6} "
                  + "/".join(str(m["cpu_ms"][k]) for k in ("rr", "v1", "v2", "v3"))
                  + ("" if m["converged"] else f"   {m['note']}"))
    if any("during_ingest" in x for x in r.values()):
        print()
        print("single MAC move during an ingest (moves that overlapped it), ms")
        print(f"{'impl':6} {'routes':>8} {'moves':>5} {'overlap':>7} {'median':>8} {'p90':>8} "
              f"{'p99':>8} {'max':>8} {'ingest rr s':>11} {'ingest v3 s':>11} {'fail':>4}")
        for impl, x in r.items():
            g = x.get("during_ingest")
            if not g:
                continue
            s = g["v3"] or {}
            print(f"{impl:6} {g['routes']:>8} {g['moves_started']:>5} {g['overlapped']:>7} "
                  f"{fmt(s.get('median_ms')):>8} {fmt(s.get('p90_ms')):>8} "
                  f"{fmt(s.get('p99_ms')):>8} {fmt(s.get('max_ms')):>8} "
                  f"{fmt(g.get('ingest_rr_s')):>11} {fmt(g.get('ingest_v3_s')):>11} "
                  f"{len(g['failures']):>4}")
            print(f"       sessions changed: {g['sessions_changed']}; log alarms: "
                  f"{ {k: v['matches'] for k, v in g['log_alarms'].items()} }")
    print()
    for k, v in doc.get("ratios", {}).items():
        print(f"evpnd/FRR {k}: {fmt(v)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--evpnd", required=True)
    ap.add_argument("--impl", action="append", choices=["evpnd", "frr"])
    ap.add_argument("--moves", type=int, default=100)
    ap.add_argument("--macs", type=int, default=10000)
    ap.add_argument("--settle", type=float, default=0.2)
    ap.add_argument("--mass-timeout", type=float, default=120)
    ap.add_argument("--max-load", type=float, default=0.8)
    ap.add_argument("--max-wait", type=float, default=90)
    ap.add_argument("--ingest", type=int, default=0, nargs="?", const=1000000,
                    help="N routes from a bgp_routegen reflector client while single moves run "
                         "(evpnd only; no mass move then)")
    ap.add_argument("--routegen", help="the bgp_routegen binary (with --ingest)")
    ap.add_argument("--fdb-watch", help="the bench/fdb_watch binary (for the mass move)")
    ap.add_argument("--ingest-settle", type=float, default=0.05)
    ap.add_argument("--ingest-poll", type=float, default=0.2)
    ap.add_argument("--ingest-timeout", type=float, default=300)
    ap.add_argument("--ingest-max-moves", type=int, default=10000)
    # The generator's RD: by default 10.0.0.0:999, whose keys sort before the VTEPs' (RD
    # 10.0.0.N:100), the worst case for a speaker that works through changes in key order.
    ap.add_argument("--ingest-rd-ip", default="10.0.0.0")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.ingest:
        if not a.routegen:
            ap.error("--ingest needs --routegen")
        a.routegen = os.path.abspath(a.routegen)
        if a.impl and "frr" in a.impl:
            ap.error("--ingest: evpnd only for now")
        a.impl = ["evpnd"]
    elif a.macs:
        if not a.fdb_watch:
            ap.error("the mass move needs --fdb-watch (or --macs 0)")
        a.fdb_watch = os.path.abspath(a.fdb_watch)
    L.skip_unless_root()
    a.evpnd = os.path.abspath(a.evpnd)
    impls = a.impl or ["evpnd", "frr"]
    doc = {"benchmark": "move-during-ingest" if a.ingest else "move", "machine": B.machine(),
           "binary_mtime": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                         time.gmtime(os.path.getmtime(a.evpnd))),
           "params": {"moves": a.moves, "macs": a.macs, "settle_s": a.settle,
                      "mass_timeout_s": a.mass_timeout, "ingest": a.ingest,
                      "ingest_settle_s": a.ingest_settle, "ingest_poll_s": a.ingest_poll,
                      "t1_source": "bridge -timestamp monitor fdb in v3 (single moves); "
                                   "bench/fdb_watch in v3 (mass)"},
           "results": []}
    for impl in impls:
        doc["results"].append(run_impl(impl, a))
    r = {x["impl"]: x for x in doc["results"]}
    if "evpnd" in r and "frr" in r:
        e, q = r["evpnd"]["single"]["v3"] or {}, r["frr"]["single"]["v3"] or {}
        doc["ratios"] = {"single median": ratio(e.get("median_ms"), q.get("median_ms")),
                         "single p99": ratio(e.get("p99_ms"), q.get("p99_ms"))}
        me, mq = r["evpnd"].get("mass"), r["frr"].get("mass")
        if me and mq:
            doc["ratios"]["mass"] = ratio(me.get("watch_s"), mq.get("watch_s"))
    report(doc)
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as fh:
            json.dump(doc, fh, indent=1)
        print(f"written: {a.out}")


if __name__ == "__main__":
    main()
