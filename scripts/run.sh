#!/usr/bin/env bash
# Sets up a Debian 12 machine (as root), builds evpnd and runs the daemon in the foreground on
# its built-in default configuration: AS 65000, router-id 127.0.0.1, listening on 127.0.0.1
# port 1790, no peers (it never connects anywhere). Extra arguments go to evpnd, e.g.
#   scripts/run.sh -c examples/leaf1.conf      scripts/run.sh --print-default-config
# Stop it with Ctrl-C (SIGINT): it sends Cease / Administrative Shutdown to its peers and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
exec build/bgpd/daemon/evpnd "$@"
