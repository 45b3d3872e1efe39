#!/usr/bin/env bash
# Sets up a Debian 12 machine (as root), builds evpnd and runs every test through ctest:
# first a normal build, then an ASan+UBSan build of the same tree. Exits non-zero on any failure.
#   scripts/test.sh            both builds
#   scripts/test.sh --quick    the normal build only
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --peers

run_suite() {
  local dir=$1
  shift
  echo "== build $dir $*"
  scripts/build.sh "$dir" "$@"
  echo "== test $dir"
  (cd "$dir" && ctest --output-on-failure --no-label-summary -j "$(nproc)")
}

if [[ "${1:-}" != "--quick" ]]; then
  # Sanitizers first, so the last line printed is the plain build's ctest summary.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_suite build-asan -DEVPND_SANITIZE=address,undefined -DEVPND_BENCH=OFF
fi
run_suite build
