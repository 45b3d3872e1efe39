"""Reads the BGP messages of a pcap through tshark: raw bytes, tshark's own decode, and the
session context (2- or 4-octet AS, ADD-PATH) each message must be read with, derived from the
OPEN messages of its TCP stream (RFC 6793 §4, RFC 7911 §4)."""

import json
import subprocess


def _as_list(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def _caps(bgp):
    """Capability codes and ADD-PATH tuples found in one tshark OPEN decode."""
    codes, add_path = [], []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "bgp.cap.type":
                    codes.extend(int(c) for c in _as_list(v))
                if k == "bgp.cap.ap.sendreceive":
                    afis = _as_list(node.get("bgp.cap.ap.afi"))
                    safis = _as_list(node.get("bgp.cap.ap.safi"))
                    for a, s, sr in zip(afis, safis, _as_list(v)):
                        add_path.append((int(a), int(s), int(sr)))
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(bgp)
    return codes, add_path


FAMILY_NAMES = {(1, 1): "ipv4-unicast", (2, 1): "ipv6-unicast", (25, 70): "l2vpn-evpn"}


def read_messages(pcap):
    """Returns a list of dicts: hex, tshark (the message's decode), stream, src, args (evpnctl
    decode context options)."""
    out = subprocess.run(
        ["tshark", "-r", pcap, "-Y", "bgp", "-T", "json", "-x", "--no-duplicate-keys"],
        check=True, capture_output=True, text=True).stdout
    packets = json.loads(out) if out.strip() else []
    messages = []
    opens = {}  # (stream, src) -> (codes, add_path)
    for p in packets:
        layers = p["_source"]["layers"]
        stream = layers["tcp"]["tcp.stream"]
        src = layers.get("ip", layers.get("ipv6", {})).get("ip.src") or \
            layers.get("ipv6", {}).get("ipv6.src")
        bgps = _as_list(layers.get("bgp"))
        raws = layers.get("bgp_raw")
        # One BGP message: bgp_raw is [hex, offset, length, mask, type]; several: list of those.
        if raws and not isinstance(raws[0], list):
            raws = [raws]
        for bgp, raw in zip(bgps, raws or []):
            msg = {"hex": raw[0], "tshark": bgp, "stream": stream, "src": src}
            if str(_as_list(bgp.get("bgp.type"))[0]) == "1":
                opens[(stream, src)] = _caps(bgp)
            messages.append(msg)
    for m in messages:
        mine = opens.get((m["stream"], m["src"]))
        theirs = [v for (s, src), v in opens.items() if s == m["stream"] and src != m["src"]]
        args = []
        if mine and theirs and not (65 in mine[0] and 65 in theirs[0][0]):
            args.append("--as2")
        # RFC 7911 §4: path ids flow from a sender that may send to a receiver that may receive.
        if mine and theirs:
            for afi, safi, sr in mine[1]:
                for afi2, safi2, sr2 in theirs[0][1]:
                    if (afi, safi) == (afi2, safi2) and sr & 2 and sr2 & 1:
                        args += ["--add-path", FAMILY_NAMES.get((afi, safi), "all")]
        m["args"] = args
    return messages
