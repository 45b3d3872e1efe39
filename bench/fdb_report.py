#!/usr/bin/env python3
"""Table and JSON for bench/fdb_bench.sh: reads one JSON line per mode on stdin (and one
{"machine": ...} line), prints the rates as ratios against `bridge -batch`, the raw netlink
writer and FRR, and issue 9's fdb targets, writes the JSON file argv[1].

Modes: raw, evpnd (fib-sync in process), bridge-batch: the kernel writes alone; frr, evpnd-bgp:
a whole daemon, from the first UPDATE of one BGP peer to all entries in the kernel."""
import json
import sys

rows, machine = [], {}
for line in sys.stdin:
    if not line.strip():
        continue
    r = json.loads(line)
    if "machine" in r:
        machine = r
    else:
        rows.append(r)
by = {r["mode"]: r for r in rows}


def rate(mode):
    r = by.get(mode)
    return r.get("entries_per_s") if r else None


def ratio(a, b):
    return a / b if a and b else None


LABEL = {"raw": "raw netlink", "evpnd": "evpnd fib-sync", "bridge-batch": "bridge -batch",
         "frr": "FRR (BGP->kernel)", "evpnd-bgp": "evpnd (BGP->kernel)"}
base, raw, frr = rate("bridge-batch"), rate("raw"), rate("frr")
fmt = lambda x: f"{x:.2f}x" if x is not None else "-"
print(f"{'mode':<21}{'MACs':>8}{'seconds':>9}{'MACs/s':>9}{'vs bridge':>10}{'vs raw':>8}"
      f"{'vs FRR':>8}  kernel")
for r in rows:
    want = 2 * r["entries"]
    ok = "ok" if r["kernel_entries"] == want else f"MISSING ({r['kernel_entries']} of {want})"
    if r.get("complete") is False:
        ok += " (" + r.get("note", "incomplete") + ")"
    eps = r.get("entries_per_s")
    secs = r.get("seconds")
    print(f"{LABEL.get(r['mode'], r['mode']):<21}{r['entries']:>8}"
          f"{(f'{secs:.3f}' if secs is not None else '-'):>9}{(eps if eps is not None else '-'):>9}"
          f"{fmt(ratio(eps, base)):>10}{fmt(ratio(eps, raw)):>8}{fmt(ratio(eps, frr)):>8}  {ok}")

out = {"benchmark": "fdb", **machine, "results": rows,
       "evpnd_vs_bridge_batch": ratio(rate("evpnd"), base),
       "evpnd_vs_raw": ratio(rate("evpnd"), raw),
       "evpnd_vs_frr": ratio(rate("evpnd"), frr),
       "evpnd_bgp_vs_frr": ratio(rate("evpnd-bgp"), frr),
       "evpnd_bgp_vs_raw": ratio(rate("evpnd-bgp"), raw)}
lost = {r["mode"]: r["kernel_entries"] for r in rows if r["kernel_entries"] != 2 * r["entries"]}
t = {"200k_per_s": rate("evpnd"), "80pct_of_raw": out["evpnd_vs_raw"],
     "10x_frr": out["evpnd_vs_frr"], "10x_frr_bgp_end_to_end": out["evpnd_bgp_vs_frr"]}
out["targets"] = {
    "200k_per_s_no_loss": bool(t["200k_per_s"] and t["200k_per_s"] >= 200000
                               and "evpnd" not in lost),
    "80pct_of_raw": bool(t["80pct_of_raw"] and t["80pct_of_raw"] >= 0.8),
    "10x_frr": bool(t["10x_frr"] and t["10x_frr"] >= 10),
    "10x_frr_bgp_end_to_end": bool(t["10x_frr_bgp_end_to_end"]
                                   and t["10x_frr_bgp_end_to_end"] >= 10)}
print("targets (issue 9): " + ", ".join(
    f"{k} {'met' if v else 'missed'}" + (f" ({t[k]:.2f})" if k != "200k_per_s_no_loss" and t[k]
                                          else "") for k, v in out["targets"].items()))
with open(sys.argv[1], "w") as f:
    json.dump(out, f, indent=1)
