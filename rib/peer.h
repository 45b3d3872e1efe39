// What the RIB knows about a BGP peer and about the local speaker: identity, AS relation,
// route-reflector role, next-hop policy, AS-loop tolerance and the codec context negotiated for
// the messages we send. The session layer fills a PeerInfo when the session reaches Established;
// the RIB uses it to check what comes in and to shape what goes out.
// Standards: RFC 4271 §4.2 (BGP Identifier), §9.1.2 (AS loop), RFC 4456 §7 (CLUSTER_ID), RFC 6793
// (4-octet AS), RFC 8654 (extended message), RFC 7911 (ADD-PATH).
#pragma once

#include <cstdint>
#include <vector>

#include "bgpd/wire/codec_context.h"
#include "evpn/ip_address.h"

namespace evpnd::rib {

// Names a peer within the RIB; the daemon assigns them. 0 is the local speaker itself (routes
// evpnd originates).
using PeerId = uint32_t;
inline constexpr PeerId kLocalPeer = 0;

// Speaker-wide settings.
struct RibConfig {
  uint32_t local_as = 0;
  // Our BGP Identifier, host order.
  uint32_t router_id = 0;
  // RFC 4456 §7: "Usually, a cluster of clients will have a single RR. In that case, the
  // cluster will be identified by the BGP Identifier of the RR." 0 means the router id.
  uint32_t cluster_id = 0;
  // RFC 4271 §9.1.1: the degree of preference of a route learned from an external peer is set by
  // local policy; this is that value, and the LOCAL_PREF given to routes that carry none.
  uint32_t default_local_pref = 100;

  uint32_t ClusterId() const { return cluster_id != 0 ? cluster_id : router_id; }
};

// One established peer, as the RIB sees it.
struct PeerInfo {
  PeerId id = kLocalPeer;
  // The peer's address (the remote end of the session): best-path tie-break RFC 4271 §9.1.2.2 (g).
  evpn::IpAddress address;
  // Our address on the session: the NEXT_HOP written on routes sent to an external peer unless
  // next_hop_unchanged.
  evpn::IpAddress local_address;
  // The BGP Identifier from the peer's OPEN, host order.
  uint32_t router_id = 0;
  uint32_t peer_as = 0;
  // The AS we present to this peer.
  uint32_t local_as = 0;
  // RFC 4456 §2: an internal peer we reflect routes to as a client.
  bool route_reflector_client = false;
  // On external sessions, send the next hop as learned (EVPN fabrics keep the VTEP address).
  bool next_hop_unchanged = false;
  // How many times our own AS may appear in a received AS_PATH before the route is refused.
  uint8_t allowas_in = 0;
  // The codec context of the messages we send to this peer: 4-octet AS, maximum message size,
  // ADD-PATH send.
  wire::CodecContext send_context;
  // Families negotiated on the session (RFC 4760 multiprotocol capability).
  std::vector<wire::AfiSafi> families = {wire::kL2vpnEvpn};

  // RFC 4271 §1.1: "External peer: Peer that is in a different Autonomous System than the local
  // system." (Confederations are not supported.)
  bool ebgp() const { return peer_as != local_as; }
  bool HasFamily(wire::AfiSafi family) const {
    for (const wire::AfiSafi& f : families) {
      if (f == family) return true;
    }
    return false;
  }
};

}  // namespace evpnd::rib
