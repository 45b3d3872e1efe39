#!/usr/bin/env bash
# UPDATE packing on the wire: each daemon (evpnd, FRR's bgpd without zebra, gobgpd) receives N
# type-2 routes from bgp_routegen on one iBGP session and reflects them to a second peer (a
# route-reflector client: bgp_routegen with no routes of its own, which counts the routes it
# receives). tcpdump captures the daemon -> receiver stream; bench/bgp_bench.py reassembles it and
# counts BGP UPDATE messages and their bytes (BGP header included; End-of-RIB and KEEPALIVEs
# apart). Messages are limited to 4096 bytes (the receiver does not offer extended messages).
# Everything runs in a network namespace this script creates and deletes. Prints a table and
# writes JSON (default bench/results/packing.json).
#   usage (root): bench/packing.sh [-L MAX_LOAD] [-n N]... [-d DAEMONS] [-g GOBGP_MAX]
#                                  [-b BUILD_DIR] [-o JSON]
#   defaults: -n 20000 -n 100000 -n 1000000, -d "evpnd frr gobgp", -g 20000 (gobgpd ingests EVPN
#   super-linearly: larger N are skipped for it)
exec "$(dirname "$0")/bgp_lab.sh" packing "$@"
