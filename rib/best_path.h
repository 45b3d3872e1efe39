// The decision process: which of the paths for one route key becomes the Loc-RIB's best path,
// and why. Each tie-break is a small CompareByX function that returns the winner of two paths
// and the BestPathReason it stands for; SelectBestPath runs them as RFC 4271 §9.1.2.2 describes,
// by elimination: at each step every candidate that some other candidate beats is removed. That
// makes the result independent of the order paths arrived in, even with MED, which only compares
// routes from the same neighbouring AS and so is not a total order. The reason reported is the
// step that removed the last competitor.
//
// Order of the steps:
//   local route (originated by this speaker)         FRR/Cisco "weight", before all else
//   fresh over stale                                 RFC 4724 §4.2 helper: stale paths last
//   degree of preference (LOCAL_PREF)                RFC 4271 §9.1.1, §9.1.2
//   AS_PATH length                                   RFC 4271 §9.1.2.2 (a)
//   ORIGIN                                           RFC 4271 §9.1.2.2 (b)
//   MULTI_EXIT_DISC, same neighbouring AS only       RFC 4271 §9.1.2.2 (c)
//   eBGP over iBGP                                   RFC 4271 §9.1.2.2 (d)
//   (interior cost to the next hop: not available)   RFC 4271 §9.1.2.2 (e)
//   lowest BGP Identifier / ORIGINATOR_ID            RFC 4271 §9.1.2.2 (f), RFC 4456 §9
//   shortest CLUSTER_LIST                            RFC 4456 §9
//   lowest peer address                              RFC 4271 §9.1.2.2 (g)
//   lowest (peer id, path id)                        total order for ADD-PATH and local paths
// EVPN's MAC mobility precedence (RFC 7432 §15) is not mixed in here: it runs per MAC-VRF as a
// second stage.
// Standards: RFC 4271 §9.1.1, §9.1.2, §9.1.2.2; RFC 4456 §9; RFC 4724 §4.2.
// TODO(rib): RFC 4271 §9.1.2.1 next-hop resolvability and step (e) need an IGP view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "absl/strings/string_view.h"
#include "rib/path.h"

namespace evpnd::rib {

enum class BestPathReason : uint8_t {
  kNone = 0,  // no decision (no paths, or a tie)
  kOnlyPath,
  kLocalRoute,
  kNotStale,
  kLocalPref,
  kAsPathLength,
  kOrigin,
  kMed,
  kEbgpOverIbgp,
  kRouterId,
  kClusterListLength,
  kPeerAddress,
  kPathId,
};

// "only-path", "local-route", "not-stale", "local-pref", "as-path-length", "origin", "med",
// "ebgp-over-ibgp", "router-id", "cluster-list-length", "peer-address", "path-id", "none".
absl::string_view ToString(BestPathReason reason);

struct BestPathPolicy {
  // RFC 4271 §9.1.1: the degree of preference of eBGP-learned routes, and of routes without
  // LOCAL_PREF.
  uint32_t default_local_pref = 100;
};

enum class Winner : uint8_t { kTie, kFirst, kSecond };

struct PathComparison {
  Winner winner = Winner::kTie;
  BestPathReason reason = BestPathReason::kNone;  // kNone on a tie
  friend bool operator==(const PathComparison&, const PathComparison&) = default;
};

// The single steps, in decision order. Each compares one aspect only.
PathComparison CompareByLocalRoute(const Path& a, const Path& b, const BestPathPolicy& policy);
PathComparison CompareByStale(const Path& a, const Path& b, const BestPathPolicy& policy);
PathComparison CompareByLocalPref(const Path& a, const Path& b, const BestPathPolicy& policy);
PathComparison CompareByAsPathLength(const Path& a, const Path& b, const BestPathPolicy& policy);
PathComparison CompareByOrigin(const Path& a, const Path& b, const BestPathPolicy& policy);
PathComparison CompareByMed(const Path& a, const Path& b, const BestPathPolicy& policy);
PathComparison CompareByEbgpOverIbgp(const Path& a, const Path& b, const BestPathPolicy& policy);
PathComparison CompareByRouterId(const Path& a, const Path& b, const BestPathPolicy& policy);
PathComparison CompareByClusterListLength(const Path& a, const Path& b,
                                          const BestPathPolicy& policy);
PathComparison CompareByPeerAddress(const Path& a, const Path& b, const BestPathPolicy& policy);
PathComparison CompareByPathId(const Path& a, const Path& b, const BestPathPolicy& policy);

// The first step that separates a and b (for display and tests; selection uses elimination).
PathComparison ComparePaths(const Path& a, const Path& b, const BestPathPolicy& policy);

// The degree of preference the decision process uses for a path.
uint32_t DegreeOfPreference(const Path& path, const BestPathPolicy& policy);
// RFC 4271 §9.1.2.2 (c): "the neighboring AS is determined from the AS_PATH attribute": its
// leftmost AS; nullopt for an empty AS_PATH (a route from our own AS).
std::optional<uint32_t> NeighborAs(const Path& path);

struct BestPathSelection {
  size_t index = 0;  // into the span given to SelectBestPath
  BestPathReason reason = BestPathReason::kNone;
};

// The best of `paths` (no null entries), or nullopt when there are none.
std::optional<BestPathSelection> SelectBestPath(std::span<const Path* const> paths,
                                                const BestPathPolicy& policy);

}  // namespace evpnd::rib
