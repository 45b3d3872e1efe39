#!/usr/bin/env bash
# Sets up a Debian 12 machine (as root), builds evpnd and runs its main job on a built-in default.
# Today that job is the codec: `evpnctl decode` reads the checked-in MRT dump of a real FRR 8.4
# EVPN session and prints every message as JSON. The BGP speaker (issue "The BGP speaker")
# replaces this with the daemon on its built-in default config.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
sample=tests/golden/captures/frr_updates.mrt
exec build/bgpd/cli/evpnctl decode --mrt "$sample" "$@"
