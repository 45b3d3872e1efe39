// The outbound rules: which best paths a peer is sent, and how their attributes are rewritten on
// the way out. Everything here depends on the OutboundPolicy of the receiving peer only (never
// on the peer itself), so peers with the same policy form one update group and share one
// encoding. The one per-peer rule, not sending a route back to the peer it came from, is applied
// by the update group when it picks recipients (adj_rib_out.h).
//
//   learned from            sent to eBGP   to iBGP non-client   to iBGP RR client
//   local / eBGP            yes            yes                  yes
//   iBGP non-client         yes            no (RFC 4271 §9.2)   yes (reflected, RFC 4456 §6)
//   iBGP RR client          yes            yes (reflected)      yes (reflected)
//
// To eBGP: our AS prepended to AS_PATH, LOCAL_PREF, MULTI_EXIT_DISC (unless ours), ORIGINATOR_ID
// and CLUSTER_LIST removed, next hop = our address on the session unless next-hop-unchanged
// (EVPN fabrics keep the VTEP) or the route is our own (its next hop is our VTEP already). For
// IPv6 unicast over an IPv4 session that address is IPv4-mapped; IPv4 unicast is not sent to an
// eBGP peer over IPv6 that needs next-hop-self. Over an IPv6 link-local session next-hop-self is
// our link-local address (as FRR does on unnumbered sessions). A received IPv6 link-local next
// hop in the second half of the field is never passed on (RFC 2545 §3).
// To iBGP: next hop kept, LOCAL_PREF = the degree of preference (default 100); reflected routes
// get ORIGINATOR_ID (if absent) and our CLUSTER_ID in front of the CLUSTER_LIST.
// Standards: RFC 4271 §5.1.2-5.1.5, §9.2; RFC 4456 §6, §8; RFC 4760 §3; RFC 6793 §4.2.2.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "bgpd/wire/codec_context.h"
#include "bgpd/wire/path_attributes.h"
#include "evpn/ip_address.h"
#include "rib/path.h"
#include "rib/peer.h"

namespace evpnd::rib {

// Everything that decides what a peer is sent and in which bytes. Equal policies share an
// update group.
struct OutboundPolicy {
  bool ebgp = false;
  uint32_t local_as = 0;
  bool rr_client = false;
  // Set iff the next hop of learned routes is rewritten (eBGP without next-hop-unchanged).
  std::optional<evpn::IpAddress> next_hop_self;
  // The send codec context, field by field.
  bool four_octet_as = true;
  size_t max_message_size = wire::kMaxMessageSize;
  std::vector<wire::AfiSafi> add_path;
  std::vector<wire::AfiSafi> families;

  static OutboundPolicy Of(const PeerInfo& peer);
  wire::CodecContext codec_context() const;
  bool HasFamily(wire::AfiSafi family) const;
  friend auto operator<=>(const OutboundPolicy&, const OutboundPolicy&) = default;
  friend bool operator==(const OutboundPolicy&, const OutboundPolicy&) = default;
};

// True if `best`, the best path of `key`, may be sent to peers with policy `to` (the source
// peer itself excepted).
bool ShouldExport(const RouteKey& key, const Path& best, const OutboundPolicy& to);

// The attributes `best` is sent with to peers with policy `to`. MP_REACH_NLRI keeps its family
// and (possibly rewritten) next hop and carries no NLRI.
wire::PathAttributes ExportAttributes(const Path& best, const OutboundPolicy& to,
                                      const RibConfig& config);

// RFC 4271 §5.1.2: our AS in front of the AS_PATH.
void PrependAs(wire::PathAttributes& attributes, uint32_t asn);

}  // namespace evpnd::rib
