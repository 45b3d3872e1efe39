// See best_path.h.
#include "rib/best_path.h"

#include <array>
#include <utility>
#include <vector>

namespace evpnd::rib {
namespace {

// The winner of a and b where `a_better` / `b_better` say which has the preferred value.
PathComparison Prefer(bool a_better, bool b_better, BestPathReason reason) {
  if (a_better) return {Winner::kFirst, reason};
  if (b_better) return {Winner::kSecond, reason};
  return {};
}

// Lower value preferred.
template <typename T>
PathComparison PreferLower(const T& a, const T& b, BestPathReason reason) {
  return Prefer(a < b, b < a, reason);
}

const wire::PathAttributes& Attrs(const Path& path) {
  static const wire::PathAttributes kEmpty;
  return path.attributes ? *path.attributes : kEmpty;
}

size_t AsPathLength(const Path& path) {
  const auto& as_path = Attrs(path).as_path;
  return as_path.has_value() ? as_path->Length() : 0;
}

using Step = PathComparison (*)(const Path&, const Path&, const BestPathPolicy&);

struct StepRow {
  Step compare;
  BestPathReason reason;
};

// The decision order of best_path.h.
constexpr std::array<StepRow, 11> kSteps = {{
    {CompareByLocalRoute, BestPathReason::kLocalRoute},
    {CompareByStale, BestPathReason::kNotStale},
    {CompareByLocalPref, BestPathReason::kLocalPref},
    {CompareByAsPathLength, BestPathReason::kAsPathLength},
    {CompareByOrigin, BestPathReason::kOrigin},
    {CompareByMed, BestPathReason::kMed},
    {CompareByEbgpOverIbgp, BestPathReason::kEbgpOverIbgp},
    {CompareByRouterId, BestPathReason::kRouterId},
    {CompareByClusterListLength, BestPathReason::kClusterListLength},
    {CompareByPeerAddress, BestPathReason::kPeerAddress},
    {CompareByPathId, BestPathReason::kPathId},
}};

// RFC 4271 §9.1.2.2: "Remove from consideration ..." one step: keeps the candidates no other
// candidate beats on this step.
std::vector<size_t> Eliminate(std::span<const Path* const> paths,
                              const std::vector<size_t>& candidates, Step step,
                              const BestPathPolicy& policy) {
  std::vector<size_t> kept;
  for (size_t i : candidates) {
    bool beaten = false;
    for (size_t j : candidates) {
      if (j != i && step(*paths[j], *paths[i], policy).winner == Winner::kFirst) {
        beaten = true;
        break;
      }
    }
    if (!beaten) kept.push_back(i);
  }
  return kept.empty() ? candidates : kept;
}

}  // namespace

absl::string_view ToString(BestPathReason reason) {
  switch (reason) {
    case BestPathReason::kNone:
      return "none";
    case BestPathReason::kOnlyPath:
      return "only-path";
    case BestPathReason::kLocalRoute:
      return "local-route";
    case BestPathReason::kNotStale:
      return "not-stale";
    case BestPathReason::kLocalPref:
      return "local-pref";
    case BestPathReason::kAsPathLength:
      return "as-path-length";
    case BestPathReason::kOrigin:
      return "origin";
    case BestPathReason::kMed:
      return "med";
    case BestPathReason::kEbgpOverIbgp:
      return "ebgp-over-ibgp";
    case BestPathReason::kRouterId:
      return "router-id";
    case BestPathReason::kClusterListLength:
      return "cluster-list-length";
    case BestPathReason::kPeerAddress:
      return "peer-address";
    case BestPathReason::kPathId:
      return "path-id";
  }
  return "none";
}

uint32_t DegreeOfPreference(const Path& path, const BestPathPolicy& policy) {
  // RFC 4271 §9.1.1: "If the route is learned from an external peer, then the local BGP speaker
  // computes the degree of preference based on preconfigured policy information."
  if (path.source->ebgp) return policy.default_local_pref;
  // "If the route is learned from an internal peer, ... the value of the LOCAL_PREF attribute
  // is taken as the degree of preference".
  return Attrs(path).local_pref.value_or(policy.default_local_pref);
}

std::optional<uint32_t> NeighborAs(const Path& path) {
  const auto& as_path = Attrs(path).as_path;
  if (!as_path.has_value()) return std::nullopt;
  for (const wire::AsPathSegment& s : as_path->segments) {
    // RFC 5065 §5.3: confederation segments are not the neighbouring AS.
    if (s.type == wire::AsPathSegment::kAsConfedSequence ||
        s.type == wire::AsPathSegment::kAsConfedSet) {
      continue;
    }
    if (s.type == wire::AsPathSegment::kAsSequence && !s.asns.empty()) return s.asns.front();
    return std::nullopt;
  }
  return std::nullopt;
}

// Routes this speaker originates are preferred over anything learned (FRR gives them weight
// 32768; RFC 4271 §9.1.1 leaves the degree of preference of local routes to policy).
PathComparison CompareByLocalRoute(const Path& a, const Path& b, const BestPathPolicy&) {
  return Prefer(a.source->local() && !b.source->local(), b.source->local() && !a.source->local(),
                BestPathReason::kLocalRoute);
}

// RFC 4724 §4.2: the receiving speaker retains a restarting peer's routes marked as stale. Not
// in the RFC: a fresh path from another peer is preferred over a stale one, so traffic moves off
// the restarting peer.
PathComparison CompareByStale(const Path& a, const Path& b, const BestPathPolicy&) {
  return Prefer(!a.stale && b.stale, !b.stale && a.stale, BestPathReason::kNotStale);
}

// RFC 4271 §9.1.2: the local speaker "identifies the route that has: a) the highest degree of
// preference of any route to the same set of destinations, or b) is the only route to that
// destination, or c) is selected as a result of the Phase 2 tie breaking rules".
PathComparison CompareByLocalPref(const Path& a, const Path& b, const BestPathPolicy& policy) {
  const uint32_t pa = DegreeOfPreference(a, policy);
  const uint32_t pb = DegreeOfPreference(b, policy);
  return Prefer(pa > pb, pb > pa, BestPathReason::kLocalPref);
}

// RFC 4271 §9.1.2.2 (a): "Remove from consideration all routes that are not tied for having the
// smallest number of AS numbers present in their AS_PATH attributes. Note that when counting
// this number, an AS_SET counts as 1, no matter how many ASes are in the set."
PathComparison CompareByAsPathLength(const Path& a, const Path& b, const BestPathPolicy&) {
  return PreferLower(AsPathLength(a), AsPathLength(b), BestPathReason::kAsPathLength);
}

// RFC 4271 §9.1.2.2 (b): "Remove from consideration all routes that are not tied for having the
// lowest Origin number in their Origin attribute."
PathComparison CompareByOrigin(const Path& a, const Path& b, const BestPathPolicy&) {
  const auto origin = [](const Path& p) {
    return static_cast<int>(Attrs(p).origin.value_or(wire::Origin::kIncomplete));
  };
  return PreferLower(origin(a), origin(b), BestPathReason::kOrigin);
}

// RFC 4271 §9.1.2.2 (c): "MULTI_EXIT_DISC is only comparable between routes learned from the
// same neighboring AS ... Routes that do not have the MULTI_EXIT_DISC attribute are considered
// to have the lowest possible MULTI_EXIT_DISC value."
PathComparison CompareByMed(const Path& a, const Path& b, const BestPathPolicy&) {
  if (NeighborAs(a) != NeighborAs(b)) return {};
  return PreferLower(Attrs(a).multi_exit_disc.value_or(0), Attrs(b).multi_exit_disc.value_or(0),
                     BestPathReason::kMed);
}

// RFC 4271 §9.1.2.2 (d): "If at least one of the candidate routes was received via EBGP, remove
// from consideration all routes that were received via IBGP."
PathComparison CompareByEbgpOverIbgp(const Path& a, const Path& b, const BestPathPolicy&) {
  return Prefer(a.source->ebgp && !b.source->ebgp, b.source->ebgp && !a.source->ebgp,
                BestPathReason::kEbgpOverIbgp);
}

// RFC 4271 §9.1.2.2 (f): "Remove from consideration all routes other than the route that was
// advertised by the BGP speaker with the lowest BGP Identifier value."
// RFC 4456 §9: "If a route carries the ORIGINATOR_ID attribute, then in route selection the
// ORIGINATOR_ID SHOULD be treated as the BGP Identifier of the BGP speaker that has advertised
// the route."
PathComparison CompareByRouterId(const Path& a, const Path& b, const BestPathPolicy&) {
  const auto id = [](const Path& p) {
    return Attrs(p).originator_id.value_or(p.source->router_id);
  };
  return PreferLower(id(a), id(b), BestPathReason::kRouterId);
}

// RFC 4456 §9: "a BGP Speaker SHOULD prefer a route with the shorter CLUSTER_LIST length. The
// CLUSTER_LIST length is zero if a route does not carry the CLUSTER_LIST attribute."
PathComparison CompareByClusterListLength(const Path& a, const Path& b, const BestPathPolicy&) {
  const auto length = [](const Path& p) {
    const auto& list = Attrs(p).cluster_list;
    return list.has_value() ? list->size() : size_t{0};
  };
  return PreferLower(length(a), length(b), BestPathReason::kClusterListLength);
}

// RFC 4271 §9.1.2.2 (g): "Prefer the route received from the lowest peer address."
PathComparison CompareByPeerAddress(const Path& a, const Path& b, const BestPathPolicy&) {
  return PreferLower(a.source->address, b.source->address, BestPathReason::kPeerAddress);
}

// Not in the RFC: two paths can still tie (ADD-PATH paths of one peer, peers sharing an
// address); the lowest (peer id, path id) wins so the order is total.
PathComparison CompareByPathId(const Path& a, const Path& b, const BestPathPolicy&) {
  return PreferLower(std::pair(a.source->peer, a.path_id), std::pair(b.source->peer, b.path_id),
                     BestPathReason::kPathId);
}

PathComparison ComparePaths(const Path& a, const Path& b, const BestPathPolicy& policy) {
  for (const StepRow& step : kSteps) {
    const PathComparison c = step.compare(a, b, policy);
    if (c.winner != Winner::kTie) return c;
  }
  return {};
}

std::optional<BestPathSelection> SelectBestPath(std::span<const Path* const> paths,
                                                const BestPathPolicy& policy) {
  if (paths.empty()) return std::nullopt;
  if (paths.size() == 1) return BestPathSelection{0, BestPathReason::kOnlyPath};
  std::vector<size_t> candidates(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) candidates[i] = i;
  BestPathReason reason = BestPathReason::kNone;
  for (const StepRow& step : kSteps) {
    if (candidates.size() == 1) break;
    candidates = Eliminate(paths, candidates, step.compare, policy);
    if (candidates.size() == 1) reason = step.reason;
  }
  return BestPathSelection{candidates.front(), reason};
}

}  // namespace evpnd::rib
