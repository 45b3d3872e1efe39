// What the RIB checks and fixes in a route received from a peer before filing it in the
// Adj-RIB-In: attributes an external peer must not send are discarded, 4-octet AS paths are
// rebuilt, and routes that loop (our AS in the AS_PATH more often than allowas-in permits, our
// BGP Identifier as ORIGINATOR_ID, our CLUSTER_ID in the CLUSTER_LIST) are refused. A refused
// route withdraws what the peer had announced for that key before.
// On a VTEP, EVPN routes whose route targets no MAC-VRF imports are not kept either (automatic
// route filtering, Rib::SetEvpnImportFilter).
// Standards: RFC 4271 §9.1.2 (AS loop detection), RFC 4456 §8 (ORIGINATOR_ID, CLUSTER_LIST),
// RFC 7606 §7.5, §7.9, §7.10 (LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST from external peers),
// RFC 6793 §4.2.3 (AS4_PATH).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "bgpd/wire/path_attributes.h"
#include "evpn/extended_community.h"
#include "rib/peer.h"

namespace evpnd::rib {

// Why a received route did not make it into the Adj-RIB-In.
enum class RouteRejectReason : uint8_t {
  kAsLoop = 0,
  kOriginatorIdLoop,
  kClusterListLoop,
  kNoNextHop,
  kFamilyDisabled,     // RFC 7606 AFI/SAFI disable earlier on this session
  kUnsupportedFamily,  // not negotiated on the session, or not a family the RIB carries
  kTreatAsWithdraw,    // RFC 7606 treat-as-withdraw: the UPDATE's NLRI were withdrawn
  kRouteTargetFiltered,  // an EVPN route no MAC-VRF here imports (Rib::SetEvpnImportFilter)
};
inline constexpr size_t kRouteRejectReasonCount = 8;

// "as-loop", "originator-id-loop", "cluster-list-loop", "no-next-hop", "family-disabled",
// "unsupported-family", "treat-as-withdraw", "route-target-filtered".
absl::string_view ToString(RouteRejectReason reason);

// Removes what `peer` may not send and rebuilds 4-octet AS paths.
void SanitizeReceived(wire::PathAttributes& attributes, const PeerInfo& peer);

// nullopt if the route may be filed, else why not. `attributes` are sanitized already and
// hold the next hop of the route's family (MP_REACH_NLRI, or NEXT_HOP for IPv4 unicast).
std::optional<RouteRejectReason> CheckReceived(const wire::PathAttributes& attributes,
                                               const PeerInfo& peer, const RibConfig& config);

// Whether `attributes` carry one of `import` (sorted) as a route target extended community.
bool CarriesRouteTarget(const wire::PathAttributes& attributes,
                        const std::vector<evpn::RouteTarget>& import);

// How often `asn` appears anywhere in the AS_PATH (every segment type).
size_t CountAs(const wire::PathAttributes& attributes, uint32_t asn);

}  // namespace evpnd::rib
