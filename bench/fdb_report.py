#!/usr/bin/env python3
"""Table and JSON for bench/fdb_bench.sh: reads one JSON line per mode on stdin, prints the rates
as ratios against `bridge -batch` and the raw netlink writer, writes the JSON file argv[1]."""
import json
import sys

rows = [json.loads(line) for line in sys.stdin if line.strip()]
by = {r["mode"]: r for r in rows}
base = by["bridge-batch"]["entries_per_s"]
raw = by["raw"]["entries_per_s"]
print(f"{'mode':<14}{'entries':>9}{'seconds':>9}{'entries/s':>11}{'vs bridge':>11}{'vs raw':>8}"
      "  kernel")
for r in rows:
    ok = "ok" if r["kernel_entries"] == 2 * r["entries"] else f"MISSING ({r['kernel_entries']})"
    print(f"{r['mode']:<14}{r['entries']:>9}{r['seconds']:>9.3f}{r['entries_per_s']:>11}"
          f"{r['entries_per_s'] / base:>10.2f}x{r['entries_per_s'] / raw:>7.2f}x  {ok}")
with open(sys.argv[1], "w") as f:
    json.dump({"benchmark": "fdb", "results": rows,
               "evpnd_vs_bridge_batch": by["evpnd"]["entries_per_s"] / base,
               "evpnd_vs_raw": by["evpnd"]["entries_per_s"] / raw}, f, indent=1)
