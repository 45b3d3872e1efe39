// Linux socket options a BGP session needs: TCP-MD5 signatures and GTSM, set on listening and
// connecting sockets. Failures are returned, never thrown.
// Standards: RFC 2385 (TCP MD5 signature option), RFC 5082 (GTSM: send with TTL 255, accept
// only TTL >= 255 - hops + 1).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "bgpd/io/asio.h"
#include "evpn/ip_address.h"

namespace evpnd::bgpd {

// RFC 2385: sign (and require signatures on) segments to and from `peer` with `key`; an empty
// key removes it. On a listening socket this installs the key for connections from that peer.
absl::Status SetTcpMd5(int fd, const evpn::IpAddress& peer, const std::string& key);
// RFC 5082 §3: outgoing TTL (hop limit) 255 and a minimum incoming TTL of 256 - hops.
absl::Status SetGtsm(int fd, bool ipv6, uint8_t hops);
// The TTL (hop limit) of what a listening socket sends itself, i.e. its SYN-ACKs: 255, so that a
// GTSM peer, whose connecting socket drops anything below 256 - hops before the handshake ends,
// accepts them. Accepted sockets then take their peer's setting (SetGtsm or ResetTtl).
absl::Status SetListenerTtlForGtsm(int fd, bool ipv6);
// TCP_SAVE_SYN on a listening socket: the kernel keeps each connection's SYN headers for
// SavedSynTtl, so that a GTSM peer's check covers the connection from its first packet.
absl::Status SaveSyn(int fd);
// The TTL (IPv4) or hop limit (IPv6) of the SYN that opened an accepted socket, from
// TCP_SAVED_SYN (which hands the headers out once). nullopt when the listener saved no SYN, e.g.
// for a connection accepted through a SYN cookie.
std::optional<int> SavedSynTtl(int fd);
// The TTL or hop limit in an IP header (version 4 or 6); nullopt if `header` is not one.
std::optional<int> IpHeaderTtl(std::span<const uint8_t> header);
// The system's default TTL again (a socket accepted from a GTSM-ready listener, for a peer
// without GTSM).
absl::Status ResetTtl(int fd, bool ipv6);
// RFC 5482: abort the connection when sent data stays unacknowledged this long. A peer that
// keeps sending KEEPALIVEs but never reads would otherwise hold its update group forever.
absl::Status SetUserTimeout(int fd, absl::Duration timeout);
// TCP_NOTSENT_LOWAT: the socket counts as writable, and takes more data, only while less than
// `bytes` of what was written is still unsent.
absl::Status SetNotSentLowat(int fd, int bytes);
// The kernel's index of interface `name` (the scope of a link-local address); 0 if there is none.
unsigned InterfaceIndex(const std::string& name);

}  // namespace evpnd::bgpd
