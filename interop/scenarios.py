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

from fabric import (L, AS, VNI, VTEP_IP, RR_IP, SUBNET, ZERO, GEN_IP, EXA_IP, ARISTA_IP,
                    ARISTA_VTEP, ARISTA_AS, ARISTA_RT, DAD, FdbPoller, timed_out)

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


def two_evpnd_one_frr(f):
    """The VTEPs the move scenarios use: evpnd a and b, FRR c."""
    ev, fr = f.evpnd_vteps(), f.frr_vteps()
    if len(ev) < 2 or not fr:
        raise L.TestFailure("needs two evpnd VTEPs and one FRR VTEP")
    return ev[0], ev[1], fr[0]


def start_vm(f, r, name, mac, ip, at, where):
    """A VM that shows up behind VTEP `at` and is learned everywhere with sequence 0."""
    learn_home_hosts(f)
    vm = f.add_host(name, mac, ip, at)
    f.announce(vm)
    f.wait_converged(vm.mac, at, vm.port)
    states = f.wait_mac_states(vm.mac, at, 0)
    r.check(f"start: {vm.mac} {where}, sequence 0 everywhere: {states}")
    return vm


def sc_move(f, r):
    a, b, c = two_evpnd_one_frr(f)
    vm = start_vm(f, r, "vm1", VM1_MAC, VM1_IP, a, f"at v{a} (evpnd)")
    vm = move_host(f, r, vm, c, "vm1b", 1, f"move 1 evpnd v{a} -> FRR v{c}")
    vm = move_host(f, r, vm, a, "vm1c", 2, f"move 2 FRR v{c} -> evpnd v{a}")
    vm = move_host(f, r, vm, b, "vm1d", 3, f"move 3 evpnd v{a} -> evpnd v{b}")
    f.remove_host(vm)
    f.wait_gone(vm.mac)
    r.check(f"the VM leaves v{b}: {vm.mac} withdrawn from every FDB")


# ---------------------------------------------------------------------------------------- 4
VM3_MAC, VM3_IP = "02:00:00:00:03:01", f"{SUBNET}.103"


def dup_view(f, mac):
    """How every VTEP sees `mac`: evpnd's location, sequence, duplicate mark and move count;
    FRR zebra's type, sequences, duplicate flag and detection count."""
    out = {}
    for n in f.kinds:
        if f.kinds[n] == "frr":
            m = f.frr_mac(n, mac) or {}
            out[n] = {"type": m.get("type"), "vtep": m.get("remoteVtep"),
                      "seq": f"{m.get('localSequence')}/{m.get('remoteSequence')}",
                      "duplicate": bool(m.get("isDuplicate")),
                      "detectionCount": m.get("detectionCount")}
        else:
            m = f.evpnd_mac(n, mac) or {}
            out[n] = {"location": m.get("location"), "vtep": m.get("vtep") or None,
                      "seq": m.get("sequence"), "duplicate": bool(m.get("duplicate")),
                      "moves": int(m.get("moves") or 0)}
    return out


def fmt_view(view):
    return "; ".join(f"v{n} " + " ".join(f"{k}={v}" for k, v in d.items())
                     for n, d in sorted(view.items()))


def evpnd_announces(f, n, mac):
    """The routes for `mac` that evpnd v<n> sends the reflector (its Adj-RIB-Out) and those the
    reflector holds from v<n>: both empty when v<n> does not advertise it."""
    rc, out, _ = f.daemons[n].ctl("evpn", "routes", "--peer", RR_IP, "--out", check=False)
    adj = [x["prefix"] for x in (out or {}).get("routes", []) if x.get("mac") == mac] \
        if rc == 0 else ["(evpnctl failed)"]
    rr = [x["prefix"] for x in f.rr_routes(mac=mac, source=VTEP_IP[n])]
    return adj, rr


def stale_self(f, n, mac):
    """The VTEPs of v<n>'s vxlan100 `self` entries for `mac` when its bridge does not send
    `mac` to vxlan100 (it has it on a local port, or not at all): entries left behind."""
    fdb = f.fdb(n)
    master = [dev for m, dev, dst, kind, _ in fdb if m == mac and kind == "master"]
    if master and master[0] == "vxlan100":
        return []
    return sorted(dst for m, dev, dst, kind, _ in fdb
                  if m == mac and dev == "vxlan100" and kind == "self" and dst)


def check_no_stale(f, n, mac, when):
    """Fails when v<n>'s vxlan100 still has a `self` entry for `mac` its bridge no longer sends
    to vxlan100: an entry evpnd meant to delete (the MAC became local) but the kernel kept.
    Once the local host goes, frames for the MAC would be unicast to that old VTEP instead of
    flooded."""
    stale = stale_self(f, n, mac)
    if stale:
        lines = [x.split(" ", 1)[-1] for x in f.daemons[n].grep(
            rf"fdb: vni {VNI} mac {re.escape(mac)} delete")][-1:]
        raise L.TestFailure(f"{when}, v{n}'s vxlan100 still has `{mac} dst {', '.join(stale)} "
                            f"self` (evpnd logged {lines or 'no deletion'}; its fib_state: "
                            f"{f.daemons[n].ctl('global')[1].get('fib_state')})")


def sc_dup_frr(f, r):
    """RFC 7432 §15.1 duplicate MAC detection: one MAC (two hosts with the same MAC and IP, at
    evpnd v1 and at FRR v3) flaps between the two VTEPs, each host speaking in turn, until the
    max_moves-th move; evpnd must mark it duplicate then (not before), and stop advertising it
    (its next local learn is not advertised: the fabric stays where it was); after recovery_s it
    advertises it again with a higher sequence and every FDB follows. FRR runs
    `dup-addr-detection max-moves N time W` (no freeze: FRR's shortest freeze is 30 s): what it
    does is reported."""
    if not f.dad or f.rr_kind != "evpnd":
        raise L.TestFailure("needs the evpnd-rr-ext fabric (duplicate detection configured)")
    ev, fr = f.evpnd_vteps(), f.frr_vteps()
    a, b, c = ev[0], ev[1], fr[0]
    n_moves, window, recovery = f.dad["max_moves"], f.dad["window_s"], f.dad["recovery_s"]
    mac, ip = VM3_MAC, VM3_IP
    r.metric("dad_note", f"evpnd v{a}, v{b}: duplicate_mac_detection max_moves {n_moves} "
                         f"window_s {window} recovery_s {recovery} freeze "
                         f"{str(f.dad['freeze']).lower()}; FRR v{c}: dup-addr-detection "
                         f"max-moves {n_moves} time {window} (warning only)")
    marks = {n: f.daemons[n].mark() for n in ev}
    hosts = {a: f.add_host("dupa", mac, ip, a), c: f.add_host("dupc", mac, ip, c)}
    f.announce(hosts[a])
    f.wait_converged(mac, a, hosts[a].port)
    f.wait_mac_states(mac, a, 0)
    r.check(f"start: {mac} learned at evpnd v{a}, sequence 0 everywhere")
    # The flap: the copy at the other VTEP speaks, every FDB follows, and so on.
    detected = {}  # VTEP number -> the move that marked it duplicate
    views = []
    at = a
    t_first = None
    for i in range(1, n_moves + 1):
        to = c if at == a else a
        f.wait_quiet(hosts[at])
        t0 = time.monotonic()
        t_first = t_first or t0
        f.announce(hosts[to])
        per_vtep, total = f.wait_converged(mac, to, hosts[to].port, timeout=15, t0=t0)
        r.conv(f"flap move {i} v{at} -> v{to}", total, per_vtep)
        f.wait_mac_states(mac, to, i)
        if i == n_moves:
            # The max_moves-th move marks it on v1, which learned it locally in between (RFC
            # 7432 §15.1); v2 (moves between remote VTEPs) and FRR are reported.
            f.lab.poll_until(lambda: dup_view(f, mac)[a]["duplicate"], 5,
                             f"evpnd v{a} to mark {mac} duplicate after move {i}")
            try:  # FRR is reported, not judged: a short wait only
                f.lab.poll_until(lambda: dup_view(f, mac)[c]["duplicate"] or None, 1,
                                 "FRR's duplicate flag", interval=0.2)
            except L.TestFailure as e:
                if not timed_out(e):
                    raise
        view = dup_view(f, mac)
        views.append(view)
        for n, d in view.items():
            if d["duplicate"] and n not in detected:
                detected[n] = i
        r.check(f"move {i} v{at} -> v{to}: every FDB points at v{to}, every speaker holds "
                f"sequence {i}; {fmt_view(view)}")
        if to == a:
            check_no_stale(f, a, mac, f"after move {i} (remote v{at} -> local)")
        at = to
    t_detect = time.monotonic()
    early = {f"v{n}": m for n, m in detected.items() if n in ev and m < n_moves}
    if early:
        raise L.TestFailure(f"evpnd marked {mac} duplicate before its {n_moves}th move "
                            f"(max_moves {n_moves}): {early}; {fmt_view(views[-1])}")
    r.check(f"evpnd v{a} marks {mac} duplicate at move {n_moves} of {n_moves} (within "
            f"{round(t_detect - t_first, 2)} s of the first move, window {window} s); evpnd "
            f"v{b}, which only saw it move between remote VTEPs: "
            + (f"marked at move {detected[b]}" if b in detected else "not marked"))
    lines = f.daemons[a].grep(rf"(?i){re.escape(mac)}.*duplicate|duplicate.*{re.escape(mac)}",
                              since=marks[a])
    warn = [x for x in lines if re.match(r"^\S+ warn", x)]
    if not warn:
        raise L.TestFailure(f"evpnd v{a} logged no warning for the duplicate {mac} (RFC 7432 "
                            f"§15.1: alert the operator); its lines on it: {lines[-5:]}")
    r.check(f"evpnd v{a} warns: {warn[0].split(' ', 1)[-1]}")
    t_mark = L.log_line_time(warn[0])
    # FRR's view: its duplicate list, and whether it flagged the MAC at all.
    frr_dup = f.frr_duplicates(c)
    frr_move = detected.get(c)
    r.metric("frr_duplicate",
             {"flagged_at_move": frr_move, "zebra": views[-1][c],
              "duplicate_list": sorted(frr_dup)})
    r.metric("frr_dup_note",
             (f"FRR v{c} flagged {mac} duplicate at move {frr_move} (`show evpn mac vni {VNI} "
              f"duplicate json` lists {sorted(frr_dup)}); warning only: it keeps advertising "
              f"it") if frr_move else
             f"FRR v{c} did not flag {mac} duplicate after {n_moves} moves: {views[-1][c]}")

    # The MAC speaks at v1 again: learned there, but duplicate: not advertised.
    f.wait_quiet(hosts[at])
    t_learn = time.monotonic()
    f.announce(hosts[a])
    f.lab.poll_until(lambda: (f.evpnd_mac(a, mac) or {}).get("location") == "local", 5,
                     f"evpnd v{a} to learn {mac} locally again")
    # Watch it for 1.5 s, but stop well before the recovery timer may fire.
    hold = min(1.5, max(0.0, (t_mark + recovery - time.time()) - 0.7)) if t_mark else 1.0

    def not_advertised():
        adj, rr = evpnd_announces(f, a, mac)
        if adj or rr:
            raise L.TestFailure(f"evpnd v{a} advertises the duplicate {mac}: Adj-RIB-Out to the "
                                f"reflector {adj}, reflector's routes from v{a} {rr}")
        best = f.rr_best(mac)
        if best != {(VTEP_IP[c], n_moves)}:
            raise L.TestFailure(f"while v{a} holds {mac} as duplicate the reflector's best "
                                f"routes are {best}, want FRR v{c}'s ({VTEP_IP[c]}, "
                                f"MM {n_moves})")
        for n in f.kinds:
            if n != a and f.where(n, mac) != f.expect_where(n, c, hosts[c].port):
                raise L.TestFailure(f"v{n} stopped pointing {mac} at v{c} while v{a} holds "
                                    f"it as duplicate: {f.where(n, mac)}")
        return None

    not_advertised()  # at least once, however little time is left
    f.lab.hold_for(not_advertised, hold, "")
    view = dup_view(f, mac)
    if not view[a]["duplicate"] or view[a]["location"] != "local":
        raise L.TestFailure(f"evpnd v{a} after the host spoke there again: {view[a]}, want "
                            f"location local, duplicate")
    r.check(f"the host speaks at v{a} again ({round(time.monotonic() - t_learn, 2)} s "
            f"watched): evpnd v{a} holds {mac} local and duplicate and does not advertise it "
            f"(nothing in its Adj-RIB-Out to the reflector, nothing from v{a} at the "
            f"reflector); the reflector's best route stays FRR v{c}'s (MM {n_moves}: FRR, "
            f"warning only, keeps advertising it); every other FDB still points at FRR v{c}; "
            f"{fmt_view(view)}")
    check_no_stale(f, a, mac, "after the duplicate MAC was learned locally again")
    r.metric("not_advertised_for_s", round(hold, 2))

    # Recovery: after recovery_s evpnd clears the mark and advertises it again (sequence
    # max + 1); every FDB, FRR's included, follows.
    seq = n_moves + 1
    # Timed from the duplicate warning's own timestamp (wall clock, in evpnd's log).
    t0 = time.monotonic() - (time.time() - t_mark) if t_mark else t_detect
    per_vtep, total = f.wait_converged(mac, a, hosts[a].port, timeout=recovery + 15, t0=t0)
    states = f.wait_mac_states(mac, a, seq)
    cleared = f.daemons[a].grep(r"(?i)duplicate", since=marks[a])
    t_clear = L.log_line_time(cleared[-1]) if cleared and "cleared" in cleared[-1] else None
    r.conv("duplicate warning to every FDB back at v1 (recovery)", round(total, 3), per_vtep)
    if total < recovery - 0.5:
        raise L.TestFailure(f"every FDB pointed {mac} at v{a} again {total:.2f} s after evpnd "
                            f"marked it duplicate, before recovery_s {recovery}")
    view = dup_view(f, mac)
    if view[a]["duplicate"]:
        raise L.TestFailure(f"evpnd v{a} still marks {mac} duplicate after recovery: {view[a]}")
    r.metric("recovery_note", f"evpnd v{a} cleared the mark "
                              f"{(t_clear - t_mark) if t_clear and t_mark else float('nan'):.2f}"
                              f" s after its duplicate warning (recovery_s {recovery}) and "
                              f"advertised {mac} with sequence {seq}; every FDB back at v{a} "
                              f"{total:.2f} s after the warning; FRR v{c} after recovery: "
                              f"{view[c]} (no recovery timer without freeze)")
    r.check(f"recovery: evpnd v{a} clears the mark and advertises {mac} with sequence {seq}; "
            f"every speaker holds it at v{a}: {states}; {fmt_view(view)}")
    r.check(f"evpnd v{a}'s log on it: {[x.split(' ', 1)[-1][:160] for x in cleared[-4:]]}")
    # The copy at FRR goes; the FDBs stay; pings answer.
    f.remove_host(hosts[c])
    f.wait_converged(mac, a, hosts[a].port, timeout=10)
    for n in f.kinds:
        if n != a:
            f.ping(home(f, n), hosts[a], timeout=10)
    r.check(f"the copy at v{c} gone: every FDB still points at v{a}; h{b} and h{c} ping it")
    f.remove_host(hosts[a])
    f.wait_gone(mac)
    left = f.frr_duplicates(c)
    if mac in left:
        f.daemons[c].vtysh(f"clear evpn dup-addr vni {VNI} mac {mac}", check=False)
    r.check(f"the VM leaves: {mac} withdrawn from every FDB" +
            (" (FRR still listed it as duplicate: cleared with `clear evpn dup-addr`)"
             if mac in left else ""))


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
    a, b, c = two_evpnd_one_frr(f)
    vm = start_vm(f, r, "vm2", VM2_MAC, VM2_IP, c, f"learned by FRR v{c}")
    vm = orchestrate(f, r, vm, a, "vm2b", 1, f"API move 1 FRR v{c} -> evpnd v{a}")
    vm = orchestrate(f, r, vm, b, "vm2c", 2, f"API move 2 evpnd v{a} -> evpnd v{b}")
    f.daemons[b].ctl("evpn", "mac", vm.mac, "--vni", VNI, "delete")
    f.remove_host(vm)
    f.wait_gone(vm.mac)
    r.check(f"the VM leaves v{b} (API delete, port gone): {vm.mac} withdrawn from every FDB")


# ---------------------------------------------------------------------------------------- 6
# bgp_routegen's malformed kinds and what RFC 7606 asks of the receiver (bgp_routegen's own
# --malformed help says the same): each run sends 3 good type-2 routes and 1 type-3 in VNI 200
# (RT 65000:200, imported by no VTEP: no FDB may change), then one malformed UPDATE carrying
# route 0 (type-2 MAC 0, or for bad-pmsi the type-3), then End-of-RIB.
GEN_VNI = 200
GEN_ROUTES = 3
MALFORMED = [
    # kind, outcome, what RFC 7606 prescribes
    ("bad-nlri-length", "afi-safi-disable",
     "EVPN NLRI length overruns the attribute: the NLRI cannot be parsed, AFI/SAFI disable "
     "(RFC 7606 §5.3, RFC 4760 §7)"),
    ("bad-route-type", "opaque",
     "route type 99: a well-formed NLRI of a type evpnd does not know, no UPDATE error: the "
     "session and the good routes stay; what becomes of the type-99 route is reported"),
    ("short-mac-len", "afi-safi-disable",
     "MAC Address Length 47: the NLRI is malformed, AFI/SAFI disable (RFC 7606 §5.3)"),
    ("bad-attr-flags", "treat-as-withdraw",
     "ORIGIN with flags 0xc0: treat-as-withdraw (RFC 7606 §3 (c), §7.1)"),
    ("bad-origin-value", "treat-as-withdraw",
     "ORIGIN 7: treat-as-withdraw (RFC 7606 §7.1)"),
    ("missing-nexthop-mpreach", "afi-safi-disable",
     "MP_REACH next hop of 3 bytes: the NLRI cannot be located, AFI/SAFI disable "
     "(RFC 7606 §7.11)"),
    ("bad-pmsi", "treat-as-withdraw",
     "PMSI_TUNNEL of 2 bytes: treat-as-withdraw of the type-3 route (RFC 7606 §2, RFC 6514 §5)"),
    ("duplicate-mp-reach", "session-reset",
     "MP_REACH_NLRI twice: session reset, NOTIFICATION 3/1 (RFC 7606 §3 (g))"),
]


def gen_prefixes():
    """The Loc-RIB prefixes of bgp_routegen's good routes: {name: prefix}."""
    rd = f"{GEN_IP}:{GEN_VNI}"
    out = {f"route {i}": f"{rd} [2]:[0]:[48]:[{gen_mac(i)}]" for i in range(GEN_ROUTES)}
    out["type-3"] = f"{rd} [3]:[0]:[32]:[{GEN_IP}]"
    return out


def gen_mac(i):
    # --mac-offset 0x0600000000: MAC i = 02:06:00:00:00:0i
    return f"02:06:00:00:00:{i:02x}"


def peer_rows(d):
    return {p["address"]: p for p in (d.ctl("neighbor")[1] or {}).get("peers", [])}


# ---- ExaBGP's view: its API's JSON, replayed into a RIB

def exa_prefix(route):
    """evpnd's prefix notation (`evpnctl evpn routes`) for a route as ExaBGP decodes it."""
    code = route.get("code")
    if code == 2 and route.get("parsed"):
        p = f"{route['rd']} [2]:[{route.get('ethernet-tag', 0)}]:[48]:[{route['mac'].lower()}]"
        if route.get("ip"):
            bits = 128 if ":" in route["ip"] else 32
            p += f":[{bits}]:[{route['ip']}]"
        return p
    if code == 3 and route.get("parsed"):
        bits = 128 if ":" in route["ip"] else 32
        return f"{route['rd']} [3]:[{route.get('ethernet-tag', 0)}]:[{bits}]:[{route['ip']}]"
    raw = route.get("raw", "")
    return f"[{code}]:({len(raw) // 2 - 2} bytes)"


def exa_rib(f):
    """ExaBGP's current L2VPN EVPN routes from the reflector: {prefix: (route, next hop,
    attributes)}, every UPDATE it got replayed in order."""
    rib = {}
    for m in f.exabgp_messages():
        if m.get("type") == "state" and (m.get("neighbor") or {}).get("state") in (
                "down", "connected"):
            rib.clear()  # a new session starts from nothing
        if m.get("type") != "update":
            continue
        u = (((m.get("neighbor") or {}).get("message") or {}).get("update")) or {}
        for r in ((u.get("withdraw") or {}).get("l2vpn evpn") or []):
            rib.pop(exa_prefix(r), None)
        for nh, routes in ((u.get("announce") or {}).get("l2vpn evpn") or {}).items():
            for r in routes:
                rib[exa_prefix(r)] = (r, nh, u.get("attribute") or {})
    return rib


def ext_communities(attrs):
    """ExaBGP's extended communities decoded from their 64-bit values (not from its strings):
    {"rt": set, "encap": [tunnel types], "mm": (seq, sticky) or None, "rmac": MAC or None,
    "strings": ExaBGP's own names}."""
    out = {"rt": set(), "encap": [], "mm": None, "rmac": None, "other": [], "strings": []}
    for c in attrs.get("extended-community") or []:
        v = int(c["value"])
        out["strings"].append(c.get("string") or f"0x{v:016x}")
        t, st = v >> 56, (v >> 48) & 0xff
        if st == 0x02 and t == 0x00:
            out["rt"].add(f"{(v >> 32) & 0xffff}:{v & 0xffffffff}")
        elif st == 0x02 and t == 0x02:
            out["rt"].add(f"{(v >> 16) & 0xffffffff}:{v & 0xffff}")
        elif st == 0x02 and t == 0x01:
            ip = (v >> 16) & 0xffffffff
            out["rt"].add(f"{ip >> 24}.{(ip >> 16) & 255}.{(ip >> 8) & 255}.{ip & 255}:"
                          f"{v & 0xffff}")
        elif t == 0x03 and st == 0x0c:
            out["encap"].append(v & 0xffff)
        elif t == 0x06 and st == 0x00:
            out["mm"] = (v & 0xffffffff, bool((v >> 40) & 0x01))
        elif t == 0x06 and st == 0x03:
            out["rmac"] = ":".join(f"{(v >> (8 * k)) & 0xff:02x}" for k in range(5, -1, -1))
        else:
            out["other"].append(f"0x{v:016x}")
    return out


PMSI = re.compile(r"pmsi:(\w+):(\d+):(\d+)\((\d+)\):(\S+)")


def compare_decode(route, exa, loc):
    """What ExaBGP decoded (`exa` = (route, next hop, attributes)) against what evpnd meant to
    send (`route`, its Adj-RIB-Out entry; `loc`, the Loc-RIB path it reflects): a list of
    differences."""
    er, nh, attrs = exa
    bad = []
    if nh != route["next_hop"]:
        bad.append(f"next hop {nh}, evpnd {route['next_hop']}")
    ec = ext_communities(attrs)
    if ec["rt"] != set(route["route_targets"]):
        bad.append(f"RTs {sorted(ec['rt'])}, evpnd {route['route_targets']}")
    if ec["encap"] != [8]:
        bad.append(f"encapsulation {ec['encap']} (want one, VXLAN = 8)")
    if route["route_type"] in (2, 3):
        mm = ec["mm"] or (0, False)
        if mm != (route["mac_mobility_sequence"], route["sticky"]):
            bad.append(f"MAC mobility (seq, sticky) {ec['mm']}, evpnd "
                       f"({route['mac_mobility_sequence']}, {route['sticky']})")
    vni = None
    rts = [int(x.split(":")[1]) for x in route["route_targets"] if "." not in x.split(":")[0]]
    if rts:
        vni = rts[0]
    if route["route_type"] == 2:
        labels = er.get("label") or []
        raw = labels[0][1] if labels and isinstance(labels[0], list) else None
        if raw != route["label"]:
            bad.append(f"label field {raw} (raw 24 bits), evpnd label {route['label']}")
        if attrs.get("pmsi"):
            bad.append(f"unexpected PMSI {attrs['pmsi']}")
    if route["route_type"] == 3:
        m = PMSI.match(attrs.get("pmsi") or "")
        if not m:
            bad.append(f"PMSI {attrs.get('pmsi')!r}, want ingress replication")
        else:
            kind, flags, _, raw, endpoint = m.groups()
            if kind != "ingressreplication" or int(raw) != vni or \
                    endpoint != route["next_hop"]:
                bad.append(f"PMSI {attrs['pmsi']}: want ingress replication, label {vni} (the "
                           f"VNI), endpoint {route['next_hop']}")
    if loc is not None and loc.get("source") not in (None, "local"):
        if attrs.get("originator-id") != loc["source"]:
            bad.append(f"ORIGINATOR_ID {attrs.get('originator-id')}, want {loc['source']}")
        if attrs.get("cluster-list") != [RR_IP]:
            bad.append(f"CLUSTER_LIST {attrs.get('cluster-list')}, want [{RR_IP}]")
    return bad


def wait_exa_agrees(f, timeout=10, only=None):
    """Polls until ExaBGP holds exactly the routes in the reflector's Adj-RIB-Out to it (or,
    with `only`, the prefixes `only()` returns, among those whose RD/type it selects); returns
    (Adj-RIB-Out routes, ExaBGP's RIB)."""
    def now():
        rc, out, _ = f.rr.ctl("evpn", "routes", "--peer", EXA_IP, "--out", check=False)
        if rc != 0:
            return None
        adj = {x["prefix"]: x for x in out.get("routes", [])}
        rib = exa_rib(f)
        if only is not None:
            want, pick = only()
            return (adj, rib) if {p for p in rib if pick(p)} == want else None
        return (adj, rib) if set(rib) == set(adj) else None

    try:
        return f.lab.poll_until(now, timeout, "ExaBGP to hold what evpnd sends it",
                                interval=0.1)
    except L.TestFailure as e:
        if not timed_out(e):
            raise
        rc, out, _ = f.rr.ctl("evpn", "routes", "--peer", EXA_IP, "--out", check=False)
        adj = {x["prefix"] for x in (out or {}).get("routes", [])}
        rib = set(exa_rib(f))
        if only is not None:
            want, pick = only()
            rib = {p for p in rib if pick(p)}
            adj = want
        raise L.TestFailure(f"after {timeout} s ExaBGP's routes differ from evpnd's: only at "
                            f"ExaBGP {sorted(rib - adj)}; only in evpnd's Adj-RIB-Out / "
                            f"Loc-RIB {sorted(adj - rib)}")


def gen_at_rr(f):
    """The reflector's Loc-RIB prefixes from bgp_routegen."""
    return {x["prefix"] for x in f.rr_routes(source=GEN_IP)}


def from_gen(prefix):
    return prefix.startswith(f"{GEN_IP}:{GEN_VNI} ") or prefix.startswith("[")


def others_changed(rr, others_since):
    """The reflector's sessions (but bgp_routegen's) that are not Established or were
    re-established since `others_since` ({address: state_since_unix_ns})."""
    rows = peer_rows(rr)
    flapped = {a: (rows.get(a, {}).get("state"), rows.get(a, {}).get("state_since_unix_ns"))
               for a, since in others_since.items()
               if rows.get(a, {}).get("state") != "Established" or
               rows.get(a, {}).get("state_since_unix_ns") != since}
    return [f"the reflector's other sessions changed (state, since): {flapped}"] if flapped \
        else []


def run_malformed(f, r, kind, outcome, rfc, baseline_fdb, others_since):
    """One bgp_routegen session with one malformed UPDATE; returns the report line."""
    rr = f.rr
    f.lab.poll_until(lambda: peer_rows(rr).get(GEN_IP, {}).get("state") == "Active", 10,
                     f"the reflector to wait for bgp_routegen ({GEN_IP}) again")
    mark = rr.mark()
    t0 = time.monotonic()
    p = f.routegen(kind, "gen", [
        "--connect", RR_IP, "--bind", GEN_IP, "--local-as", AS, "--remote-as", AS,
        "--router-id", GEN_IP, "--hold", 9, "--routes", GEN_ROUTES, "--type3", 1,
        "--vni", GEN_VNI, "--mac-offset", 0x0600000000, "--malformed", kind])
    gen_peer = re.escape(GEN_IP)
    # Processed in order: its End-of-RIB (sent last) or the session's end says it is done.
    rr.wait_log(rf"peer {gen_peer}: (End-of-RIB for l2vpn-evpn|session down)", 15,
                f"the reflector to process bgp_routegen's UPDATEs ({kind})", since=mark)
    took = time.monotonic() - t0
    errors = rr.grep(rf"peer {gen_peer}: .*(UPDATE error|disabled|NOTIFICATION)", since=mark)
    row = peer_rows(rr).get(GEN_IP, {})
    have = gen_at_rr(f)
    good = gen_prefixes()
    present = sorted(k for k, v in good.items() if v in have)
    unknown = sorted(x for x in have if x.startswith("["))
    exa_note = ""
    problems = []
    state = row.get("state")
    if outcome == "session-reset":
        p.popen.wait(10)
        rep = f.routegen_report(p) or {}
        n = rep.get("notification") or {}
        if (n.get("code"), n.get("subcode")) != (3, 1) or state == "Established":
            problems.append(f"want a session reset with NOTIFICATION 3/1: bgp_routegen got "
                            f"{n or 'no NOTIFICATION'} (exit {rep.get('exit_code')}), the "
                            f"reflector's session is {state}")
        if have:
            problems.append(f"routes of the reset session still at the reflector: {sorted(have)}")
        got = f"session reset, NOTIFICATION {n.get('code')}/{n.get('subcode')} " \
              f"({n.get('code_name')}/{n.get('subcode_name')})"
    else:
        if state != "Established" or not p.alive():
            problems.append(f"want the session kept: the reflector's session is {state}, "
                            f"bgp_routegen {'runs' if p.alive() else 'exited'}: "
                            f"{[x for x in p.lines() if 'error' in x][:2]}")
        if outcome == "afi-safi-disable":
            if have:
                problems.append(f"want AFI/SAFI disable (every L2VPN EVPN route of the session "
                                f"gone): the reflector still holds {sorted(have)}")
            got = "session kept, L2VPN EVPN disabled: all its routes withdrawn"
        elif outcome == "treat-as-withdraw":
            gone = "type-3" if kind == "bad-pmsi" else "route 0"
            want = sorted(k for k in good if k != gone)
            if present != want:
                problems.append(f"want treat-as-withdraw: {gone} withdrawn, the others kept; "
                                f"the reflector holds {present}")
            got = f"session kept, {gone} withdrawn, the other {len(want)} kept"
        else:  # opaque
            want = sorted(good)
            if present != want:
                problems.append(f"the good routes should all stay; the reflector holds "
                                f"{present}")
            got = ("session kept, the good routes kept, route type 99 kept as an opaque route "
                   f"{unknown} and reflected" if unknown else
                   "session kept, the good routes kept, route type 99 dropped")
    if not errors and outcome != "opaque":
        problems.append("the reflector logged nothing about the malformed UPDATE")
    # ExaBGP (a client of the reflector) must hold exactly the routegen routes the reflector
    # holds now: a withdrawal the reflector keeps to itself would show here.
    want_now = gen_at_rr(f)
    wait_exa_agrees(f, 10, only=lambda: (want_now, from_gen))
    if unknown:
        raw = [e[0].get("raw") for pfx, e in exa_rib(f).items() if pfx.startswith("[")]
        exa_note = f"; ExaBGP got it as code 99, not parsed, raw {raw[0][:16]}..." if raw else ""
    # The reflector's other sessions and every FDB are untouched.
    problems += others_changed(rr, others_since)
    fdb = {n: sorted(f.fdb(n), key=repr) for n in f.kinds}
    if fdb != baseline_fdb:
        diff = {f"v{n}": sorted(set(fdb[n]) ^ set(baseline_fdb[n]), key=repr) for n in f.kinds
                if fdb[n] != baseline_fdb[n]}
        problems.append(f"FDBs changed: {diff}")
    f.lab.check_alive()
    reaction = "; ".join(x.split(" ", 2)[-1].replace(f"peer {GEN_IP}: ", "")
                         for x in errors[:2]) or "nothing logged"
    if problems:
        raise L.TestFailure(f"{kind}: {'; '.join(problems)}. Expected: {rfc}. evpnd: {got} "
                            f"[{reaction}]")
    # Close the session (Cease) and wait until the reflector has dropped its routes.
    exa_mark = len(f.exabgp_messages())
    if p.alive():
        p.stop()
    f.lab.poll_until(lambda: not gen_at_rr(f) and
                     peer_rows(rr).get(GEN_IP, {}).get("state") != "Established", 10,
                     "the reflector to drop bgp_routegen's session and routes")
    time.sleep(0.3)  # what the withdrawals do to ExaBGP shows within this
    exa_down = [m["neighbor"] for m in f.exabgp_messages()[exa_mark:]
                if m.get("type") == "state" and m["neighbor"].get("state") == "down"]
    if exa_down and unknown:
        # ExaBGP 4.2.21 cannot write a withdrawn route of an unknown EVPN type into its JSON
        # ('GenericEVPN' object has no attribute 'nexthop'), and resets its session when the
        # reflector withdraws the opaque type-99 route. An ExaBGP limitation; the reflector
        # must take it back as any peer.
        f.lab.poll_until(lambda: peer_rows(rr).get(EXA_IP, {}).get("state") == "Established",
                         20, "ExaBGP's session to come back")
        others_since[EXA_IP] = peer_rows(rr)[EXA_IP]["state_since_unix_ns"]
        r.metrics["exabgp_reset"] = exa_down[0].get("reason")
        exa_note += ("; when the reflector withdrew it, ExaBGP 4.2.21 reset its session "
                     f"({exa_down[0].get('reason')!r}: its JSON encoder fails on a withdrawn "
                     "unknown EVPN route type) and came back; nothing else flapped")
    wait_exa_agrees(f, 10, only=lambda: (set(), from_gen))
    problems += others_changed(rr, others_since)
    if exa_down and not unknown:
        problems.append(f"ExaBGP's session went down: {exa_down}")
    note = f"{got}{exa_note} [{reaction}] ({took:.2f} s)"
    if problems:
        raise L.TestFailure(f"{kind}: {'; '.join(problems)}. Expected: {rfc}. evpnd: {note}")
    r.check(f"{kind}: {rfc} -> {note}; ExaBGP agrees; other sessions up, no FDB changed")
    return note


def sc_malformed(f, r):
    if f.rr_kind != "evpnd" or not f.gen or not f.exabgp:
        raise L.TestFailure("needs the evpnd-rr-ext fabric (bgp_routegen and ExaBGP peers)")
    rr = f.rr
    f.lab.poll_until(lambda: peer_rows(rr).get(EXA_IP, {}).get("state") == "Established", 20,
                     "the reflector's session to ExaBGP")
    rows = peer_rows(rr)
    others = {a: rows[a]["state_since_unix_ns"] for a in rows if a != GEN_IP}
    baseline = {n: sorted(f.fdb(n), key=repr) for n in f.kinds}
    # Part 1: RFC 7606, each kind in its own session.
    for kind, outcome, rfc in MALFORMED:
        r.metric(f"rfc7606_{kind}_note", run_malformed(f, r, kind, outcome, rfc, baseline,
                                                         others))
    r.check("evpnd (the reflector) stayed up; its sessions to v1, v2, v3 and ExaBGP stayed "
            "Established throughout (no flap" +
            ("; but ExaBGP reset its own once, on the type-99 withdrawal)"
             if "exabgp_reset" in r.metrics else ")") + "; no FDB entry changed on any VTEP")

    # Part 2: ExaBGP decodes what evpnd sends. Routes of every kind evpnd originates or
    # reflects: type-3s, MAC-only type-2s (learned), MAC+IP with MAC mobility sequence 1
    # (declared at v2, then at v1: v1 wins with 1), a sticky MAC (static, RFC 7432 §15.2), and
    # FRR's, reflected.
    learn_home_hosts(f)
    m1, ip1, m2 = "02:00:00:00:06:01", f"{SUBNET}.161", "02:00:00:00:06:02"
    ev = f.evpnd_vteps()
    f.daemons[ev[1]].ctl("evpn", "mac", m1, "--vni", VNI, "add", "--ip", ip1)
    f.wait_converged(m1, ev[1], None, local_optional=True)
    f.daemons[ev[0]].ctl("evpn", "mac", m1, "--vni", VNI, "add", "--ip", ip1)
    f.daemons[ev[1]].ctl("evpn", "mac", m2, "--vni", VNI, "add", "--sticky")
    f.wait_converged(m1, ev[0], None, local_optional=True)
    f.wait_converged(m2, ev[1], None, local_optional=True)
    f.wait_mac_states(m1, ev[0], 1)
    t0 = time.monotonic()
    adj, rib = wait_exa_agrees(f, 10)
    loc = {x["prefix"]: x for x in f.rr_routes()}
    best = {p for p, x in loc.items() if x.get("best")}
    if set(adj) != best:
        raise L.TestFailure(f"the reflector's Adj-RIB-Out to ExaBGP (a client) is not its "
                            f"Loc-RIB's best routes: only out {sorted(set(adj) - best)}, only "
                            f"best {sorted(best - set(adj))}")
    bad = {}
    for prefix, route in sorted(adj.items()):
        diff = compare_decode(route, rib[prefix], loc.get(prefix))
        if diff:
            bad[prefix] = diff
    if bad:
        raise L.TestFailure(f"ExaBGP decodes {len(bad)} of {len(adj)} routes differently from "
                            f"what evpnd meant to send: " +
                            "; ".join(f"{p}: {', '.join(d)}" for p, d in list(bad.items())[:4]))
    kinds = {}
    for prefix, route in adj.items():
        key = f"type-{route['route_type']}" + (" MAC+IP" if route.get("ip") and
                                                route["route_type"] == 2 else "")
        kinds[key] = kinds.get(key, 0) + 1
    samples = []
    for mac_ in (m1, m2):
        for prefix, (er, nh, attrs) in rib.items():
            if mac_ in prefix:
                samples.append(f"{prefix} nh {nh} label {er.get('label')} "
                               f"{ext_communities(attrs)['strings']}")
                break
    t3 = next((f"{p} {a.get('pmsi')}" for p, (e, nh, a) in rib.items() if "[3]" in p), "")
    r.metric("exabgp_note", f"ExaBGP decoded all {len(adj)} routes evpnd sends it as meant "
                            f"({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}): type, "
                            f"RD, MAC, IP, label = VNI, next hop, RT, VXLAN encapsulation, MAC "
                            f"mobility sequence/sticky, PMSI, ORIGINATOR_ID, CLUSTER_LIST")
    r.check(f"ExaBGP (an independent decoder) holds exactly the {len(adj)} routes of the "
            f"reflector's Adj-RIB-Out to it ({kinds}) and decodes each as evpnd meant it; "
            f"e.g. {samples + [t3]}")
    r.conv("ExaBGP agrees with evpnd's Adj-RIB-Out", round(time.monotonic() - t0, 3))
    for n, m_ in ((ev[0], m1), (ev[1], m1), (ev[1], m2)):
        f.daemons[n].ctl("evpn", "mac", m_, "--vni", VNI, "delete", check=False)
    f.wait_gone(m1)
    f.wait_gone(m2)
    r.check(f"the API MACs deleted again: {m1}, {m2} gone from every FDB")


# ---------------------------------------------------------------------------------------- 9
# The Arista leaf as examples/arista-leaf/eos.conf describes one, in the lab's numbers: BGP from
# its Loopback0 (ARISTA_IP, also its router ID), VTEP on its Loopback1 (ARISTA_VTEP), AS
# ARISTA_AS (4-octet, eBGP to v1), VLAN 100 = VNI 100 with RD router-id:VNI and RT ASN:VNI, which
# a 4-octet ASN makes a 4-octet-AS route target (type 0x02, RFC 5668, ASN:(VNI mod 65536)). EOS
# sends its learned hosts as MAC+IP type-2 routes with label = VNI (RFC 8365), the VXLAN
# encapsulation community, its router's MAC community, and MAC mobility once a host has moved;
# one type-3 per VNI with PMSI ingress replication (label = VNI, endpoint = its VTEP). A second
# VLAN (VNI 101, RT 4200000021:101) is one v1 does not import.
ARISTA_ROUTER_MAC = "00:1c:73:00:00:21"
ARISTA_SEQ = 1


def arista_mac(i):
    # --mac-offset 0x1c7300aa00: MAC i = 02:1c:73:00:aa:0i
    return f"02:1c:73:00:aa:{i:02x}"


def sc_arista(f, r):
    if not f.arista or f.kinds.get(f.arista) != "evpnd":
        raise L.TestFailure("needs the evpnd-rr-ext fabric (v1 imports the Arista leaf's RT)")
    n = f.arista
    d = f.daemons[n]
    other_vni = VNI + 1
    routes = 4  # route i in VNI 100 + (i mod 2): 0 and 2 in VNI 100, 1 and 3 in VNI 101
    mine = {arista_mac(i): f"{SUBNET}.{201 + i}" for i in range(0, routes, 2)}
    foreign = {arista_mac(i): f"{SUBNET}.{201 + i}" for i in range(1, routes, 2)}
    rr_since = peer_rows(d)[RR_IP]["state_since_unix_ns"]
    f.set_arista_peer(True)
    f.lab.poll_until(lambda: peer_rows(d).get(ARISTA_IP, {}).get("state") in ("Active", "Idle"),
                     10, f"v{n} to know the Arista peer after the reload")
    r.check(f"v{n} reloaded with a passive eBGP peer {ARISTA_IP} (AS {ARISTA_AS}); VNI {VNI} "
            f"imports {AS}:{VNI} and {ARISTA_RT}, as examples/arista-leaf/evpnd.conf does")
    filtered_before = {m: rt_filtered(f.daemons[m], RR_IP) for m in f.evpnd_vteps() if m != n}
    t0 = time.monotonic()
    gen = f.routegen("arista", "ar", [
        "--connect", VTEP_IP[n], "--bind", ARISTA_IP, "--local-as", ARISTA_AS,
        "--remote-as", AS, "--router-id", ARISTA_IP, "--next-hop", ARISTA_VTEP, "--hold", 9,
        "--routes", routes, "--with-ip", "--ip-base", f"{SUBNET}.200", "--vni", VNI,
        "--vnis", 2, "--type3", 2, "--rt-as", ARISTA_AS, "--seq", ARISTA_SEQ,
        "--router-mac", ARISTA_ROUTER_MAC, "--mac-offset", 0x1c7300aa00])
    try:
        _arista_checks(f, r, n, d, gen, t0, mine, foreign, other_vni, filtered_before)
    finally:
        if gen.alive():
            gen.stop()
    rep = f.routegen_report(gen) or {}
    got = rep.get("received") or {}
    r.metric("arista_received", got)
    # The Arista leaf leaves: every route goes, and with them the FDB entries.
    def clean():
        fdb = f.fdb(n)
        return not any(m in mine or (m == ZERO and dst == ARISTA_VTEP)
                       for m, dev, dst, kind, _ in fdb) or None
    try:
        f.lab.poll_until(clean, 10, "")
    except L.TestFailure as e:
        if not timed_out(e):
            raise
        left = [x for x in f.fdb(n) if x[0] in mine or x[2] == ARISTA_VTEP]
        raise L.TestFailure(f"the Arista session closed, but v{n}'s FDB still has {left}")
    for m in f.frr_vteps():
        f.lab.poll_until(lambda: not any(x[2] == ARISTA_VTEP for x in f.fdb(m)) or None, 10,
                         f"FRR v{m} to drop the Arista routes")
    f.set_arista_peer(False)
    f.wait_sessions(20)
    if peer_rows(d)[RR_IP]["state_since_unix_ns"] != rr_since:
        raise L.TestFailure(f"v{n}'s session to the reflector was reset by the reloads")
    r.check(f"the Arista session closed (Cease): its MACs and flood entry left v{n}'s FDB (and "
            f"FRR's); the peer removed again by a reload; v{n}'s session to the reflector "
            f"stayed up through both reloads")


def check_arista_at_exabgp(f, r, n, mine, foreign, other_vni):
    """v1 passes the Arista routes to the reflector, which reflects them to ExaBGP: every
    attribute EOS sent must arrive there as sent (evpnd keeps what it does not use itself, the
    router's MAC included)."""
    want = {}
    for i, (mac, ip) in enumerate(sorted({**mine, **foreign}.items())):
        vni = VNI if mac in mine else other_vni
        want[f"{ARISTA_IP}:{vni} [2]:[0]:[48]:[{mac}]:[32]:[{ip}]"] = vni
    for vni in (VNI, other_vni):
        want[f"{ARISTA_IP}:{vni} [3]:[0]:[32]:[{ARISTA_VTEP}]"] = vni

    def arrived():
        rib = exa_rib(f)
        got = {p: e for p, e in rib.items() if p.startswith(f"{ARISTA_IP}:")}
        return got if set(got) == set(want) else None

    try:
        got = f.lab.poll_until(arrived, 10, "", interval=0.1)
    except L.TestFailure as e:
        if not timed_out(e):
            raise
        have = sorted(p for p in exa_rib(f) if p.startswith(f"{ARISTA_IP}:"))
        raise L.TestFailure(f"ExaBGP (through v{n} and the reflector) holds {have} of the "
                            f"Arista routes, want {sorted(want)}")
    bad = []
    for prefix, (er, nh, attrs) in sorted(got.items()):
        vni = want[prefix]
        ec = ext_communities(attrs)
        exp = {"next hop": (nh, ARISTA_VTEP), "RT": (ec["rt"], {f"{ARISTA_AS}:{vni}"}),
               "encapsulation": (ec["encap"], [8]),
               "AS_PATH": (attrs.get("as-path"), [ARISTA_AS])}
        if "[2]" in prefix:
            labels = er.get("label") or [[None, None]]
            exp.update({"label (raw 24 bits)": (labels[0][1], vni),
                        "MAC mobility": (ec["mm"], (ARISTA_SEQ, False)),
                        "router's MAC": (ec["rmac"], ARISTA_ROUTER_MAC)})
        else:
            m = PMSI.match(attrs.get("pmsi") or "")
            exp["PMSI"] = (m.group(1, 4, 5) if m else attrs.get("pmsi"),
                           ("ingressreplication", str(vni), ARISTA_VTEP))
        bad += [f"{prefix}: {k} {a!r}, sent {b!r}" for k, (a, b) in exp.items()
                if (sorted(a) if isinstance(a, set) else a) != (sorted(b) if isinstance(b, set)
                                                                 else b)]
    if bad:
        raise L.TestFailure(f"the Arista routes as ExaBGP got them from the reflector differ "
                            f"from what the Arista leaf sent: {bad[:6]}")
    sample = next((f"{p} nh {nh} label {er.get('label')} as-path {a.get('as-path')} "
                   f"{ext_communities(a)['strings']}" for p, (er, nh, a) in got.items()
                   if "[2]" in p), "")
    r.check(f"v{n} passes the {len(got)} Arista routes on (eBGP -> iBGP, next hop unchanged) "
            f"and the reflector reflects them: ExaBGP decodes every attribute EOS sent, "
            f"unchanged (4-octet-AS RT, VXLAN, MAC mobility {ARISTA_SEQ}, router's MAC "
            f"{ARISTA_ROUTER_MAC}, label = VNI, PMSI); e.g. {sample}")


def rt_filtered(d, peer):
    """How many EVPN routes from `peer` the evpnd `d` dropped as route-target-filtered."""
    return int(peer_rows(d).get(peer, {}).get("routes_rejected", {})
               .get("route-target-filtered", 0))


def _arista_checks(f, r, n, d, gen, t0, mine, foreign, other_vni, filtered_before):
    vtep = ARISTA_VTEP
    want_in = len(mine) + len(foreign) + 2  # the type-2 routes and a type-3 per VNI

    def adj_in():
        rc, out, _ = d.ctl("evpn", "routes", "--peer", ARISTA_IP, "--in", check=False)
        got = (out or {}).get("routes", []) if rc == 0 else []
        return got if len(got) == want_in else None

    try:
        got = f.lab.poll_until(adj_in, 15, "")
    except L.TestFailure as e:
        if not timed_out(e):
            raise
        raise L.TestFailure(f"v{n} did not get the Arista leaf's {want_in} routes: session "
                            f"{peer_rows(d).get(ARISTA_IP, {}).get('state')}, bgp_routegen: "
                            f"{gen.lines()[-3:]}")
    # As evpnd decoded them: RD router-id:VNI, the 4-octet-AS RT, label = VNI, the VTEP as next
    # hop, MAC mobility sequence.
    bad = []
    for x in got:
        vni = VNI if (x["mac"] in mine or x["prefix"].startswith(f"{ARISTA_IP}:{VNI} ")) \
            else other_vni
        want = {"rd": f"{ARISTA_IP}:{vni}", "route_targets": [f"{ARISTA_AS}:{vni}"],
                "next_hop": vtep}
        if x["route_type"] == 2:
            want.update(label=vni, mac_mobility_sequence=ARISTA_SEQ,
                        ip=(mine | foreign).get(x["mac"]))
        for k, v in want.items():
            if x.get(k) != v:
                bad.append(f"{x['prefix']}: {k} {x.get(k)!r}, sent {v!r}")
    if bad:
        raise L.TestFailure(f"v{n} decoded the Arista leaf's routes differently from what was "
                            f"sent: {bad[:6]}")
    r.check(f"v{n} received the Arista leaf's {len(got)} routes (eBGP, AS {ARISTA_AS}) as sent: "
            f"RD {ARISTA_IP}:VNI, RT {ARISTA_AS}:VNI (4-octet AS), label = VNI, next hop "
            f"{vtep} (its VTEP, not its BGP address), MAC mobility sequence {ARISTA_SEQ}")

    # Imported into VNI 100: evpnd's MACs and flood list, and the kernel FDB.
    def programmed():
        fdb = f.fdb(n)
        ok = all(f.where(n, m, fdb) == ("remote", vtep) for m in mine)
        flood = (ZERO, "vxlan100", vtep, "self") in {x[:4] for x in fdb}
        return (fdb, ok and flood) if ok and flood else None

    try:
        fdb, _ = f.lab.poll_until(programmed, 15, "", interval=0.02)
    except L.TestFailure as e:
        if not timed_out(e):
            raise
        have = [x for x in f.fdb(n) if x[0] in mine or x[0] == ZERO]
        raise L.TestFailure(f"v{n}'s FDB after 15 s: {have}; want {sorted(mine)} and the "
                            f"flood list at {vtep}")
    r.conv("bgp_routegen start to v1's FDB programmed", round(time.monotonic() - t0, 3))
    macs = {m["mac"]: m for m in d.ctl("evpn", "macs")[1].get("macs", [])}
    wrong = {m: macs.get(m) for m in mine
             if not macs.get(m) or macs[m]["vni"] != VNI or macs[m]["location"] != "remote" or
             macs[m]["vtep"] != vtep or macs[m]["sequence"] != ARISTA_SEQ or
             macs[m]["ips"] != [mine[m]]}
    if wrong:
        raise L.TestFailure(f"v{n}'s MACs for the Arista leaf's VNI {VNI} routes: {wrong}")
    leaked = {m: macs[m] for m in foreign if m in macs}
    leaked_fdb = [x for x in fdb if x[0] in foreign]
    if leaked or leaked_fdb:
        raise L.TestFailure(f"v{n} imported routes of VNI {other_vni} (RT "
                            f"{ARISTA_AS}:{other_vni}, not among its import RTs): {leaked} "
                            f"{leaked_fdb}")
    vni = next(v for v in d.ctl("vni")[1]["vnis"] if v["vni"] == VNI)
    if vtep not in vni["flood_list"]:
        raise L.TestFailure(f"v{n}'s VNI {VNI} flood list {vni['flood_list']} lacks {vtep}")
    lines = [" ".join(x.split()[:6]) for x in f.lab.sh(f.v[n], "bridge", "fdb", "show", "dev",
                                                       "vxlan100").splitlines()
             if vtep in x or any(m in x for m in mine)]
    r.check(f"v{n} imported the VNI {VNI} routes (RT {ARISTA_RT}): `evpnctl evpn macs` has "
            f"{sorted(mine)} remote at {vtep}, sequence {ARISTA_SEQ}, with their IPs; the "
            f"flood list {vni['flood_list']}; `bridge fdb show dev vxlan100`: {lines}")
    r.check(f"v{n} did not import the VNI {other_vni} routes (RT {ARISTA_AS}:{other_vni}): "
            f"{sorted(foreign)} in no MAC table and no FDB")
    r.metric("arista_fdb_note", f"v{n}: " + "; ".join(lines))
    # The VTEP address is reachable from v1 (the underlay), as VXLAN needs.
    if not f.lab.sh(f.v[n], "ping", "-c", "1", "-W", "1", vtep, check=False):
        raise L.TestFailure(f"v{n} cannot reach the Arista VTEP {vtep}")
    # The other VTEPs: v1 passes the eBGP routes on to the reflector (iBGP), which reflects
    # them. evpnd v2 (auto RT 65000:100 only, one iBGP peer) drops them on receipt (automatic
    # route filtering: route-target-filtered, 6 of them) and must not import them; FRR is
    # reported.
    for m in f.evpnd_vteps():
        if m == n:
            continue
        before = filtered_before[m]
        filtered = lambda: rt_filtered(f.daemons[m], RR_IP)
        f.lab.poll_until(lambda: filtered() >= before + want_in or None, 10,
                         f"v{m} to receive the Arista routes from the reflector and drop them "
                         f"(route-target-filtered)")
        held = [x for x in f.daemons[m].ctl("evpn", "routes")[1].get("routes", [])
                if x.get("next_hop") == vtep]
        have = set(f.daemons[m].macs()) & (set(mine) | set(foreign))
        if held or have or any(x[2] == vtep for x in f.fdb(m)):
            raise L.TestFailure(f"evpnd v{m} (import RT {AS}:{VNI} only) kept or imported the "
                                f"Arista leaf's routes: {len(held)} held, MACs {sorted(have)}")
        r.check(f"evpnd v{m} got them reflected and dropped all {want_in} on receipt "
                f"(route-target-filtered: {before} -> {filtered()}; its import RT is {AS}:{VNI}); "
                f"it imported none")
    if f.exabgp:
        check_arista_at_exabgp(f, r, n, mine, foreign, other_vni)
    for m in f.frr_vteps():
        try:  # reported, not judged: a short wait only
            f.lab.poll_until(lambda: any(x[2] == vtep for x in f.fdb(m)) or None, 2, "")
        except L.TestFailure as e:
            if not timed_out(e):
                raise
        at_frr = sorted({x[0] for x in f.fdb(m) if x[2] == vtep})
        r.metric("frr_arista_note",
                 f"FRR v{m} (auto RT, which FRR matches as *:VNI) imported the reflected "
                 f"Arista routes of VNI {VNI}: its FDB has {at_frr} at {vtep}"
                 if at_frr else f"FRR v{m} imported none of the reflected Arista routes")


# ---------------------------------------------------------------------------------------- registry
class Scenario:
    """`why`: why it is not implemented; `opt_in`: why it runs only when named (not by default,
    so not in ctest's run)."""

    def __init__(self, sid, name, title, fabric, fn, why=None, opt_in=None, needs=()):
        self.id, self.name, self.title, self.fabric, self.fn, self.why = \
            sid, name, title, fabric, fn, why
        self.opt_in = opt_in
        self.needs = needs  # tools beyond the usual ones: "routegen", "exabgp"

    @property
    def implemented(self):
        return self.fn is not None

    def matches(self, word):
        number = re.match(r"\d+", self.id).group(0)
        return word in (self.id, number, self.name, f"{self.id}-{self.name}")


MAIN, EXT, GOBGP = "evpnd-rr", "evpnd-rr-ext", "gobgp-rr"

SCENARIOS = [
    Scenario("1", "flood", "sessions up; type-3 routes give every VTEP the right flood list "
             "(kernel FDB 00:00:00:00:00:00 dst <each other VTEP>)", MAIN, sc_flood),
    Scenario("2", "ping", "hosts behind evpnd and behind FRR ping each other across VXLAN "
             "(each ordered pair)", MAIN, sc_ping),
    Scenario("3", "move", "VM moves evpnd->FRR, FRR->evpnd, evpnd->evpnd: sequence numbers "
             "increase on every speaker, every FDB converges, pings resume", MAIN, sc_move),
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
    Scenario("7a", "rr-evpnd", "evpnd as route reflector for FRR and evpnd clients",
             MAIN, sc_rr_evpnd),
    Scenario("8", "orchestrated-move", "orchestrator-driven moves through evpnd's API "
             "(FRR->evpnd, evpnd->evpnd): every FDB, FRR's included, follows", MAIN,
             sc_orchestrated),
    Scenario("4", "dup-frr", "duplicate MAC detection: a MAC flapping between evpnd v1 and FRR "
             "v3 is marked duplicate at the max_moves-th move, no longer advertised, and "
             "advertised again after recovery_s (FRR's dup-addr-detection reported)", EXT,
             sc_dup_frr),
    Scenario("6", "malformed", "RFC 7606: bgp_routegen's malformed UPDATEs to the evpnd "
             "reflector (treat-as-withdraw, AFI/SAFI disable, session reset), its other sessions "
             "and every FDB untouched; ExaBGP decodes what evpnd sends", EXT, sc_malformed,
             needs=("routegen", "exabgp")),
    Scenario("9", "arista", "Arista-shaped routes (EOS leaf, eBGP from a 4-octet AS: RD "
             "router-id:VNI, 4-octet-AS RT, router's MAC, MAC mobility, VXLAN): evpnd v1 "
             "imports VNI 100's by its configured import RT and programs its FDB, not another "
             "VNI's", EXT, sc_arista, needs=("routegen",)),
    Scenario("7b", "rr-gobgp", "GoBGP (gobgpd) as route reflector for evpnd and FRR clients",
             GOBGP, sc_rr_gobgp),
]

FABRICS = {
    MAIN: dict(kinds={1: "evpnd", 2: "evpnd", 3: "frr"}, rr="evpnd"),
    # MAIN plus duplicate detection on every VTEP, bgp_routegen's and ExaBGP's peers on the
    # reflector and the Arista leaf's on v1 (each extra speaker in a namespace of its own).
    EXT: dict(kinds={1: "evpnd", 2: "evpnd", 3: "frr"}, rr="evpnd", dad=DAD, gen=True,
              exabgp=True, arista=1),
    GOBGP: dict(kinds={1: "evpnd", 2: "evpnd", 3: "frr"}, rr="gobgp"),
}
