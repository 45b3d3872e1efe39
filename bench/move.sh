#!/usr/bin/env bash
# MAC move convergence, evpnd against FRR 8.4 in one run (issue 9, "move"): three VTEP namespaces
# and a route reflector (interop/fabric.py's topology), all evpnd (run A) then all FRR (run B);
# one MAC moved back and forth between v1 and v2 (default 100 times), timed from its first frame
# at the new VTEP to v3's kernel FDB pointing at it; then a mass move of N MACs (default 10k) from
# v1 to v2. Prints a table and writes JSON (default bench/results/move-<UTC date>.json).
# See bench/move_bench.py for the method.
#   usage (root): bench/move.sh [-m MOVES] [-n MACS] [-s SETTLE_S] [-i IMPL]... [-L MAX_LOAD]
#                               [-I ROUTES] [-b BUILD_DIR] [-o JSON]
# -I ROUTES (e.g. -I 1000000): single moves during an ingest of ROUTES type-2 routes from a
# bgp_routegen reflector client (evpnd only; the mass move is skipped; default JSON
# bench/results/move-during-ingest-<UTC date>.json). See move_bench.py.
# Before each implementation's run the driver waits (polling every 30 s, at most 90 s) for a
# 1-minute load average below 0.8 and no build or test running, and records the load in the JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
moves=100 macs=10000 settle=0.2 max_load=0.8 build=build impls=() ingest=0 out=
while getopts "m:n:s:i:L:I:b:o:" opt; do
  case $opt in
    m) moves=$OPTARG ;; n) macs=$OPTARG ;; s) settle=$OPTARG ;; i) impls+=(--impl "$OPTARG") ;;
    L) max_load=$OPTARG ;; I) ingest=$OPTARG ;; b) build=$OPTARG ;; o) out=$OPTARG ;; *) exit 2 ;;
  esac
done
bins="bgpd/daemon/evpnd bgpd/cli/evpnctl bench/fdb_watch" extra=()
if [[ $ingest != 0 ]]; then
  bins+=" tests/tools/bgp_routegen"
  : "${out:=bench/results/move-during-ingest-$(date -u +%F).json}"
fi
: "${out:=bench/results/move-$(date -u +%F).json}"
[[ $(id -u) -eq 0 ]] || { echo "move.sh: needs root (network namespaces)" >&2; exit 2; }
while pgrep -f "cmake --build" >/dev/null; do   # do not copy a binary being linked
  echo "$(date +%T) waiting for a build to finish" >&2; sleep 30
done
for f in $bins; do
  [[ -x $build/$f ]] || { echo "move.sh: build it first ($build/$f)" >&2; exit 2; }
done
[[ -x /usr/lib/frr/zebra && -x /usr/lib/frr/bgpd ]] || { echo "move.sh: needs FRR" >&2; exit 2; }
work=$(mktemp -d /tmp/evt-move.XXXXXX)
trap '[[ -n ${KEEP_WORKDIR:-} ]] || rm -rf "$work"' EXIT
# one copy of the binaries for the whole run (others may rebuild build/ meanwhile); lab.py finds
# evpnctl as ../cli/evpnctl next to evpnd; cp -p keeps the mtime, recorded in the JSON
for f in $bins; do
  mkdir -p "$work/bin/$(dirname $f)"; cp -p "$build/$f" "$work/bin/$f"
done
extra=(--fdb-watch "$work/bin/bench/fdb_watch")
[[ $ingest == 0 ]] || extra+=(--ingest "$ingest" --routegen "$work/bin/tests/tools/bgp_routegen")
/usr/bin/python3 bench/move_bench.py --evpnd "$work/bin/bgpd/daemon/evpnd" --moves "$moves" \
  --macs "$macs" --settle "$settle" --max-load "$max_load" ${impls[@]+"${impls[@]}"} \
  ${extra[@]+"${extra[@]}"} --out "$out"
