#!/usr/bin/env bash
# The shared body of bench/ingest.sh and bench/packing.sh (see their headers): options, a network
# namespace with one copy of the binaries, each N x each number of peers (ingest) x each daemon
# through bench/bgp_bench.py, the report.
# usage (root): bench/bgp_lab.sh ingest|packing [the wrapper's options]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
shift || true
case $mode in
  ingest) sizes_default=(10000 20000 100000 1000000) poll=0.05 ;;
  packing) sizes_default=(20000 100000 1000000) poll=1.0 ;;
  *) echo "usage: bench/bgp_lab.sh ingest|packing [options]" >&2; exit 2 ;;
esac
max_load=0.8 sizes=() daemons="evpnd frr gobgp" gobgp_max=20000 build=build
peers=() multi_max=1000000
out=bench/results/$mode.json
while getopts "L:n:d:g:p:b:o:P:M:" opt; do
  case $opt in
    L) max_load=$OPTARG ;; n) sizes+=("$OPTARG") ;; d) daemons=$OPTARG ;;
    g) gobgp_max=$OPTARG ;; p) poll=$OPTARG ;; b) build=$OPTARG ;; o) out=$OPTARG ;;
    P) read -ra k <<<"$OPTARG"; peers+=("${k[@]}") ;; M) multi_max=$OPTARG ;; *) exit 2 ;;
  esac
done
[[ ${#sizes[@]} -gt 0 ]] || sizes=("${sizes_default[@]}")
if [[ $mode == packing ]]; then
  [[ ${#peers[@]} -eq 0 ]] || { echo "packing.sh: -P is for ingest.sh only" >&2; exit 2; }
  peers=(1)
fi
[[ ${#peers[@]} -gt 0 ]] || peers=(1 4)
for k in "${peers[@]}"; do
  [[ $k =~ ^[0-9]+$ && $k -ge 1 ]] || { echo "$mode.sh: -P $k: a number of peers" >&2; exit 2; }
done
[[ $(id -u) -eq 0 ]] || { echo "$mode.sh: needs root (network namespaces)" >&2; exit 2; }
for f in bgpd/daemon/evpnd bgpd/cli/evpnctl tests/tools/bgp_routegen; do
  [[ -x $build/$f ]] || { echo "$mode.sh: build it first ($build/$f)" >&2; exit 2; }
done
if [[ $mode == packing ]]; then
  command -v tcpdump >/dev/null || { echo "packing.sh: needs tcpdump" >&2; exit 2; }
fi
py=/usr/bin/python3
if [[ $mode == ingest ]] && ! "$py" -c 'import matplotlib' 2>/dev/null; then
  # the report draws routes/s by N (BENCHMARKS.md's plot) with Debian's matplotlib
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-matplotlib >/dev/null
fi
ns=evt-$mode-$$
work=$(mktemp -d "/tmp/evt-$mode.XXXXXX")
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
# one copy of the binaries for the whole run (others may rebuild build/ meanwhile); cp -p keeps
# the mtime, recorded in the JSON
for f in bgpd/daemon/evpnd bgpd/cli/evpnctl tests/tools/bgp_routegen; do
  mkdir -p "$work/bin/$(dirname $f)"; cp -p "$build/$f" "$work/bin/$f"
done
build=$work/bin
ip netns add "$ns"
ip -n "$ns" link set lo up

lines=()
for n in "${sizes[@]}"; do
  for k in "${peers[@]}"; do
    if [[ $k -gt 1 && $n -gt $multi_max ]]; then
      echo "$k peers: $n routes skipped (capped at $multi_max)" >&2; continue
    fi
    args=()
    [[ $mode == ingest ]] && args=(--peers "$k")
    for d in $daemons; do
      if [[ $d == gobgp && $((n * k)) -gt $gobgp_max ]]; then
        echo "gobgp: $n routes x $k peer(s) skipped (K*N capped at $gobgp_max)" >&2; continue
      fi
      echo "$mode: $d, $n routes${args[*]:+, $k peer(s)}" >&2
      line=$(ip netns exec "$ns" "$py" bench/bgp_bench.py "$mode" --daemon "$d" --routes "$n" \
               "${args[@]}" --build "$build" --workdir "$work" --max-load "$max_load" \
               --poll "$poll") || true
      [[ -n $line ]] && lines+=("$line")
    done
  done
done
mkdir -p "$(dirname "$out")"
printf '%s\n' "${lines[@]}" | "$py" bench/bgp_bench.py "report-$mode" "$out"
echo "written: $out"
