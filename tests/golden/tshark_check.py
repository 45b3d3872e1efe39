#!/usr/bin/env python3
"""Golden check: every BGP message in the checked-in captures of real FRR 8.4, GoBGP 3.10 and
ExaBGP 4.2 sessions is decoded by `evpnctl decode` and by tshark's BGP dissector, and the two
decodes are compared field by field (message type and length, OPEN fields and capabilities,
attribute type codes and flags, ORIGIN, LOCAL_PREF, MED, NEXT_HOP, AS numbers, MP_REACH/MP_UNREACH
families and next hops, every EVPN NLRI field, route targets, encapsulation, MAC mobility, router's
MAC, PMSI tunnel, NOTIFICATION codes and shutdown communication, ROUTE-REFRESH fields), and every message must re-encode to exactly the bytes received.

MRT dumps (*.mrt) given on the command line are decoded with `evpnctl decode --mrt --roundtrip`:
every record must decode cleanly and every BGP message re-encode byte-exact.

usage: tshark_check.py EVPNCTL FILE...     (FILE: *.pcap or *.mrt) exit 0 when all agree
"""

import collections
import ipaddress
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bgp_pcap  # noqa: E402

# Keys compared both ways: for each, the multiset of values must be equal.
ATTR = "bgp.update.path_attribute."
KEYS = [
    "bgp.type", "bgp.length",
    "bgp.open.version", "bgp.open.myas", "bgp.open.holdtime", "bgp.open.identifier",
    "bgp.cap.type", "bgp.cap.mp.afi", "bgp.cap.mp.safi", "bgp.cap.4as",
    "bgp.cap.gr.timers.restart_time", "bgp.cap.gr.afi", "bgp.cap.gr.safi",
    "bgp.cap.ap.afi", "bgp.cap.ap.safi", "bgp.cap.ap.sendreceive",
    "bgp.cap.orf.fqdn.hostname", "bgp.cap.orf.fqdn.domain_name",
    ATTR + "type_code", ATTR + "flags", ATTR + "origin", ATTR + "local_pref",
    ATTR + "multi_exit_disc", ATTR + "next_hop", ATTR + "originator_id", "ASNS",
    ATTR + "mp_reach_nlri.afi", ATTR + "mp_reach_nlri.safi",
    ATTR + "mp_reach_nlri.next_hop.ipv4", ATTR + "mp_reach_nlri.next_hop.ipv6",
    ATTR + "mp_unreach_nlri.afi", ATTR + "mp_unreach_nlri.safi",
    "bgp.evpn.nlri.rt", "bgp.evpn.nlri.rd", "bgp.evpn.nlri.etag", "bgp.evpn.nlri.mac_addr",
    "bgp.evpn.nlri.esi.type", "bgp.evpn.nlri.iplen", "bgp.evpn.nlri.ip.addr",
    "bgp.evpn.nlri.ipv6.addr", "bgp.evpn.nlri.ipv4.gtw_addr", "bgp.evpn.nlri.ipv6.gtw_addr",
    "bgp.evpn.nlri.prefix_len",
    "bgp.ext_com.tunnel_type", "bgp.ext_com.value_as2", "bgp.ext_com.value_an4",
    "bgp.ext_com.value_as4", "bgp.ext_com.value_IP4", "bgp.ext_com.value_an2",
    "bgp.ext_com_evpn.mmac.seq", "bgp.ext_com_evpn.esi.router_mac",
    ATTR + "pmsi.tunnel.type", ATTR + "pmsi.tunnel.flags", ATTR + "pmsi.ingress_rep_ip",
    "bgp.notify.major_error", "MINOR", "bgp.notify.communication",
    "bgp.route_refresh.afi", "bgp.route_refresh.subtype", "bgp.route_refresh.safi",
]


def flatten(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, (dict, list)):
                if isinstance(v, list) and v and not isinstance(v[0], (dict, list)) \
                        and not k.endswith("_raw"):
                    out[k].extend(str(x) for x in v)
                else:
                    flatten(v, out)
            elif not k.endswith("_raw"):
                out[k].append(str(v))
    elif isinstance(node, list):
        for v in node:
            flatten(v, out)


def tshark_fields(bgp):
    f = collections.defaultdict(list)
    flatten(bgp, f)
    f["ASNS"] = f.get(ATTR + "as_path_segment.as2", []) + f.get(ATTR + "as_path_segment.as4", [])
    f["MINOR"] = [v for k, vs in list(f.items()) if k.startswith("bgp.notify.minor_error")
                  and k != "bgp.notify.minor_data" for v in vs]
    return f


def rd_bytes(rd):
    t, value = rd["type"], rd["value"]
    admin, number = value.rsplit(":", 1)
    if t == 0:
        b = t.to_bytes(2, "big") + int(admin).to_bytes(2, "big") + int(number).to_bytes(4, "big")
    elif t == 1:
        b = t.to_bytes(2, "big") + ipaddress.ip_address(admin).packed + int(number).to_bytes(2, "big")
    elif t == 2:
        b = t.to_bytes(2, "big") + int(admin).to_bytes(4, "big") + int(number).to_bytes(2, "big")
    else:
        b = t.to_bytes(2, "big") + bytes.fromhex(number)
    return ":".join("%02x" % x for x in b)


def add_route(f, r):
    f["bgp.evpn.nlri.rt"].append(str(r["route_type"]))
    if "rd" in r:
        f["bgp.evpn.nlri.rd"].append(rd_bytes(r["rd"]))
    if "ethernet_tag" in r:
        f["bgp.evpn.nlri.etag"].append(str(r["ethernet_tag"]))
    if "mac" in r:
        f["bgp.evpn.nlri.mac_addr"].append(r["mac"])
    if "esi" in r:
        f["bgp.evpn.nlri.esi.type"].append(str(r["esi"]["type"]))
    if r["route_type"] == 5:
        prefix = r["ip_prefix"].split("/")[0]
        v6 = ":" in prefix
        f["bgp.evpn.nlri.ipv6.addr" if v6 else "bgp.evpn.nlri.ip.addr"].append(prefix)
        f["bgp.evpn.nlri.ipv6.gtw_addr" if v6 else "bgp.evpn.nlri.ipv4.gtw_addr"].append(
            r["gateway_ip"])
        f["bgp.evpn.nlri.prefix_len"].append(str(r["ip_prefix_length"]))
    for key in ("ip", "originating_router_ip"):
        if key in r:
            f["bgp.evpn.nlri.iplen"].append(str(r["ip_length"]))
            v6 = ":" in r[key]
            f["bgp.evpn.nlri.ipv6.addr" if v6 else "bgp.evpn.nlri.ip.addr"].append(r[key])
    if r["route_type"] == 2 and r.get("ip_length") == 0:
        f["bgp.evpn.nlri.iplen"].append("0")


def add_attribute(f, a):
    f[ATTR + "type_code"].append(str(a["type"]))
    if "flags" in a:
        f[ATTR + "flags"].append(a["flags"])
    v, name = a.get("value"), a["name"]
    if name == "ORIGIN":
        f[ATTR + "origin"].append(str(["IGP", "EGP", "INCOMPLETE"].index(v)))
    elif name in ("LOCAL_PREF", "MULTI_EXIT_DISC"):
        f[ATTR + name.lower()].append(str(v))
    elif name in ("NEXT_HOP", "ORIGINATOR_ID"):
        f[ATTR + name.lower()].append(v)
    elif name in ("AS_PATH", "AS4_PATH"):
        for s in v["segments"]:
            f["ASNS"].extend(str(x) for x in s["asns"])
    elif name == "MP_REACH_NLRI":
        f[ATTR + "mp_reach_nlri.afi"].append(str(v["afi"]))
        f[ATTR + "mp_reach_nlri.safi"].append(str(v["safi"]))
        nh = v["next_hop"]
        f[ATTR + "mp_reach_nlri.next_hop." + ("ipv6" if ":" in nh else "ipv4")].append(nh)
        for r in v["nlri"]:
            if "route_type" in r:
                add_route(f, r)
    elif name == "MP_UNREACH_NLRI":
        f[ATTR + "mp_unreach_nlri.afi"].append(str(v["afi"]))
        f[ATTR + "mp_unreach_nlri.safi"].append(str(v["safi"]))
        for r in v["withdrawn_routes"]:
            if "route_type" in r:
                add_route(f, r)
    elif name == "EXTENDED_COMMUNITIES":
        for c in v:
            add_community(f, c)
    elif name == "PMSI_TUNNEL":
        f[ATTR + "pmsi.tunnel.type"].append(str(v["tunnel_type"]))
        f[ATTR + "pmsi.tunnel.flags"].append(str(v["flags"]))
        if "tunnel_endpoint" in v:
            f[ATTR + "pmsi.ingress_rep_ip"].append(v["tunnel_endpoint"])


def add_community(f, c):
    t = c["type"]
    if t == "route-target":
        admin, local = c["value"].rsplit(":", 1)
        if c["format"] == "two-octet-as":
            f["bgp.ext_com.value_as2"].append(admin)
            f["bgp.ext_com.value_an4"].append(local)
        elif c["format"] == "ipv4-address":
            f["bgp.ext_com.value_IP4"].append(admin)
            f["bgp.ext_com.value_an2"].append(local)
        else:
            f["bgp.ext_com.value_as4"].append(admin)
            f["bgp.ext_com.value_an2"].append(local)
    elif t == "encapsulation":
        f["bgp.ext_com.tunnel_type"].append(str(c["tunnel_type"]))
    elif t == "mac-mobility":
        f["bgp.ext_com_evpn.mmac.seq"].append(str(c["sequence"]))
    elif t == "router-mac":
        f["bgp.ext_com_evpn.esi.router_mac"].append(c["mac"])


def add_capability(f, c):
    f["bgp.cap.type"].append(str(c["code"]))
    n = c["name"]
    if n == "multiprotocol":
        f["bgp.cap.mp.afi"].append(str(c["afi"]))
        f["bgp.cap.mp.safi"].append(str(c["safi"]))
    elif n == "four-octet-as":
        f["bgp.cap.4as"].append(str(c["as"]))
    elif n == "graceful-restart":
        f["bgp.cap.gr.timers.restart_time"].append(str(c["restart_time"]))
        for fam in c["families"]:
            f["bgp.cap.gr.afi"].append(str(fam["afi"]))
            f["bgp.cap.gr.safi"].append(str(fam["safi"]))
    elif n == "add-path":
        for fam in c["families"]:
            f["bgp.cap.ap.afi"].append(str(fam["afi"]))
            f["bgp.cap.ap.safi"].append(str(fam["safi"]))
            f["bgp.cap.ap.sendreceive"].append(str(fam["receive"] + 2 * fam["send"]))
    elif n == "fqdn":
        f["bgp.cap.orf.fqdn.hostname"].append(c["hostname"])
        f["bgp.cap.orf.fqdn.domain_name"].append(c["domain"])


def our_fields(j):
    f = collections.defaultdict(list)
    types = {"OPEN": 1, "UPDATE": 2, "NOTIFICATION": 3, "KEEPALIVE": 4, "ROUTE-REFRESH": 5}
    f["bgp.type"].append(str(types[j["type"]]))
    f["bgp.length"].append(str(j["length"]))
    if "open" in j:
        o = j["open"]
        for k in ("version", "myas", "holdtime", "identifier"):
            src = {"myas": "my_as", "holdtime": "hold_time", "identifier": "bgp_identifier"}
            f["bgp.open." + k].append(str(o[src.get(k, k)]))
        for c in o["capabilities"]:
            add_capability(f, c)
    if "update" in j:
        for a in j["update"]["path_attributes"]:
            add_attribute(f, a)
    if "notification" in j:
        n = j["notification"]
        f["bgp.notify.major_error"].append(str(n["code"]))
        f["MINOR"].append(str(n["subcode"]))
        if "shutdown_communication" in n:
            f["bgp.notify.communication"].append(n["shutdown_communication"])
    if "route_refresh" in j:
        r = j["route_refresh"]
        for k in ("afi", "subtype", "safi"):
            f["bgp.route_refresh." + k].append(str(r[k]))
    return f


def check(evpnctl, pcap):
    messages = bgp_pcap.read_messages(pcap)
    groups = collections.defaultdict(list)
    for i, m in enumerate(messages):
        groups[tuple(m["args"])].append(i)
    decoded = [None] * len(messages)
    for args, idx in groups.items():
        text = "\n".join(messages[i]["hex"] for i in idx) + "\n"
        p = subprocess.run([evpnctl, "decode", "--roundtrip", *args], input=text, capture_output=True, text=True)
        if p.returncode != 0:
            print(f"{pcap}: evpnctl decode {' '.join(args)} exited {p.returncode}: {p.stderr}")
            for line in p.stdout.splitlines():
                if '"errors"' in line:
                    print("  " + line[:400])
            return len(messages), 0, 1
        lines = p.stdout.splitlines()
        for i, line in zip(idx, lines):
            decoded[i] = json.loads(line)
    compared, failures = 0, 0
    for m, j in zip(messages, decoded):
        # Byte-exact: a received message re-encodes to the same bytes.
        if j.get("roundtrip") != "exact":
            failures += 1
            print(f"{os.path.basename(pcap)} stream {m['stream']} {j['type']}: re-encoding "
                  f"differs:\n  got  {j.get('reencoded')}\n  want {m['hex']}")
        ours, theirs = our_fields(j), tshark_fields(m["tshark"])
        for k in KEYS:
            a, b = sorted(ours.get(k, [])), sorted(theirs.get(k, []))
            compared += len(a)
            if a != b:
                failures += 1
                print(f"{os.path.basename(pcap)} stream {m['stream']} {j['type']}: {k}: "
                      f"evpnctl {a} != tshark {b}")
    return len(messages), compared, failures


def check_mrt(evpnctl, path):
    p = subprocess.run([evpnctl, "decode", "--roundtrip", "--mrt", path], capture_output=True,
                       text=True)
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    messages = [j for j in lines if "type" in j]
    bad = 0 if p.returncode == 0 else 1
    for j in lines:
        if "errors" in j or j.get("roundtrip") == "differs" or "note" in j.get("mrt", {}):
            print(f"{os.path.basename(path)}: {json.dumps(j)[:400]}")
    if p.returncode != 0:
        print(f"{os.path.basename(path)}: evpnctl exited {p.returncode}: {p.stderr.strip()}")
    return len(messages), 0, bad


def main():
    evpnctl, files = sys.argv[1], sys.argv[2:]
    total_messages = total_fields = total_failures = 0
    for pcap in files:
        n, c, bad = check_mrt(evpnctl, pcap) if pcap.endswith(".mrt") else check(evpnctl, pcap)
        print(f"{os.path.basename(pcap)}: {n} messages, {c} fields compared, {bad} mismatches")
        total_messages += n
        total_fields += c
        total_failures += bad
    print(f"total: {total_messages} messages, {total_fields} fields, {total_failures} mismatches")
    sys.exit(1 if total_failures or total_messages == 0 else 0)


if __name__ == "__main__":
    main()
