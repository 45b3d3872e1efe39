#!/usr/bin/env bash
# Interop labs: builds an EVPN fabric in network namespaces (evpnd and FRR 8.4 VTEPs, an evpnd
# or GoBGP 3.10 route reflector) and runs pass/fail scenarios against it. See interop/README.md.
#
#   interop/run.sh [--evpnd PATH] [--report FILE] [--list] [scenario...]
#
# Text report on stdout, JSON report in FILE (default interop/out/report.json). Exit 0 when
# every scenario passed, 1 when one failed, 2 on a usage error. Not root: "SKIPPED: ..." and 0.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The Debian interpreter: a python3 earlier on PATH (pyenv) may be another one.
py=/usr/bin/python3
[ -x "$py" ] || py="$(command -v python3)"
exec "$py" "$here/driver.py" "$@"
