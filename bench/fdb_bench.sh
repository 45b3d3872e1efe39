#!/usr/bin/env bash
# Kernel FDB write rate, side by side in one run: evpnd's fib-sync (reconciler + netlink thread),
# a raw netlink writer (the same messages, nothing else) and `bridge -batch` (iproute2), each
# programming N remote MACs (VXLAN self entry with dst + bridge master entry, both extern_learn,
# as FRR's zebra writes them) into a fresh vxlan100 in a network namespace this script creates
# and deletes. Prints a table and writes JSON (default bench/results/fdb.json).
#   usage (root): bench/fdb_bench.sh [-n ENTRIES] [-b BUILD_DIR] [-o JSON]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=100000 build=build out=bench/results/fdb.json
while getopts "n:b:o:" opt; do
  case $opt in n) entries=$OPTARG ;; b) build=$OPTARG ;; o) out=$OPTARG ;; *) exit 2 ;; esac
done
bench=$build/bench/fdb_bench
[[ -x $bench ]] || { echo "fdb_bench: build it first ($bench)" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "fdb_bench.sh: needs root (network namespaces)" >&2; exit 2; }
ns=evt-fdbbench-$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -f "${batch_file:-}"; }
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

mkdir -p "$(dirname "$out")"
printf '%s\n' "${results[@]}" | python3 bench/fdb_report.py "$out"
echo "written: $out"
