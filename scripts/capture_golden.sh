#!/usr/bin/env bash
# Produce golden BGP / BGP EVPN packet captures and MRT dumps from real implementations
# (FRR 8.4 zebra+bgpd, GoBGP 3.10, ExaBGP 4.2) running in private network namespaces.
#
# Usage (as root):  scripts/capture_golden.sh
# Output:           tests/golden/captures/*.pcap, *.mrt   (described in README.md there)
#
# Topology (every address lives inside namespaces created, and deleted again, by this script):
#
#  gcap-h1 (host)        gcap-frr (FRR VTEP, AS 65000)        gcap-gobgp (gobgpd, AS 65000)
#  eth0 02:aa::01 ------ h1p [br100]    f-g 10.77.1.1 ------------ g-f 10.77.1.2   iBGP: evpn + ipv4 (add-path)
#  192.168.100.1/24      br100 SVI 192.168.100.254/24, fd00:100::fe   g-e 10.77.2.1 --- e-g 10.77.2.2  gcap-exa:  ExaBGP AS 65000
#  fd00:100::1/64        vxlan100 VNI 100, local 10.250.255.1         (RR client, evpn)
#                                                                     g-x 10.77.3.1 --- x-g 10.77.3.2  gcap-exa2: ExaBGP AS 65002
#                                                                     (eBGP, no 4-octet-AS capability, ipv4 + evpn)
#
# tcpdump runs in gcap-gobgp on g-f, g-e and g-x (TCP port 179, full snaplen), one pcap per session.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/.." && pwd)"
OUT_DIR="${REPO_ROOT}/tests/golden/captures"

NS_FRR=gcap-frr
NS_GO=gcap-gobgp
NS_EXA=gcap-exa
NS_EXA2=gcap-exa2
NS_H1=gcap-h1
ALL_NS=("$NS_H1" "$NS_FRR" "$NS_GO" "$NS_EXA" "$NS_EXA2")

FRR_IP=10.77.1.1
GO_FRR_IP=10.77.1.2
GO_EXA_IP=10.77.2.1
EXA_IP=10.77.2.2
GO_EXA2_IP=10.77.3.1
EXA2_IP=10.77.3.2
FRR_VTEP=10.250.255.1
GO_VTEP=10.250.255.2

GOBGP_API=127.0.0.1
GOBGP_PORT=50051
TIMEOUT=${TIMEOUT:-30}

[[ $(id -u) -eq 0 ]] || { echo "must run as root" >&2; exit 1; }
for bin in ip bridge unshare tcpdump tshark gobgp gobgpd exabgp vtysh jq /usr/lib/frr/zebra /usr/lib/frr/bgpd; do
	command -v "$bin" >/dev/null || { echo "missing $bin" >&2; exit 1; }
done
id frr >/dev/null 2>&1 || { echo "missing user frr" >&2; exit 1; }

WORK="$(mktemp -d /tmp/gcap.XXXXXX)"
chmod 755 "$WORK"
FRR_DIR="$WORK/frr"
mkdir -p "$FRR_DIR"
chown frr:frr "$FRR_DIR"
TCPDUMP_PIDS=()

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

# Terminate every process living in one of *our* namespaces (by pid), then delete it.
kill_ns_procs() {
	local ns=$1 pids
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	[[ -n "$pids" ]] || return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || true
	for _ in $(seq 1 50); do
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		[[ -z "$pids" ]] && return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null || true
}

stop_tcpdumps() {
	local pid
	for pid in "${TCPDUMP_PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
	for pid in "${TCPDUMP_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	TCPDUMP_PIDS=()
}

teardown() {
	local ns
	stop_tcpdumps
	for ns in "${ALL_NS[@]}"; do
		if ns_exists "$ns"; then
			kill_ns_procs "$ns"
			ip netns del "$ns" 2>/dev/null || true
		fi
	done
}

on_exit() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ $rc -ne 0 && -n "${HOLD_ON_FAIL:-}" ]]; then
		log "holding ${HOLD_ON_FAIL}s for inspection (work dir $WORK)"
		sleep "$HOLD_ON_FAIL" || true
	fi
	teardown
	if [[ $rc -ne 0 ]]; then
		log "FAILED (rc=$rc); log tails follow"
		for f in "$FRR_DIR"/*.log "$WORK"/*.log "$WORK"/*.out; do
			[[ -f "$f" ]] && { echo "==== ${f#"$WORK"/}" >&2; tail -n 30 "$f" >&2; }
		done
	fi
	rm -rf "$WORK"
	exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# Poll until "$@" succeeds or TIMEOUT seconds have passed.
wait_for() {
	local what=$1; shift
	local deadline=$((SECONDS + TIMEOUT))
	until "$@" >/dev/null 2>&1; do
		if ((SECONDS >= deadline)); then
			log "timeout waiting for: $what"
			return 1
		fi
		sleep 0.2
	done
	log "ok: $what"
}

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
# Run a daemon in namespace $1 with its own UTS namespace and hostname $2, so that the
# FQDN capabilities and logs never carry this machine's host name.
nsx_uts() {
	local ns=$1 host=$2; shift 2
	# shellcheck disable=SC2016  # expanded by the inner sh
	ip netns exec "$ns" unshare --uts -- /bin/sh -c 'hostname "$0" && exec "$@"' "$host" "$@"
}
vty() { nsx "$NS_FRR" vtysh --vty_socket "$FRR_DIR" "$@"; }
vty_conf() { local a=(-c 'configure terminal' -c 'router bgp 65000') c; for c in "$@"; do a+=(-c "$c"); done; vty "${a[@]}"; }
gob() { nsx "$NS_GO" gobgp -u "$GOBGP_API" -p "$GOBGP_PORT" "$@"; }
pcap_has() { [[ -n "$(tshark -r "$1" -Y "$2" 2>/dev/null)" ]]; }

# ---------------------------------------------------------------- leftovers of an interrupted run
teardown

# ---------------------------------------------------------------- namespaces and links
log "creating namespaces"
for ns in "${ALL_NS[@]}"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
for ns in "${ALL_NS[@]}"; do
	# no SLAAC/RS noise on the links; only explicit addresses
	nsx "$ns" sh -c 'echo 0 > /proc/sys/net/ipv6/conf/default/autoconf; echo 0 > /proc/sys/net/ipv6/conf/default/accept_ra'
done

# mkveth NS_A NAME_A MAC_A NS_B NAME_B MAC_B
mkveth() {
	ip link add "$2" netns "$1" address "$3" type veth peer name "$5" netns "$4" address "$6"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}
mkveth "$NS_FRR" f-g 02:00:0a:4d:01:01 "$NS_GO" g-f 02:00:0a:4d:01:02
mkveth "$NS_GO" g-e 02:00:0a:4d:02:01 "$NS_EXA" e-g 02:00:0a:4d:02:02
mkveth "$NS_GO" g-x 02:00:0a:4d:03:01 "$NS_EXA2" x-g 02:00:0a:4d:03:02

ip -n "$NS_FRR" addr add "$FRR_IP/30" dev f-g
ip -n "$NS_GO" addr add "$GO_FRR_IP/30" dev g-f
ip -n "$NS_GO" addr add "$GO_EXA_IP/30" dev g-e
ip -n "$NS_EXA" addr add "$EXA_IP/30" dev e-g
ip -n "$NS_GO" addr add "$GO_EXA2_IP/30" dev g-x
ip -n "$NS_EXA2" addr add "$EXA2_IP/30" dev x-g
ip -n "$NS_FRR" addr add "$FRR_VTEP/32" dev lo
ip -n "$NS_GO" addr add "$GO_VTEP/32" dev lo
ip -n "$NS_FRR" route add "$GO_VTEP/32" via "$GO_FRR_IP"
ip -n "$NS_GO" route add "$FRR_VTEP/32" via "$FRR_IP"

# VTEP: bridge br100 (SVI with IPv4 + IPv6) + vxlan100 (VNI 100, nolearning); host port h1p
ip -n "$NS_FRR" link add br100 address 02:00:0a:64:00:fe type bridge
ip -n "$NS_FRR" link add vxlan100 address 02:00:0a:64:00:fd type vxlan id 100 local "$FRR_VTEP" dstport 4789 nolearning
ip -n "$NS_FRR" link set vxlan100 master br100 addrgenmode none
ip -n "$NS_FRR" link set vxlan100 type bridge_slave neigh_suppress off learning off
ip -n "$NS_FRR" link set vxlan100 up
ip -n "$NS_FRR" link set br100 up
ip -n "$NS_FRR" addr add 192.168.100.254/24 dev br100
ip -n "$NS_FRR" addr add fd00:100::fe/64 dev br100 nodad
# host behind the VTEP (its link is brought up only once FRR runs)
ip link add eth0 netns "$NS_H1" address 02:aa:00:00:00:01 type veth peer name h1p netns "$NS_FRR" address 02:00:0a:64:00:01
ip -n "$NS_FRR" link set h1p master br100
ip -n "$NS_H1" addr add 192.168.100.1/24 dev eth0
ip -n "$NS_H1" addr add fd00:100::1/64 dev eth0 nodad

# ---------------------------------------------------------------- captures
start_tcpdump() { # iface outfile
	local err="$WORK/tcpdump-$1.log"
	# started directly (no shell function in between) so that $! is tcpdump's own pid
	ip netns exec "$NS_GO" tcpdump -i "$1" -s 0 -U -n -Z root -w "$2" 'tcp port 179' 2>"$err" &
	TCPDUMP_PIDS+=($!)
	wait_for "tcpdump on $1" grep -q 'listening on' "$err"
}
PCAP_FRR="$WORK/frr_gobgp_evpn.pcap"
PCAP_EXA="$WORK/gobgp_exabgp_evpn.pcap"
PCAP_EXA2="$WORK/gobgp_exabgp_as2.pcap"
start_tcpdump g-f "$PCAP_FRR"
start_tcpdump g-e "$PCAP_EXA"
start_tcpdump g-x "$PCAP_EXA2"

# ---------------------------------------------------------------- GoBGP
# The MRT file name is a Go time layout: keep it free of layout tokens (digits, Jan, Mon, PM, ...)
# and relative (gobgpd runs in $WORK).
cat >"$WORK/gobgpd.toml" <<EOF
[global.config]
  as = 65000
  router-id = "$GO_VTEP"

[[mrt-dump]]
  [mrt-dump.config]
    dump-type = "updates"
    file-name = "gobgp_updates.mrt"
    rotation-interval = 3600

# FRR: iBGP, l2vpn-evpn + ipv4-unicast with ADD-PATH, graceful restart
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$FRR_IP"
    peer-as = 65000
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 1
  [neighbors.transport.config]
    passive-mode = true
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
    [neighbors.afi-safis.add-paths.config]
      receive = true
      send-max = 4

# ExaBGP #1: iBGP route-reflector client, l2vpn-evpn only (ExaBGP listens, GoBGP connects)
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$EXA_IP"
    peer-as = 65000
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 1
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "$GO_VTEP"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"

# ExaBGP #2: eBGP, peer without the 4-octet AS capability; towards it GoBGP uses the 4-byte
# local AS 4200000001 (=> My AS 23456 = AS_TRANS in its OPEN, AS_TRANS + AS4_PATH in UPDATEs)
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$EXA2_IP"
    peer-as = 65002
    local-as = 4200000001
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
EOF
log "starting gobgpd"
(cd "$WORK" && nsx_uts "$NS_GO" gcap-gobgp gobgpd -f "$WORK/gobgpd.toml" --api-hosts "$GOBGP_API:$GOBGP_PORT" \
	>"$WORK/gobgpd.log" 2>&1) &
wait_for "gobgpd API" gob global

# ---------------------------------------------------------------- FRR
cat >"$FRR_DIR/zebra.conf" <<EOF
hostname gcap-frr
EOF
cat >"$FRR_DIR/bgpd.conf" <<EOF
hostname gcap-frr
dump bgp all $FRR_DIR/frr_updates.mrt
router bgp 65000
 bgp router-id $FRR_VTEP
 no bgp default ipv4-unicast
 no bgp network import-check
 bgp graceful-restart
 neighbor $GO_FRR_IP remote-as 65000
 neighbor $GO_FRR_IP description gobgp
 address-family ipv4 unicast
  network 10.88.0.0/24
  neighbor $GO_FRR_IP activate
  neighbor $GO_FRR_IP addpath-tx-all-paths
 exit-address-family
 address-family l2vpn evpn
  neighbor $GO_FRR_IP activate
  advertise-all-vni
 exit-address-family
EOF
chown frr:frr "$FRR_DIR"/*.conf
log "starting zebra + bgpd"
nsx_uts "$NS_FRR" gcap-frr /usr/lib/frr/zebra -d -N "$NS_FRR" -F datacenter -P 0 --vty_socket "$FRR_DIR" \
	-z "$FRR_DIR/zserv.api" -f "$FRR_DIR/zebra.conf" -i "$FRR_DIR/zebra.pid" \
	--log "file:$FRR_DIR/zebra.log" -s 67108864 2>/dev/null
wait_for "zserv.api" test -S "$FRR_DIR/zserv.api"
nsx_uts "$NS_FRR" gcap-frr /usr/lib/frr/bgpd -d -N "$NS_FRR" -F datacenter -P 0 --vty_socket "$FRR_DIR" \
	-z "$FRR_DIR/zserv.api" -f "$FRR_DIR/bgpd.conf" -i "$FRR_DIR/bgpd.pid" \
	--log "file:$FRR_DIR/bgpd.log" 2>/dev/null

# ---------------------------------------------------------------- ExaBGP
cat >"$WORK/exabgp.conf" <<EOF
neighbor $GO_EXA_IP {
	router-id $EXA_IP;
	local-address $EXA_IP;
	local-as 65000;
	peer-as 65000;
	hold-time 9;
	passive true;
	host-name gcap-exa;
	family {
		l2vpn evpn;
	}
}
EOF
cat >"$WORK/exabgp2.conf" <<EOF
neighbor $GO_EXA2_IP {
	router-id $EXA2_IP;
	local-address $EXA2_IP;
	local-as 65002;
	peer-as 23456;
	hold-time 9;
	passive true;
	host-name gcap-exa-two;
	capability {
		asn4 disable;
	}
	family {
		ipv4 unicast;
		l2vpn evpn;
	}
	static {
		route 10.99.0.0/24 next-hop self as-path [ 65002 4200000002 65020 ] community [ 65002:99 ];
	}
}
EOF
# ExaBGP is passive (listens on its address, port 179): after GoBGP's NOTIFICATION nobody reconnects
start_exabgp() { # ns name conf listen-address
	nsx_uts "$1" "$1" env exabgp.daemon.user=root exabgp.daemon.daemonize=false exabgp.daemon.drop=false \
		exabgp.api.cli=false exabgp.tcp.bind="$4" exabgp.tcp.port=179 exabgp.log.destination="$WORK/$2.log" \
		exabgp.log.packets=true exabgp "$3" >"$WORK/$2.out" 2>&1 &
}
log "starting exabgp x2"
start_exabgp "$NS_EXA" exabgp "$WORK/exabgp.conf" "$EXA_IP"
start_exabgp "$NS_EXA2" exabgp2 "$WORK/exabgp2.conf" "$EXA2_IP"

# ---------------------------------------------------------------- sessions
go_established() { gob neighbor "$1" | grep -qi 'BGP state = established'; }
go_not_established() { ! go_established "$1"; }
wait_for "FRR <-> GoBGP established" go_established "$FRR_IP"
wait_for "ExaBGP <-> GoBGP established" go_established "$EXA_IP"
wait_for "ExaBGP2 (2-octet AS) <-> GoBGP established" go_established "$EXA2_IP"

go_evpn_has() { gob global rib -a evpn | grep -F -- "$1" | grep -qF -- "${2:-}"; }
go_evpn_lacks() { ! gob global rib -a evpn | grep -qF -- "$1"; }
frr_evpn_has() { vty -c 'show bgp l2vpn evpn' | grep -qF -- "$1"; }
frr_evpn_lacks() { ! vty -c 'show bgp l2vpn evpn' | grep -qF -- "$1"; }
frr_pfx_rcvd() { vty -c 'show bgp l2vpn evpn summary json' | jq -e ".peers[\"$GO_FRR_IP\"].pfxRcd == $1"; }
frr_msgstat() { vty -c "show bgp neighbors $GO_FRR_IP json" | jq -r ".[\"$GO_FRR_IP\"].messageStats.$1"; }
frr_msgstat_ge() { [[ $(frr_msgstat "$1") -ge $2 ]]; }
go_adjout_lacks() { ! gob neighbor "$1" adj-out -a evpn | grep -qF -- "$2"; }
frr_mac_is() { vty -c 'show evpn mac vni 100' | grep -F -- "$1" | grep -w -- "$2" | grep -qF -- "${3:-}"; }
frr_rd_lacks() { ! vty -c "show bgp l2vpn evpn route rd $1" | grep -qF -- "$2"; }

# ---------------------------------------------------------------- FRR originates type-3 and type-2
wait_for "GoBGP has FRR type-3" go_evpn_has "[type:multicast][rd:$FRR_VTEP:"
ip -n "$NS_H1" link set eth0 up
ip -n "$NS_FRR" link set h1p up
# make the SVI learn the host's IPv4/IPv6 neighbour entries: a TCP connect to a closed port
nsx "$NS_H1" timeout 3 bash -c 'echo > /dev/tcp/192.168.100.254/9' 2>/dev/null || true
nsx "$NS_H1" timeout 3 bash -c 'echo > /dev/tcp/fd00:100::fe/9' 2>/dev/null || true
# a second, static + sticky MAC on the same port (=> MAC Mobility ext. community with sticky flag)
nsx "$NS_FRR" bridge fdb add 02:aa:00:00:00:02 dev h1p master static sticky
wait_for "GoBGP has FRR MAC-only type-2" go_evpn_has "[mac:02:aa:00:00:00:01][ip:<nil>]"
wait_for "GoBGP has FRR MAC+IPv4 type-2" go_evpn_has "[mac:02:aa:00:00:00:01][ip:192.168.100.1]"
wait_for "GoBGP has FRR MAC+IPv6 type-2" go_evpn_has "[mac:02:aa:00:00:00:01][ip:fd00:100::1]"
wait_for "GoBGP has FRR sticky MAC" go_evpn_has "[mac:02:aa:00:00:00:02]" "sticky"

# ---------------------------------------------------------------- GoBGP originates EVPN routes 1..5
log "injecting routes into GoBGP"
RD2="$GO_VTEP:100"
RD5="$GO_VTEP:5000"
EVPN_ADD=(global rib -a evpn add)
gob "${EVPN_ADD[@]}" macadv 02:bb:00:00:00:01 0.0.0.0 etag 0 label 100 rd "$RD2" rt 65000:100 encap vxlan nexthop "$GO_VTEP"
gob "${EVPN_ADD[@]}" macadv 02:bb:00:00:00:02 192.168.100.12 0 100 default-gateway rd "$RD2" rt 65000:100 encap vxlan \
	nexthop "$GO_VTEP" community 65000:7
gob "${EVPN_ADD[@]}" macadv 02:bb:00:00:00:03 fd00:100::13 esi lacp 02:bb:00:00:00:aa 7 etag 0 label 100 rd "$RD2" \
	rt 65000:100 encap vxlan nexthop "$GO_VTEP"
gob "${EVPN_ADD[@]}" macadv 02:bb:00:00:00:04 192.168.100.14 etag 0 label 100,5000 rd "$RD2" rt 65000:100 65000:5000 \
	encap vxlan router-mac 02:bb:00:00:00:ff nexthop "$GO_VTEP" med 10 local-pref 200
gob "${EVPN_ADD[@]}" multicast "$GO_VTEP" etag 0 rd "$RD2" rt 65000:100 encap vxlan pmsi ingress-repl 100 "$GO_VTEP" \
	nexthop "$GO_VTEP"
gob "${EVPN_ADD[@]}" prefix 10.200.0.0/24 gw 0.0.0.0 etag 0 label 5000 rd "$RD5" rt 65000:5000 encap vxlan \
	router-mac 02:bb:00:00:00:ff nexthop "$GO_VTEP"
gob "${EVPN_ADD[@]}" prefix 10.201.0.0/24 gw 192.168.100.12 etag 0 label 5000 rd "$RD5" rt 65000:5000 encap vxlan \
	nexthop "$GO_VTEP"
gob "${EVPN_ADD[@]}" prefix 2001:db8:200::/64 gw :: etag 0 label 5000 rd "$RD5" rt 65000:5000 encap vxlan \
	router-mac 02:bb:00:00:00:ff nexthop "$GO_VTEP"
gob "${EVPN_ADD[@]}" a-d esi ARBITRARY 00:11:22:33:44:55:66:77:88 etag 4294967295 label 0 rd "$GO_VTEP:1" rt 65000:100 \
	encap vxlan esi-label 3000 nexthop "$GO_VTEP"
gob "${EVPN_ADD[@]}" a-d esi ARBITRARY 00:11:22:33:44:55:66:77:88 etag 0 label 100 rd "$RD2" rt 65000:100 \
	encap vxlan nexthop "$GO_VTEP"
gob "${EVPN_ADD[@]}" esi "$GO_VTEP" esi ARBITRARY 00:11:22:33:44:55:66:77:88 rd "$GO_VTEP:1" rt 65000:100 \
	encap vxlan nexthop "$GO_VTEP"
GO_EVPN_COUNT=11
# IPv4 unicast: two paths for one prefix (ADD-PATH towards FRR), one path with a 4-byte ASN
# (=> AS_PATH with AS_TRANS + AS4_PATH towards the 2-octet-AS ExaBGP)
gob global rib -a ipv4 add 10.66.0.0/24 identifier 1 aspath 65010 nexthop "$GO_FRR_IP" community 65000:1
gob global rib -a ipv4 add 10.66.0.0/24 identifier 2 aspath 65010,65011 nexthop "$GO_FRR_IP" community 65000:2
gob global rib -a ipv4 add 10.66.4.0/24 aspath 4200000001,65010 med 5 community 65000:66 \
	large-community 4200000001:1:2
wait_for "FRR received $GO_EVPN_COUNT EVPN prefixes from GoBGP" frr_pfx_rcvd "$GO_EVPN_COUNT"

# ---------------------------------------------------------------- MAC mobility
log "MAC move GoBGP -> FRR -> GoBGP"
gob "${EVPN_ADD[@]}" macadv 02:bb:00:00:00:09 0.0.0.0 etag 0 label 100 rd "$RD2" rt 65000:100 encap vxlan nexthop "$GO_VTEP"
GO_EVPN_COUNT=$((GO_EVPN_COUNT + 1))
wait_for "FRR has 02:bb:00:00:00:09 as remote MAC" frr_mac_is 02:bb:00:00:00:09 remote
# the MAC shows up locally behind h1p: FRR re-advertises it with MAC Mobility seq 1
nsx "$NS_FRR" bridge fdb replace 02:bb:00:00:00:09 dev h1p master dynamic
wait_for "GoBGP has FRR's 02:bb:00:00:00:09 with mac-mobility 1" go_evpn_has "[mac:02:bb:00:00:00:09]" "mac-mobility: 1"
# and moves back: GoBGP re-originates it, with sequence 2 (GoBGP adds the MM community itself)
gob global rib -a evpn del macadv 02:bb:00:00:00:09 0.0.0.0 etag 0 label 100 rd "$RD2"
gob "${EVPN_ADD[@]}" macadv 02:bb:00:00:00:09 0.0.0.0 etag 0 label 100 rd "$RD2" rt 65000:100 encap vxlan nexthop "$GO_VTEP"
wait_for "FRR has 02:bb:00:00:00:09 as remote MAC again, seq 1/2" frr_mac_is 02:bb:00:00:00:09 remote 1/2
wait_for "FRR withdrew its own 02:bb:00:00:00:09" frr_rd_lacks "$FRR_VTEP:2" "[02:bb:00:00:00:09]"

# ---------------------------------------------------------------- withdrawals
log "withdrawals"
gob global rib -a evpn del macadv 02:bb:00:00:00:01 0.0.0.0 etag 0 label 100 rd "$RD2"
gob global rib -a evpn del prefix 2001:db8:200::/64 etag 0 rd "$RD5"
gob global rib -a evpn del a-d esi ARBITRARY 00:11:22:33:44:55:66:77:88 etag 0 label 100 rd "$RD2"
gob global rib -a ipv4 del 10.66.0.0/24 identifier 2
GO_EVPN_COUNT=$((GO_EVPN_COUNT - 3))
wait_for "FRR lost 02:bb:00:00:00:01" frr_evpn_lacks "[02:bb:00:00:00:01]"
wait_for "FRR lost 2001:db8:200::/64" frr_evpn_lacks "[2001:db8:200::]"
nsx "$NS_FRR" bridge fdb del 02:aa:00:00:00:02 dev h1p master
nsx "$NS_FRR" ip -6 neigh del fd00:100::1 dev br100
wait_for "GoBGP lost FRR sticky MAC" go_evpn_lacks "[mac:02:aa:00:00:00:02]"
wait_for "GoBGP lost FRR MAC+IPv6" go_evpn_lacks "[mac:02:aa:00:00:00:01][ip:fd00:100::1]"

# ---------------------------------------------------------------- ROUTE-REFRESH from FRR
log "route refresh"
rr0=$(frr_msgstat routeRefreshSent)
up0=$(frr_msgstat updatesRecv)
vty -c 'clear bgp l2vpn evpn * soft in'
vty -c 'clear bgp ipv4 unicast * soft in'
wait_for "FRR sent 2 ROUTE-REFRESH" frr_msgstat_ge routeRefreshSent $((rr0 + 2))
wait_for "GoBGP answered the refresh" frr_msgstat_ge updatesRecv $((up0 + GO_EVPN_COUNT))
wait_for "FRR has $GO_EVPN_COUNT EVPN prefixes from GoBGP" frr_pfx_rcvd "$GO_EVPN_COUNT"

# ---------------------------------------------------------------- administrative shutdowns (RFC 8203)
log "FRR: neighbor shutdown with a shutdown communication"
vty_conf "neighbor $GO_FRR_IP shutdown message maintenance window"
wait_for "NOTIFICATION Cease/2 from FRR in capture" pcap_has "$PCAP_FRR" "bgp.type == 3 && ip.src == $FRR_IP"
wait_for "GoBGP withdrew FRR routes towards ExaBGP" go_adjout_lacks "$EXA_IP" "[rd:$FRR_VTEP:"
wait_for "GoBGP sees FRR down" go_not_established "$FRR_IP"

log "GoBGP: shut ExaBGP peers down with a shutdown communication"
# (gobgp 3.10: 'neighbor X disable --reason' sends Cease/2 *without* the communication,
#  the deprecated 'shutdown --reason' sends it)
gob neighbor "$EXA_IP" shutdown --reason "golden capture done" >/dev/null 2>&1
gob neighbor "$EXA2_IP" shutdown --reason "golden capture done" >/dev/null 2>&1
wait_for "NOTIFICATION to ExaBGP in capture" pcap_has "$PCAP_EXA" "bgp.type == 3 && ip.src == $GO_EXA_IP"
wait_for "NOTIFICATION to ExaBGP2 in capture" pcap_has "$PCAP_EXA2" "bgp.type == 3 && ip.src == $GO_EXA2_IP"
# ExaBGP 4.2.21 cannot decode a Cease NOTIFICATION that carries a shutdown communication
# (bytes % str in Notification.__init__ under Python 3) and answers with its own NOTIFICATION
# 1/0 "can not decode update message of type "3"": keep that in the capture when it comes.
TIMEOUT=5 wait_for "ExaBGP's answering NOTIFICATION" pcap_has "$PCAP_EXA" "bgp.type == 3 && ip.src == $EXA_IP" || true
TIMEOUT=5 wait_for "ExaBGP2's answering NOTIFICATION" pcap_has "$PCAP_EXA2" "bgp.type == 3 && ip.src == $EXA2_IP" || true
kill_ns_procs "$NS_EXA"
kill_ns_procs "$NS_EXA2"

# ---------------------------------------------------------------- stop and collect
log "stopping"
# close FRR's MRT file before bgpd exits (at exit bgpd would append a truncated STATE_CHANGE_AS4
# record for the deleted peer, without AFI and addresses)
vty -c 'configure terminal' -c "no dump bgp all $FRR_DIR/frr_updates.mrt"
sleep 0.5
stop_tcpdumps
for ns in "${ALL_NS[@]}"; do kill_ns_procs "$ns"; done

# sanity checks on what was captured
check() { # file filter description
	if pcap_has "$1" "$2"; then log "has ${3}: ${1##*/}"; else log "MISSING ${3}: ${1##*/}"; return 1; fi
}
check "$PCAP_FRR" 'bgp.type == 1 && bgp.cap.gr.timers.restart_time' "OPEN with graceful restart"
check "$PCAP_FRR" 'bgp.cap.orf.fqdn.hostname == "gcap-frr"' "OPEN with FQDN"
check "$PCAP_FRR" 'bgp.cap.type == 70' "OPEN with enhanced route refresh"
check "$PCAP_FRR" 'bgp.cap.type == 69' "OPEN with ADD-PATH"
for t in 1 2 3 4 5; do check "$PCAP_FRR" "bgp.evpn.nlri.rt == $t" "EVPN route type $t"; done
check "$PCAP_FRR" 'bgp.update.path_attribute.type_code == 22' "PMSI_TUNNEL"
check "$PCAP_FRR" 'bgp.update.path_attribute.type_code == 15' "MP_UNREACH_NLRI"
check "$PCAP_FRR" 'bgp.type == 4' "KEEPALIVE"
check "$PCAP_FRR" 'bgp.type == 5' "ROUTE-REFRESH"
check "$PCAP_FRR" 'bgp.notify.minor_error_cease == 2 && bgp.notify.communication' "Cease/2 with shutdown communication"
check "$PCAP_EXA" 'bgp.type == 1 && ip.src == '"$EXA_IP" "ExaBGP OPEN"
check "$PCAP_EXA" 'bgp.update.path_attribute.type_code == 9' "ORIGINATOR_ID/CLUSTER_LIST"
check "$PCAP_EXA" 'bgp.notify.minor_error_cease == 2 && bgp.notify.communication' "Cease/2 with shutdown communication"
check "$PCAP_EXA2" 'bgp.type == 1 && bgp.open.myas == 23456' "OPEN with AS_TRANS"
check "$PCAP_EXA2" 'bgp.update.path_attribute.type_code == 17' "AS4_PATH"
check "$PCAP_EXA2" 'bgp.notify.minor_error_cease == 2 && bgp.notify.communication' "Cease/2 with shutdown communication"
# expert info of severity warning (0x600000) or error on BGP frames (TCP RSTs at the end are
# expected): report, but do not fail
for f in "$PCAP_FRR" "$PCAP_EXA" "$PCAP_EXA2"; do
	if pcap_has "$f" 'bgp && _ws.expert.severity >= 6291456'; then
		log "tshark reports warnings/errors on BGP frames in ${f##*/}:"
		tshark -r "$f" -Y 'bgp && _ws.expert.severity >= 6291456' -T fields -e frame.number -e _ws.expert.message >&2 2>/dev/null || true
	fi
done

mkdir -p "$OUT_DIR"
install -m 0644 "$PCAP_FRR" "$PCAP_EXA" "$PCAP_EXA2" "$OUT_DIR/"
install -m 0644 "$FRR_DIR/frr_updates.mrt" "$OUT_DIR/frr_updates.mrt"
install -m 0644 "$WORK/gobgp_updates.mrt" "$OUT_DIR/gobgp_updates.mrt"
log "done; outputs in ${OUT_DIR#"$REPO_ROOT"/}:"
(cd "$OUT_DIR" && ls -l -- *.pcap *.mrt >&2)
