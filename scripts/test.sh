#!/usr/bin/env bash
# Sets up a Debian 12 machine (as root), builds evpnd and runs every test through ctest: an
# ASan+UBSan build, a TSan build of the daemon for its thread boundaries, then the normal build
# (whose ctest summary is the last line). Exits non-zero on any failure.
#   scripts/test.sh            all three
#   scripts/test.sh --quick    the normal build only
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --peers

# Line tables only (-g1): enough for sanitizer and crash stack traces, and a quarter less compile
# time than full debug info on the gRPC/Protobuf-heavy files.
ci_flags=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG")

run_suite() {
  local dir=$1 ctest_args=$2
  shift 2
  echo "== build $dir $*"
  scripts/build.sh "$dir" "${ci_flags[@]}" "$@"
  echo "== test $dir"
  # shellcheck disable=SC2086  # ctest_args is a list of words
  (cd "$dir" && ctest --output-on-failure --no-label-summary -j "$(nproc)" $ctest_args)
}

# The threads of evpnd meet at the gRPC API (gRPC threads <-> core) and at fib-sync (netlink
# thread <-> core): a TSan build of the daemon runs the API and kernel-FDB integration tests.
# Debian's gRPC/Abseil/Protobuf are not TSan-built; tests/tsan/suppressions.txt silences what
# happens inside them only. Any report kills evpnd (halt_on_error) and fails the test.
run_tsan() {
  echo "== build build-tsan (evpnd, evpnctl)"
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVPND_SANITIZE=thread \
    -DEVPND_BENCH=OFF "${ci_flags[@]}" >/dev/null
  cmake --build build-tsan --target evpnd evpnctl -j "$(nproc)"
  echo "== test build-tsan (gRPC and netlink thread boundaries)"
  local py=/usr/bin/python3
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan/suppressions.txt"
  "$py" tests/integration/test_api.py --evpnd build-tsan/bgpd/daemon/evpnd
  "$py" tests/integration/test_fib_sync.py --evpnd build-tsan/bgpd/daemon/evpnd --only fdb \
    --only move --only restart/kill
  unset TSAN_OPTIONS
}

if [[ "${1:-}" != "--quick" ]]; then
  # Sanitizers first, so the last line printed is the plain build's ctest summary.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_suite build-asan "" -DEVPND_SANITIZE=address,undefined -DEVPND_BENCH=OFF
  run_tsan
fi
run_suite build ""
