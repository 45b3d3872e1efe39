#!/usr/bin/env bash
# BGP EVPN ingest, side by side in one run: for each N and each daemon in turn (evpnd, FRR's bgpd
# without zebra, gobgpd), bgp_routegen sends N type-2 routes (packed as many per UPDATE as fit) on
# one iBGP session, and the daemon's own CLI/API is polled until it shows all N routes: the time
# from the sender's first UPDATE to the end of the first poll that shows N (no interpolation; the
# resolution is the poll interval), routes/s, and the daemon's peak RSS over its idle RSS per route.
# Everything runs in a network namespace this script creates and deletes (addresses 127.0.0.x on
# its lo). Prints a table and writes JSON (default bench/results/ingest.json).
#   usage (root): bench/ingest.sh [-L MAX_LOAD] [-n N]... [-d DAEMONS] [-g GOBGP_MAX] [-p POLL_S]
#                                 [-b BUILD_DIR] [-o JSON]
#   defaults: -n 10000 -n 20000 -n 100000 -n 1000000, -d "evpnd frr gobgp", -g 20000 (gobgpd is
#   super-linear on EVPN ingest: larger N are skipped for it), -p 0.2
# Before each measured run the driver waits (polling every 30 s) for a 1-minute load average
# below 0.8 and no build or test running, and records the load in the JSON.
# Mind -p for evpnd at 1M: each `evpnctl neighbor` costs it ~0.2 s of core-thread time (the route
# counts walk the Adj-RIB-In), so 0.2 s polls slow its ingest several-fold (see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
max_load=0.8 sizes=() daemons="evpnd frr gobgp" gobgp_max=20000 poll=0.2 build=build
out=bench/results/ingest.json
while getopts "L:n:d:g:p:b:o:" opt; do
  case $opt in
    L) max_load=$OPTARG ;; n) sizes+=("$OPTARG") ;; d) daemons=$OPTARG ;;
    g) gobgp_max=$OPTARG ;; p) poll=$OPTARG ;; b) build=$OPTARG ;; o) out=$OPTARG ;; *) exit 2 ;;
  esac
done
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 20000 100000 1000000)
[[ $(id -u) -eq 0 ]] || { echo "ingest.sh: needs root (network namespaces)" >&2; exit 2; }
for f in bgpd/daemon/evpnd bgpd/cli/evpnctl tests/tools/bgp_routegen; do
  [[ -x $build/$f ]] || { echo "ingest.sh: build it first ($build/$f)" >&2; exit 2; }
done
py=/usr/bin/python3
ns=evt-ingest-$$
work=$(mktemp -d /tmp/evt-ingest.XXXXXX)
chmod 755 "$work"
cleanup() {
  local pids
  # everything in the namespace was started by this run; the PIDs are split on purpose
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  # shellcheck disable=SC2086
  if [[ -n $pids ]]; then kill $pids 2>/dev/null || true; sleep 0.5; fi
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  # shellcheck disable=SC2086
  if [[ -n $pids ]]; then kill -9 $pids 2>/dev/null || true; fi
  ip netns del "$ns" 2>/dev/null || true
  [[ -n ${KEEP_WORKDIR:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
while pgrep -f "cmake --build" >/dev/null; do   # do not copy a binary being linked
  echo "$(date +%T) waiting for a build to finish" >&2; sleep 30
done
# one copy of the binaries for the whole run (others rebuild build/ meanwhile); cp -p keeps the
# mtime, recorded in the JSON
for f in bgpd/daemon/evpnd bgpd/cli/evpnctl tests/tools/bgp_routegen; do
  mkdir -p "$work/bin/$(dirname $f)"; cp -p "$build/$f" "$work/bin/$f"
done
build=$work/bin
ip netns add "$ns"
ip -n "$ns" link set lo up

lines=()
for n in "${sizes[@]}"; do
  for d in $daemons; do
    if [[ $d == gobgp && $n -gt $gobgp_max ]]; then
      echo "gobgp: $n routes skipped (capped at $gobgp_max)" >&2; continue
    fi
    echo "ingest: $d, $n routes" >&2
    line=$(ip netns exec "$ns" "$py" bench/bgp_bench.py ingest --daemon "$d" --routes "$n" \
             --build "$build" --workdir "$work" --max-load "$max_load" --poll "$poll") || true
    [[ -n $line ]] && lines+=("$line")
  done
done
mkdir -p "$(dirname "$out")"
printf '%s\n' "${lines[@]}" | "$py" bench/bgp_bench.py report-ingest "$out"
echo "written: $out"
