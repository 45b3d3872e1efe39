#!/usr/bin/env bash
# Configures and builds evpnd. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
#   scripts/build.sh                               RelWithDebInfo build in build/
#   scripts/build.sh build-asan -DEVPND_SANITIZE=address,undefined
#   CXX=clang++ scripts/build.sh build-fuzz -DEVPND_FUZZ=ON -DEVPND_BENCH=OFF
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
shift || true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
