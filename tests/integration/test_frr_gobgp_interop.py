#!/usr/bin/env python3
"""evpnd as an iBGP route reflector (AS 65000, RFC 4456) between a real FRR 8.4 VTEP and GoBGP,
family L2VPN EVPN only, everything in network namespaces this test creates:

   h1 (host)           frr (zebra+bgpd, VTEP 10.250.255.1)      rr (evpnd, RR, id 10.255.0.1)
   eth0 02:aa::01 ---- h1p [br100] vxlan100 VNI 100
   192.168.100.1/24    f-r 10.0.1.1/30 ------------------------ r-f 10.0.1.2/30
                                                                r-g 10.0.2.2/30
                       go (gobgpd, VTEP 10.250.255.2)            |
                       g-r 10.0.2.1/30 --------------------------+

Checks, each through the peers' own CLIs:
  1. sessions: FRR `show bgp l2vpn evpn summary json` shows 10.0.1.2 Established; GoBGP shows
     10.0.2.2 established; evpnd logs both Established.
  2. FRR -> GoBGP: FRR originates a type-3 (IMET, PMSI ingress replication) and type-2 routes
     (MAC, MAC+IP) for VNI 100; `gobgp global rib -a evpn -j` shows them with next hop
     10.250.255.1, ORIGINATOR_ID 10.250.255.1 and evpnd's cluster ID in CLUSTER_LIST.
  3. GoBGP -> FRR: GoBGP injects a type-2 (MAC+IP, RD 10.250.255.2:100, RT 65000:100, VXLAN)
     and a type-3 with PMSI ingress-repl; FRR's `show bgp l2vpn evpn route detail json` shows
     them with originatorId 10.250.255.2 and clusterList [10.255.0.1]; FRR imports them into
     VNI 100 (remote MAC, remote VTEP with HER flooding) and programs the kernel FDB.
  4. Withdrawals: GoBGP withdraws its type-2 and type-3: both vanish from FRR (BGP table, VNI,
     kernel FDB). FRR withdraws its MAC: it vanishes from GoBGP.

Usage (root): python3 test_frr_gobgp_interop.py [--evpnd build/bgpd/daemon/evpnd]
Not root: prints "SKIPPED: ..." and exits 0. EVT_KEEP=1 keeps the logs of a run.
"""

import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402

FRR_IP, RR_FRR_IP = "10.0.1.1", "10.0.1.2"
GO_IP, RR_GO_IP = "10.0.2.1", "10.0.2.2"
FRR_VTEP, GO_VTEP = "10.250.255.1", "10.250.255.2"
RR_ID = "10.255.0.1"
H1_MAC, H1_IP = "02:aa:00:00:00:01", "192.168.100.1"
GO_MAC, GO_MAC_IP = "02:bb:00:00:00:01", "192.168.100.12"
GO_RD = f"{GO_VTEP}:100"
GO_T2 = f"[2]:[0]:[48]:[{GO_MAC}]:[32]:[{GO_MAC_IP}]"
GO_T3 = f"[3]:[0]:[32]:[{GO_VTEP}]"
TIMEOUT = 30

FRR_BGPD_CONF = f"""hostname evt-frr
log timestamp precision 3
router bgp 65000
 bgp router-id {FRR_VTEP}
 no bgp default ipv4-unicast
 neighbor {RR_FRR_IP} remote-as 65000
 neighbor {RR_FRR_IP} description evpnd-rr
 address-family l2vpn evpn
  neighbor {RR_FRR_IP} activate
  advertise-all-vni
 exit-address-family
"""

GOBGP_TOML = f"""[global.config]
  as = 65000
  router-id = "{GO_VTEP}"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "{RR_GO_IP}"
    peer-as = 65000
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
"""

# --reference-rr gobgp: a gobgpd takes evpnd's place as the reflector. It checks the test itself
# against a known-good reflector (same checks, minus evpnd's own log lines).
GOBGP_RR_TOML = f"""[global.config]
  as = 65000
  router-id = "{RR_ID}"
""" + "".join(f"""[[neighbors]]
  [neighbors.config]
    neighbor-address = "{ip}"
    peer-as = 65000
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 1
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "{RR_ID}"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
""" for ip in (FRR_IP, GO_IP))


def build_topology(lab):
    frr, go, rr, h1 = lab.netns("frr"), lab.netns("go"), lab.netns("rr"), lab.netns("h1")
    lab.veth(frr, "f-r", rr, "r-f", f"{FRR_IP}/30", f"{RR_FRR_IP}/30")
    lab.veth(go, "g-r", rr, "r-g", f"{GO_IP}/30", f"{RR_GO_IP}/30")
    # Underlay: VTEP addresses on lo, reachable through the reflector's namespace.
    lab.ip(frr, "addr", "add", f"{FRR_VTEP}/32", "dev", "lo")
    lab.ip(go, "addr", "add", f"{GO_VTEP}/32", "dev", "lo")
    lab.ip(frr, "route", "add", f"{GO_VTEP}/32", "via", RR_FRR_IP)
    lab.ip(go, "route", "add", f"{FRR_VTEP}/32", "via", RR_GO_IP)
    lab.ip(rr, "route", "add", f"{FRR_VTEP}/32", "via", FRR_IP)
    lab.ip(rr, "route", "add", f"{GO_VTEP}/32", "via", GO_IP)
    lab.sh(rr, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
    # The VTEP: bridge br100 + vxlan100 (VNI 100), as in NOTES.md.
    lab.ip(frr, "link", "add", "br100", "address", "02:00:0a:64:00:fe", "type", "bridge")
    lab.ip(frr, "link", "add", "vxlan100", "type", "vxlan", "id", "100", "local", FRR_VTEP,
           "dstport", "4789", "nolearning")
    lab.ip(frr, "link", "set", "vxlan100", "master", "br100", "addrgenmode", "none")
    lab.ip(frr, "link", "set", "vxlan100", "type", "bridge_slave", "neigh_suppress", "off",
           "learning", "off")
    lab.ip(frr, "link", "set", "vxlan100", "up")
    lab.ip(frr, "link", "set", "br100", "up")
    lab.ip(frr, "addr", "add", "192.168.100.254/24", "dev", "br100")
    # A host behind the VTEP, on access port h1p.
    lab.veth(h1, "eth0", frr, "h1p", f"{H1_IP}/24", None, mac_a=H1_MAC, up=False)
    lab.ip(frr, "link", "set", "h1p", "master", "br100")
    lab.ip(frr, "link", "set", "h1p", "up")
    lab.ip(h1, "link", "set", "eth0", "up")
    return frr, go, rr, h1


# ------------------------------------------------------------------------- GoBGP view
def gobgp_rib(go):
    return json.loads(go.cli("global", "rib", "-a", "evpn", "-j") or "{}")


def gobgp_find(go, *needles):
    """Paths in GoBGP's EVPN RIB whose key contains every needle: [(key, path)]."""
    return [(k, p) for k, paths in gobgp_rib(go).items() if all(n in k for n in needles)
            for p in paths]


def gobgp_attr(path, type_code):
    for attr in path.get("attrs", []):
        if attr.get("type") == type_code:
            return attr
    return None


def check_reflected_to_gobgp(key, path):
    """ORIGINATOR_ID (9) = FRR, CLUSTER_LIST (10) holds evpnd's cluster ID, next hop kept."""
    problems = []
    orig = gobgp_attr(path, 9)
    clusters = gobgp_attr(path, 10)
    mp = gobgp_attr(path, 14)
    if not orig or orig.get("value") != FRR_VTEP:
        problems.append(f"ORIGINATOR_ID {orig} (expected {FRR_VTEP})")
    if not clusters or RR_ID not in (clusters.get("value") or []):
        problems.append(f"CLUSTER_LIST {clusters} (expected to hold {RR_ID})")
    if not mp or mp.get("nexthop") != FRR_VTEP:
        problems.append(f"next hop {mp and mp.get('nexthop')} (expected {FRR_VTEP}, unchanged)")
    if path.get("neighbor-ip") != RR_GO_IP:
        problems.append(f"learned from {path.get('neighbor-ip')} (expected {RR_GO_IP})")
    nlri = (path.get("nlri") or {}).get("value") or {}
    if (path.get("nlri") or {}).get("type") == 2 and nlri.get("labels") != [100]:
        problems.append(f"labels {nlri.get('labels')} (expected [100], the VNI)")
    ecs = (gobgp_attr(path, 16) or {}).get("value") or []
    if not any(e.get("value") == "65000:100" for e in ecs):
        problems.append(f"extended communities {ecs} lack RT 65000:100")
    if not any(e.get("subtype") == 12 and e.get("tunnel_type") == 8 for e in ecs):
        problems.append(f"extended communities {ecs} lack encapsulation VXLAN")
    if problems:
        raise L.TestFailure(f"GoBGP's copy of {key}: " + "; ".join(problems))


# ------------------------------------------------------------------------- FRR view
def frr_route(frr, rd, prefix):
    """The first path of one EVPN prefix in FRR's detailed table, or None."""
    table = frr.vtysh_json("show bgp l2vpn evpn route detail json")
    entry = table.get(rd, {}).get(prefix)
    if not entry:
        return None
    paths = entry.get("paths") or []
    # detail json nests paths as [[path, ...]]
    flat = [p for group in paths for p in (group if isinstance(group, list) else [group])]
    return flat[0] if flat else None


def frr_has_rd_prefix(frr, rd, prefix):
    table = frr.vtysh_json("show bgp l2vpn evpn json")
    return prefix in table.get(rd, {})


def check_reflected_to_frr(prefix, path):
    problems = []
    if path.get("originatorId") != GO_VTEP:
        problems.append(f"originatorId {path.get('originatorId')} (expected {GO_VTEP})")
    clusters = (path.get("clusterList") or {}).get("list") or []
    if RR_ID not in clusters:
        problems.append(f"clusterList {clusters} (expected to hold {RR_ID})")
    hops = [h.get("ip") for h in path.get("nexthops", [])]
    if GO_VTEP not in hops:
        problems.append(f"next hops {hops} (expected {GO_VTEP}, unchanged)")
    peer = (path.get("peer") or {}).get("peerId")
    if peer != RR_FRR_IP:
        problems.append(f"learned from {peer} (expected {RR_FRR_IP})")
    ecs = (path.get("extendedCommunity") or {}).get("string", "")
    if "RT:65000:100" not in ecs or "ET:8" not in ecs:
        problems.append(f"extended communities '{ecs}' lack RT:65000:100 or ET:8 (VXLAN)")
    if prefix.startswith("[2]") and path.get("vni") != "100":
        problems.append(f"VNI (label) {path.get('vni')} (expected 100)")
    if problems:
        raise L.TestFailure(f"FRR's copy of {prefix}: " + "; ".join(problems))


def frr_mac(frr, mac):
    for line in frr.vtysh("show evpn mac vni 100").splitlines():
        if line.startswith(mac):
            return line
    return None


def kernel_fdb(lab, frr_ns, mac):
    return [x for x in lab.sh(frr_ns, "bridge", "fdb", "show", "dev", "vxlan100").splitlines()
            if x.startswith(mac) or x.startswith("00:00:00:00:00:00")]


# ------------------------------------------------------------------------- the test
def run(args):
    evpnd = [] if args.reference_rr else [args.evpnd]
    L.require_tools(*evpnd, "ip", "bridge", "vtysh", "gobgp", "gobgpd", f"{L.FRR_BIN}/zebra",
                    f"{L.FRR_BIN}/bgpd")
    with L.Lab("interop") as lab:
        frr_ns, go_ns, rr_ns, h1_ns = build_topology(lab)
        rr_conf = L.evpnd_config(RR_ID, 65000, [
            dict(address=FRR_IP, description="frr vtep", remote_as=65000,
                 route_reflector_client=True, hold_time_s=9, keepalive_s=3, connect_retry_s=1,
                 families=["ADDRESS_FAMILY_L2VPN_EVPN"]),
            dict(address=GO_IP, description="gobgp", remote_as=65000,
                 route_reflector_client=True, hold_time_s=9, keepalive_s=3, connect_retry_s=1,
                 families=["ADDRESS_FAMILY_L2VPN_EVPN"]),
        ], listen=[RR_FRR_IP, RR_GO_IP])
        if args.reference_rr == "gobgp":
            lab.gobgp(rr_ns, GOBGP_RR_TOML)
            rr = None
        else:
            rr = lab.evpnd("evpnd-rr", rr_ns, args.evpnd, rr_conf)
        go = lab.gobgp(go_ns, GOBGP_TOML)
        frr = lab.frr(frr_ns, FRR_BGPD_CONF, "hostname evt-frr\n")

        # 1. sessions ---------------------------------------------------------------
        L.log("1. sessions")

        def frr_peer_state():
            peer = frr.vtysh_json("show bgp l2vpn evpn summary json")["peers"][RR_FRR_IP]
            return peer["state"] == "Established" and peer

        peer = lab.poll_until(frr_peer_state, TIMEOUT, "FRR's session to evpnd to be Established")
        L.log(f"  FRR summary: {RR_FRR_IP} state {peer['state']}, remoteAs {peer['remoteAs']}")
        lab.poll_until(lambda: "bgp state = established" in go.cli("neighbor", RR_GO_IP).lower(),
                       TIMEOUT, "GoBGP's session to evpnd to be established")
        L.log(f"  GoBGP: neighbor {RR_GO_IP} established")
        for ip in (FRR_IP, GO_IP):
            if rr:
                line = rr.wait_log(rf"peer {re.escape(ip)}: established, AS ", TIMEOUT)
                L.log(f"  evpnd: {line}")

        rr_mark = rr.mark() if rr else 0

        # 2. FRR -> evpnd -> GoBGP ----------------------------------------------------
        L.log("2. FRR's routes reach GoBGP through the reflector")
        lab.sh(frr_ns, "bridge", "fdb", "replace", H1_MAC, "dev", "h1p", "master", "static")
        lab.ip(frr_ns, "neigh", "replace", H1_IP, "lladdr", H1_MAC, "dev", "br100",
               "nud", "reachable")
        t3 = lab.poll_until(lambda: gobgp_find(go, "[type:multicast]", f"[rd:{FRR_VTEP}:",
                                               f"[ip:{FRR_VTEP}]"),
                            TIMEOUT, "GoBGP to have FRR's type-3")
        key, path = t3[0]
        check_reflected_to_gobgp(key, path)
        pmsi = gobgp_attr(path, 22)
        if not pmsi or pmsi.get("tunnel-id") != FRR_VTEP or pmsi.get("tunnel-type") != 6:
            raise L.TestFailure(f"GoBGP's copy of {key} lacks FRR's PMSI ingress-repl: {pmsi}")
        L.log(f"  GoBGP: {key} originator {FRR_VTEP}, cluster list "
              f"{gobgp_attr(path, 10)['value']}, PMSI tunnel-id {pmsi['tunnel-id']}")
        for ip in ("<nil>", H1_IP):
            t2 = lab.poll_until(lambda: gobgp_find(go, "[type:macadv]", f"[mac:{H1_MAC}]",
                                                   f"[ip:{ip}]"),
                                TIMEOUT, f"GoBGP to have FRR's type-2 {H1_MAC} ip {ip}")
            key, path = t2[0]
            check_reflected_to_gobgp(key, path)
            L.log(f"  GoBGP: {key} originator {gobgp_attr(path, 9)['value']}, cluster list "
                  f"{gobgp_attr(path, 10)['value']}")

        # 3. GoBGP -> evpnd -> FRR ----------------------------------------------------
        L.log("3. GoBGP's routes reach FRR through the reflector")
        go.cli("global", "rib", "-a", "evpn", "add", "macadv", GO_MAC, GO_MAC_IP, "etag", "0",
               "label", "100", "rd", GO_RD, "rt", "65000:100", "encap", "vxlan",
               "nexthop", GO_VTEP)
        go.cli("global", "rib", "-a", "evpn", "add", "multicast", GO_VTEP, "etag", "0", "rd", GO_RD,
               "rt", "65000:100", "encap", "vxlan", "pmsi", "ingress-repl", "100", GO_VTEP,
               "nexthop", GO_VTEP)
        for prefix in (GO_T2, GO_T3):
            path = lab.poll_until(lambda: frr_route(frr, GO_RD, prefix), TIMEOUT,
                                  f"FRR to have GoBGP's {prefix}")
            check_reflected_to_frr(prefix, path)
            L.log(f"  FRR: {GO_RD} {prefix} originatorId {path['originatorId']}, clusterList "
                  f"{path['clusterList']['list']}, next hop {path['nexthops'][0]['ip']}")
            if prefix == GO_T3:
                pmsi = path.get("pmsi") or {}
                if pmsi.get("tunnelType") != "Ingress Replication":
                    raise L.TestFailure(f"FRR's copy of {prefix} lacks the PMSI attribute: {path}")
        line = lab.poll_until(lambda: (frr_mac(frr, GO_MAC) or "").find(GO_VTEP) > 0
                              and frr_mac(frr, GO_MAC), TIMEOUT,
                              "FRR to import GoBGP's MAC into VNI 100 (remote, VTEP 10.250.255.2)")
        L.log(f"  FRR show evpn mac vni 100: {line}")
        lab.poll_until(lambda: re.search(rf"{re.escape(GO_VTEP)}\s+flood: HER",
                                         frr.vtysh("show evpn vni 100")),
                       TIMEOUT, "FRR to add GoBGP's VTEP to VNI 100's flood list")
        fdb = lab.poll_until(lambda: [x for x in kernel_fdb(lab, frr_ns, GO_MAC)
                                      if f"dst {GO_VTEP}" in x and x.startswith(GO_MAC)]
                             and kernel_fdb(lab, frr_ns, GO_MAC), TIMEOUT,
                             "the kernel FDB on vxlan100 to point GoBGP's MAC to its VTEP")
        for x in fdb:
            L.log(f"  kernel fdb: {x}")

        # 3b. route refresh (RFC 2918) answered with RFC 7313 BoRR ... EoRR ------------------
        if rr:
            L.log("3b. route refresh from FRR")
            mark = rr.mark()
            frr.vtysh(f"clear bgp l2vpn evpn {RR_FRR_IP} soft in")
            rr.wait_log(rf"peer {re.escape(FRR_IP)}: route refresh for l2vpn-evpn: "
                        r"re-advertising between BoRR and EoRR", TIMEOUT, since=mark)
            rr.wait_log(rf"peer {re.escape(FRR_IP)}: route refresh for l2vpn-evpn done, EoRR sent",
                        TIMEOUT, since=mark)
            # FRR marks our routes stale at the BoRR and sweeps the unrefreshed ones at the EoRR:
            # GoBGP's routes must survive because evpnd re-advertised them in between.
            lab.hold_for(lambda: not (frr_has_rd_prefix(frr, GO_RD, GO_T2) and
                                      frr_has_rd_prefix(frr, GO_RD, GO_T3)), 3,
                         "GoBGP's routes vanished from FRR during the enhanced route refresh")
            L.log("  evpnd answered with BoRR, the routes, EoRR; FRR kept GoBGP's routes")

        # 4. withdrawals ---------------------------------------------------------------
        L.log("4. withdrawals")
        go.cli("global", "rib", "-a", "evpn", "del", "macadv", GO_MAC, GO_MAC_IP, "etag", "0",
               "label", "100", "rd", GO_RD)
        lab.poll_until(lambda: not frr_has_rd_prefix(frr, GO_RD, GO_T2), TIMEOUT,
                       "GoBGP's type-2 to disappear from FRR")
        L.log(f"  FRR no longer has {GO_T2}")
        lab.poll_until(lambda: frr_mac(frr, GO_MAC) is None, TIMEOUT,
                       "GoBGP's MAC to leave FRR's VNI 100")
        lab.poll_until(lambda: not [x for x in kernel_fdb(lab, frr_ns, GO_MAC)
                                    if x.startswith(GO_MAC)], TIMEOUT,
                       "GoBGP's MAC to leave the kernel FDB")
        if not frr_has_rd_prefix(frr, GO_RD, GO_T3):
            raise L.TestFailure("withdrawing the type-2 also removed GoBGP's type-3 from FRR")
        go.cli("global", "rib", "-a", "evpn", "del", "multicast", GO_VTEP, "etag", "0",
               "rd", GO_RD)
        lab.poll_until(lambda: not frr_has_rd_prefix(frr, GO_RD, GO_T3), TIMEOUT,
                       "GoBGP's type-3 to disappear from FRR")
        lab.poll_until(lambda: GO_VTEP not in frr.vtysh("show evpn vni 100"), TIMEOUT,
                       "GoBGP's VTEP to leave VNI 100's flood list")
        L.log(f"  FRR no longer has {GO_T3}, nor the remote VTEP {GO_VTEP}")
        lab.sh(frr_ns, "bridge", "fdb", "del", H1_MAC, "dev", "h1p", "master")
        lab.ip(frr_ns, "neigh", "del", H1_IP, "dev", "br100")
        lab.poll_until(lambda: not gobgp_find(go, "[type:macadv]", f"[mac:{H1_MAC}]"), TIMEOUT,
                       "FRR's type-2 routes to disappear from GoBGP")
        L.log(f"  GoBGP no longer has FRR's {H1_MAC}")
        if not gobgp_find(go, "[type:multicast]", f"[ip:{FRR_VTEP}]"):
            raise L.TestFailure("FRR's type-3 vanished from GoBGP along with its MAC")

        # the sessions stayed up from step 2 on
        for ip in (FRR_IP, GO_IP) if rr else ():
            downs = rr.grep(rf"peer {re.escape(ip)}: session down", rr_mark)
            if downs:
                raise L.TestFailure(f"evpnd's session to {ip} went down: {downs}")
        ups = frr_peer_state()
        if not ups or ups.get("connectionsDropped", 0) != 0:
            raise L.TestFailure(f"FRR's session to evpnd dropped during the test: {ups}")


def add_args(parser):
    parser.add_argument("--reference-rr", choices=["gobgp"],
                        help="run the test against gobgpd as the reflector instead of evpnd")


if __name__ == "__main__":
    L.main(run, "test_frr_gobgp_interop", add_args)
