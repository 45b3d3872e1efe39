// See import_policy.h.
#include "rib/import_policy.h"

#include <algorithm>

#include "rib/as4_path.h"
#include "rib/path.h"

namespace evpnd::rib {

absl::string_view ToString(RouteRejectReason reason) {
  switch (reason) {
    case RouteRejectReason::kAsLoop:
      return "as-loop";
    case RouteRejectReason::kOriginatorIdLoop:
      return "originator-id-loop";
    case RouteRejectReason::kClusterListLoop:
      return "cluster-list-loop";
    case RouteRejectReason::kNoNextHop:
      return "no-next-hop";
    case RouteRejectReason::kFamilyDisabled:
      return "family-disabled";
    case RouteRejectReason::kUnsupportedFamily:
      return "unsupported-family";
    case RouteRejectReason::kTreatAsWithdraw:
      return "treat-as-withdraw";
    case RouteRejectReason::kRouteTargetFiltered:
      return "route-target-filtered";
  }
  return "unknown";
}

bool CarriesRouteTarget(const wire::PathAttributes& attributes,
                        const std::vector<evpn::RouteTarget>& import) {
  if (!attributes.extended_communities.has_value()) return false;
  for (const evpn::ExtendedCommunity& c : *attributes.extended_communities) {
    const auto* rt = std::get_if<evpn::RouteTarget>(&c);
    if (rt != nullptr && std::binary_search(import.begin(), import.end(), *rt)) return true;
  }
  return false;
}

void SanitizeReceived(wire::PathAttributes& attributes, const PeerInfo& peer) {
  if (peer.ebgp()) {
    // RFC 7606 §7.5: LOCAL_PREF received from an external neighbor is discarded ("attribute
    // discard"); RFC 4271 §5.1.5 already says it must not be sent to external peers.
    attributes.local_pref.reset();
    // RFC 7606 §7.9 and §7.10: ORIGINATOR_ID and CLUSTER_LIST received from an external neighbor
    // are discarded the same way.
    attributes.originator_id.reset();
    attributes.cluster_list.reset();
  }
  ReconstructAs4Path(attributes, peer.send_context.four_octet_as);
}

size_t CountAs(const wire::PathAttributes& attributes, uint32_t asn) {
  if (!attributes.as_path.has_value()) return 0;
  size_t count = 0;
  for (const wire::AsPathSegment& s : attributes.as_path->segments) {
    count += static_cast<size_t>(std::count(s.asns.begin(), s.asns.end(), asn));
  }
  return count;
}

std::optional<RouteRejectReason> CheckReceived(const wire::PathAttributes& attributes,
                                               const PeerInfo& peer, const RibConfig& config) {
  // RFC 4271 §9.1.2: "If the AS_PATH attribute of a BGP route contains an AS loop, the BGP route
  // should be excluded from the Phase 2 decision function. AS loop detection is done by scanning
  // the full AS_PATH (as specified in the AS_PATH attribute), and checking that the autonomous
  // system number of the local system does not appear in the AS path." allowas-in tolerates
  // our AS up to that many times (hub-and-spoke and same-AS leaf designs).
  size_t own = CountAs(attributes, peer.local_as);
  if (config.local_as != peer.local_as) own += CountAs(attributes, config.local_as);
  if (own > peer.allowas_in) return RouteRejectReason::kAsLoop;
  // RFC 4456 §8: "A router that recognizes the ORIGINATOR_ID attribute SHOULD ignore a route
  // received with its BGP Identifier as the ORIGINATOR_ID."
  if (attributes.originator_id == config.router_id) return RouteRejectReason::kOriginatorIdLoop;
  // RFC 4456 §8: "If the local CLUSTER_ID is found in the CLUSTER_LIST, the advertisement
  // received SHOULD be ignored."
  if (attributes.cluster_list.has_value()) {
    const auto& list = *attributes.cluster_list;
    if (std::find(list.begin(), list.end(), config.ClusterId()) != list.end()) {
      return RouteRejectReason::kClusterListLoop;
    }
  }
  // RFC 4760 §3: the next hop of MP NLRI travels in MP_REACH_NLRI; RFC 4271 §5.1.3: that of
  // IPv4 unicast NLRI in NEXT_HOP.
  if (!NextHopOf(attributes).has_value()) {
    return RouteRejectReason::kNoNextHop;
  }
  return std::nullopt;
}

}  // namespace evpnd::rib
