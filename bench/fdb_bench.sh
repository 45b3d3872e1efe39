#!/usr/bin/env bash
# Kernel FDB write rate, side by side in one run (issue 9, "fdb"):
#  - evpnd's fib-sync (reconciler + netlink thread, in process: bench/fdb_bench.cc), a raw netlink
#    writer (the same messages, nothing else) and `bridge -batch` (iproute2), each programming N
#    remote MACs (VXLAN self entry with dst + bridge master entry, both extern_learn, as FRR's
#    zebra writes them) into a fresh vxlan100 in a network namespace this script creates and
#    deletes;
#  - then BGP end to end (bench/fdb_daemons.py): FRR 8.4 (zebra + bgpd, advertise-all-vni) and
#    the evpnd daemon, each a VTEP for VNI 100 in a namespace of its own, receiving the N MACs as
#    type-2 routes from bgp_routegen on one iBGP session, timed from the first UPDATE until the
#    kernel FDB of vxlan100 holds all 2N entries.
# Prints a table and writes JSON (default bench/results/fdb.json).
#   usage (root): bench/fdb_bench.sh [-n ENTRIES] [-d "frr evpnd"] [-t TIMEOUT_S] [-L MAX_LOAD]
#                                    [-b BUILD_DIR] [-o JSON]
#   -d: the daemons of the end-to-end part ("" for none); -t: how long a daemon may take (180 s)
# Before the measured runs the script waits (polling every 30 s, at most 15 minutes) for a
# 1-minute load average below MAX_LOAD (0.8) and no build or test running, as the other bench
# scripts do, and records the load in the JSON. The binaries are copied once at the start (after
# any running build has ended): others may rebuild build/ meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
entries=100000 build=build out=bench/results/fdb.json daemons="frr evpnd" timeout=180 max_load=0.8
while getopts "n:d:t:L:b:o:" opt; do
  case $opt in
    n) entries=$OPTARG ;; d) daemons=$OPTARG ;; t) timeout=$OPTARG ;; L) max_load=$OPTARG ;;
    b) build=$OPTARG ;; o) out=$OPTARG ;; *) exit 2 ;;
  esac
done
bins=(bench/fdb_bench bench/fdb_watch bgpd/daemon/evpnd bgpd/cli/evpnctl tests/tools/bgp_routegen)
for f in "${bins[@]}"; do
  [[ -x $build/$f ]] || { echo "fdb_bench.sh: build it first ($build/$f)" >&2; exit 2; }
done
[[ $(id -u) -eq 0 ]] || { echo "fdb_bench.sh: needs root (network namespaces)" >&2; exit 2; }
py=/usr/bin/python3   # lab.py and bgp_bench.py want Debian's interpreter
work=$(mktemp -d /tmp/evt-fdbbench.XXXXXX)
chmod 755 "$work"
while pgrep -f "cmake --build|ninja" >/dev/null; do   # do not copy a binary being linked
  echo "$(date +%T) waiting for a build to finish" >&2; sleep 30
done
for f in "${bins[@]}"; do
  mkdir -p "$work/bin/$(dirname $f)"; cp -p "$build/$f" "$work/bin/$f"
done
build=$work/bin
bench=$build/bench/fdb_bench
ns=evt-fdbbench-$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -f "${batch_file:-}"; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$ns"
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
in_ns ip link add br100 type bridge
in_ns ip link set br100 up

fresh_vxlan() {
  in_ns ip link del vxlan100 2>/dev/null || true
  in_ns ip link add vxlan100 type vxlan id 100 local 10.0.0.1 dstport 4789 nolearning
  in_ns ip link set vxlan100 master br100 addrgenmode none
  in_ns ip link set vxlan100 type bridge_slave learning off
  in_ns ip link set vxlan100 up
}

count_entries() {  # extern_learn unicast entries on vxlan100 (self + master)
  in_ns bridge fdb show dev vxlan100 | grep -v '^00:00:00:00:00:00' | grep -c extern_learn || true
}

results=()
# the machine before the in-process modes (fdb_daemons.py waits again before each daemon)
results+=("$("$py" - "$max_load" "$build/bgpd/daemon/evpnd" "$build/bench/fdb_bench" <<'PY'
import json, os, sys, time
sys.dont_write_bytecode = True
sys.path.insert(0, "bench")
import bgp_bench as B
B.BUSY += "|ninja|bench/bgp_bench.py|move_bench.py"
q = B.wait_quiet(float(sys.argv[1]), 900)
mt = lambda p: time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(os.path.getmtime(p)))
print(json.dumps({"machine": q, "binary_mtime": {"evpnd": mt(sys.argv[2]),
                                                 "fdb_bench": mt(sys.argv[3])}}))
PY
)")
for mode in raw evpnd; do
  fresh_vxlan
  results+=("$(in_ns "$bench" --mode "$mode" --entries "$entries")")
done

fresh_vxlan
batch_file=$(mktemp)
python3 - "$entries" > "$batch_file" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    mac = "02:42:%02x:%02x:%02x:%02x" % ((i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255)
    vtep = "10.0.0.%d" % (2 + i % 16)
    print(f"fdb replace {mac} dev vxlan100 dst {vtep} self extern_learn")
    print(f"fdb replace {mac} dev vxlan100 master extern_learn")
PY
start=$(date +%s.%N)
in_ns bridge -batch "$batch_file"
end=$(date +%s.%N)
kernel=$(count_entries)
results+=("$(python3 -c "
import json,sys; s=$end-$start; n=$entries
print(json.dumps({'mode':'bridge-batch','entries':n,'seconds':round(s,3),
                  'entries_per_s':round(n/s),'kernel_entries':$kernel}, separators=(',',':')))")")

if [[ -n $daemons ]]; then
  impl_args=()
  for d in $daemons; do impl_args+=(--impl "$d"); done
  while IFS= read -r line; do results+=("$line"); done < <(
    "$py" bench/fdb_daemons.py --build "$build" --entries "$entries" "${impl_args[@]}" \
      --timeout "$timeout" --max-load "$max_load")
fi

mkdir -p "$(dirname "$out")"
printf '%s\n' "${results[@]}" | "$py" bench/fdb_report.py "$out"
echo "written: $out"
