#!/usr/bin/env bash
# Enforces the module boundaries of DESIGN.md: a module includes only modules to its left
# (evpn < bgpd/wire < rib < fib-sync, bgpd < main) and the pure modules include no I/O, clock or
# RPC headers. Prints each offending line; exits 1 if there is any.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

forbid() {  # forbid DIR REGEX WHY
  local dir=$1 regex=$2 why=$3
  [[ -d $dir ]] || return 0
  local hits
  hits=$(grep -rnP "^#include [<\"]($regex)" "$dir" --include='*.h' --include='*.cc' || true)
  if [[ -n $hits ]]; then
    echo "layering: $dir must not include $why:"
    echo "$hits"
    status=1
  fi
}

# Boost's smart pointers are plain data structures (rib/path.h counts references with them).
pure_io='boost/(?!smart_ptr/)|asio|grpc|google/protobuf|sys/|linux/|spdlog|chrono|thread|random|fstream|iostream'
forbid evpn "$pure_io" "I/O, clocks, randomness or RPC headers (pure module)"
forbid evpn 'bgpd/|rib/|fib-sync/|proto/' "higher modules"
forbid bgpd/wire "$pure_io" "I/O, clocks, randomness or RPC headers (pure module)"
forbid bgpd/wire 'rib/|fib-sync/|bgpd/(session|io|api|daemon|cli)/|proto/' "higher modules"
forbid rib "$pure_io" "I/O, clocks, randomness or RPC headers (pure module)"
forbid rib 'fib-sync/|bgpd/(session|io|api|daemon|cli)/|proto/' "higher modules"
forbid fib-sync/reconcile "$pure_io" "I/O, clocks, randomness or RPC headers (pure module)"
forbid fib-sync 'bgpd/' "bgpd (fib-sync never sees the speaker)"
forbid bgpd/session "$pure_io" "I/O, clocks, randomness or RPC headers (pure module)"
# Pure modules take time as a parameter: no clock reads, whatever the header.
for dir in evpn bgpd/wire rib fib-sync/reconcile bgpd/session; do
  [[ -d $dir ]] || continue
  hits=$(grep -rnE "absl::(Now|GetCurrentTimeNanos)\(|(system|steady)_clock::now|time\(nullptr\)" \
           "$dir" --include='*.h' --include='*.cc' || true)
  if [[ -n $hits ]]; then
    echo "layering: $dir must not read a clock (time is a parameter):"
    echo "$hits"
    status=1
  fi
done
[[ $status -eq 0 ]] && echo "layering: ok"
exit $status
