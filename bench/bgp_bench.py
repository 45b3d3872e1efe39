#!/usr/bin/env python3
"""BGP EVPN benchmarks of evpnd, FRR's bgpd and gobgpd against bgp_routegen (bench/ingest.sh,
bench/packing.sh run it inside a network namespace they create; it prints one JSON line per run).

  bgp_bench.py ingest  --daemon evpnd|frr|gobgp --routes N [--peers K] --build DIR --workdir DIR
                       [...]
  bgp_bench.py packing --daemon evpnd|frr|gobgp --routes N --build DIR --workdir DIR [...]
  bgp_bench.py report-ingest OUT.json  < JSON lines      (table on stdout, JSON file)
  bgp_bench.py report-packing OUT.json < JSON lines

Addresses (all on the namespace's lo): the daemon 127.0.0.1 (port 179, passive on every session),
the sender 127.0.0.2 (bgp_routegen, N type-2 routes, next hop 10.250.0.2: FRR refuses 127/8 next
hops as martians), the receiver 127.0.0.3 (bgp_routegen with no routes, a route-reflector client
of the daemon, packing only). With ingest --peers K, K senders: 127.0.0.2, then 127.0.0.4 to
127.0.0.(K+2), all sending the same N routes (RD 127.0.0.2:100), each with next hop 10.250.0.x,
x its address's last byte. All sessions iBGP in AS 65000, hold time 90 s, 4096-byte messages.

ingest: time from the first UPDATE of any sender (first_update_unix in its JSON report, wall
clock) to the end of the first poll of the daemon's own CLI that shows all N routes from every
sender; polls every --poll seconds, nothing interpolated. Memory: VmHWM (reset to VmRSS through
/proc/PID/clear_refs once the daemon is idle) minus the idle VmRSS, per route and per path (K*N).
packing: tcpdump on lo; the sender -> daemon and daemon -> receiver TCP streams reassembled here,
their BGP messages counted, and the capture time from the first UPDATE in to the last UPDATE out.
"""
import argparse
import bisect
import json
import os
import signal
import struct
import subprocess
import sys
import time

DAEMON, SENDER, RECEIVER = "127.0.0.1", "127.0.0.2", "127.0.0.3"
MAX_PEERS = 32
AS = 65000
VNI = 100


def log(msg):
    print(f"[bgp_bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd, timeout=30):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


# ---- the machine ----------------------------------------------------------------------------

BUSY = "cmake --build|interop/driver.py|tests/integration/test_|ctest"


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def wait_quiet(max_load, max_wait, poll=30.0):
    """Waits until the 1-minute load average is below max_load and no build or test runs."""
    start = time.time()
    while True:
        load = loadavg()
        busy = run(["pgrep", "-af", BUSY]).stdout.strip()
        if load[0] < max_load and not busy:
            return {"load_before": load, "waited_s": round(time.time() - start, 1)}
        if time.time() - start > max_wait:
            log(f"machine still busy after {max_wait:.0f} s (load {load}, {busy!r}): measuring anyway")
            return {"load_before": load, "waited_s": round(time.time() - start, 1),
                    "not_quiet": True, "busy": busy}
        log(f"waiting for a quiet machine: load {load[0]:.2f}" + (f", running: {busy}" if busy else ""))
        time.sleep(poll)


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) * 1024
    return out


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_hwm(pid):
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def wait_for(pred, timeout, what, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if pred():
                return
        except Exception:  # not up yet
            pass
        time.sleep(step)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


# ---- the daemons ----------------------------------------------------------------------------
# peers(): {address: {"state": str, "received": int, "accepted": int, "advertised": int}}
# "accepted" is what counts as "in the RIB": evpnd routes_best (through best-path selection),
# FRR pfxRcd, GoBGP accepted.


def senders(k):
    """The addresses of K senders: 127.0.0.2, then 127.0.0.4 on (127.0.0.3 is the receiver)."""
    return [SENDER] + [f"127.0.0.{3 + i}" for i in range(1, k)]


def next_hop_of(source):
    return "10.250.0." + source.rsplit(".", 1)[1]


class DaemonUnderTest:
    """What the three daemons share: `proc` is the running daemon."""

    def complete(self, peers, sends, routes):
        """All N routes in the RIB: every sender's accepted count is N."""
        return all(peers.get(s, {}).get("accepted", 0) >= routes for s in sends)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Evpnd(DaemonUnderTest):
    name = "evpnd"

    def __init__(self, build, workdir):
        self.bin = os.path.join(build, "bgpd/daemon/evpnd")
        self.ctl = os.path.join(build, "bgpd/cli/evpnctl")
        self.dir = os.path.join(workdir, "evpnd")
        os.makedirs(self.dir, exist_ok=True)
        self.sock = os.path.join(self.dir, "evpnd.sock")

    def start(self, receivers, sends=(SENDER,)):
        conf = [
            "global {",
            f'  router_id: "{DAEMON}" local_as: {AS} listen_addresses: "{DAEMON}" listen_port: 179',
            f'  api {{ unix_socket: "{self.sock}" }}',
            "}",
        ]
        for s in sends:
            conf.append(f'peers {{ address: "{s}" settings {{ remote_as: {AS} passive: true '
                        "timers { hold_time_s: 90 keepalive_s: 30 } } }")
        for r in receivers:
            conf.append(f'peers {{ address: "{r}" settings {{ remote_as: {AS} passive: true '
                        "route_reflector_client: true timers { hold_time_s: 90 keepalive_s: 30 } } }")
        conf.append("evpn { kernel_fdb: false }")
        path = os.path.join(self.dir, "evpnd.conf")
        with open(path, "w") as f:
            f.write("\n".join(conf) + "\n")
        if os.path.exists(self.sock):  # a left-over socket would mean "restart" (graceful restart)
            os.unlink(self.sock)
        self.logf = open(os.path.join(self.dir, "evpnd.log"), "ab")
        self.proc = subprocess.Popen([self.bin, "-c", path, "--log-level", "warn"],
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        wait_for(lambda: run([self.ctl, "--socket", self.sock, "global"]).returncode == 0, 15,
                 "evpnd's API")

    def cli(self, *args):
        r = run([self.ctl, "--socket", self.sock, "--json", *args])
        if r.returncode != 0:
            raise RuntimeError(f"evpnctl {' '.join(args)}: {r.stderr.strip()}")
        return json.loads(r.stdout)

    def peers(self):
        out = {}
        for p in self.cli("neighbor").get("peers", []):
            out[p["address"]] = {"state": p.get("state", ""),
                                 "received": int(p.get("routes_received", 0)),
                                 "accepted": int(p.get("routes_best", 0)),
                                 "advertised": int(p.get("routes_advertised", 0))}
        return out

    def complete(self, peers, sends, routes):
        # routes_best counts the sender's paths that are the best: K senders of the same routes
        # share the N best paths, and each has N paths in its Adj-RIB-In
        return (all(peers.get(s, {}).get("received", 0) >= routes for s in sends)
                and sum(peers.get(s, {}).get("accepted", 0) for s in sends) >= routes)


class Frr(DaemonUnderTest):
    name = "frr"

    def __init__(self, build, workdir):
        self.dir = os.path.join(workdir, "frr")
        os.makedirs(self.dir, exist_ok=True)
        subprocess.run(["chown", "frr:frr", self.dir], check=True)

    def start(self, receivers, sends=(SENDER,)):
        conf = ["router bgp %d" % AS, f" bgp router-id {DAEMON}", " no bgp default ipv4-unicast",
                " timers bgp 30 90"]
        for p in list(sends) + list(receivers):
            conf += [f" neighbor {p} remote-as {AS}", f" neighbor {p} passive"]
        conf += [" address-family l2vpn evpn"] + [f"  neighbor {s} activate" for s in sends]
        for r in receivers:
            conf += [f"  neighbor {r} activate", f"  neighbor {r} route-reflector-client"]
        conf += [" exit-address-family", ""]
        path = os.path.join(self.dir, "bgpd.conf")
        with open(path, "w") as f:
            f.write("\n".join(conf))
        subprocess.run(["chown", "frr:frr", path], check=True)
        self.logf = open(os.path.join(self.dir, "bgpd.out"), "ab")
        # -Z: no zebra (no kernel, no VNIs): bgpd alone, which is what ingests the routes.
        self.proc = subprocess.Popen(
            ["/usr/lib/frr/bgpd", "-Z", "-p", "179", "--vty_socket", self.dir, "-f", path,
             "-i", os.path.join(self.dir, "bgpd.pid"),
             "--log", "file:" + os.path.join(self.dir, "bgpd.log")],
            stdout=self.logf, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        wait_for(lambda: SENDER in self.peers(), 15, "bgpd's vty")

    def peers(self):
        r = run(["vtysh", "--vty_socket", self.dir, "-c", "show bgp l2vpn evpn summary json"])
        if r.returncode != 0:
            raise RuntimeError(f"vtysh: {r.stderr.strip()}")
        out = {}
        for addr, p in json.loads(r.stdout).get("peers", {}).items():
            out[addr] = {"state": p.get("state", ""), "received": p.get("pfxRcd", 0),
                         "accepted": p.get("pfxRcd", 0), "advertised": p.get("pfxSnt", 0)}
        return out


class Gobgp(DaemonUnderTest):
    name = "gobgp"
    API = ["-u", "127.0.0.1", "-p", "50051"]

    def __init__(self, build, workdir):
        self.dir = os.path.join(workdir, "gobgp")
        os.makedirs(self.dir, exist_ok=True)

    def start(self, receivers, sends=(SENDER,)):
        conf = ["[global.config]", f"  as = {AS}", f'  router-id = "{DAEMON}"', "  port = 179",
                f'  local-address-list = ["{DAEMON}"]']
        for addr, client in [(s, False) for s in sends] + [(r, True) for r in receivers]:
            conf += ["[[neighbors]]", "  [neighbors.config]", f'    neighbor-address = "{addr}"',
                     f"    peer-as = {AS}", "  [neighbors.transport.config]",
                     "    passive-mode = true", "  [neighbors.timers.config]",
                     "    hold-time = 90", "    keepalive-interval = 30"]
            if client:
                conf += ["  [neighbors.route-reflector.config]",
                         "    route-reflector-client = true",
                         f'    route-reflector-cluster-id = "{DAEMON}"']
            conf += ["  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]",
                     '      afi-safi-name = "l2vpn-evpn"']
        path = os.path.join(self.dir, "gobgpd.toml")
        with open(path, "w") as f:
            f.write("\n".join(conf) + "\n")
        self.logf = open(os.path.join(self.dir, "gobgpd.log"), "ab")
        self.proc = subprocess.Popen(["gobgpd", "-f", path, "--api-hosts", "127.0.0.1:50051",
                                      "--pprof-disable", "-l", "warn", "-p"],
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        wait_for(lambda: SENDER in self.peers(), 15, "gobgpd's API")

    def peers(self):
        r = run(["gobgp", *self.API, "neighbor", "-j"])
        if r.returncode != 0:
            raise RuntimeError(f"gobgp: {r.stderr.strip()}")
        out = {}
        for p in json.loads(r.stdout):
            st = p.get("state", {})
            af = {}
            for a in st.get("afi_safis", p.get("afi_safis", [])) or []:
                if a.get("state", {}).get("family", {}).get("afi") == 25:
                    af = a["state"]
            out[p["conf"]["neighbor_address"]] = {
                "state": "Established" if st.get("session_state") == 6 else
                str(st.get("session_state", "")),
                "received": af.get("received", 0), "accepted": af.get("accepted", 0),
                "advertised": af.get("advertised", 0)}
        return out

    def advertised(self, addr):
        # its neighbor state has no advertised count: the Adj-RIB-Out's size
        r = run(["gobgp", *self.API, "neighbor", addr, "adj-out", "-a", "evpn", "summary"])
        for line in r.stdout.splitlines():
            if line.startswith("Destination:"):
                return int(line.split()[1].rstrip(","))
        return 0


DAEMONS = {"evpnd": Evpnd, "frr": Frr, "gobgp": Gobgp}


# ---- the generator --------------------------------------------------------------------------

def routegen(build, workdir, name, source, routes):
    cmd = [os.path.join(build, "tests/tools/bgp_routegen"), "--connect", f"{DAEMON}:179",
           "--bind", source, "--local-as", str(AS), "--remote-as", str(AS), "--router-id", source,
           "--routes", str(routes), "--hold", "90", "--json"]
    if routes:  # the same routes from every sender (one RD), each its own next hop
        cmd += ["--vni", str(VNI), "--rd-ip", SENDER, "--next-hop", next_hop_of(source)]
    err = open(os.path.join(workdir, f"{name}.log"), "ab")
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)


def finish(proc):
    """SIGTERM (Cease, then exit) and the JSON report."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": "no JSON report", "stdout": out[-500:]}


# ---- ingest ---------------------------------------------------------------------------------

def ingest(a):
    quiet = wait_quiet(a.max_load, a.max_wait)
    d = DAEMONS[a.daemon](a.build, a.workdir)
    sends = senders(a.peers)
    d.start([], sends)
    res = {"daemon": a.daemon, "routes": a.routes, "peers": a.peers, "paths": a.peers * a.routes,
           "poll_s": a.poll, **quiet}
    gens = []
    try:
        time.sleep(1.0)
        reset_hwm(d.pid)
        time.sleep(0.2)
        idle = proc_status(d.pid)
        cpu0 = proc_cpu_s(d.pid)
        res["idle_rss"] = idle["VmRSS"]
        # all K started together; each encodes its routes before it connects
        for s in sends:
            name = f"sender-{a.daemon}-{a.routes}" + (f"-{s}" if a.peers > 1 else "")
            gens.append(routegen(a.build, a.workdir, name, s, a.routes))
        polls = 0
        poll_max = poll_sum = 0.0
        seen_received = None
        done = None
        before = None
        last = {}
        deadline = time.time() + a.timeout
        tick = time.time()
        while time.time() < deadline:
            t0 = time.time()
            ps = d.peers()
            t1 = time.time()
            polls += 1
            poll_max = max(poll_max, t1 - t0)
            poll_sum += t1 - t0
            last = ps
            if seen_received is None and all(ps.get(s, {}).get("received", 0) >= a.routes
                                             for s in sends):
                seen_received = (t0, t1)
            if d.complete(ps, sends, a.routes):
                done = (t0, t1)
                break
            before = t0  # this poll's snapshot (taken after t0) still lacked routes
            if any(g.poll() is not None for g in gens):
                log(f"{a.daemon}: a sender exited early")
                break
            tick += a.poll
            time.sleep(max(0.0, tick - time.time()))
        st = proc_status(d.pid)
        res["cpu_s"] = round(proc_cpu_s(d.pid) - cpu0, 2)
        res["peak_rss"] = st["VmHWM"]
        res["rss_after"] = st["VmRSS"]
        res["polls"] = polls
        res["poll_duration_max_s"] = round(poll_max, 3)
        res["poll_duration_mean_s"] = round(poll_sum / max(1, polls), 3)
        res["last_counts"] = last.get(SENDER, {})
        if a.peers > 1:
            res["last_counts_by_peer"] = {s: last.get(s, {}) for s in sends}
        if done is None:
            res["error"] = f"not all routes after {a.timeout} s: {res['last_counts']}"
        time.sleep(0.5)
        final = d.peers()
        res["final_counts"] = final.get(SENDER, {})
        if a.peers > 1:
            res["final_counts_by_peer"] = {s: final.get(s, {}) for s in sends}
        res["sessions_established"] = all(
            final.get(s, {}).get("state", "").lower() == "established" for s in sends)
    finally:
        reps = [finish(g) for g in gens]
        d.stop()
    keys = ("updates", "bytes", "send_s", "first_update_unix", "exit_code", "error", "notification")
    reports = [{k: r.get(k) for k in keys if r.get(k) is not None} for r in reps]
    res["sender"] = reports[0] if reports else {}
    if a.peers > 1:
        res["senders"] = [{"address": s, **r} for s, r in zip(sends, reports)]
    firsts = [r["first_update_unix"] for r in reports if "first_update_unix" in r]
    first = min(firsts) if firsts and len(firsts) == len(sends) else None
    if a.peers > 1 and first:
        res["first_update_spread_s"] = round(max(firsts) - first, 3)
    if done and first:
        res["seconds"] = round(done[1] - first, 3)
        res["last_poll_duration_s"] = round(done[1] - done[0], 3)
        res["routes_per_s"] = round(a.routes / res["seconds"])
        res["paths_per_s"] = round(a.peers * a.routes / res["seconds"])
        # bracket: the last poll that still lacked routes started at `before`
        res["seconds_lower"] = round(max(0.0, (before or first) - first), 3)
        if seen_received:
            res["seconds_received"] = round(seen_received[1] - first, 3)
    elif not first:
        res["error"] = res.get("error", "") + " no first_update_unix from a sender"
    res["peak_bytes_per_route"] = round((res["peak_rss"] - res["idle_rss"]) / a.routes, 1)
    res["steady_bytes_per_route"] = round((res["rss_after"] - res["idle_rss"]) / a.routes, 1)
    res["peak_bytes_per_path"] = round((res["peak_rss"] - res["idle_rss"]) / res["paths"], 1)
    res["steady_bytes_per_path"] = round((res["rss_after"] - res["idle_rss"]) / res["paths"], 1)
    res["load_after"] = loadavg()
    res["version"] = version_of(a.daemon)
    if a.daemon == "evpnd":  # others rebuild build/ while we run: which binary was measured
        res["binary_mtime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(
            os.path.getmtime(os.path.join(a.build, "bgpd/daemon/evpnd"))))
    print(json.dumps(res, separators=(",", ":")), flush=True)


def version_of(daemon):
    if daemon == "frr":
        return run(["dpkg-query", "-W", "-f", "${Version}", "frr"]).stdout
    if daemon == "gobgp":
        return run(["dpkg-query", "-W", "-f", "${Version}", "gobgpd"]).stdout
    return run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe", "--always",
                "--dirty"]).stdout.strip()


# ---- packing --------------------------------------------------------------------------------

def read_pcap(path):
    """(timestamp, link type, packet) for each record of a pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    magic = struct.unpack(endian + "I", data[:4])[0]
    frac = 1e-9 if magic == 0xA1B23C4D else 1e-6
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        sec, sub, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        yield sec + sub * frac, linktype, data[off:off + caplen]
        off += caplen


def tcp_stream(path, src, dst, port):
    """The payload bytes src -> dst of the connections with `port` (179) on either side,
    reassembled by sequence number, and [(stream offset after a segment, its capture time)]."""
    segs = {}
    isn = None
    conns = set()
    a_src, a_dst = bytes(map(int, src.split("."))), bytes(map(int, dst.split(".")))
    for ts, linktype, pkt in read_pcap(path):
        if linktype == 1:  # Ethernet (lo)
            if pkt[12:14] != b"\x08\x00":
                continue
            ip = pkt[14:]
        elif linktype == 113:  # Linux cooked
            ip = pkt[16:]
        else:
            raise RuntimeError(f"pcap link type {linktype}")
        if len(ip) < 20 or ip[9] != 6 or ip[12:16] != a_src or ip[16:20] != a_dst:
            continue
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        s_port, d_port, seq = struct.unpack(">HHI", tcp[:8])
        if port not in (s_port, d_port):
            continue
        conns.add((s_port, d_port))
        payload = tcp[(tcp[12] >> 4) * 4:struct.unpack(">H", ip[2:4])[0] - ihl]
        if tcp[13] & 0x02:  # SYN
            isn = seq
            continue
        if payload and seq not in segs:
            segs[seq] = (ts, payload)
    if isn is None:
        raise RuntimeError(f"no SYN {src} -> {dst} in the capture")
    out = bytearray()
    times = []
    nxt = 1
    for rel, (ts, payload) in sorted(((s - isn) % 2**32, v) for s, v in segs.items()):
        if rel + len(payload) <= nxt:
            continue  # retransmission
        if rel > nxt:
            raise RuntimeError(f"capture lost bytes {nxt}..{rel} of the stream {src} -> {dst}")
        out += payload[nxt - rel:]
        nxt = rel + len(payload)
        times.append((len(out), ts))
    return bytes(out), len(conns), times


def time_at(times, offset):
    """Capture time of the segment that carried the stream byte at `offset`."""
    i = bisect.bisect_right([t[0] for t in times], offset)
    return times[min(i, len(times) - 1)][1]


def count_bgp(stream):
    c = {"updates": 0, "update_bytes": 0, "end_of_rib": 0, "keepalives": 0, "other": 0,
         "max_update": 0}
    first = last = None  # stream offsets: start of the first, last byte of the last route UPDATE
    off = 0
    while off + 19 <= len(stream):
        length, typ = struct.unpack(">HB", stream[off + 16:off + 19])
        if length < 19:
            raise RuntimeError(f"bad BGP length {length} at stream offset {off}")
        msg = stream[off:off + length]
        if typ == 2:
            # EVPN End-of-RIB: no withdrawn routes, one attribute: MP_UNREACH_NLRI with AFI/SAFI only
            if length == 29 and msg[23] in (0x80, 0x90) and msg[24] == 15:
                c["end_of_rib"] += 1
            elif length == 23:
                c["end_of_rib"] += 1
            else:
                c["updates"] += 1
                c["update_bytes"] += length
                c["max_update"] = max(c["max_update"], length)
                if first is None:
                    first = off
                last = off + length - 1
        elif typ == 4:
            c["keepalives"] += 1
        else:
            c["other"] += 1
        off += length
    c["trailing_bytes"] = len(stream) - off
    c["stream_bytes"] = len(stream)
    return c, first, last


def packing(a):
    quiet = wait_quiet(a.max_load, a.max_wait)
    d = DAEMONS[a.daemon](a.build, a.workdir)
    pcap = os.path.join(a.workdir, f"packing-{a.daemon}-{a.routes}.pcap")
    res = {"daemon": a.daemon, "routes": a.routes, **quiet}
    d.start([RECEIVER])
    tcpdump = subprocess.Popen(["tcpdump", "-i", "lo", "-s", "0", "-B", "65536", "-U", "-w", pcap,
                                f"tcp port 179 and host {DAEMON} and "
                                f"(host {SENDER} or host {RECEIVER})"],
                               stdout=subprocess.DEVNULL,
                               stderr=open(pcap + ".log", "w"))
    rx = tx = None
    try:
        wait_for(lambda: os.path.exists(pcap), 10, "tcpdump")
        time.sleep(0.5)
        rx = routegen(a.build, a.workdir, f"receiver-{a.daemon}-{a.routes}", RECEIVER, 0)
        wait_for(lambda: d.peers()[RECEIVER]["state"] == "Established", 20, "the receiver's session",
                 step=0.2)
        # Memory as in ingest: peak RSS while reflecting over the idle RSS, per route.
        reset_hwm(d.pid)
        time.sleep(0.2)
        res["idle_rss"] = proc_status(d.pid)["VmRSS"]
        tx = routegen(a.build, a.workdir, f"sender-{a.daemon}-{a.routes}", SENDER, a.routes)
        t_start = time.time()
        deadline = t_start + a.timeout
        done = False
        adv = 0
        while time.time() < deadline:
            if hasattr(d, "advertised"):
                adv = d.advertised(RECEIVER)
            else:
                adv = d.peers().get(RECEIVER, {}).get("advertised", 0)
            if adv >= a.routes:
                done = True
                break
            if tx.poll() is not None or rx.poll() is not None:
                log(f"{a.daemon}: a generator exited early")
                break
            time.sleep(a.poll)
        res["advertised_s"] = round(time.time() - t_start, 2)
        # the daemon's count can run ahead of the socket: wait until the capture stops growing
        size, still = -1, 0
        while still < 10 and time.time() < deadline + 30:
            s = os.path.getsize(pcap)
            still = still + 1 if s == size else 0
            size = s
            time.sleep(0.2)
        res["daemon_counts"] = d.peers()
        st = proc_status(d.pid)
        res["peak_rss"] = st["VmHWM"]
        res["peak_bytes_per_route"] = round((res["peak_rss"] - res["idle_rss"]) / a.routes, 1)
        if not done:
            res["error"] = f"the daemon advertised {adv} of {a.routes}"
    finally:
        rx_rep = finish(rx) if rx else {}
        tx_rep = finish(tx) if tx else {}
        time.sleep(0.5)
        tcpdump.send_signal(signal.SIGINT)
        tcpdump.wait(20)
        d.stop()
    with open(pcap + ".log") as f:
        tlog = f.read()
    res["tcpdump"] = " ".join(line for line in tlog.splitlines() if "packets" in line)
    stream, conns, times = tcp_stream(pcap, DAEMON, RECEIVER, 179)
    res["connections"] = conns
    res["wire"], _, last = count_bgp(stream)
    in_stream, _, in_times = tcp_stream(pcap, SENDER, DAEMON, 179)
    res["wire_in"], first, _ = count_bgp(in_stream)
    if first is not None and last is not None:
        # from the sender's first UPDATE into the daemon to the daemon's last UPDATE out
        res["reflect_s"] = round(time_at(times, last) - time_at(in_times, first), 3)
        res["reflect_routes_per_s"] = round(a.routes / res["reflect_s"])
    res["receiver"] = rx_rep.get("received", {})
    res["receiver_error"] = rx_rep.get("error")
    res["sender"] = {k: tx_rep.get(k) for k in ("updates", "bytes", "exit_code", "error")}
    w = res["wire"]
    if w["updates"]:
        res["routes_per_update"] = round(res["receiver"].get("routes", 0) / w["updates"], 2)
        res["bytes_per_route"] = round(w["update_bytes"] / max(1, res["receiver"].get("routes", 1)), 1)
    res["load_after"] = loadavg()
    res["version"] = version_of(a.daemon)
    if a.daemon == "evpnd":  # others rebuild build/ while we run: which binary was measured
        res["binary_mtime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(
            os.path.getmtime(os.path.join(a.build, "bgpd/daemon/evpnd"))))
    if not a.keep_pcap:
        os.unlink(pcap)
    print(json.dumps(res, separators=(",", ":")), flush=True)


# ---- reports --------------------------------------------------------------------------------

def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": os.uname().release,
            "frr": version_of("frr"), "gobgpd": version_of("gobgp"), "evpnd": version_of("evpnd"),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def fmt_mb(b):
    return f"{b / 1e6:.1f}"


def report_ingest(out):
    rows = [json.loads(line) for line in sys.stdin if line.strip()]
    for r in rows:  # results of before --peers: one sender
        r.setdefault("peers", 1)
    print(f"{'daemon':<7}{'routes':>9}{'peers':>6}{'seconds':>9}{'(after)':>8}{'routes/s':>10}"
          f"{'paths/s':>10}{'rcvd s':>8}{'cpu s':>7}"
          f"{'idle MB':>8}{'peak MB':>8}{'B/route':>8}{'B/path':>7}{'steady':>7}{'load':>6}"
          "  status")
    for r in rows:
        status = "ok" if "seconds" in r and "error" not in r else f"ERROR {r.get('error', '')}"
        if r.get("sessions_established") is False:
            status += " (a session is not Established at the end)"
        for snd in r.get("senders", [r.get("sender", {})]):
            if snd.get("notification") or snd.get("error"):
                status += (f" sender {snd.get('address', SENDER)}: {snd.get('error', '')} "
                           f"{snd.get('notification', '')}")
        print(f"{r['daemon']:<7}{r['routes']:>9}{r['peers']:>6}"
              f"{r.get('seconds', float('nan')):>9.3f}"
              f"{r.get('seconds_lower', float('nan')):>8.3f}{r.get('routes_per_s', 0):>10}"
              f"{r.get('paths_per_s', r.get('routes_per_s', 0)):>10}"
              f"{r.get('seconds_received', float('nan')):>8.2f}"
              f"{r.get('cpu_s', 0):>7.1f}{fmt_mb(r['idle_rss']):>8}{fmt_mb(r['peak_rss']):>8}"
              f"{r['peak_bytes_per_route']:>8.0f}"
              f"{r.get('peak_bytes_per_path', r['peak_bytes_per_route']):>7.0f}"
              f"{r['steady_bytes_per_route']:>7.0f}"
              f"{r['load_before'][0]:>6.2f}  {status}")
    ratios = []
    by = {(r["daemon"], r["routes"], r["peers"]): r for r in rows if "routes_per_s" in r}
    for n, k in sorted({(r["routes"], r["peers"]) for r in rows}):
        e = by.get(("evpnd", n, k))
        if not e:
            continue
        for other in ("frr", "gobgp"):
            o = by.get((other, n, k))
            if o:
                ratios.append({"routes": n, "peers": k, "vs": other,
                               "rate_ratio": round(e["routes_per_s"] / o["routes_per_s"], 3),
                               "peak_memory_ratio": round(
                                   e["peak_bytes_per_route"] / o["peak_bytes_per_route"], 3)
                               if o["peak_bytes_per_route"] > 0 else None})
    if ratios:
        print()
        print(f"{'routes':>9}{'peers':>6}  {'evpnd vs':<8}{'routes/s ratio':>15}"
              f"{'peak B/route ratio':>20}")
        for x in ratios:
            mr = x["peak_memory_ratio"]
            print(f"{x['routes']:>9}{x['peers']:>6}  {x['vs']:<8}{x['rate_ratio']:>14.2f}x"
                  f"{(f'{mr:.2f}x' if mr is not None else '-'):>20}")
    poll = rows[0]["poll_s"] if rows else None
    print(f"\nseconds: end of the first poll that showed N, minus the first sender's first UPDATE; "
          f"(after): start of the last poll that did not\n(the routes were all in between; "
          f"resolution: the poll interval, {poll} s, plus the poll's duration); "
          "rcvd s: evpnd's Adj-RIB-In count reached N\n(routes/s uses 'seconds'; evpnd counts "
          "routes_best, after best-path selection; FRR pfxRcd; GoBGP accepted)\n"
          "peers K: K senders of the same N routes, each its own next hop: N routes, K*N paths; "
          "done when every sender\nhas N (evpnd: N received from each and N best in all); "
          "paths/s = K*N/seconds; B/path = (peak - idle)/(K*N)")
    with open(out, "w") as f:
        json.dump({"benchmark": "ingest", "machine": machine(), "results": rows,
                   "ratios": ratios}, f, indent=1)
    plot_ingest(rows, os.path.splitext(out)[0] + ".png")


def plot_ingest(rows, png):
    """routes/s by N for each daemon, log-log, as measured (the small N of the fast daemons are
    bounded by the poll interval: drawn hollow); one sender solid with circles, K senders dashed
    with squares."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(no plot: python3-matplotlib is not installed)")
        return
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for daemon, color in (("evpnd", "tab:blue"), ("frr", "tab:red"), ("gobgp", "tab:green")):
        for k in sorted({r.get("peers", 1) for r in rows if r["daemon"] == daemon}):
            pts = sorted((r["routes"], r["routes_per_s"], r.get("polls", 9) <= 2)
                         for r in rows if r["daemon"] == daemon and r.get("peers", 1) == k
                         and r.get("routes_per_s"))
            if not pts:
                continue
            style = "o-" if k == 1 else "s--"
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style, color=color,
                    label=daemon if k == 1 else f"{daemon}, {k} peers")
            for n, rate, bounded in pts:
                if bounded:
                    ax.plot([n], [rate], style[0], color=color, markerfacecolor="white")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("type-2 routes sent (N)")
    ax.set_ylabel("routes/s until all N are in the daemon's RIB")
    polls = sorted({r["poll_s"] for r in rows if r.get("poll_s")})
    poll = "/".join(f"{p:g}" for p in polls) or "?"
    ax.set_title("EVPN ingest, iBGP, same run (dashed: K peers each sending the N routes;\n"
                 f"hollow: bounded by the {poll} s poll)", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png)
    print(f"plot: {png}")


def report_packing(out):
    rows = [json.loads(line) for line in sys.stdin if line.strip()]
    print(f"{'daemon':<7}{'routes':>9}{'rcvd':>9}{'UPDATEs':>9}{'bytes':>11}{'routes/UPD':>11}"
          f"{'B/route':>8}{'max UPD':>8}{'EoR':>4}{'reflect s':>10}{'routes/s':>9}{'mem B/rt':>9}"
          f"{'load':>6}  status")
    for r in rows:
        w = r.get("wire", {})
        rec = r.get("receiver", {})
        ok = rec.get("routes") == r["routes"] and "error" not in r and r.get("connections") == 1
        status = "ok" if ok else f"CHECK {r.get('error', '')} connections={r.get('connections')}"
        if "dropped" in r.get("tcpdump", "") and " 0 packets dropped" not in r["tcpdump"]:
            status += " " + r["tcpdump"]
        print(f"{r['daemon']:<7}{r['routes']:>9}{rec.get('routes', 0):>9}{w.get('updates', 0):>9}"
              f"{w.get('update_bytes', 0):>11}{r.get('routes_per_update', 0):>11.1f}"
              f"{r.get('bytes_per_route', 0):>8.1f}{w.get('max_update', 0):>8}"
              f"{w.get('end_of_rib', 0):>4}{r.get('reflect_s', float('nan')):>10.3f}"
              f"{r.get('reflect_routes_per_s', 0):>9}{r.get('peak_bytes_per_route', 0):>9.0f}"
              f"{r['load_before'][0]:>6.2f}  {status}")
    print("\n(the sender, bgp_routegen, as captured: route-carrying UPDATEs and their bytes)")
    seen = set()
    for r in rows:
        w = r.get("wire_in", {})
        if r["routes"] in seen or not w:
            continue
        seen.add(r["routes"])
        print(f"{'sender':<7}{r['routes']:>9}{'':>9}{w['updates']:>9}{w['update_bytes']:>11}"
              f"{r['routes'] / max(1, w['updates']):>11.1f}{w['update_bytes'] / r['routes']:>8.1f}"
              f"{w['max_update']:>8}")
    print("\nreflect s: capture time of the sender's first UPDATE into the daemon to that of the "
          "daemon's last UPDATE out\nto the receiver (no polling involved); mem B/rt: the daemon's "
          "peak RSS while reflecting over its idle RSS, per route")
    with open(out, "w") as f:
        json.dump({"benchmark": "packing", "machine": machine(), "results": rows}, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["ingest", "packing", "report-ingest", "report-packing"])
    ap.add_argument("out", nargs="?")
    ap.add_argument("--daemon", choices=list(DAEMONS))
    ap.add_argument("--routes", type=int)
    ap.add_argument("--peers", type=int, default=1, help="ingest: K senders of the same N routes")
    ap.add_argument("--build", default="build")
    ap.add_argument("--workdir")
    ap.add_argument("--poll", type=float, default=0.2)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--max-load", type=float, default=0.8)
    ap.add_argument("--max-wait", type=float, default=1800)
    ap.add_argument("--keep-pcap", action="store_true")
    a = ap.parse_args()
    if not 1 <= a.peers <= MAX_PEERS:
        ap.error(f"--peers: 1 to {MAX_PEERS}")
    if a.mode == "report-ingest":
        report_ingest(a.out)
    elif a.mode == "report-packing":
        report_packing(a.out)
    elif a.mode == "ingest":
        ingest(a)
    else:
        packing(a)


if __name__ == "__main__":
    main()
