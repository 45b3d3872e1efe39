// The Adj-RIB-Out, organised in update groups. Peers whose OutboundPolicy is equal (AS relation,
// RR-client flag, next-hop policy, send codec context, families) share one group: the group
// decides and encodes each UPDATE once and hands the same bytes to every member. What a group
// has advertised is kept per route key (attributes as sent, NLRI as sent, and the route's
// source, which the group's messages skip: a route is never sent back to the peer it came
// from).
//
// Flow: Rib::RunDecision's best-path changes go to OnBestPathChanges, which only marks keys
// dirty in every group, in a lane per route source served round-robin (dirty_lanes.h), so a
// single change goes out ahead of a table transfer's backlog. The shell pulls encoded UPDATEs
// with NextUpdates(group, ...) while the members' write queues are low; each call turns dirty
// keys into packed UPDATEs (update_packer.h) and records them as advertised. Nothing is queued
// beyond the dirty sets.
//
// Session start: PeerUp puts the peer into a fresh group that walks the whole Loc-RIB (the
// initial dump) and then sends End-of-RIB for each negotiated family; peers coming up together
// share that walk. Once the walk is done and both are idle, the group merges into the
// established group of the same policy, so steady state has one group per policy.
// Route refresh: MarkAllDirty(peer) moves the peer into a group of its own (with a copy of what
// it was sent) and walks the Loc-RIB again, re-sending every route.
//
// NOTE:
//   Ownership: holds a reference to the Rib, which must outlive it.
//   Performance: one export rewrite and one intern per (attribute set, source peer) per call;
//     at most kMaxKeysPerCall keys are examined per NextUpdates call.
//   Errors: a route whose attributes cannot fit one message is not advertised (and withdrawn
//     if it was); counted in oversized_routes().
// Standards: RFC 4271 §3.2 (Adj-RIBs-Out), §9.2 (update-send process); RFC 4456 §6, §8;
// RFC 4724 §2 (End-of-RIB); RFC 2918 §4 (route refresh: re-advertise the Adj-RIB-Out);
// RFC 4760 §3-4.
// TODO(rib): RFC 4271 §9.2.1.1 MinRouteAdvertisementIntervalTimer (the shell can pace calls);
// RFC 7313 enhanced route refresh markers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "evpn/evpn_route.h"
#include "rib/attribute_interner.h"
#include "rib/dirty_lanes.h"
#include "rib/export_policy.h"
#include "rib/path.h"
#include "rib/peer.h"
#include "rib/rib.h"
#include "rib/route_key.h"
#include "rib/update_packer.h"

namespace evpnd::rib {

using UpdateGroupId = uint32_t;

// One encoded UPDATE and the peers to write it to.
struct OutboundUpdate {
  std::shared_ptr<const std::vector<uint8_t>> message;  // header included
  std::vector<PeerId> recipients;
  size_t nlri_count = 0;
  bool end_of_rib = false;
};

// What a group has advertised for one key. The NLRI as sent is that of the best path it was
// made from, held by pointer: in steady state that is the RIB's own path object, so a group
// costs no copy of the route (a path replaced in the RIB stays alive here until the group has
// sent its replacement).
struct AdvertisedRoute {
  PathAttributesPtr attributes;  // as sent (interned)
  PathPtr path;                  // its NLRI is the NLRI as sent
  PeerId source = kLocalPeer;    // the member that does not have it

  // The NLRI as sent; `key` is the route's.
  RouteNlri nlri(const RouteKey& key) const { return path->Nlri(key); }
  // For two routes of one key.
  friend bool operator==(const AdvertisedRoute& a, const AdvertisedRoute& b) {
    return a.attributes == b.attributes && a.source == b.source &&
           (a.path == b.path || a.path->nlri_rest == b.path->nlri_rest);
  }
};

class AdjRibOut {
 public:
  // Keys examined per NextUpdates call at most, so a walk over routes none of which may be sent
  // still yields to the event loop (about a millisecond of work).
  static constexpr size_t kMaxKeysPerCall = 8192;

  explicit AdjRibOut(const Rib& rib);

  // The peer's session is established (the Rib knows the peer): start its initial dump.
  absl::Status PeerUp(PeerId peer);
  // The session went down: forget what the peer was sent.
  void PeerDown(PeerId peer);
  // RFC 2918 §4: on a ROUTE-REFRESH "the BGP speaker shall re-advertise to that peer the
  // Adj-RIB-Out of the <AFI, SAFI> carried in the message". Re-sends every route the peer should
  // have.
  absl::Status MarkAllDirty(PeerId peer);

  // Marks the changed keys dirty in every group.
  void OnBestPathChanges(std::span<const BestPathChange> changes);

  // Up to `max_messages` UPDATEs for `group`, each at most `max_message_size` bytes (and at most
  // the size the group negotiated); the first key's messages go out even if they exceed the
  // budget. Empty when there is nothing to send, or when kMaxKeysPerCall keys needed no message:
  // HasWork() tells which.
  absl::StatusOr<std::vector<OutboundUpdate>> NextUpdates(
      UpdateGroupId group, size_t max_message_size,
      size_t max_messages = std::numeric_limits<size_t>::max());

  // Views.
  std::optional<UpdateGroupId> GroupOf(PeerId peer) const;
  std::vector<UpdateGroupId> Groups() const;
  // Groups with dirty keys, a walk in progress or an End-of-RIB to send.
  std::vector<UpdateGroupId> GroupsWithWork() const;
  bool HasWork(UpdateGroupId group) const;
  // The largest UPDATE the group's members all accept (4096, or 65535 with RFC 8654); 0 for no
  // such group.
  size_t MaxMessageSize(UpdateGroupId group) const;
  std::vector<PeerId> Members(UpdateGroupId group) const;
  // What `peer` was sent for `key` (null if nothing).
  const AdvertisedRoute* Advertised(PeerId peer, const RouteKey& key) const;
  // How many routes `peer` holds from us.
  size_t AdvertisedCount(PeerId peer) const;
  uint64_t oversized_routes() const { return oversized_routes_; }

 private:
  struct UpdateGroup {
    UpdateGroupId id = 0;
    OutboundPolicy policy;
    std::vector<PeerId> members;  // sorted
    absl::btree_map<RouteKey, AdvertisedRoute, RouteKeyOrder> advertised;
    // How many of `advertised` came from each source: a member holds the rest
    // (AdvertisedCount, read by every `evpnctl neighbor`, without a walk of the table).
    absl::flat_hash_map<PeerId, size_t> advertised_from;
    DirtyLanes dirty;  // by the source of the change (dirty_lanes.h)
    // A walk over the Loc-RIB (initial dump or refresh): the next key is the first after
    // walk_after (the first of all when unset).
    bool walking = false;
    std::optional<RouteKey> walk_after;
    bool resend = false;  // refresh walk: re-send unchanged routes too
    bool end_of_rib_pending = false;
    bool started = false;  // produced or consumed something: newcomers need their own walk
  };
  struct Plan;
  class ExportCache;

  UpdateGroup* FindGroup(UpdateGroupId id);
  const UpdateGroup* FindGroup(UpdateGroupId id) const;
  UpdateGroup& NewGroup(const OutboundPolicy& policy, PeerId first_member);
  void RemoveMember(UpdateGroup& group, PeerId peer);
  bool HasWork(const UpdateGroup& group) const;
  bool Reaches(const UpdateGroup& group, const Audience& audience) const;
  std::vector<PeerId> Recipients(const UpdateGroup& group, const Audience& audience) const;
  // The next key to work on, from the dirty set first, then the walk; false when none.
  bool NextKey(const UpdateGroup& group, RouteKey& key, bool& from_walk) const;
  void ConsumeKey(UpdateGroup& group, const RouteKey& key, bool from_walk);
  std::optional<AdvertisedRoute> Desired(const UpdateGroup& group, const RouteKey& key,
                                         ExportCache& cache) const;
  Plan PlanKey(const UpdateGroup& group, const RouteKey& key, bool force, ExportCache& cache,
               UpdatePacker& packer);
  void Commit(UpdateGroup& group, const RouteKey& key, Plan& plan, UpdatePacker& packer);
  void AppendEndOfRib(const UpdateGroup& group, std::vector<OutboundUpdate>& out) const;
  void TryMerge(UpdateGroupId id);

  const Rib& rib_;
  AttributeInterner interner_;
  std::map<UpdateGroupId, UpdateGroup> groups_;  // std::map: references stay valid
  absl::btree_map<PeerId, UpdateGroupId> peer_group_;
  UpdateGroupId next_group_id_ = 1;
  uint64_t oversized_routes_ = 0;
};

}  // namespace evpnd::rib
