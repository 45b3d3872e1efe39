#!/usr/bin/env bash
# BGP EVPN ingest, side by side in one run: for each N, each number of peers K and each daemon in
# turn (evpnd, FRR's bgpd without zebra, gobgpd), K bgp_routegen processes started together each
# send the same N type-2 routes (packed as many per UPDATE as fit; each its own next hop) on their
# own iBGP session, and the daemon's own CLI/API is polled until every session shows all N routes:
# the time from the first UPDATE of any sender to the end of the first poll that shows them (no
# interpolation; the resolution is the poll interval), routes/s (N/time), paths/s (K*N/time), and
# the daemon's peak RSS over its idle RSS per route and per path.
# Everything runs in a network namespace this script creates and deletes (addresses 127.0.0.x on
# its lo). Prints a table and writes JSON (default bench/results/ingest.json).
#   usage (root): bench/ingest.sh [-L MAX_LOAD] [-n N]... [-P K]... [-M MULTI_MAX] [-d DAEMONS]
#                                 [-g GOBGP_MAX] [-p POLL_S] [-b BUILD_DIR] [-o JSON]
#   defaults: -n 10000 -n 20000 -n 100000 -n 1000000, -P 1 -P 4 (-P also takes a list: -P "1 4"),
#   -M 1000000 (K > 1 only up to N = MULTI_MAX), -d "evpnd frr gobgp", -g 20000 (gobgpd is
#   super-linear on EVPN ingest: it runs only while K*N <= GOBGP_MAX), -p 0.05
# Before each measured run the driver waits (polling every 30 s) for a 1-minute load average
# below 0.8 and no build or test running, and records the load in the JSON.
exec "$(dirname "$0")/bgp_lab.sh" ingest "$@"
