#!/usr/bin/env bash
# UPDATE packing on the wire: each daemon (evpnd, FRR's bgpd without zebra, gobgpd) receives N
# type-2 routes from bgp_routegen on one iBGP session and reflects them to a second peer (a
# route-reflector client: bgp_routegen with no routes of its own, which counts the routes it
# receives). tcpdump captures the daemon -> receiver stream; bench/bgp_bench.py reassembles it and
# counts BGP UPDATE messages and their bytes (BGP header included; End-of-RIB and KEEPALIVEs
# apart). Messages are limited to 4096 bytes (the receiver does not offer extended messages).
# Everything runs in a network namespace this script creates and deletes. Prints a table and
# writes JSON (default bench/results/packing.json).
#   usage (root): bench/packing.sh [-L MAX_LOAD] [-n N]... [-d DAEMONS] [-g GOBGP_MAX]
#                                  [-b BUILD_DIR] [-o JSON]
#   defaults: -n 20000 -n 100000 -n 1000000, -d "evpnd frr gobgp", -g 20000 (gobgpd ingests EVPN
#   super-linearly: larger N are skipped for it)
set -euo pipefail
cd "$(dirname "$0")/.."
max_load=0.8 sizes=() daemons="evpnd frr gobgp" gobgp_max=20000 build=build
out=bench/results/packing.json
while getopts "L:n:d:g:b:o:" opt; do
  case $opt in
    L) max_load=$OPTARG ;; n) sizes+=("$OPTARG") ;; d) daemons=$OPTARG ;;
    g) gobgp_max=$OPTARG ;; b) build=$OPTARG ;; o) out=$OPTARG ;; *) exit 2 ;;
  esac
done
[[ ${#sizes[@]} -gt 0 ]] || sizes=(20000 100000 1000000)
[[ $(id -u) -eq 0 ]] || { echo "packing.sh: needs root (network namespaces)" >&2; exit 2; }
for f in bgpd/daemon/evpnd bgpd/cli/evpnctl tests/tools/bgp_routegen; do
  [[ -x $build/$f ]] || { echo "packing.sh: build it first ($build/$f)" >&2; exit 2; }
done
command -v tcpdump >/dev/null || { echo "packing.sh: needs tcpdump" >&2; exit 2; }
py=/usr/bin/python3
ns=evt-packing-$$
work=$(mktemp -d /tmp/evt-packing.XXXXXX)
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
    echo "packing: $d, $n routes" >&2
    line=$(ip netns exec "$ns" "$py" bench/bgp_bench.py packing --daemon "$d" --routes "$n" \
             --build "$build" --workdir "$work" --max-load "$max_load" --poll 1.0) || true
    [[ -n $line ]] && lines+=("$line")
  done
done
mkdir -p "$(dirname "$out")"
printf '%s\n' "${lines[@]}" | "$py" bench/bgp_bench.py report-packing "$out"
echo "written: $out"
