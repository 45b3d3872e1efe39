#!/usr/bin/env bash
# Checks examples/systemd/evpnd.service with `systemd-analyze verify`, pointing its ExecStart at
# the evpnd given (the unit names the installed path, which a build tree does not have).
#   usage: scripts/verify_systemd_unit.sh path/to/evpnd
set -euo pipefail
cd "$(dirname "$0")/.."
evpnd=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s|/usr/local/sbin/evpnd|$evpnd|" examples/systemd/evpnd.service > "$tmp/evpnd.service"
systemd-analyze verify "$tmp/evpnd.service"
echo "evpnd.service: ok"
