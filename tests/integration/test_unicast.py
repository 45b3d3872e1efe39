#!/usr/bin/env python3
"""IPv4 and IPv6 unicast through evpnd, and IPv6 link-local peers, with a real FRR 8.4 and a real
GoBGP 3.10, in network namespaces the test creates. Two sub-tests (--only NAME picks one).

routes:

   frr (zebra+bgpd, AS 65000)        rr (evpnd, AS 65000, RR)        go (gobgpd, AS 65002)
   f-r 10.0.1.1/30 ----------------- r-f 10.0.1.2/30
                                     r-g 10.0.2.2/30 --------------- g-r 10.0.2.1/30

FRR is an iBGP route-reflector client of evpnd, GoBGP an eBGP peer; all three sessions carry
L2VPN EVPN, IPv4 unicast and IPv6 unicast (over IPv4 transport).

Checks, through each daemon's own CLI:
  1. sessions Established with the three families negotiated (FRR `show bgp neighbors json`).
  2. FRR -> evpnd -> GoBGP (eBGP): FRR's `network 10.77.1.0/24` and `network 2001:db8:77:1::/64`
     reach GoBGP (`gobgp global rib -a ipv4|ipv6 -j`) with AS_PATH [65000] and next hop evpnd's
     session address (10.0.2.2, and ::ffff:10.0.2.2 for IPv6: RFC 4271 §5.1.3 next-hop-self,
     IPv4-mapped as FRR does). evpnd's `evpnctl routes --family ...` lists them with FRR's next
     hop; `evpnctl evpn routes` does not list them.
  3. GoBGP -> evpnd -> FRR (iBGP): GoBGP's 10.88.1.0/24 and 2001:db8:88:1::/64 reach FRR's
     `show bgp ipv4|ipv6 unicast json` with AS path 65002 and GoBGP's next hop unchanged
     (10.0.2.1 / the IPv6 next hop GoBGP sent, RFC 4271 §5.1.3 over iBGP).
  3b. FRR refreshes IPv4 unicast only (enhanced route refresh, RFC 7313): evpnd answers between
     BoRR and EoRR for that family and FRR keeps every route; `evpnctl neighbor softreset` asks
     FRR for every family: no route is lost or left stale.
  4. Withdrawals both ways: the prefixes vanish from the other side; nothing else moves; no
     session drops.
  5. A bad `--family` gets a clear usage error.

link-local:
   b (evpnd B, AS 65001)         a (evpnd A, AS 65000)             f (FRR, AS 65002)
   b-a fe80::b ----------------- a-b fe80::a
                                 a-f fe80::a ---------------------- f-a fe80::f
   x (a stranger): x-b fe80::a -- b-x (B's second link)

Links carry only the link-local addresses the test sets (addrgenmode none). A connects to
fe80::b%a-b (B is passive towards A); A and FRR (`neighbor fe80::a interface f-a`) both connect.
  1. A-B and A-FRR reach Established over link-local addresses (evpnd logs name them
     fe80::b%a-b; FRR's `show bgp neighbors json`).
  2. FRR's IPv6 prefix 2001:db8:f::/48 reaches B through A (eBGP to eBGP over link-local
     sessions) with next hop fe80::a (next-hop-self: A's address on B's link), and evpnctl
     neighbor shows each peer's interface.
  3. A connection from fe80::a arriving at B on another link (b-x) is refused: RFC 4291 §2.5.6,
     the same link-local address on another link is another host.

Usage (root): python3 test_unicast.py [--evpnd build/bgpd/daemon/evpnd] [--only routes|link-local]
Not root: prints "SKIPPED: ..." and exits 0. EVT_KEEP=1 keeps the logs of a run.
"""

import ipaddress
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402

FRR_IP, RR_FRR_IP = "10.0.1.1", "10.0.1.2"
GO_IP, RR_GO_IP = "10.0.2.1", "10.0.2.2"
RR_ID = "10.255.0.1"
FRR_V4, FRR_V6 = "10.77.1.0/24", "2001:db8:77:1::/64"
GO_V4, GO_V6 = "10.88.1.0/24", "2001:db8:88:1::/64"
FAMILIES = ["ADDRESS_FAMILY_L2VPN_EVPN", "ADDRESS_FAMILY_IPV4_UNICAST",
            "ADDRESS_FAMILY_IPV6_UNICAST"]
TIMEOUT = 30

FRR_BGPD_CONF = f"""hostname evt-frr
log timestamp precision 3
router bgp 65000
 bgp router-id {FRR_IP}
 no bgp default ipv4-unicast
 no bgp network import-check
 neighbor {RR_FRR_IP} remote-as 65000
 neighbor {RR_FRR_IP} timers 3 9
 address-family ipv4 unicast
  network {FRR_V4}
  neighbor {RR_FRR_IP} activate
 exit-address-family
 address-family ipv6 unicast
  network {FRR_V6}
  neighbor {RR_FRR_IP} activate
 exit-address-family
 address-family l2vpn evpn
  neighbor {RR_FRR_IP} activate
 exit-address-family
"""

GOBGP_TOML = f"""[global.config]
  as = 65002
  router-id = "{GO_IP}"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "{RR_GO_IP}"
    peer-as = 65000
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 1
""" + "".join(f"""  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "{f}"
""" for f in ("ipv4-unicast", "ipv6-unicast", "l2vpn-evpn"))


def build_topology(lab):
    frr, go, rr = lab.netns("frr"), lab.netns("go"), lab.netns("rr")
    lab.veth(frr, "f-r", rr, "r-f", f"{FRR_IP}/30", f"{RR_FRR_IP}/30")
    lab.veth(go, "g-r", rr, "r-g", f"{GO_IP}/30", f"{RR_GO_IP}/30")
    return frr, go, rr


def gobgp_paths(go, family, prefix):
    rib = json.loads(go.cli("global", "rib", "-a", family, "-j") or "{}")
    return rib.get(prefix) or []


def gobgp_next_hop(path):
    for attr in path.get("attrs", []):
        if attr.get("type") == 3:  # NEXT_HOP
            return attr.get("nexthop")
        if attr.get("type") == 14:  # MP_REACH_NLRI
            return attr.get("nexthop")
    return None


def gobgp_as_path(path):
    for attr in path.get("attrs", []):
        if attr.get("type") == 2:
            return [asn for seg in attr.get("as_paths", []) for asn in seg.get("asns", [])]
    return None


def frr_paths(frr, family, prefix):
    table = frr.vtysh_json(f"show bgp {family} unicast json")
    return (table.get("routes") or {}).get(prefix) or []


def evpnd_routes(rr, family):
    _, out, _ = rr.ctl("routes", "--family", family)
    return {r["prefix"]: r for r in (out or {}).get("routes", [])}


def test_routes(args):
    with L.Lab("unicast") as lab:
        frr_ns, go_ns, rr_ns = build_topology(lab)
        rr = lab.evpnd("evpnd-rr", rr_ns, args.evpnd, L.evpnd_config(RR_ID, 65000, [
            dict(address=FRR_IP, description="frr", remote_as=65000, route_reflector_client=True,
                 hold_time_s=9, keepalive_s=3, connect_retry_s=1, families=FAMILIES),
            dict(address=GO_IP, description="gobgp", remote_as=65002, hold_time_s=9,
                 keepalive_s=3, connect_retry_s=1, families=FAMILIES),
        ], listen=[RR_FRR_IP, RR_GO_IP]))
        go = lab.gobgp(go_ns, GOBGP_TOML)
        frr = lab.frr(frr_ns, FRR_BGPD_CONF, "hostname evt-frr\n")

        # 1. sessions ----------------------------------------------------------------
        L.log("1. sessions with three families")

        def frr_neighbor():
            n = frr.vtysh_json(f"show bgp neighbors {RR_FRR_IP} json").get(RR_FRR_IP) or {}
            return n.get("bgpState") == "Established" and n

        n = lab.poll_until(frr_neighbor, TIMEOUT, "FRR's session to evpnd to be Established")
        afs = (n.get("neighborCapabilities") or {}).get("multiprotocolExtensions") or {}
        for af in ("ipv4Unicast", "ipv6Unicast", "l2VpnEvpn"):
            if "advertisedAndReceived" not in (afs.get(af) or {}):
                raise L.TestFailure(f"FRR: {af} not negotiated with evpnd: {afs}")
        L.log(f"  FRR: {RR_FRR_IP} Established, families {sorted(afs)} advertised and received")
        lab.poll_until(lambda: "bgp state = established" in go.cli("neighbor", RR_GO_IP).lower(),
                       TIMEOUT, "GoBGP's session to evpnd to be established")
        for ip in (FRR_IP, GO_IP):
            L.log(f"  evpnd: {rr.wait_log(rf'peer {re.escape(ip)}: established, AS ', TIMEOUT)}")
        mark = rr.mark()

        # 2. FRR -> evpnd -> GoBGP (eBGP: next-hop-self) --------------------------------
        L.log("2. FRR's prefixes reach GoBGP over eBGP with evpnd as next hop")
        # GoBGP prints an IPv4-mapped IPv6 address as dotted quad (Go's net.IP); the bytes are
        # checked by tests/unit/rib/unicast_test.cc.
        for family, prefix, want_nh in (("ipv4", FRR_V4, {RR_GO_IP}),
                                        ("ipv6", FRR_V6, {f"::ffff:{RR_GO_IP}", RR_GO_IP})):
            paths = lab.poll_until(lambda: gobgp_paths(go, family, prefix), TIMEOUT,
                                   f"GoBGP to have FRR's {prefix}")
            nh, as_path = gobgp_next_hop(paths[0]), gobgp_as_path(paths[0])
            if nh not in want_nh or as_path != [65000]:
                raise L.TestFailure(f"GoBGP's {prefix}: next hop {nh}, AS path {as_path} "
                                    f"(expected {want_nh}, [65000]): {paths[0]}")
            L.log(f"  GoBGP {family}: {prefix} next hop {nh}, AS path {as_path}")
        v4 = lab.poll_until(lambda: evpnd_routes(rr, "ipv4-unicast").get(FRR_V4), TIMEOUT,
                            f"evpnctl routes to list {FRR_V4}")
        v6 = evpnd_routes(rr, "ipv6-unicast").get(FRR_V6)
        if v4.get("next_hop") != FRR_IP or v4.get("family") != "ipv4-unicast" or not v4.get("best"):
            raise L.TestFailure(f"evpnd's {FRR_V4}: {v4} (expected best, next hop {FRR_IP})")
        if not v6 or not v6.get("next_hop") or not v6.get("best"):
            raise L.TestFailure(f"evpnd's {FRR_V6}: {v6}")
        L.log(f"  evpnctl routes: {FRR_V4} via {v4['next_hop']}, {FRR_V6} via {v6['next_hop']}")
        _, evpn_only, _ = rr.ctl("evpn", "routes")
        leaked = [r["prefix"] for r in (evpn_only or {}).get("routes", [])
                  if r.get("family") != "l2vpn-evpn"]
        if leaked:
            raise L.TestFailure(f"`evpnctl evpn routes` lists unicast routes: {leaked}")

        # 3. GoBGP -> evpnd -> FRR (iBGP: next hop unchanged) ----------------------------
        L.log("3. GoBGP's prefixes reach FRR over iBGP with GoBGP's next hop")
        go.cli("global", "rib", "-a", "ipv4", "add", GO_V4)
        go.cli("global", "rib", "-a", "ipv6", "add", GO_V6)
        sent_v6 = lab.poll_until(lambda: evpnd_routes(rr, "ipv6-unicast").get(GO_V6), TIMEOUT,
                                 f"evpnd to learn GoBGP's {GO_V6}")["next_hop"]
        for family, prefix, want_nh in (("ipv4", GO_V4, GO_IP), ("ipv6", GO_V6, sent_v6)):
            paths = lab.poll_until(lambda: frr_paths(frr, family, prefix), TIMEOUT,
                                   f"FRR to have GoBGP's {prefix}")
            p = paths[0]
            # Compared as addresses: FRR prints ::ffff:a00:201, evpnd ::ffff:10.0.2.1 (RFC 5952 §5).
            hops = [ipaddress.ip_address(h.get("ip")) for h in p.get("nexthops", [])]
            if ipaddress.ip_address(want_nh) not in hops or p.get("path") != "65002":
                raise L.TestFailure(f"FRR's {prefix}: next hops {hops}, AS path "
                                    f"'{p.get('path')}' (expected {want_nh}, '65002'): {p}")
            L.log(f"  FRR {family}: {prefix} next hop {want_nh}, AS path {p.get('path')}")

        # 3b. route refresh of one family -------------------------------------------------
        L.log("3b. FRR refreshes IPv4 unicast only; evpnd soft-resets FRR (every family)")
        rmark = rr.mark()
        frr.vtysh(f"clear bgp ipv4 unicast {RR_FRR_IP} soft in")
        rr.wait_log(rf"peer {re.escape(FRR_IP)}: route refresh for ipv4-unicast done, EoRR sent",
                    TIMEOUT, since=rmark)
        lab.hold_for(lambda: not (frr_paths(frr, "ipv4", GO_V4) and frr_paths(frr, "ipv6", GO_V6)),
                     2, "FRR lost a route during evpnd's IPv4 refresh")
        rr.ctl("neighbor", FRR_IP, "softreset")
        # FRR answers each family's ROUTE-REFRESH with its routes and an EoRR: evpnd marks
        # that family stale at the BoRR and sweeps nothing, since FRR re-sent everything.
        for fam in ("ipv4-unicast", "ipv6-unicast", "l2vpn-evpn"):
            line = rr.wait_log(rf"peer {re.escape(FRR_IP)}: EoRR for {fam}: \d+ routes",
                               TIMEOUT, since=rmark)
            if not re.search(r": 0 routes still stale removed", line):
                raise L.TestFailure(f"FRR's refresh of {fam} left routes behind: {line}")
        lab.hold_for(lambda: not (evpnd_routes(rr, "ipv4-unicast").get(FRR_V4) and
                                  evpnd_routes(rr, "ipv6-unicast").get(FRR_V6)), 2,
                     "evpnd lost one of FRR's routes during the soft reset")
        stale = [p for f in ("ipv4-unicast", "ipv6-unicast")
                 for p, r in evpnd_routes(rr, f).items() if r.get("stale")]
        if stale:
            raise L.TestFailure(f"routes left stale after the refreshes: {stale}")
        L.log("  FRR kept GoBGP's routes through the IPv4 refresh; evpnd kept FRR's through the "
              "soft reset, none stale")

        # 4. withdrawals ----------------------------------------------------------------
        L.log("4. withdrawals both ways")
        frr.vtysh("configure terminal", "router bgp 65000", "address-family ipv4 unicast",
                  f"no network {FRR_V4}")
        lab.poll_until(lambda: not gobgp_paths(go, "ipv4", FRR_V4), TIMEOUT,
                       f"FRR's {FRR_V4} to leave GoBGP")
        go.cli("global", "rib", "-a", "ipv6", "del", GO_V6)
        lab.poll_until(lambda: not frr_paths(frr, "ipv6", GO_V6), TIMEOUT,
                       f"GoBGP's {GO_V6} to leave FRR")
        if not gobgp_paths(go, "ipv6", FRR_V6) or not frr_paths(frr, "ipv4", GO_V4):
            raise L.TestFailure("a withdrawal took other prefixes with it")
        L.log(f"  {FRR_V4} left GoBGP, {GO_V6} left FRR; {FRR_V6} and {GO_V4} stay")
        downs = rr.grep(r"session down", mark)
        if downs:
            raise L.TestFailure(f"a session went down: {downs}")

        # 5. a bad family ------------------------------------------------------------------
        code, _, err = rr.ctl("routes", "--family", "ipv4-multicast", check=False)
        if code == 0 or "family" not in err:
            raise L.TestFailure(f"evpnctl routes --family ipv4-multicast: exit {code}, '{err}'")
        L.log(f"5. evpnctl routes --family ipv4-multicast: exit {code}: {err.strip()}")


# ------------------------------------------------------------------------- link-local
LL_A, LL_B, LL_F = "fe80::a", "fe80::b", "fe80::f"
FRR_LL_V6 = "2001:db8:f::/48"

FRR_LL_CONF = f"""hostname evt-frr-ll
log timestamp precision 3
router bgp 65002
 bgp router-id 10.255.0.3
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor {LL_A} remote-as 65000
 neighbor {LL_A} interface f-a
 neighbor {LL_A} timers 3 9
 neighbor {LL_A} timers connect 1
 address-family ipv6 unicast
  network {FRR_LL_V6}
  neighbor {LL_A} activate
 exit-address-family
 address-family l2vpn evpn
  neighbor {LL_A} activate
 exit-address-family
"""


def link_local_veth(lab, ns_a, if_a, addr_a, ns_b, if_b, addr_b):
    """A veth whose ends have only the link-local address given (no EUI-64 one, no DAD wait)."""
    lab.veth(ns_a, if_a, ns_b, if_b, up=False)
    for ns, ifname, addr in ((ns_a, if_a, addr_a), (ns_b, if_b, addr_b)):
        lab.ip(ns, "link", "set", ifname, "addrgenmode", "none")
        lab.ip(ns, "addr", "add", f"{addr}/64", "dev", ifname, "nodad")
        lab.ip(ns, "link", "set", ifname, "up")


def test_link_local(args):
    with L.Lab("ll") as lab:
        a, b, f, x = lab.netns("a"), lab.netns("b"), lab.netns("f"), lab.netns("x")
        link_local_veth(lab, a, "a-b", LL_A, b, "b-a", LL_B)
        link_local_veth(lab, a, "a-f", LL_A, f, "f-a", LL_F)
        link_local_veth(lab, x, "x-b", LL_A, b, "b-x", "fe80::bb")
        fam = ["ADDRESS_FAMILY_L2VPN_EVPN", "ADDRESS_FAMILY_IPV6_UNICAST"]
        timers = dict(hold_time_s=9, keepalive_s=3, connect_retry_s=1)
        ea = lab.evpnd("evpnd-a", a, args.evpnd, L.evpnd_config("10.255.0.1", 65000, [
            dict(address=LL_B, remote_as=65001, families=fam, **timers),
            dict(address=LL_F, remote_as=65002, families=fam, **timers),
        ]).replace(f'address: "{LL_B}"', f'address: "{LL_B}"\n  interface: "a-b"')
                        .replace(f'address: "{LL_F}"', f'address: "{LL_F}"\n  interface: "a-f"'))
        eb = lab.evpnd("evpnd-b", b, args.evpnd, L.evpnd_config("10.255.0.2", 65001, [
            dict(address=LL_A, remote_as=65000, passive=True, families=fam, **timers),
        ]).replace(f'address: "{LL_A}"', f'address: "{LL_A}"\n  interface: "b-a"'))
        frr = lab.frr(f, FRR_LL_CONF, "hostname evt-frr-ll\n")

        L.log("1. sessions over link-local addresses")
        L.log(f"  A: {ea.wait_log(r'peer fe80::b%a-b: established, AS 65001', TIMEOUT)}")
        L.log(f"  B: {eb.wait_log(r'peer fe80::a%b-a: established, AS 65000', TIMEOUT)}")
        L.log(f"  A: {ea.wait_log(r'peer fe80::f%a-f: established, AS 65002', TIMEOUT)}")

        def frr_state():
            n = frr.vtysh_json(f"show bgp neighbors {LL_A} json").get(LL_A) or {}
            return n.get("bgpState") == "Established" and n

        n = lab.poll_until(frr_state, TIMEOUT, "FRR's session to fe80::a to be Established")
        L.log(f"  FRR: {LL_A} {n['bgpState']} on {n.get('hostLocal', {}) or n.get('nbrDesc', '')}"
              f" interface f-a")

        L.log("2. FRR's prefix reaches B through A")
        route = lab.poll_until(lambda: evpnd_routes(eb, "ipv6-unicast").get(FRR_LL_V6), TIMEOUT,
                               f"B to learn {FRR_LL_V6} through A")
        # eBGP next-hop-self over a link-local session: A's address on B's link.
        if not route.get("best") or route.get("next_hop") != LL_A:
            raise L.TestFailure(f"B's {FRR_LL_V6}: {route} (expected best, next hop {LL_A})")
        L.log(f"  B: {FRR_LL_V6} next hop {route['next_hop']} from {route['source']}")
        _, peers, _ = ea.ctl("neighbor")
        shown = {p["address"]: p.get("interface") for p in peers.get("peers", [])}
        if shown != {LL_B: "a-b", LL_F: "a-f"}:
            raise L.TestFailure(f"evpnctl neighbor on A shows interfaces {shown}")
        L.log(f"  evpnctl neighbor on A: {shown}")

        L.log("3. fe80::a arriving at B on another link is refused")
        mark = eb.mark()
        probe = ("import socket\n"
                 "s = socket.socket(socket.AF_INET6)\n"
                 "s.settimeout(3)\n"
                 f"s.bind(('{LL_A}', 0, 0, socket.if_nametoindex('x-b')))\n"
                 "s.connect(('fe80::bb', 179, 0, socket.if_nametoindex('x-b')))\n"
                 "print('connected; closed by the peer' if s.recv(1) == b'' else 'data')\n")
        lab.sh(x, "python3", "-c", probe, check=False)
        line = eb.wait_log(r"connection from fe80::a refused: it did not arrive on interface b-a",
                           TIMEOUT, since=mark)
        L.log(f"  B: {line}")
        if eb.grep(r"session down", mark):
            raise L.TestFailure(f"B's session to A went down: {eb.grep(r'session down', mark)}")


TESTS = [("routes", test_routes), ("link-local", test_link_local)]


def run(args):
    L.require_tools(args.evpnd, "ip", "vtysh", "gobgp", "gobgpd", f"{L.FRR_BIN}/zebra",
                    f"{L.FRR_BIN}/bgpd")
    L.run_subtests(TESTS, args.only, args)


if __name__ == "__main__":
    L.main(run, "test_unicast")
