"""The interop scenarios: each one a pass/fail check of evpnd against real FRR 8.4 and GoBGP 3.10
on a fabric of interop/fabric.py. A scenario raises lab.TestFailure with a message that says
what was expected and what each speaker had; what it measured (convergence times, ping losses)
goes into its Result, which the driver writes to the report.

Scenarios that share a fabric leave it as they found it (their own hosts removed, the home
hosts h1-h3 in place, every session up); the driver checks that before each one and rebuilds
the fabric when it is not so, or after a failure.
"""

import re
import signal
import time

from fabric import (L, VNI, VTEP_IP, RR_IP, SUBNET, FdbPoller, timed_out)

# A handful: the most pings (at 10 per second) a restart may cost before the scenario fails.
MAX_PING_LOSS = 5
# How long a killed evpnd stays dead before it is started again: long enough for the poller to
# sample the other VTEPs' FDBs 20 times while the reflector holds the routes as a GR helper.
EVPND_DOWNTIME_S = 2.0


class Result:
    """What a scenario measured and checked, for the report."""

    def __init__(self):
        self.convergence = {}
        self.metrics = {}
        self.checks = []

    def check(self, text):
        self.checks.append(text)
        L.log(f"  ok: {text}")

    def conv(self, key, seconds, per_vtep=None):
        self.convergence[key] = {"s": seconds, **({"per_vtep_s": per_vtep} if per_vtep else {})}
        detail = f" (per VTEP: {per_vtep})" if per_vtep else ""
        L.log(f"  convergence {key}: {seconds:.3f} s{detail}")

    def metric(self, key, value):
        self.metrics[key] = value
        L.log(f"  {key}: {value}")


def home(f, n):
    return f.hosts[f"h{n}"]


def learn_home_hosts(f):
    """Every home host sends a gratuitous ARP; waits until every VTEP forwards each to its
    VTEP. Returns the seconds until the last VTEP had the last MAC."""
    t0 = time.monotonic()
    for n in f.kinds:
        f.announce(home(f, n))
    for n in f.kinds:
        h = home(f, n)
        f.wait_converged(h.mac, n, h.port, timeout=15)
    return time.monotonic() - t0


# ---------------------------------------------------------------------------------------- 1
def sc_flood(f, r):
    states = f.wait_sessions()
    r.check(f"sessions Established: {states}")
    if f.rr_kind == "evpnd":
        rc, out, _ = f.rr.ctl("evpn", "routes", "--type", "3")
        hops = sorted({x["next_hop"] for x in out.get("routes", [])})
        want = sorted(VTEP_IP[n] for n in f.kinds)
        if hops != want:
            raise L.TestFailure(f"the reflector's type-3 routes have next hops {hops}, want "
                                f"one per VTEP {want}")
        r.check(f"reflector holds a type-3 (IMET) route from every VTEP: {hops}")
    f.wait_flood_lists()
    for n in f.kinds:
        r.check(f"v{n} ({f.kinds[n]}) flood list 00:00:00:00:00:00 dst {f.flood_list(n)}")
    for key in ("sessions_up_s", "flood_lists_s"):
        if key in f.timings:
            r.conv(f"fabric start to {key[:-2].replace('_', ' ')}", f.timings[key])


# ---------------------------------------------------------------------------------------- 2
def sc_ping(f, r):
    r.conv("gratuitous ARPs to every MAC in every FDB", round(learn_home_hosts(f), 3))
    r.check("every VTEP forwards every home host's MAC to its VTEP")
    slowest = 0.0
    for a in f.kinds:
        for b in f.kinds:
            if a == b:
                continue
            s = f.ping(home(f, a), home(f, b), timeout=10)
            slowest = max(slowest, s)
            r.check(f"h{a} (behind {f.kinds[a]}) -> h{b} (behind {f.kinds[b]}): ping answered")
    r.metric("slowest_first_ping_s", round(slowest, 3))


# ---------------------------------------------------------------------------------------- 3
VM1_MAC, VM1_IP = "02:00:00:00:01:01", f"{SUBNET}.101"


def move_host(f, r, old, new_vtep, new_name, seq, label):
    """The VM `old` shows up at v<new_vtep> (same MAC and IP, a new host namespace) and sends a
    gratuitous ARP; its old port stays until every FDB points at the new VTEP (make before
    break, as a live migration does); then the old one goes and pings resume."""
    f.wait_quiet(old)
    new = f.add_host(new_name, old.mac, old.ip, new_vtep)
    t0 = time.monotonic()
    f.announce(new)
    per_vtep, total = f.wait_converged(new.mac, new_vtep, new.port, timeout=20, t0=t0)
    r.conv(label, total, per_vtep)
    states = f.wait_mac_states(new.mac, new_vtep, seq)
    r.check(f"{label}: every speaker holds {new.mac} at v{new_vtep} with sequence {seq}: "
            f"{states}" + (f"; reflector's best route: next hop {VTEP_IP[new_vtep]} MM {seq}"
                           if f.rr_kind == "evpnd" else ""))
    f.remove_host(old)
    f.wait_converged(new.mac, new_vtep, new.port, timeout=10)
    waits = [f.ping(home(f, n), new, timeout=10) for n in f.kinds if n != new_vtep]
    r.check(f"{label}: old host gone, FDBs still point at v{new_vtep}, pings from "
            f"{', '.join(f'h{n}' for n in f.kinds if n != new_vtep)} answered (the slowest "
            f"first answer after {max(waits):.3f} s)")
    return new


def sc_move(f, r):
    ev = f.evpnd_vteps()
    fr = f.frr_vteps()
    if len(ev) < 2 or not fr:
        raise L.TestFailure("needs two evpnd VTEPs and one FRR VTEP")
    a, b, c = ev[0], ev[1], fr[0]
    learn_home_hosts(f)
    vm = f.add_host("vm1", VM1_MAC, VM1_IP, a)
    f.announce(vm)
    f.wait_converged(vm.mac, a, vm.port)
    states = f.wait_mac_states(vm.mac, a, 0)
    r.check(f"start: {vm.mac} at v{a} (evpnd), sequence 0 everywhere: {states}")
    vm = move_host(f, r, vm, c, "vm1b", 1, f"move 1 evpnd v{a} -> FRR v{c}")
    vm = move_host(f, r, vm, a, "vm1c", 2, f"move 2 FRR v{c} -> evpnd v{a}")
    vm = move_host(f, r, vm, b, "vm1d", 3, f"move 3 evpnd v{a} -> evpnd v{b}")
    f.remove_host(vm)
    f.wait_gone(vm.mac)
    r.check(f"the VM leaves v{b}: {vm.mac} withdrawn from every FDB")


# ---------------------------------------------------------------------------------------- 5
def _gr(f, r, judged, excused, kill, restart, ping_from, ping_to):
    """Common part of the graceful-restart scenarios: a continuous ping (every 0.1 s), an FDB
    poller (every 100 ms, every VTEP) and `bridge monitor fdb` on every VTEP run while `kill()`
    and then `restart()` (which returns once the restarted speaker is back) happen. The VTEPs
    in `judged` must keep every vxlan100 entry throughout; what the others ({vtep: why}
    in `excused`, e.g. an FRR limitation) lose is reported, not failed."""
    learn_home_hosts(f)
    f.ping(ping_from, ping_to)
    snapshot = {n: sorted(f.self_entries(n)) for n in f.kinds}
    tag = int(time.time() * 1000) % 100000
    monitors = {n: f.lab.spawn(f"fdb-monitor-v{n}-{tag}", f.v[n], ["bridge", "monitor", "fdb"])
                for n in f.kinds}
    poller = FdbPoller(f, snapshot, interval=0.1)
    time.sleep(0.3)  # let the monitors subscribe before anything happens
    pinger = f.start_ping(ping_from, ping_to)
    poller.start()
    t_kill = None
    try:
        f.lab.poll_until(lambda: "bytes from" in pinger.text(), 5, "the continuous ping to run")
        t_kill = time.monotonic()
        kill()
        t_back = restart()
        r.conv("kill to the restarted speaker back (sessions up, End-of-RIB)",
               round(t_back - t_kill, 3))
        # Keep pinging a little after the restart: what breaks late shows too.
        f.lab.hold_for(lambda: None, 1.5, "")
    finally:
        poller.stop()
        tx, rx = f.stop_ping(pinger)
        for m in monitors.values():
            m.stop()
    lost = tx - rx
    r.metric("ping", f"{ping_from.name} -> {ping_to.name} every 0.1 s: {tx} sent, {rx} "
                     f"answered, {lost} lost")
    r.metrics["ping_sent"], r.metrics["ping_lost"] = tx, lost
    r.metric("fdb_samples", poller.samples)
    deleted = {n: [x for x in m.lines() if x.startswith("Deleted") and "vxlan100" in x]
               for n, m in monitors.items()}
    gaps = {}
    for n in f.kinds:
        mine = [m for m in poller.misses if m[1] == n]
        if mine or deleted[n]:
            entries = sorted({e for m in mine for e in m[2]})
            gaps[n] = {"missing_samples": len(mine),
                       "from_s": round(max(0.0, mine[0][0] - t_kill), 2) if mine else None,
                       "to_s": round(max(0.0, mine[-1][0] - t_kill), 2) if mine else None,
                       "entries": [list(e) for e in entries],
                       "deleted_events": len(deleted[n])}
    r.metrics["fdb_gaps"] = {f"v{n}": g for n, g in gaps.items()}
    problems = []
    bad = {f"v{n}": g for n, g in gaps.items() if n in judged}
    if bad:
        problems.append(f"FDB entries lost during the restart (sampled every 100 ms; seconds "
                        f"after the kill; deletions seen by `bridge monitor fdb`): {bad}")
    for n, why in excused.items():
        if n in gaps:
            g = gaps[n]
            r.metric(f"v{n}_fdb_note",
                     f"v{n} ({f.kinds[n]}) lost {len(g['entries'])} entries for "
                     f"{g['missing_samples']} samples ({g['from_s']} to {g['to_s']} s after the "
                     f"kill), {g['deleted_events']} deletions: {why}")
    if poller.errors:
        problems.append(f"FDB poller errors: {poller.errors[:3]}")
    if lost > MAX_PING_LOSS:
        problems.append(f"the ping {ping_from.name} -> {ping_to.name} lost {lost} of {tx} "
                        f"(more than {MAX_PING_LOSS})")
    after = {n: sorted(f.self_entries(n)) for n in f.kinds}
    if after != snapshot:
        problems.append(f"FDBs differ after the restart: before {snapshot}, after {after}")
    if problems:
        raise L.TestFailure("; ".join(problems))
    r.check(f"no FDB entry lost on {', '.join(f'v{n}' for n in sorted(judged))} "
            f"({poller.samples} samples every 100 ms, no deletion in `bridge monitor fdb`); "
            f"every FDB identical before and after")
    r.check(f"ping lost {lost} of {tx} (at most {MAX_PING_LOSS} allowed)")


def sc_gr_evpnd(f, r):
    n = f.evpnd_vteps()[0]
    d = f.daemons[n]
    other = f.frr_vteps()[0] if f.frr_vteps() else f.evpnd_vteps()[1]
    mark_rr = f.rr.mark() if f.rr_kind == "evpnd" else 0
    mark_v = d.mark()

    def kill():
        t = time.monotonic()
        d.expected_alive = False
        d.signal(signal.SIGKILL)
        d.wait_exit(5)
        L.log(f"  evpnd on v{n} killed (SIGKILL); started again in {EVPND_DOWNTIME_S} s")
        if f.rr_kind == "evpnd":
            line = f.rr.wait_log(rf"peer {re.escape(VTEP_IP[n])}: graceful restart helper",
                                 15, "the reflector to keep v1's routes (GR helper)",
                                 since=mark_rr)
            r.check(f"reflector: {line.split(' ', 1)[-1]}")
        f.lab.hold_for(lambda: None, max(0.0, EVPND_DOWNTIME_S - (time.monotonic() - t)), "")

    def restart():
        f.start_vtep(n)
        nd = f.daemons[n]
        line = nd.wait_log(r"fib-sync: End-of-RIB from every peer", 30,
                           f"the restarted evpnd on v{n} to get End-of-RIB", since=mark_v)
        t = time.monotonic()
        f.wait_sessions(20)
        r.check(f"restarted v{n}: {line.split(' ', 1)[-1]}")
        return t

    # Every VTEP is judged, v1 too: evpnd keeps its own FDB across its restart (fib-sync holds
    # deletions until End-of-RIB).
    _gr(f, r, set(f.kinds), {}, kill, restart, home(f, other), home(f, n))


def sc_gr_frr(f, r):
    n = f.frr_vteps()[0]
    frr = f.daemons[n]
    peer = f.evpnd_vteps()[0]
    mark_rr = f.rr.mark() if f.rr_kind == "evpnd" else 0

    def kill():
        # Started again at once, as watchfrr would: zebra drops the VTEP's own remote MACs and
        # flood list while bgpd is away (FRR 8.4, even with preserve-fw-state), so a longer
        # outage costs pings through this VTEP whatever its peers do.
        frr.bgpd.expected_alive = False
        frr.bgpd.signal(signal.SIGKILL)
        frr.bgpd.wait_exit(5)
        L.log(f"  FRR bgpd on v{n} killed (SIGKILL); zebra keeps running")
        if f.rr_kind == "evpnd":
            line = f.rr.wait_log(rf"peer {re.escape(VTEP_IP[n])}: graceful restart helper",
                                 15, "the reflector to keep FRR's routes (GR helper)",
                                 since=mark_rr)
            r.check(f"reflector: {line.split(' ', 1)[-1]}")

    def restart():
        frr.bgpd = frr._start("bgpd", [])
        f.lab.poll_until(lambda: frr.vtysh("show bgp summary", check=True) is not None, 20,
                         "the restarted bgpd to answer vtysh")
        f.wait_sessions(30)
        if f.rr_kind == "evpnd":
            # Back when the reflector holds FRR's routes again, none of them stale.
            def fresh():
                rc, out, _ = f.rr.ctl("evpn", "routes", check=False)
                mine = [x for x in (out or {}).get("routes", [])
                        if x.get("source") == VTEP_IP[n]] if rc == 0 else []
                return mine and not any(x.get("stale") for x in mine)
            f.lab.poll_until(fresh, 30, "the reflector to hold FRR's routes, none stale")
            r.check("reflector holds FRR's routes again, none stale")
        return time.monotonic()

    others = set(f.kinds) - {n}
    _gr(f, r, others, {n: "zebra flushes its remote MACs and flood list when bgpd dies"},
        kill, restart, home(f, peer), home(f, n))


def sc_gr_rr(f, r):
    if f.rr_kind != "evpnd":
        raise L.TestFailure("needs evpnd as the reflector")
    clients = f.evpnd_vteps()
    marks = {n: f.daemons[n].mark() for n in clients}
    conf = open(f.rr.config_path).read()

    def kill():
        t = time.monotonic()
        f.rr.expected_alive = False
        f.rr.signal(signal.SIGKILL)
        f.rr.wait_exit(5)
        L.log(f"  the reflector (evpnd) killed (SIGKILL); started again in {EVPND_DOWNTIME_S} s")
        for n in clients:
            line = f.daemons[n].wait_log(rf"peer {re.escape(RR_IP)}: graceful restart helper",
                                         15, f"v{n} to keep the reflector's routes (GR helper)",
                                         since=marks[n])
            r.check(f"v{n}: {line.split(' ', 1)[-1]}")
        f.lab.hold_for(lambda: None, max(0.0, EVPND_DOWNTIME_S - (time.monotonic() - t)), "")

    def restart():
        f.rr = f.lab.evpnd("evpnd-rr", f.rr_ns, f.evpnd_bin, conf)
        f.wait_sessions(30)
        for n in clients:
            line = f.daemons[n].wait_log(rf"peer {re.escape(RR_IP)}: End-of-RIB for l2vpn-evpn",
                                         30, f"v{n} to get End-of-RIB from the restarted "
                                         "reflector", since=marks[n])
            r.check(f"v{n}: {line.split(' ', 1)[-1]}")
        return time.monotonic()

    # FRR 8.4 is no graceful-restart helper for L2VPN EVPN (its NSF loop stops at SAFI
    # MPLS-VPN): it drops the reflector's routes at once, so its own FDB is not judged, and the
    # ping runs between the two evpnd clients.
    _gr(f, r, set(clients), {n: "FRR 8.4 keeps no EVPN routes as a graceful-restart helper"
                             for n in f.frr_vteps()},
        kill, restart, home(f, clients[0]), home(f, clients[1]))


# ---------------------------------------------------------------------------------------- 7
def frr_paths(frr, prefix):
    """[(rd, path)] of every path FRR's BGP table holds for `prefix` (bracket notation)."""
    table = frr.vtysh_json("show bgp l2vpn evpn route detail json")
    out = []
    for rd, entries in table.items():
        if not isinstance(entries, dict) or prefix not in entries:
            continue
        for group in entries[prefix].get("paths") or []:
            for path in group if isinstance(group, list) else [group]:
                out.append((rd, path))
    return out


def check_frr_reflected(f, r, frr_n, origin_n, prefix):
    """FRR's copy of `prefix` originated by v<origin_n>: learned from the reflector, next hop
    the originating VTEP, ORIGINATOR_ID the originator, CLUSTER_LIST the reflector's ID."""
    frr = f.daemons[frr_n]
    origin = VTEP_IP[origin_n]

    def find():
        for rd, p in frr_paths(frr, prefix):
            if rd.startswith(f"{origin}:"):
                return rd, p
        return None

    rd, p = f.lab.poll_until(find, 10, f"FRR v{frr_n} to hold {prefix} from v{origin_n}")
    problems = []
    hops = [h.get("ip") for h in p.get("nexthops", [])]
    if origin not in hops:
        problems.append(f"next hops {hops}, want {origin} (unchanged by the reflector)")
    if p.get("originatorId") != origin:
        problems.append(f"originatorId {p.get('originatorId')}, want {origin}")
    clusters = (p.get("clusterList") or {}).get("list") or []
    if RR_IP not in clusters:
        problems.append(f"clusterList {clusters}, want it to hold {RR_IP}")
    peer = (p.get("peer") or {}).get("peerId")
    if peer != RR_IP:
        problems.append(f"learned from {peer}, want {RR_IP}")
    if problems:
        raise L.TestFailure(f"FRR v{frr_n}'s copy of {rd} {prefix}: " + "; ".join(problems))
    r.check(f"FRR v{frr_n} holds {rd} {prefix}: next hop {origin}, originator {origin}, "
            f"cluster list {clusters}, from {peer}")


def check_evpnd_reflected(f, r, n, origin_n, mac):
    """evpnd v<n> holds the type-2 route for `mac` from the reflector with next hop
    v<origin_n>."""
    d = f.daemons[n]
    origin = VTEP_IP[origin_n]

    def find():
        rc, out, _ = d.ctl("evpn", "routes", "--type", "2", "--mac", mac, check=False)
        if rc != 0:
            return None
        got = [x for x in out.get("routes", []) if x.get("next_hop") == origin]
        return got or None

    try:
        got = f.lab.poll_until(find, 10, "route")
    except L.TestFailure as e:
        if not timed_out(e):
            raise
        rc, out, _ = d.ctl("evpn", "routes", "--type", "2", "--mac", mac, check=False)
        raise L.TestFailure(f"evpnd v{n} has no type-2 route for {mac} with next hop {origin}: "
                            f"{out}")
    bad = [x for x in got if x.get("source") != RR_IP]
    if bad:
        raise L.TestFailure(f"evpnd v{n}'s route for {mac} came from {bad[0].get('source')}, "
                            f"want the reflector {RR_IP}")
    r.check(f"evpnd v{n} holds {got[0]['prefix']} from {RR_IP}, next hop {origin}")


def check_fdbs_full(f, r):
    secs = learn_home_hosts(f)
    r.conv("gratuitous ARPs to every MAC in every FDB", round(secs, 3))
    for n in f.kinds:
        want = {(home(f, m).mac, VTEP_IP[m]) for m in f.kinds if m != n}
        have = f.self_entries(n)
        if not want <= have:
            raise L.TestFailure(f"v{n}'s FDB lacks {sorted(want - have)}")
    r.check("every client's FDB holds every other client's MAC at its VTEP")


def sc_rr_evpnd(f, r):
    if f.rr_kind != "evpnd":
        raise L.TestFailure("needs evpnd as the reflector")
    peers = f.rr.ctl("neighbor")[1].get("peers", [])
    states = {p["address"]: p["state"] for p in peers}
    if sorted(states) != sorted(VTEP_IP[n] for n in f.kinds) or \
            set(states.values()) != {"Established"}:
        raise L.TestFailure(f"reflector's sessions: {states}")
    r.check(f"reflector's clients Established: {states}")
    check_fdbs_full(f, r)
    for c in f.frr_vteps():
        for o in f.evpnd_vteps():
            h = home(f, o)
            check_frr_reflected(f, r, c, o, f"[2]:[0]:[48]:[{h.mac}]")
            check_frr_reflected(f, r, c, o, f"[3]:[0]:[32]:[{VTEP_IP[o]}]")
    for n in f.evpnd_vteps():
        for o in f.kinds:
            if o != n:
                check_evpnd_reflected(f, r, n, o, home(f, o).mac)
    for a in f.evpnd_vteps():
        for b in f.kinds:
            if a != b:
                f.ping(home(f, a), home(f, b))
    r.check("pings from every evpnd client's host to every other host answered")


def gobgp_find(f, *needles):
    import json
    rib = json.loads(f.rr.cli("global", "rib", "-a", "evpn", "-j") or "{}")
    return [(k, p) for k, paths in rib.items() if all(x in k for x in needles) for p in paths]


def gobgp_nexthop(path):
    for attr in path.get("attrs", []):
        if attr.get("type") == 14:
            return attr.get("nexthop")
    return None


def sc_rr_gobgp(f, r):
    if f.rr_kind != "gobgp":
        raise L.TestFailure("needs GoBGP as the reflector")
    states = f.wait_sessions()
    r.check(f"GoBGP's clients Established: {states['rr']}")
    f.wait_flood_lists()
    for n in f.kinds:
        r.check(f"v{n} ({f.kinds[n]}) flood list {f.flood_list(n)} (type-3 reflected by GoBGP)")
    check_fdbs_full(f, r)
    for n in f.kinds:
        h = home(f, n)
        got = f.lab.poll_until(lambda: gobgp_find(f, "[type:macadv]", f"[mac:{h.mac}]"), 10,
                               f"GoBGP to hold h{n}'s type-2")
        hops = {gobgp_nexthop(p) for _, p in got}
        t3 = gobgp_find(f, "[type:multicast]", f"[ip:{VTEP_IP[n]}]")
        if hops != {VTEP_IP[n]} or not t3:
            raise L.TestFailure(f"GoBGP's RIB for v{n}: type-2 {h.mac} next hops {hops}, "
                                f"type-3 {[k for k, _ in t3]}")
        r.check(f"GoBGP holds v{n}'s ({f.kinds[n]}) type-2 {h.mac} and type-3, next hop "
                f"{VTEP_IP[n]}")
    for n in f.evpnd_vteps():
        for o in f.kinds:
            if o != n:
                check_evpnd_reflected(f, r, n, o, home(f, o).mac)
    for a in f.kinds:
        for b in f.kinds:
            if a < b:
                f.ping(home(f, a), home(f, b))
                f.ping(home(f, b), home(f, a))
    r.check("pings between every pair of hosts answered")


# ---------------------------------------------------------------------------------------- 8
VM2_MAC, VM2_IP = "02:00:00:00:02:01", f"{SUBNET}.102"


def orchestrate(f, r, old, new_vtep, new_name, seq, label):
    """The orchestrator resumes the VM at v<new_vtep> (a new host namespace, silent) and tells
    that evpnd through its API; the old copy goes once the fabric has followed."""
    f.wait_quiet(old)
    new = f.add_host(new_name, old.mac, old.ip, new_vtep)
    d = f.daemons[new_vtep]
    t0 = time.monotonic()
    out = d.ctl("evpn", "mac", new.mac, "--vni", VNI, "add", "--ip", new.ip)[1]
    r.check(f"{label}: evpnctl evpn mac {new.mac} --vni {VNI} add --ip {new.ip} at v{new_vtep}: "
            f"decisions {out.get('decisions')}, sequence {out.get('mac', {}).get('sequence')}")
    per_vtep, total = f.wait_converged(new.mac, new_vtep, new.port, timeout=20,
                                       local_optional=True, t0=t0)
    r.conv(label, total, per_vtep)
    states = f.wait_mac_states(new.mac, new_vtep, seq)
    r.check(f"{label}: every speaker holds {new.mac} at v{new_vtep} with sequence {seq}: "
            f"{states}")
    if f.kinds[old.vtep] == "evpnd":
        # The orchestrator withdraws its announcement at the old VTEP.
        f.daemons[old.vtep].ctl("evpn", "mac", old.mac, "--vni", VNI, "delete")
    f.remove_host(old)
    f.wait_converged(new.mac, new_vtep, new.port, timeout=10, local_optional=True)
    for n in f.kinds:
        if n != new_vtep:
            f.ping(home(f, n), new, timeout=10)
    r.check(f"{label}: old copy gone, FDBs still point at v{new_vtep}, pings answered")
    return new


def sc_orchestrated(f, r):
    ev = f.evpnd_vteps()
    fr = f.frr_vteps()
    if len(ev) < 2 or not fr:
        raise L.TestFailure("needs two evpnd VTEPs and one FRR VTEP")
    a, b, c = ev[0], ev[1], fr[0]
    learn_home_hosts(f)
    vm = f.add_host("vm2", VM2_MAC, VM2_IP, c)
    f.announce(vm)
    f.wait_converged(vm.mac, c, vm.port)
    states = f.wait_mac_states(vm.mac, c, 0)
    r.check(f"start: {vm.mac} learned by FRR v{c}, sequence 0 everywhere: {states}")
    vm = orchestrate(f, r, vm, a, "vm2b", 1, f"API move 1 FRR v{c} -> evpnd v{a}")
    vm = orchestrate(f, r, vm, b, "vm2c", 2, f"API move 2 evpnd v{a} -> evpnd v{b}")
    f.daemons[b].ctl("evpn", "mac", vm.mac, "--vni", VNI, "delete")
    f.remove_host(vm)
    f.wait_gone(vm.mac)
    r.check(f"the VM leaves v{b} (API delete, port gone): {vm.mac} withdrawn from every FDB")


# ---------------------------------------------------------------------------------------- registry
class Scenario:
    """`why`: why it is not implemented; `opt_in`: why it runs only when named (not by default,
    so not in ctest's run)."""

    def __init__(self, sid, name, title, fabric, fn, why=None, opt_in=None):
        self.id, self.name, self.title, self.fabric, self.fn, self.why = \
            sid, name, title, fabric, fn, why
        self.opt_in = opt_in

    @property
    def implemented(self):
        return self.fn is not None

    def matches(self, word):
        number = re.match(r"\d+", self.id).group(0)
        return word in (self.id, number, self.name, f"{self.id}-{self.name}")


MAIN, GOBGP = "evpnd-rr", "gobgp-rr"
ROUTE_GEN = "needs the hand-made route generator another engineer is writing"

SCENARIOS = [
    Scenario("1", "flood", "sessions up; type-3 routes give every VTEP the right flood list "
             "(kernel FDB 00:00:00:00:00:00 dst <each other VTEP>)", MAIN, sc_flood),
    Scenario("2", "ping", "hosts behind evpnd and behind FRR ping each other across VXLAN "
             "(each ordered pair)", MAIN, sc_ping),
    Scenario("3", "move", "VM moves evpnd->FRR, FRR->evpnd, evpnd->evpnd: sequence numbers "
             "increase on every speaker, every FDB converges, pings resume", MAIN, sc_move),
    Scenario("4", "dup-frr", "duplicate MAC detection together with FRR", None, None,
             ROUTE_GEN),
    Scenario("5a", "gr-evpnd", "graceful restart: evpnd on v1 killed (SIGKILL) and started "
             "again during a 10/s ping: no FDB entry lost, a handful of pings at most",
             MAIN, sc_gr_evpnd),
    Scenario("5b", "gr-frr", "graceful restart: FRR's bgpd on v3 killed (SIGKILL) and started "
             "again during a 10/s ping: no FDB entry lost on the other VTEPs, a handful of "
             "pings at most", MAIN, sc_gr_frr),
    Scenario("5c", "gr-rr", "graceful restart: the evpnd route reflector killed (SIGKILL) and "
             "started again during a 10/s ping: its evpnd clients keep every FDB entry (FRR "
             "8.4 is no EVPN graceful-restart helper: its losses are reported), a handful of "
             "pings lost at most", MAIN, sc_gr_rr),
    Scenario("6", "malformed", "malformed routes (RFC 7606) and ExaBGP as an independent "
             "decoder of what evpnd sends", None, None, ROUTE_GEN),
    Scenario("7a", "rr-evpnd", "evpnd as route reflector for FRR and evpnd clients",
             MAIN, sc_rr_evpnd),
    Scenario("8", "orchestrated-move", "orchestrator-driven moves through evpnd's API "
             "(FRR->evpnd, evpnd->evpnd): every FDB, FRR's included, follows", MAIN,
             sc_orchestrated),
    Scenario("7b", "rr-gobgp", "GoBGP (gobgpd) as route reflector for evpnd and FRR clients",
             GOBGP, sc_rr_gobgp),
    Scenario("9", "arista", "Arista-shaped routes (EOS's RDs, ESI, attributes)", None, None,
             ROUTE_GEN),
]

FABRICS = {
    MAIN: dict(kinds={1: "evpnd", 2: "evpnd", 3: "frr"}, rr="evpnd"),
    GOBGP: dict(kinds={1: "evpnd", 2: "evpnd", 3: "frr"}, rr="gobgp"),
}
