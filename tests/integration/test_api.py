#!/usr/bin/env python3
"""The management API (proto/api.proto) through evpnctl, against two running evpnd instances on
the loopback of a namespace this test creates:

   A 127.0.0.1 (VTEP 127.0.0.1, VNI 100) ---- iBGP AS 65000 ---- B 127.0.0.2 (VTEP 127.0.0.2)

Sub-tests (--only NAME picks some):
  read        global, neighbor (table and JSON: state, counts, negotiated families), vni (RD,
              RTs, flood list), evpn routes (Loc-RIB; adj-rib-in/out of a peer; filters by
              type, MAC, RD, VNI), evpn macs, evpn mac MAC history.
  orchestrate the orchestrator-driven VM move: `evpn mac MAC add` at A, then at B (B advertises
              sequence 1, A gives it up), then `delete` at A; both APIs agree on the VTEP and
              sequence; the history at B lists the move A -> B.
  watch       `evpnctl --json watch`: B streams the install-remote MAC decision and the FDB add
              when A adds a MAC, and "down: ... administrative-reset" then "established" when A
              resets the session; unknown kinds are refused.
  peer-ops    neighbor disable (with a message: B logs the RFC 8203 communication), enable,
              reset (Cease/Administrative Reset, the session comes back), softreset.
  errors      bad requests get exit code 2 and a message that names the problem (unknown VNI,
              malformed MAC, unknown peer, MAC not local, MAC not duplicate, bad IP) and change
              nothing; a usage error exits 1 without contacting evpnd; a missing daemon exits 3.
  duplicate   duplicate detection (max_moves 2) through the API: A's second move marks the MAC
              duplicate (not advertised: B keeps it), clear-duplicate advertises it again
              (sequence 2) and B follows.
  socket      the API socket is mode 0660; reload through the API applies a new config.
  rt-filter   automatic route filtering: B serves VNI 100 only, A also VNI 200 (one local MAC);
              B keeps A's 3 VNI 100 routes and refuses the 3 of VNI 200 (routes_rejected
              "route-target-filtered", the metric, the `evpnctl neighbor` table's Rejected
              column); a reload that adds VNI 200 to B asks A for a route refresh and the 3
              come, with A's MAC in B's VNI 200; removing VNI 200 again drops the 3 held
              routes at once; with retain_route_target_all and no VNI 200, B keeps all 6.
  metrics     the Prometheus endpoint (global.metrics) of A: the text parses with Prometheus's
              own Python client (python3-prometheus-client); sessions by state, peer routes,
              Loc-RIB routes by type, EVPN routes/MACs/flood VTEPs per VNI, the UPDATE
              histogram agree with the API; a move orchestrated to B counts a MAC move and a
              local-moved-away decision at A; 404 for other paths, 405 for POST; a reload moves
              the endpoint to another port without touching the BGP session; off by default.

Usage (root): python3 test_api.py [--evpnd build/bgpd/daemon/evpnd] [--only NAME]
Not root: prints "SKIPPED: ..." and exits 0.
"""

import json
import os
import re
import stat
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402

A, B = "127.0.0.1", "127.0.0.2"
VNI = 100
MAC = "52:54:00:aa:00:01"
STATIC = "52:54:00:aa:00:99"


def conf(me, other, macs=(), duplicate=None):
    evpn = L.evpn_block([dict(vni=VNI, local_macs=[dict(mac=m, ips=["10.1.0.9"]) for m in macs])],
                        duplicate=duplicate)
    evpn = evpn.replace("evpn {", "evpn {\n  kernel_fdb: false", 1)
    return L.evpnd_config(me, 65000, [dict(address=other, remote_as=65000, connect_retry_s=1,
                                           hold_time_s=9)], listen=[me], evpn=evpn)


def pair(lab, args, duplicate=None):
    ns = lab.netns("api")
    lab.ip(ns, "addr", "add", f"{B}/8", "dev", "lo")
    a = lab.evpnd("evpnd-a", ns, args.evpnd, conf(A, B, [STATIC], duplicate))
    b = lab.evpnd("evpnd-b", ns, args.evpnd, conf(B, A, (), duplicate))
    for d, other in ((a, B), (b, A)):
        lab.poll_until(lambda: state_of(d, other) == "Established" or None, 20,
                       f"{d.name}'s API to show {other} Established")
    return a, b


def state_of(d, peer):
    """The peer's session state through the API (None while the API is not up yet)."""
    rc, out, _ = d.ctl("neighbor", peer, check=False)
    return out["peers"][0]["state"] if rc == 0 else None


def expect(cond, what):
    if not cond:
        raise L.TestFailure(what)


def test_read(args):
    with L.Lab("api-read") as lab:
        a, b = pair(lab, args)
        g = a.ctl("global")[1]
        expect(g["local_as"] == 65000 and g["router_id"] == A and g["vnis"] == 1 and
               g["peers_established"] == 1 and g["fib_state"] == "off", f"global: {g}")
        L.log(f"  global: AS {g['local_as']}, router ID {g['router_id']}, "
              f"{g['loc_rib_routes']} Loc-RIB routes")
        _, table, _ = a.ctl("neighbor", json_out=False)
        expect(re.search(rf"^{re.escape(B)}\s+65000\s+\S+\s+Established", table, re.M),
               f"neighbor table:\n{table}")
        p = a.ctl("neighbor", B)[1]["peers"][0]
        expect(p["families"] == ["l2vpn-evpn"] and p["hold_time_s"] == 9, f"peer: {p}")
        # B has A's MAC-only route, its MAC/IP route and its type-3.
        lab.poll_until(lambda: int(b.ctl("neighbor", A)[1]["peers"][0]["routes_received"]) == 3
                       or None, 10, "B to receive A's 3 routes")
        v = a.ctl("vni")[1]["vnis"][0]
        expect(v["rd"] == f"{A}:1" and v["import_route_targets"] == ["65000:100"] and
               v["flood_list"] == [B] and v["local_macs"] == 1, f"vni: {v}")
        routes = b.ctl("evpn", "routes")[1]["routes"]
        prefixes = sorted(r["prefix"] for r in routes)
        L.log(f"  B's Loc-RIB: {prefixes}")
        expect(len(routes) == 4, "B's Loc-RIB should hold 4 routes (3 of A, its own type-3)")
        t2 = b.ctl("evpn", "routes", "--type", 2, "--mac", STATIC)[1]["routes"]
        expect(len(t2) == 2 and all(r["source"] == A and r["next_hop"] == A for r in t2),
               f"type-2 filter: {t2}")
        by_rd = b.ctl("evpn", "routes", "--rd", f"{A}:1")[1]["routes"]
        expect(len(by_rd) == 3, f"RD filter: {by_rd}")
        by_vni = b.ctl("evpn", "routes", "--vni", VNI)[1]["routes"]
        expect(len(by_vni) == 4, f"VNI filter: {by_vni}")
        adj_in = b.ctl("evpn", "routes", "--peer", A, "--in")[1]["routes"]
        adj_out = a.ctl("evpn", "routes", "--peer", B, "--out")[1]["routes"]
        expect(len(adj_in) == 3 and len(adj_out) == 3, f"adj-rib-in {adj_in} / out {adj_out}")
        macs = b.macs(VNI)
        expect(macs[STATIC]["location"] == "remote" and macs[STATIC]["vtep"] == A and
               macs[STATIC]["ips"] == ["10.1.0.9"], f"B's macs: {macs}")
        h = b.ctl("evpn", "mac", STATIC, "history")[1]
        expect(h["mac"]["vni"] == VNI and h.get("moves", []) == [], f"history: {h}")
        _, text, _ = b.ctl("evpn", "macs", json_out=False)
        L.log("  B's evpnctl evpn macs:\n" + "\n".join("    " + x for x in text.splitlines()))
        lab.check_alive()


def test_orchestrate(args):
    with L.Lab("api-orch") as lab:
        a, b = pair(lab, args)
        out = a.ctl("evpn", "mac", MAC, "--vni", VNI, "add", "--ip", "10.1.0.5")[1]
        expect("advertise-local" in out["decisions"], f"add at A: {out}")
        lab.poll_until(lambda: b.mac_location(VNI, MAC) == ("remote", A, 0) or None, 10,
                       "B to see the VM at A")
        L.log("  the VM moves: the orchestrator announces it at B")
        out = b.ctl("evpn", "mac", MAC, "--vni", VNI, "add", "--ip", "10.1.0.5")[1]
        expect(out["mac"]["sequence"] == 1 and out["mac"]["location"] == "local",
               f"add at B: {out}")
        lab.poll_until(lambda: a.mac_location(VNI, MAC) == ("remote", B, 1) or None, 10,
                       "A to follow the VM to B with sequence 1")
        expect(a.macs(VNI)[MAC]["moved_away"], "A does not mark its old local MAC moved away")
        a.ctl("evpn", "mac", MAC, "--vni", VNI, "delete")
        lab.hold_for(lambda: a.mac_location(VNI, MAC) != ("remote", B, 1) and
                     a.mac_location(VNI, MAC), 1, "A lost the VM after deleting its stale entry")
        h = b.ctl("evpn", "mac", MAC, "history")[1]["moves"]
        expect(len(h) == 1 and h[0]["from_vtep"] == A and h[0]["to_vtep"] == B and
               h[0]["sequence"] == 1, f"B's history: {h}")
        L.log(f"  B's history: {h}")
        lab.check_alive()


def test_peer_ops(args):
    with L.Lab("api-peer") as lab:
        a, b = pair(lab, args)
        mark = b.mark()
        out = a.ctl("neighbor", B, "disable", "planned", "maintenance")[1]
        expect(out["state"] == "Idle", f"disable: {out}")
        b.wait_log(r'received NOTIFICATION cease/administrative-shutdown \(6/2\) '
                   r'"planned maintenance"', 10, "B to log the shutdown communication",
                   since=mark)
        p = a.ctl("neighbor", B)[1]["peers"][0]
        expect(p["admin_down"] and p["state"] == "Idle", f"after disable: {p}")
        L.hold_for(lambda: state_of(a, B) == "Established", 3,
                   "the disabled session came back by itself")
        a.ctl("neighbor", B, "enable")
        lab.poll_until(lambda: state_of(a, B) == "Established"
                       or None, 20, "the session to come back after enable")
        mark = b.mark()
        a.ctl("neighbor", B, "reset")
        b.wait_log(r"received NOTIFICATION cease/administrative-reset \(6/4\)", 10,
                   "B to see Cease/Administrative Reset", since=mark)
        lab.poll_until(lambda: state_of(a, B) == "Established"
                       or None, 20, "the session to come back after reset")
        mark = a.mark()
        a.ctl("neighbor", B, "softreset")
        a.wait_log(r"soft reset by the operator", 5, "A to log the soft reset", since=mark)
        lab.check_alive()


def test_errors(args):
    with L.Lab("api-err") as lab:
        a, b = pair(lab, args)
        before = a.ctl("evpn", "macs")[1]
        cases = [
            (["evpn", "mac", MAC, "--vni", 200, "add"], 2, "VNI 200 is not configured"),
            (["evpn", "mac", "52:54:zz", "--vni", VNI, "add"], 2, "is not a MAC address"),
            (["evpn", "mac", "01:00:5e:00:00:01", "--vni", VNI, "add"], 2, "not a unicast MAC"),
            (["evpn", "mac", MAC, "--vni", VNI, "add", "--ip", "10.1"], 2,
             "is not an IPv4 or IPv6 address"),
            (["evpn", "mac", MAC, "--vni", VNI, "delete"], 2, "is not local in VNI 100"),
            (["evpn", "mac", STATIC, "--vni", VNI, "clear-duplicate"], 2, "not marked duplicate"),
            (["neighbor", "127.0.0.9", "reset"], 2, "127.0.0.9 is not a configured peer"),
            (["neighbor", "not-an-ip"], 2, "is not an IPv4 or IPv6 address"),
            (["evpn", "routes", "--peer", "127.0.0.9", "--in"], 2, "is not a peer"),
            (["evpn", "macs", "--vni", 999], 2, "VNI 999 is not configured"),
            (["evpn", "routes", "--type", 9], 1, "route types are 1..5"),
            (["evpn", "mac", MAC, "add"], 1, "needs --vni N"),
            (["frobnicate"], 1, "unknown command"),
        ]
        for argv, code, message in cases:
            rc, _, err = a.ctl(*argv, check=False)
            expect(rc == code and message in err,
                   f"evpnctl {' '.join(map(str, argv))}: exit {rc}, stderr {err!r}; expected "
                   f"exit {code} and {message!r}")
        expect(a.ctl("evpn", "macs")[1] == before, "a refused request changed the MAC table")
        L.log(f"  {len(cases)} bad requests refused with the expected exit code and message")
        missing = raw_ctl(a, "--socket", "/nonexistent/evpnd.sock", "global")
        expect(missing[0] == 3 and "cannot reach evpnd" in missing[2], f"no daemon: {missing}")
        lab.check_alive()


def raw_ctl(d, *argv):
    """evpnctl with exactly these arguments (no --socket of the instance)."""
    r = subprocess.run([d.evpnctl_bin] + list(argv), capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def test_duplicate(args):
    dad = dict(max_moves=2, window_s=60, recovery_s=0)
    with L.Lab("api-dup") as lab:
        a, b = pair(lab, args, duplicate=dad)
        a.ctl("evpn", "mac", MAC, "--vni", VNI, "add")
        lab.poll_until(lambda: b.mac_location(VNI, MAC) == ("remote", A, 0) or None, 10,
                       "B to see the MAC at A")
        b.ctl("evpn", "mac", MAC, "--vni", VNI, "add")   # move 1: A -> B
        lab.poll_until(lambda: a.mac_location(VNI, MAC) == ("remote", B, 1) or None, 10,
                       "A to see it at B")
        a.ctl("evpn", "mac", MAC, "--vni", VNI, "delete")
        # Move 2 (B -> A) is A's second: A marks the MAC duplicate and does not advertise it.
        out = a.ctl("evpn", "mac", MAC, "--vni", VNI, "add")[1]
        expect("duplicate-detected" in out["decisions"] and out["mac"]["duplicate"],
               f"A's second move: {out}")
        L.hold_for(lambda: b.mac_location(VNI, MAC) != ("local", B, 1) and
                   b.mac_location(VNI, MAC), 1, "B saw a duplicate MAC advertised")
        L.log(f"  A: duplicate ({out['decisions']}); B still holds it with sequence 1")
        out = a.ctl("evpn", "mac", MAC, "--vni", VNI, "clear-duplicate")[1]
        expect("duplicate-cleared" in out["decisions"] and "advertise-local" in out["decisions"]
               and not out["mac"]["duplicate"], f"clear-duplicate: {out}")
        L.log(f"  cleared: {out['decisions']}")
        lab.poll_until(lambda: b.mac_location(VNI, MAC) == ("remote", A, 2) or None, 10,
                       "B to follow A's advertisement with sequence 2")
        lab.check_alive()


def test_socket(args):
    with L.Lab("api-sock") as lab:
        a, b = pair(lab, args)
        mode = stat.S_IMODE(os.stat(a.api_socket).st_mode)
        expect(mode == 0o660, f"API socket mode {oct(mode)}, expected 0660")
        with open(a.config_path) as f:
            text = f.read()
        new_mac = "52:54:00:aa:00:42"
        with open(a.config_path, "w") as f:
            f.write(text.replace(f'mac: "{STATIC}"', f'mac: "{STATIC}" }}\n    local_macs {{ '
                                 f'mac: "{new_mac}"'))
        out = a.ctl("reload")[1]
        expect(out["message"] == "configuration reloaded", f"reload: {out}")
        lab.poll_until(lambda: new_mac in a.macs(VNI) or None, 5, "the reloaded MAC to appear")
        with open(a.config_path, "w") as f:
            f.write(text.replace("local_as: 65000", "local_as: 0"))
        rc, _, err = a.ctl("reload", check=False)
        expect(rc == 2 and "local_as" in err, f"bad reload: exit {rc}, {err!r}")
        L.log(f"  a broken file is refused: {err.strip().splitlines()[0]}")
        lab.check_alive()


def test_rt_filter(args):
    other_mac = "52:54:00:bb:00:01"

    def rt_conf(me, other, vnis, retain=False):
        evpn = L.evpn_block([dict(vni=v, local_macs=[dict(mac=m, ips=["10.2.0.9"]) for m in macs])
                             for v, macs in vnis])
        extra = "  kernel_fdb: false" + ("\n  retain_route_target_all: true" if retain else "")
        evpn = evpn.replace("evpn {", "evpn {\n" + extra, 1)
        text = L.evpnd_config(me, 65000, [dict(address=other, remote_as=65000, connect_retry_s=1,
                                               hold_time_s=9)], listen=[me], evpn=evpn)
        return text.replace("local_as: 65000", "local_as: 65000\n  metrics { http_address: "
                            f'"{me}:9179" }}', 1)

    def counts(d, peer):
        """(state, routes received, route-target-filtered); None while the API is not up."""
        rc, out, _ = d.ctl("neighbor", peer, check=False)
        if rc != 0:
            return None
        p = out["peers"][0]
        return (p["state"], int(p.get("routes_received", 0)),
                int(p.get("routes_rejected", {}).get("route-target-filtered", 0)))

    with L.Lab("api-rtf") as lab:
        ns = lab.netns("api")
        lab.ip(ns, "addr", "add", f"{B}/8", "dev", "lo")
        a = lab.evpnd("evpnd-a", ns, args.evpnd,
                      rt_conf(A, B, [(VNI, [MAC]), (200, [other_mac])]))
        b = lab.evpnd("evpnd-b", ns, args.evpnd, rt_conf(B, A, [(VNI, [])]))
        # A's VNI 100: MAC, MAC/IP, type-3; the same three of VNI 200 are refused.
        lab.poll_until(lambda: counts(b, A) == ("Established", 3, 3) or None, 20,
                       "B to keep A's 3 VNI 100 routes and refuse the 3 of VNI 200")
        expect(len(b.ctl("evpn", "routes", "--peer", A, "--in")[1]["routes"]) == 3,
               "B's Adj-RIB-In from A should hold 3 routes")
        L.log(f"  B from A: {counts(b, A)} (state, received, route-target-filtered)")
        m = scrape(lab, ns, 9179, host=B)["samples"]
        filtered = metric(m, "evpnd_bgp_peer_routes_rejected_total", peer=A,
                          reason="route-target-filtered")
        expect(filtered == 3, f"B's metric of A's filtered routes: {filtered}")
        table = b.ctl("neighbor", A, json_out=False)[1].splitlines()
        row = dict(zip(table[0].split(), table[1].split()))
        expect(row.get("Rcvd") == "3" and row.get("Rejected") == "3",
               f"B's neighbor table should show 3 received and 3 rejected:\n" + "\n".join(table))
        mark = b.reload(rt_conf(B, A, [(VNI, []), (200, [])]))
        b.wait_log(rf"peer {re.escape(A)}: asking for its EVPN routes again \(route refresh\)", 10,
                   "B to ask A for a route refresh", since=mark)
        lab.poll_until(lambda: (counts(b, A) or ("", 0))[1] == 6 or None, 10,
                       "B to take A's VNI 200 routes after the refresh")
        lab.poll_until(lambda: other_mac in b.macs(200) or None, 10,
                       "A's VNI 200 MAC in B's MAC-VRF")
        expect(b.macs(200)[other_mac]["vtep"] == A, f"B's VNI 200: {b.macs(200)}")
        expect(counts(b, A)[0] == "Established", "the refresh must not reset the session")
        L.log(f"  after adding VNI 200 to B: {counts(b, A)}")
        # VNI 200 goes again: B drops the 3 routes it holds for it at once.
        mark = b.reload(rt_conf(B, A, [(VNI, [])]))
        b.wait_log(r"EVPN: keeping only routes with a route target imported here .*; 3 held "
                   r"routes without one dropped", 10, "B to drop its VNI 200 routes", since=mark)
        lab.poll_until(lambda: counts(b, A) == ("Established", 3, 6) or None, 10,
                       "B to hold A's 3 VNI 100 routes only")
        L.log(f"  after removing VNI 200 from B: {counts(b, A)}")
        # No VNI 200 any more, but retain_route_target_all: everything stays.
        b.reload(rt_conf(B, A, [(VNI, [])], retain=True))
        time.sleep(1.0)
        a.ctl("neighbor", B, "softreset")
        time.sleep(1.0)
        expect(counts(b, A)[:2] == ("Established", 6),
               f"retain_route_target_all: B should keep all 6: {counts(b, A)}")
        L.log(f"  retain_route_target_all: {counts(b, A)}")
        lab.check_alive()


# Runs inside the namespace with Debian's python3 (which has python3-prometheus-client): one
# HTTP request; for a 200 on /metrics the body is also parsed by Prometheus's own parser.
METRICS_SCRAPE = r"""
import http.client, json, sys
c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=5)
c.request(sys.argv[3], sys.argv[4])
r = c.getresponse()
body = r.read().decode()
samples = []
if r.status == 200 and sys.argv[4] == "/metrics" and sys.argv[3] == "GET":
    from prometheus_client.parser import text_string_to_metric_families
    for family in text_string_to_metric_families(body):
        samples += [[s.name, s.labels, s.value] for s in family.samples]
print(json.dumps({"status": r.status, "type": r.getheader("Content-Type"), "body": body,
                  "samples": samples}))
"""


def scrape(lab, ns, port, path="/metrics", method="GET", host=A):
    """An HTTP request to a metrics endpoint inside the namespace: a dict with status, type,
    body and samples {(name, frozenset(labels)): value}; None when nothing listens."""
    try:
        out = lab.sh(ns, "/usr/bin/python3", "-c", METRICS_SCRAPE, host, str(port), method, path)
    except L.TestFailure as e:
        if "ConnectionRefusedError" in str(e):
            return None
        raise
    r = json.loads(out)
    r["samples"] = {(n, frozenset(lbl.items())): v for n, lbl, v in r["samples"]}
    return r


def metric(samples, name, **labels):
    return samples.get((name, frozenset((k, str(v)) for k, v in labels.items())))


def test_metrics(args):
    with L.Lab("api-metrics") as lab:
        ns = lab.netns("api")
        lab.ip(ns, "addr", "add", f"{B}/8", "dev", "lo")
        with_metrics = conf(A, B, [STATIC]).replace(
            "local_as: 65000", 'local_as: 65000\n  metrics { http_address: "127.0.0.1:9179" }', 1)
        a = lab.evpnd("evpnd-a", ns, args.evpnd, with_metrics)
        b = lab.evpnd("evpnd-b", ns, args.evpnd, conf(B, A))
        for d, other in ((a, B), (b, A)):
            lab.poll_until(lambda: state_of(d, other) == "Established" or None, 20,
                           f"{d.name}'s API to show {other} Established")
        a.wait_log(r"metrics: Prometheus endpoint on http://127.0.0.1:9179/metrics", 5)
        expect(scrape(lab, ns, 9180, host=B) is None, "B serves metrics without being asked to")
        b.ctl("evpn", "mac", MAC, "--vni", VNI, "add", "--ip", "10.1.0.5")
        lab.poll_until(lambda: a.mac_location(VNI, MAC) == ("remote", B, 0) or None, 10,
                       "A to learn B's MAC")

        r = scrape(lab, ns, 9179)
        expect(r["status"] == 200 and r["type"].startswith("text/plain; version=0.0.4"),
               f"GET /metrics: {r['status']} {r['type']}")
        m = r["samples"]
        L.log(f"  {len(m)} samples, {len(r['body'])} bytes")
        expect(metric(m, "evpnd_bgp_sessions", state="established") == 1 and
               metric(m, "evpnd_bgp_sessions", state="idle") == 0, "sessions by state")
        expect(metric(m, "evpnd_bgp_peer_up", peer=B) == 1, "peer_up")
        expect(metric(m, "evpnd_bgp_selection_deferred") == 0, "a cold start defers nothing")
        # B advertises its type-3 and the MAC and MAC/IP routes of the VM.
        expect(metric(m, "evpnd_bgp_peer_routes", peer=B, kind="received") == 3,
               f"received from B: {metric(m, 'evpnd_bgp_peer_routes', peer=B, kind='received')}")
        # Ours: type-3 and the STATIC MAC with its IP (2 type-2 routes).
        expect(metric(m, "evpnd_bgp_peer_routes", peer=B, kind="advertised") == 3,
               "advertised to B")
        expect(metric(m, "evpnd_bgp_loc_rib_routes", family="l2vpn-evpn", type=2) == 4 and
               metric(m, "evpnd_bgp_loc_rib_routes", family="l2vpn-evpn", type=3) == 2,
               "Loc-RIB routes by type")
        for origin, t2, t3 in (("local", 2, 1), ("remote", 2, 1)):
            expect(metric(m, "evpnd_evpn_routes", vni=VNI, type=2, origin=origin) == t2 and
                   metric(m, "evpnd_evpn_routes", vni=VNI, type=3, origin=origin) == t3,
                   f"EVPN {origin} routes of VNI {VNI}")
        expect(metric(m, "evpnd_evpn_macs", vni=VNI, location="local") == 1 and
               metric(m, "evpnd_evpn_macs", vni=VNI, location="remote") == 1, "MACs by location")
        expect(metric(m, "evpnd_evpn_flood_vteps", vni=VNI) == 1, "flood VTEPs")
        expect(metric(m, "evpnd_evpn_duplicate_macs", vni=VNI) == 0, "duplicates")
        updates = metric(m, "evpnd_bgp_updates_received_total")
        expect(updates and updates >= 2 and
               metric(m, "evpnd_bgp_update_processing_seconds_count") == updates and
               metric(m, "evpnd_bgp_update_processing_seconds_bucket", le="+Inf") == updates,
               f"UPDATE histogram: {updates} UPDATEs")
        expect(metric(m, "evpnd_evpn_mac_moves_total", vni=VNI) == 0, "no move yet")

        L.log("  the VM moves B -> A")
        a.ctl("evpn", "mac", MAC, "--vni", VNI, "add", "--ip", "10.1.0.5")
        lab.poll_until(lambda: b.mac_location(VNI, MAC) == ("remote", A, 1) or None, 10,
                       "B to follow the VM to A")
        m = scrape(lab, ns, 9179)["samples"]
        expect(metric(m, "evpnd_evpn_mac_moves_total", vni=VNI) == 1, "one move at A")
        expect(metric(m, "evpnd_evpn_mobility_decisions_total", decision="moved") == 1,
               "the moved decision")
        expect(metric(m, "evpnd_evpn_macs", vni=VNI, location="local") == 2, "two local MACs")

        expect(scrape(lab, ns, 9179, "/nope")["status"] == 404, "404 for another path")
        expect(scrape(lab, ns, 9179, method="POST")["status"] == 405, "405 for POST")
        head = scrape(lab, ns, 9179, method="HEAD")
        expect(head["status"] == 200 and head["body"] == "", "HEAD")

        L.log("  reload: the endpoint moves to port 9181, the session stays")
        with open(a.config_path) as f:
            text = f.read()
        with open(a.config_path, "w") as f:
            f.write(text.replace("127.0.0.1:9179", "127.0.0.1:9181"))
        a.ctl("reload")
        lab.poll_until(lambda: scrape(lab, ns, 9181) is not None or None, 5, "port 9181")
        expect(scrape(lab, ns, 9179) is None, "the old port still answers")
        m = scrape(lab, ns, 9181)["samples"]
        expect(metric(m, "evpnd_bgp_peer_established_total", peer=B) == 1,
               "the reload restarted the session")
        lab.check_alive()


def watch(d, *args):
    """A background `evpnctl --json watch ...` on instance d; returns the Popen."""
    return subprocess.Popen([d.evpnctl_bin, "--socket", d.api_socket, "--json", "watch"] +
                            [str(a) for a in args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_watch(args):
    with L.Lab("api-watch") as lab:
        a, b = pair(lab, args)
        macs = watch(b, "--kinds", "mac,fdb", "--count", 2, "--for", 20)
        peers = watch(b, "--kinds", "peer", "--count", 2, "--for", 20)
        time.sleep(0.5)  # both streams subscribed
        a.ctl("evpn", "mac", MAC, "--vni", VNI, "add")
        out, err = macs.communicate(timeout=30)
        events = [json.loads(line) for line in out.splitlines()]
        L.log(f"  B's mac/fdb stream: {events}")
        expect(macs.returncode == 0 and len(events) == 2, f"mac stream: {events} {err}")
        expect(any(e["kind"] == "mac" and e["subject"] == f"vni {VNI} mac {MAC}" and
                   e["what"] == "install-remote" and A in e["detail"] for e in events) and
               any(e["kind"] == "fdb" and e["what"] == "add" and A in e["detail"]
                   for e in events), f"mac stream: {events}")
        a.ctl("neighbor", B, "reset")
        out, err = peers.communicate(timeout=30)
        events = [json.loads(line) for line in out.splitlines()]
        L.log(f"  B's peer stream: {[(e['what'], e.get('detail', '')) for e in events]}")
        expect(peers.returncode == 0 and events[0]["what"].startswith("down: ") and
               "administrative-reset" in events[0].get("detail", "") and
               events[1]["what"] == "established", f"peer stream: {events} {err}")
        rc, _, err = b.ctl("watch", "--kinds", "bogus", check=False)
        expect(rc == 2 and "not peer, mac or fdb" in err, f"bad kinds: {rc} {err}")
        lab.check_alive()


TESTS = [("read", test_read), ("watch", test_watch), ("orchestrate", test_orchestrate), ("peer-ops", test_peer_ops),
         ("errors", test_errors), ("duplicate", test_duplicate), ("socket", test_socket),
         ("rt-filter", test_rt_filter), ("metrics", test_metrics)]


def run(args):
    L.require_tools(args.evpnd, "ip")
    L.run_subtests(TESTS, args.only, args)


if __name__ == "__main__":
    L.main(run, "test_api")
