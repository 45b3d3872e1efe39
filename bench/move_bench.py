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
as the socket takes them. Time from the first frame to v3 pointing all N at v2, measured twice:
by polling `bridge fdb show dev vxlan100` in v3 (end of the first poll that shows all N) and by
a monitor in v3 writing to a file (the timestamp of the last of the N MACs' first notification
with dst v2), the latter only when the monitor saw every one of them; plus the first and last
UPDATE from v2 into the reflector and from the reflector to v3 (tcpdump there).

usage: move_bench.py --evpnd BIN [--impl evpnd --impl frr] [--moves 100] [--macs 10000]
                     [--settle 0.2] [--out JSON]
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


class MoveFabric(F.Fabric):
    """interop/fabric.py's fabric with every VTEP and the reflector of one implementation
    (Fabric knows evpnd or GoBGP reflectors; an FRR one is added here), duplicate detection off,
    evpnd at log level info, no home hosts, and the two-legged mover host `hm`."""

    def __init__(self, impl, evpnd_bin):
        super().__init__(f"mv-{impl}", evpnd_bin, kinds={1: impl, 2: impl, 3: impl}, rr=impl,
                         dad=NO_DAD if impl == "evpnd" else None)
        self.impl = impl

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
            lab.vxlan_vtep(v, VTEP_IP[n], F.VNI)
        # The mover: one namespace, a leg into br100 of v1 (a1) and of v2 (a2), one MAC.
        self.hm = lab.quiet_host("hm")
        for n in (1, 2):
            lab.veth(self.hm, f"a{n}", self.v[n], "p-hm", mac_a=MOVER_MAC, up=False)
            lab.ip(self.v[n], "link", "set", "p-hm", "master", "br100")
            lab.ip(self.v[n], "link", "set", "p-hm", "up")
            lab.ip(self.hm, "link", "set", f"a{n}", "up")
        t_daemons = time.monotonic()
        if self.impl == "frr":
            self.rr = lab.frr(self.rr_ns, frr_rr_conf(self.kinds), "hostname rr\n")
        else:
            self.rr = lab.evpnd("evpnd-rr", self.rr_ns, self.evpnd_bin,
                                F.evpnd_rr_conf(self.kinds), log_level="info")
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
        new, old = 3 - cur, cur
        marks = {n: mons[n].mark() for n in mons}
        t0 = time.time()
        socks[new].send(frame)
        ev3 = mons[3].wait(self_to(mac, VTEP_IP[new]), marks[3], timeout)
        if ev3 is None:
            failures.append({"move": i + 1, "to": f"v{new}", "v3": str(f.where(3, mac))})
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
        cur = new
    return rows, failures


def send_all(sock, frames):
    t0 = time.time()
    for fr in frames:
        sock.send(fr)
    return t0, time.time()


def mass_move(f, socks, n_macs, timeout):
    """The pipe monitors are stopped by now: v3's notifications go straight to a file here (a
    pipe read by this process lost messages at 10k MACs: ENOBUFS on the monitor's socket)."""
    macs = [mass_mac(i) for i in range(n_macs)]
    out = {"macs": n_macs}
    mon = f.lab.spawn("monitor-v3-mass", f.v[3], ["stdbuf", "-oL", "bridge", "-timestamp",
                                                   "monitor", "fdb"])
    mon.expected_alive = False
    stamper = FdbMonitor.__new__(FdbMonitor)
    stamper._sec_cache = {}
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
    cap = f.lab.spawn("tcpdump-rr-mass", f.rr_ns, ["tcpdump", "-i", "eth0", "-n", "-tt", "-l",
                                                   "-s", "96", "tcp port 179"])
    cap.expected_alive = False
    time.sleep(1.0)
    mark3 = os.path.getsize(mon.log_path)
    t0, t_sent = send_all(socks[2], frames)
    out["send_s"] = round(t_sent - t0, 4)
    polls, t1, t_before, last = 0, None, t0, 0
    deadline = t0 + timeout
    while True:
        start = time.time()
        last = f.count_at(3, MASS_PREFIX, VTEP_IP[2])
        polls += 1
        end = time.time()
        if last >= n_macs:
            t1 = end
            break
        t_before = start
        if end > deadline:
            break
        time.sleep(0.05)
    out["polls"] = polls
    out["v2_port_rx_dropped"] = f.rx_dropped(2, "p-hm") - drops_before
    if t1 is None:
        out.update(converged=False, reached=last, poll_s=None,
                   note=f"not converged within {timeout} s: {last} of {n_macs} at v2 on v3")
    else:
        out.update(converged=True, reached=last, poll_s=round(t1 - t0, 4),
                   poll_after_s=round(t_before - t0, 4))
    # From v3's monitor: the first notification with dst v2 of each MAC.
    time.sleep(0.5)
    mon.stop()
    cap.stop()
    # BGP on the reflector's eth0 (kernel timestamps): v2's UPDATEs in, the reflector's to v3 out
    pk = [x for x in bgp_packets(cap.log_path) if x[3] > 19 and x[0] >= t0]
    into = [x[0] for x in pk if x[1] == VTEP_IP[2] and x[2] == RR_IP]
    outof = [x[0] for x in pk if x[1] == RR_IP and x[2] == VTEP_IP[3]]
    for key, ts in (("bgp_in", into), ("bgp_out", outof)):
        out[f"{key}_first_s"] = round(ts[0] - t0, 4) if ts else None
        out[f"{key}_last_s"] = round(ts[-1] - t0, 4) if ts else None
        out[f"{key}_segments"] = len(ts)
    first = {}
    want = set(macs)
    errors = []
    with open(mon.log_path, errors="replace") as fh:
        fh.seek(mark3)
        events = list(parse_monitor(fh, stamper._stamp, errors))
    for ev in events:
        ts, deleted, mac, dev, dst = ev[:5]
        if not deleted and dev == "vxlan100" and dst == VTEP_IP[2] and mac in want \
                and mac not in first:
            first[mac] = ts
    out["monitor_seen"] = len(first)
    if len(first) == n_macs:
        ts = sorted(first.values())
        out["monitor_s"] = round(ts[-1] - t0, 4)
        out["monitor_first_s"] = round(ts[0] - t0, 4)
        out["monitor_half_s"] = round(ts[len(ts) // 2] - t0, 4)
    else:
        out["monitor_s"] = None
    out["monitor_errors"] = errors[-5:]
    return out


def run_impl(impl, a):
    res = {"impl": impl}
    res.update(B.wait_quiet(a.max_load, a.max_wait))
    f = MoveFabric(impl, a.evpnd)
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
        if a.macs:
            L.log(f"{impl}: mass move of {a.macs} MACs")
            for m in mons.values():
                m.stop()
            time.sleep(1.0)
            res["mass"] = mass_move(f, socks, a.macs, a.mass_timeout)
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
        print(f"{'impl':6} {'MACs':>6} {'poll s':>8} {'(after)':>8} {'monitor s':>9} "
              f"{'seen':>6} {'send s':>7} {'drops':>5}")
        for impl, x in r.items():
            m = x.get("mass")
            if not m:
                continue
            print(f"{impl:6} {m['macs']:>6} {fmt(m.get('poll_s')):>8} "
                  f"{fmt(m.get('poll_after_s')):>8} {fmt(m.get('monitor_s')):>9} "
                  f"{m['monitor_seen']:>6} {m['send_s']:>7} {m['v2_port_rx_dropped']:>5}"
                  + ("" if m["converged"] else f"   NOT CONVERGED: {m['reached']}"))
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
    ap.add_argument("--out")
    a = ap.parse_args()
    L.skip_unless_root()
    a.evpnd = os.path.abspath(a.evpnd)
    impls = a.impl or ["evpnd", "frr"]
    doc = {"benchmark": "move", "machine": B.machine(),
           "binary_mtime": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                         time.gmtime(os.path.getmtime(a.evpnd))),
           "params": {"moves": a.moves, "macs": a.macs, "settle_s": a.settle,
                      "mass_timeout_s": a.mass_timeout,
                      "t1_source": "bridge -timestamp monitor fdb in v3 (single moves); "
                                   "poll of bridge fdb show dev vxlan100 and the monitor (mass)"},
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
            doc["ratios"]["mass (poll)"] = ratio(me.get("poll_s"), mq.get("poll_s"))
            doc["ratios"]["mass (monitor)"] = ratio(me.get("monitor_s"), mq.get("monitor_s"))
    report(doc)
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as fh:
            json.dump(doc, fh, indent=1)
        print(f"written: {a.out}")


if __name__ == "__main__":
    main()
