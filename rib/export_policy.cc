// See export_policy.h.
#include "rib/export_policy.h"

#include <algorithm>
#include <array>

#include "rib/as4_path.h"
#include "rib/best_path.h"

namespace evpnd::rib {
namespace {

// The next hop we give a route we send with ourselves as next hop, by family. EVPN carries any
// VTEP address. IPv6 unicast over an IPv4 session gets our address IPv4-mapped (::ffff:a.b.c.d,
// RFC 4291 §2.5.5.2), as FRR does. IPv4 unicast needs an IPv4 address (ShouldExport keeps it from
// IPv6 sessions: RFC 8950 next hops are not negotiated).
void SetNextHopSelf(wire::PathAttributes& a, const evpn::IpAddress& self) {
  if (a.mp_reach.has_value()) {
    if (a.mp_reach->family == wire::kIpv6Unicast && self.is_v4()) {
      std::array<uint8_t, 16> mapped{};
      mapped[10] = 0xff;
      mapped[11] = 0xff;
      std::copy(self.bytes().begin(), self.bytes().end(), mapped.begin() + 12);
      a.mp_reach->SetNextHop(evpn::IpAddress::V6(mapped));
    } else {
      a.mp_reach->SetNextHop(self);
    }
  } else if (a.next_hop.has_value() && self.is_v4()) {
    a.next_hop = self.v4_host_order();
  }
}

void RewriteForExternal(const Path& best, const OutboundPolicy& to, wire::PathAttributes& a) {
  PrependAs(a, to.local_as);
  // RFC 4271 §5.1.5: "A BGP speaker MUST NOT include this attribute in UPDATE messages it sends
  // to external peers, except in the case of BGP Confederations".
  a.local_pref.reset();
  // RFC 4271 §5.1.4: "The MULTI_EXIT_DISC attribute received from a neighboring AS MUST NOT be
  // propagated to other neighboring ASes." A MED we set on our own routes may go out.
  if (!best.source->local()) a.multi_exit_disc.reset();
  // RFC 4456 §8: ORIGINATOR_ID and CLUSTER_LIST are optional non-transitive and describe
  // reflection inside our AS; they do not leave it.
  a.originator_id.reset();
  a.cluster_list.reset();
  // RFC 4271 §5.1.3: to an external peer the NEXT_HOP is an address of the sender, unless a
  // third party next hop is configured (next-hop-unchanged: the VTEP stays). Our own routes
  // carry our VTEP already.
  if (to.next_hop_self.has_value() && !best.source->local()) SetNextHopSelf(a, *to.next_hop_self);
}

void RewriteForInternal(const Path& best, const RibConfig& config, wire::PathAttributes& a) {
  // RFC 4271 §5.1.5: "A BGP speaker MUST include this attribute in UPDATE messages it sends to
  // internal peers"; the value is the degree of preference computed for the route (§9.1.1).
  a.local_pref = DegreeOfPreference(best, BestPathPolicy{config.default_local_pref});
  // RFC 4271 §5.1.3: "When sending a message to an internal peer, if the route is not locally
  // originated, the BGP speaker SHOULD NOT modify the NEXT_HOP attribute". Nothing to do.
  if (best.source->local() || best.source->ebgp) return;
  // From here on the route is reflected (ShouldExport allowed it iBGP to iBGP).
  // RFC 4456 §8: ORIGINATOR_ID "will carry the BGP Identifier of the originator of the route in
  // the local AS. A BGP speaker SHOULD NOT create an ORIGINATOR_ID attribute if one already
  // exists."
  if (!a.originator_id.has_value()) a.originator_id = best.source->router_id;
  // RFC 4456 §8: "When an RR reflects a route, it MUST prepend the local CLUSTER_ID to the
  // CLUSTER_LIST. If the CLUSTER_LIST is empty, it MUST create a new one."
  std::vector<uint32_t> list = a.cluster_list.value_or(std::vector<uint32_t>{});
  list.insert(list.begin(), config.ClusterId());
  a.cluster_list = std::move(list);
}

// RFC 7606 §7.8, §7.14 and RFC 8092 §6: COMMUNITIES, EXTENDED_COMMUNITIES and LARGE_COMMUNITY
// of length zero are malformed (treat-as-withdraw at the receiver); an empty list is sent as no
// attribute. Likewise an empty CLUSTER_LIST (RFC 7606 §7.10: length a non-zero multiple of 4).
void DropEmptyLists(wire::PathAttributes& a) {
  if (a.communities.has_value() && a.communities->empty()) a.communities.reset();
  if (a.extended_communities.has_value() && a.extended_communities->empty()) {
    a.extended_communities.reset();
  }
  if (a.large_communities.has_value() && a.large_communities->empty()) {
    a.large_communities.reset();
  }
  if (a.cluster_list.has_value() && a.cluster_list->empty()) a.cluster_list.reset();
}

}  // namespace

OutboundPolicy OutboundPolicy::Of(const PeerInfo& peer) {
  OutboundPolicy p;
  p.ebgp = peer.ebgp();
  p.local_as = peer.local_as;
  p.rr_client = peer.route_reflector_client && !peer.ebgp();
  // Over an IPv6 link-local session that is our link-local address, as FRR gives on unnumbered
  // sessions: the peer reaches it on the link the session runs on.
  if (peer.ebgp() && !peer.next_hop_unchanged) p.next_hop_self = peer.local_address;
  p.four_octet_as = peer.send_context.four_octet_as;
  p.max_message_size = peer.send_context.max_message_size;
  p.add_path = peer.send_context.add_path;
  std::sort(p.add_path.begin(), p.add_path.end());
  p.families = peer.families;
  std::sort(p.families.begin(), p.families.end());
  return p;
}

wire::CodecContext OutboundPolicy::codec_context() const {
  wire::CodecContext ctx;
  ctx.four_octet_as = four_octet_as;
  ctx.max_message_size = max_message_size;
  ctx.add_path = add_path;
  return ctx;
}

bool OutboundPolicy::HasFamily(wire::AfiSafi family) const {
  return std::find(families.begin(), families.end(), family) != families.end();
}

bool ShouldExport(const RouteKey& key, const Path& best, const OutboundPolicy& to) {
  // IPv4 unicast to an eBGP peer over IPv6 would need our IPv4 address as its NEXT_HOP, which
  // the session does not give (RFC 8950 extended next hops are not negotiated).
  if (to.next_hop_self.has_value() && !to.next_hop_self->is_v4() && !best.source->local() &&
      key.family() == wire::kIpv4Unicast) {
    return false;
  }
  if (to.ebgp || best.source->local() || best.source->ebgp) return true;
  // RFC 4456 §6: "A route from a Client peer: Reflect to all the Non-Client peers and also to
  // the Client peers."
  if (best.source->rr_client) return true;
  // RFC 4456 §6: "A route from a Non-Client IBGP peer: Reflect to all the Clients."
  // RFC 4271 §9.2: "When a BGP speaker receives an UPDATE message from an internal peer, the
  // receiving BGP speaker SHALL NOT re-distribute the routing information contained in that
  // UPDATE message to other internal peers (unless the speaker acts as a BGP Route Reflector)".
  return to.rr_client;
}

void PrependAs(wire::PathAttributes& a, uint32_t asn) {
  // RFC 4271 §5.1.2: "if the AS_PATH is empty, the local system creates a path segment of type
  // AS_SEQUENCE, places its own AS into that segment, and places that segment into the AS_PATH."
  wire::AsPath path = a.as_path.value_or(wire::AsPath{});
  auto& segments = path.segments;
  // "if the first path segment of the AS_PATH is of type AS_SEQUENCE, the local system prepends
  // its own AS number as the last element of the sequence (put it in the leftmost position ...).
  // If the act of prepending will cause an overflow in the AS_PATH segment (i.e., more than 255
  // ASes), it SHOULD prepend a new segment of type AS_SEQUENCE". "if the first path segment of
  // the AS_PATH is of type AS_SET, the local system prepends a new path segment of type
  // AS_SEQUENCE to the AS_PATH, including its own AS number in that segment."
  if (!segments.empty() && segments.front().type == wire::AsPathSegment::kAsSequence &&
      segments.front().asns.size() < 255) {
    segments.front().asns.insert(segments.front().asns.begin(), asn);
  } else {
    segments.insert(segments.begin(), wire::AsPathSegment{wire::AsPathSegment::kAsSequence, {asn}});
  }
  a.as_path = std::move(path);
}

wire::PathAttributes ExportAttributes(const Path& best, const OutboundPolicy& to,
                                      const RibConfig& config) {
  wire::PathAttributes a = *best.attributes;
  // RFC 4271 §5: unrecognized non-transitive attributes are dropped, unrecognized transitive
  // ones passed on with the Partial bit.
  if (!best.source->local()) a = wire::PrepareForPropagation(std::move(a));
  if (to.ebgp) {
    RewriteForExternal(best, to, a);
  } else {
    RewriteForInternal(best, config, a);
  }
  // RFC 2545 §3: "The link-local address shall be included in the Next Hop field if and only if
  // a) the BGP speaker shares a common subnet with the entity identified by the global IPv6
  // address carried in the Network Address of Next Hop field and b) the peer the route is being
  // advertised to shares a common subnet with the BGP speaker." evpnd cannot tell either, so a
  // received link-local next hop is not passed on.
  if (a.mp_reach.has_value() && a.mp_reach->next_hop.size() == 32) a.mp_reach->next_hop.resize(16);
  PrepareAs4Path(a, to.four_octet_as);
  DropEmptyLists(a);
  return a;
}

}  // namespace evpnd::rib
