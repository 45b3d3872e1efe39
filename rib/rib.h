// The RIB proper: one Adj-RIB-In per peer and the Loc-RIB, keyed by RouteKey (RD included).
// UPDATEs, local originations, peer-down flushes and graceful-restart marks change the paths of
// a key and put the key in a dirty set; RunDecision(budget) takes keys from that set, runs the
// decision process (best_path.h) on each and returns the keys whose best path changed, for the
// Adj-RIB-Out and the EVPN layer. Nothing is queued beyond the dirty set: a key that changes
// twice, or from several peers, before its decision is decided once. The set has a lane per
// peer that caused the change (the first one), served round-robin (dirty_lanes.h): a single
// change is decided within a round even while a table transfer from another peer waits for its
// decisions.
//
// Inbound, per UPDATE and with the RFC 7606 action the codec classified it with:
//   none / attribute-discard   withdrawals, then announcements (the codec already dropped a
//                              discarded attribute from the decoded value)
//   treat-as-withdraw          every NLRI of the UPDATE (MP_REACH and MP_UNREACH) is withdrawn;
//                              the session stays up
//   AFI/SAFI disable           every path of the peer in that family is dropped and later
//                              UPDATEs of the family are ignored for the rest of the session
//   session reset              refused: the session layer closes the session instead
// End-of-RIB from a peer sweeps its stale paths of that family (RFC 4724 §4.2).
//
// NOTE:
//   Threading: core thread only, like everything in rib/.
//   Ownership: paths are reference counted (PathPtr); the Loc-RIB entry keeps the installed best
//     alive until the next decision even if its peer withdrew it, so readers between an UPDATE
//     and the decision see a consistent Loc-RIB.
//   Performance: per-peer work walks the Loc-RIB (no per-peer index); a peer-down flush can go
//     in slices (RemovePeerPaths); graceful-restart marking and sweeping (MarkStale, SweepStale)
//     walk it at once, and not at all when the peer has no paths (or none stale); decisions are
//     budgeted.
// Standards: RFC 4271 §3.2 (Adj-RIBs-In, Loc-RIB), §9.1 (decision process), §9.1.2 (loop
// detection); RFC 4456 §8; RFC 4724 §4.2 (stale routes, End-of-RIB); RFC 4760 §7 and RFC 7606 §2,
// §3 (error handling); RFC 7432 §7 (EVPN NLRI).
// Families: L2VPN EVPN, IPv4 unicast (WITHDRAWN ROUTES / NLRI fields, or MP attributes) and IPv6
// unicast (MP attributes), each only when negotiated with the peer; other NLRI are counted as
// unsupported and dropped. Unicast next hops are taken as reachable: evpnd has no IGP table and
// programs no unicast routes, it carries them (route reflection, eBGP transit).
// TODO(rib): ADD-PATH receive is filed by path id but not negotiated end to end.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bgpd/wire/decode_outcome.h"
#include "bgpd/wire/update_message.h"
#include "evpn/evpn_route.h"
#include "rib/attribute_interner.h"
#include "rib/best_path.h"
#include "rib/candidate_paths.h"
#include "rib/import_policy.h"
#include "rib/dirty_lanes.h"
#include "rib/path.h"
#include "rib/peer.h"
#include "rib/route_key.h"

namespace evpnd::rib {

// What one UPDATE did.
struct UpdateResult {
  size_t announced = 0;  // paths filed (new or replacing)
  size_t withdrawn = 0;  // paths removed
  size_t rejected = 0;   // NLRI refused; see first_reject
  std::optional<RouteRejectReason> first_reject;
  // Set when the UPDATE was this family's End-of-RIB marker.
  std::optional<wire::AfiSafi> end_of_rib;
  size_t swept = 0;  // stale paths the End-of-RIB removed
  // Set when the UPDATE disabled a family (RFC 7606 AFI/SAFI disable).
  std::optional<wire::AfiSafi> disabled_family;
};

// One key whose best path changed in a decision.
struct BestPathChange {
  RouteKey key;
  PathPtr previous;  // null: the key had no best path
  PathPtr current;   // null: no path left; the key left the Loc-RIB
  BestPathReason reason = BestPathReason::kNone;
};

struct LocRibEntry {
  // The candidates: every Adj-RIB-In path for this key (see candidate_paths.h). Declared
  // [[no_unique_address]] so that the flags below fill its tail: 24 bytes an entry.
  using Paths = CandidatePaths;
  [[no_unique_address]] Paths paths;
  BestPathReason reason = BestPathReason::kNone;
  // `best` is counted in its peer's PeerState::best (false once that path was removed, before
  // the next decision replaces it).
  bool best_counted = false;
  // Waiting in the Rib's dirty set for a decision.
  bool dirty = false;
  // Installed by the last decision; null until the key is first decided.
  PathPtr best;
};
static_assert(sizeof(LocRibEntry) == 24);

using LocRib = absl::btree_map<RouteKey, LocRibEntry, RouteKeyOrder>;

struct PeerRouteCounts {
  size_t received = 0;  // paths in the peer's Adj-RIB-In
  size_t best = 0;      // of them, installed as best
  size_t stale = 0;
  std::array<uint64_t, kRouteRejectReasonCount> rejected{};  // indexed by RouteRejectReason
};

class Rib {
 public:
  explicit Rib(const RibConfig& config);

  const RibConfig& config() const { return config_; }

  // Automatic route filtering, as a PE does for VPN routes (a router that reflects nothing keeps
  // no route it cannot use): with a list, an EVPN route is filed only if it carries one of these
  // route targets (the import RTs of the MAC-VRFs here), else it is rejected as
  // route-target-filtered and what the peer announced for its key before is withdrawn. Ethernet
  // Segment routes (type 4) are exempt: they are imported by ES-Import RT (RFC 7432 §8.1.1).
  // nullopt (the default): every route is filed. A new list applies to routes received from then
  // on, and to those held: the peers' routes it refuses are removed (counted as
  // route-target-filtered; their keys wait for RunDecision). The owner asks its peers for a
  // route refresh when it wants routes it refused.
  enum class FilterChange : uint8_t { kNone, kNarrower, kAdmitsMore };
  struct FilterUpdate {
    // kAdmitsMore: routes the previous filter refused may be filed now (the filter is gone, or
    // lets a new route target in); kNarrower: any other change.
    FilterChange change = FilterChange::kNone;
    size_t dropped = 0;  // held routes the new filter refuses, removed
  };
  FilterUpdate SetEvpnImportFilter(std::optional<std::vector<evpn::RouteTarget>> import);
  const std::optional<std::vector<evpn::RouteTarget>>& evpn_import_filter() const {
    return evpn_import_filter_;
  }

  // Adds a peer, or updates one whose session came back (its paths are kept, stale ones stay
  // stale until refreshed or swept; families disabled on the old session are enabled again).
  absl::Status AddPeer(const PeerInfo& peer);
  // Session down without graceful restart: every path of the peer is withdrawn.
  absl::Status RemovePeer(PeerId peer);
  // The same in slices, so that a full table does not stall the caller's event loop: withdraws
  // up to `max_paths` paths of the peer and returns how many are left; at 0 the peer is gone.
  absl::StatusOr<size_t> RemovePeerPaths(PeerId peer, size_t max_paths);
  const PeerInfo* FindPeer(PeerId peer) const;
  std::vector<PeerId> Peers() const;

  // Files one UPDATE from `peer` as the codec classified it. `family` names the family of an
  // AFI/SAFI disable (the WireError's family); without it the UPDATE's MP attributes are used.
  absl::StatusOr<UpdateResult> ApplyUpdate(PeerId peer, const wire::UpdateMessage& update,
                                           wire::ErrorAction action,
                                           std::optional<wire::AfiSafi> family = std::nullopt);
  // The same, straight from the decoder's outcome.
  absl::StatusOr<UpdateResult> ApplyUpdate(PeerId peer,
                                           const wire::DecodeOutcome<wire::UpdateMessage>& outcome);

  // A route this speaker originates (EVPN type 2/3 from the EVPN layer): `attributes` as they
  // should go out (extended communities, PMSI tunnel ...; ORIGIN IGP and an empty AS_PATH are
  // filled in when absent), `next_hop` our VTEP address. Replaces an earlier origination.
  void Originate(const evpn::EvpnRoute& route, wire::PathAttributes attributes,
                 const evpn::IpAddress& next_hop);
  // Withdraws a local route; false if there was none.
  bool WithdrawLocal(const evpn::EvpnRoute& route);

  // RFC 4724 §4.2 helper: the peer restarted; keep its paths, marked stale (RFC 7313 §4: those
  // of one family at a BoRR). Returns how many.
  absl::StatusOr<size_t> MarkStale(PeerId peer, std::optional<wire::AfiSafi> family = std::nullopt);
  // Removes the peer's paths still stale (End-of-RIB received or the shell's stale timer
  // fired); nullopt family means all families. Returns how many.
  absl::StatusOr<size_t> SweepStale(PeerId peer,
                                    std::optional<wire::AfiSafi> family = std::nullopt);

  // Decides up to `budget` dirty keys; returns the best-path changes among them.
  std::vector<BestPathChange> RunDecision(size_t budget);
  size_t pending_decisions() const { return dirty_.size(); }

  // Read-only views for the Adj-RIB-Out and the API.
  const LocRib& loc_rib() const { return loc_rib_; }
  const LocRibEntry* Find(const RouteKey& key) const;
  // The installed best path of `key`, or null.
  PathPtr BestPath(const RouteKey& key) const;
  absl::StatusOr<PeerRouteCounts> Counts(PeerId peer) const;
  size_t interned_attribute_sets() const { return interner_.size(); }
  // Loc-RIB routes with an installed best path, by EVPN route type (RouteKey::route_type()), and
  // of IPv4/IPv6 unicast. Kept as the decision process runs: O(1) to read.
  uint64_t best_routes(uint8_t route_type) const { return best_by_type_[route_type]; }
  uint64_t best_unicast_routes(wire::AfiSafi family) const;

 private:
  struct PeerState {
    PeerInfo info;
    // Shared by the paths of the session (kept ones too: see AddPeer).
    PathSourcePtr source;
    // The Adj-RIB-In is the peer's paths in the Loc-RIB entries: no index of its own (it cost
    // some 70 bytes a route); per-peer work walks the Loc-RIB, as FRR's does.
    size_t received = 0;  // its paths
    std::optional<RouteKey> flush_after;  // RemovePeerPaths: the walk resumes after this key
    std::vector<wire::AfiSafi> disabled_families;
    std::array<uint64_t, kRouteRejectReasonCount> rejected{};
    // Kept as paths come, go and win, so that Counts() is O(1) (it runs on every UPDATE when
    // max-prefix is on, and on every API or metrics read).
    size_t best = 0;   // installed best paths
    size_t stale = 0;  // paths marked stale (graceful restart)
  };

  PeerState* FindState(PeerId peer);
  void FilePath(PeerState& peer, const RouteKey& key, Path path);
  bool RemovePath(PeerState& peer, const RouteKey& key, uint32_t path_id);
  // Puts the key in the peer's lane of the dirty set unless it is there (in any lane) already.
  void MarkDirty(const PeerState& peer, const RouteKey& key, LocRibEntry& entry);
  // Calls fn(key, path) for each path of the peer (a walk of the Loc-RIB).
  template <typename Fn>
  void ForEachPathOf(const PeerState& peer, Fn fn) const;
  // Replaces each path of the peer for which `fn(key, path)` returns a new one; returns how
  // many.
  template <typename Fn>
  size_t ReplacePaths(PeerState& peer, Fn fn);
  // Removes each path of the peer for which `pred(key, path)` holds; returns how many.
  template <typename Pred>
  size_t RemovePathsIf(PeerState& peer, Pred pred);
  void Reject(PeerState& peer, RouteRejectReason reason, size_t count, UpdateResult& result);
  // `Nlri` is wire::EvpnNlri or wire::PrefixNlri.
  template <typename Nlri>
  void Withdraw(PeerState& peer, wire::AfiSafi family, const std::vector<Nlri>& nlri,
                UpdateResult& result);
  template <typename Nlri>
  void AnnounceFamily(PeerState& peer, wire::AfiSafi family, const std::vector<Nlri>& nlri,
                      const wire::PathAttributes& stripped, bool from_mp_reach,
                      UpdateResult& result);
  // WITHDRAWN ROUTES (IPv4 unicast) and MP_UNREACH_NLRI.
  void WithdrawAll(PeerState& peer, const wire::UpdateMessage& update, UpdateResult& result);
  // The NLRI field (IPv4 unicast) and MP_REACH_NLRI.
  void Announce(PeerState& peer, const wire::UpdateMessage& update, UpdateResult& result);
  void TreatAsWithdraw(PeerState& peer, const wire::UpdateMessage& update, UpdateResult& result);
  void DisableFamily(PeerState& peer, wire::AfiSafi family, UpdateResult& result);
  void Decide(const RouteKey& key, std::vector<BestPathChange>& changes);
  // Moves the peer count of an entry's best path: off the old one, onto the new one.
  void UncountBest(LocRibEntry& entry);
  void CountBest(LocRibEntry& entry);
  // The best_routes counter of the key's family and route type.
  uint64_t& BestCount(const RouteKey& key);

  RibConfig config_;
  std::optional<std::vector<evpn::RouteTarget>> evpn_import_filter_;  // sorted, unique
  BestPathPolicy policy_;
  AttributeInterner interner_;
  absl::btree_map<PeerId, PeerState> peers_;
  LocRib loc_rib_;
  DirtyLanes dirty_;
  std::array<uint64_t, 256> best_by_type_{};
  uint64_t best_ipv4_ = 0;
  uint64_t best_ipv6_ = 0;
};

}  // namespace evpnd::rib
