// See adj_rib_out.h.
#include "rib/adj_rib_out.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "bgpd/wire/message.h"

namespace evpnd::rib {

// The outbound attributes of (inbound attributes, source peer) for one group, computed once per
// NextUpdates call and interned so equal results compare by pointer.
class AdjRibOut::ExportCache {
 public:
  ExportCache(const OutboundPolicy& policy, const RibConfig& config, AttributeInterner& interner)
      : policy_(policy), config_(config), interner_(interner) {}

  PathAttributesPtr For(const Path& best) {
    auto [it, inserted] = cache_.try_emplace({best.attributes.get(), best.source->peer});
    if (inserted) it->second = interner_.Intern(ExportAttributes(best, policy_, config_));
    return it->second;
  }

 private:
  const OutboundPolicy& policy_;
  const RibConfig& config_;
  AttributeInterner& interner_;
  absl::flat_hash_map<std::pair<const void*, PeerId>, PathAttributesPtr> cache_;
};

// What one key needs: the messages to add and the group's state for the key afterwards.
struct AdjRibOut::Plan {
  std::vector<PackOp> ops;
  std::optional<AdvertisedRoute> next;
};

AdjRibOut::AdjRibOut(const Rib& rib) : rib_(rib) {}

// ---- groups and members ----

AdjRibOut::UpdateGroup* AdjRibOut::FindGroup(UpdateGroupId id) {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

const AdjRibOut::UpdateGroup* AdjRibOut::FindGroup(UpdateGroupId id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

AdjRibOut::UpdateGroup& AdjRibOut::NewGroup(const OutboundPolicy& policy, PeerId first_member) {
  const UpdateGroupId id = next_group_id_++;
  UpdateGroup& group = groups_[id];
  group.id = id;
  group.policy = policy;
  group.members = {first_member};
  peer_group_[first_member] = id;
  return group;
}

void AdjRibOut::RemoveMember(UpdateGroup& group, PeerId peer) {
  std::erase(group.members, peer);
  peer_group_.erase(peer);
  if (group.members.empty()) groups_.erase(group.id);
}

absl::Status AdjRibOut::PeerUp(PeerId peer) {
  const PeerInfo* info = rib_.FindPeer(peer);
  if (info == nullptr) {
    return absl::NotFoundError(absl::StrCat("peer ", peer, " is not in the RIB; add it first"));
  }
  if (peer_group_.contains(peer)) {
    return absl::AlreadyExistsError(absl::StrCat("peer ", peer, " is up already"));
  }
  const OutboundPolicy policy = OutboundPolicy::Of(*info);
  // Peers that come up together (daemon start) share one initial dump.
  for (auto& [id, group] : groups_) {
    if (group.policy == policy && group.end_of_rib_pending && !group.started) {
      group.members.insert(std::upper_bound(group.members.begin(), group.members.end(), peer),
                           peer);
      peer_group_[peer] = id;
      return absl::OkStatus();
    }
  }
  UpdateGroup& group = NewGroup(policy, peer);
  // RFC 4724 §2: the initial update, then the End-of-RIB marker.
  group.walking = true;
  group.end_of_rib_pending = true;
  return absl::OkStatus();
}

void AdjRibOut::PeerDown(PeerId peer) {
  auto it = peer_group_.find(peer);
  if (it == peer_group_.end()) return;
  RemoveMember(*FindGroup(it->second), peer);
}

absl::Status AdjRibOut::MarkAllDirty(PeerId peer) {
  auto it = peer_group_.find(peer);
  if (it == peer_group_.end()) {
    return absl::NotFoundError(absl::StrCat("peer ", peer, " is not up"));
  }
  UpdateGroup* group = FindGroup(it->second);
  if (group->members.size() > 1) {
    // The peer leaves its group with a copy of what it was sent; only it gets the re-sends.
    UpdateGroup& alone = NewGroup(group->policy, peer);
    alone.advertised = group->advertised;
    alone.advertised_from = group->advertised_from;
    alone.dirty = group->dirty;
    alone.end_of_rib_pending = group->end_of_rib_pending;
    alone.started = true;
    std::erase(group->members, peer);
    group = &alone;
  }
  group->walking = true;
  group->walk_after.reset();
  group->resend = true;
  return absl::OkStatus();
}

void AdjRibOut::OnBestPathChanges(std::span<const BestPathChange> changes) {
  for (auto& [id, group] : groups_) {
    for (const BestPathChange& change : changes) {
      // A key the walk has still to visit is sent by the walk, unless it left the Loc-RIB
      // (the walk only sees keys that are there).
      const bool ahead = group.walking && change.current != nullptr &&
                         (!group.walk_after.has_value() || change.key > *group.walk_after);
      if (ahead) continue;
      const PathPtr& path = change.current != nullptr ? change.current : change.previous;
      group.dirty.Insert(path != nullptr ? path->source->peer : kLocalPeer, change.key);
    }
  }
}

// ---- views ----

bool AdjRibOut::HasWork(const UpdateGroup& group) const {
  return !group.dirty.empty() || group.walking || group.end_of_rib_pending;
}

size_t AdjRibOut::MaxMessageSize(UpdateGroupId id) const {
  const UpdateGroup* group = FindGroup(id);
  return group == nullptr ? 0 : group->policy.codec_context().max_message_size;
}

bool AdjRibOut::HasWork(UpdateGroupId id) const {
  const UpdateGroup* group = FindGroup(id);
  return group != nullptr && HasWork(*group);
}

std::optional<UpdateGroupId> AdjRibOut::GroupOf(PeerId peer) const {
  auto it = peer_group_.find(peer);
  if (it == peer_group_.end()) return std::nullopt;
  return it->second;
}

std::vector<UpdateGroupId> AdjRibOut::Groups() const {
  std::vector<UpdateGroupId> out;
  for (const auto& [id, group] : groups_) out.push_back(id);
  return out;
}

std::vector<UpdateGroupId> AdjRibOut::GroupsWithWork() const {
  std::vector<UpdateGroupId> out;
  for (const auto& [id, group] : groups_) {
    if (HasWork(group)) out.push_back(id);
  }
  return out;
}

std::vector<PeerId> AdjRibOut::Members(UpdateGroupId id) const {
  const UpdateGroup* group = FindGroup(id);
  return group == nullptr ? std::vector<PeerId>{} : group->members;
}

const AdvertisedRoute* AdjRibOut::Advertised(PeerId peer, const RouteKey& key) const {
  auto it = peer_group_.find(peer);
  if (it == peer_group_.end()) return nullptr;
  const UpdateGroup& group = *FindGroup(it->second);
  auto route = group.advertised.find(key);
  if (route == group.advertised.end() || route->second.source == peer) return nullptr;
  return &route->second;
}

size_t AdjRibOut::AdvertisedCount(PeerId peer) const {
  auto it = peer_group_.find(peer);
  if (it == peer_group_.end()) return 0;
  const UpdateGroup& group = *FindGroup(it->second);
  auto own = group.advertised_from.find(peer);
  return group.advertised.size() - (own == group.advertised_from.end() ? 0 : own->second);
}

// ---- planning one key ----

bool AdjRibOut::Reaches(const UpdateGroup& group, const Audience& audience) const {
  const bool member = std::binary_search(group.members.begin(), group.members.end(), audience.peer);
  if (audience.kind == Audience::kOnly) return member;
  return group.members.size() > (member ? 1u : 0u);
}

std::vector<PeerId> AdjRibOut::Recipients(const UpdateGroup& group,
                                          const Audience& audience) const {
  std::vector<PeerId> out;
  for (PeerId p : group.members) {
    if ((audience.kind == Audience::kOnly) == (p == audience.peer)) out.push_back(p);
  }
  return out;
}

std::optional<AdvertisedRoute> AdjRibOut::Desired(const UpdateGroup& group, const RouteKey& key,
                                                  ExportCache& cache) const {
  const PathPtr best = rib_.BestPath(key);
  if (best == nullptr || !group.policy.HasFamily(key.family()) ||
      !ShouldExport(key, *best, group.policy)) {
    return std::nullopt;
  }
  return AdvertisedRoute{cache.For(*best), best, best->source->peer};
}

AdjRibOut::Plan AdjRibOut::PlanKey(const UpdateGroup& group, const RouteKey& key, bool force,
                                   ExportCache& cache, UpdatePacker& packer) {
  Plan plan;
  plan.next = Desired(group, key, cache);
  auto old_it = group.advertised.find(key);
  const AdvertisedRoute* old = old_it == group.advertised.end() ? nullptr : &old_it->second;
  auto add = [&](Audience audience, PathAttributesPtr attributes, const RouteNlri& nlri) {
    if (Reaches(group, audience)) plan.ops.push_back({audience, std::move(attributes), nlri});
  };
  if (plan.next.has_value()) {
    const PackOp announce{
        {Audience::kAllExcept, plan.next->source}, plan.next->attributes, plan.next->nlri(key)};
    if (!packer.Fits(announce)) {
      ++oversized_routes_;
      plan.next.reset();
    }
  }
  if (!plan.next.has_value()) {
    // Withdraw from everyone who had it: all members but its source.
    if (old != nullptr) add({Audience::kAllExcept, old->source}, nullptr, old->nlri(key));
    return plan;
  }
  if (old != nullptr && *old == *plan.next && !force) return plan;
  add({Audience::kAllExcept, plan.next->source}, plan.next->attributes, plan.next->nlri(key));
  // The new source had the route from the old source; it must not keep it (split horizon).
  if (old != nullptr && old->source != plan.next->source) {
    add({Audience::kOnly, plan.next->source}, nullptr, old->nlri(key));
  }
  return plan;
}

void AdjRibOut::Commit(UpdateGroup& group, const RouteKey& key, Plan& plan, UpdatePacker& packer) {
  for (PackOp& op : plan.ops) packer.Add(std::move(op));
  auto it = group.advertised.find(key);
  if (it != group.advertised.end()) {
    auto from = group.advertised_from.find(it->second.source);
    if (--from->second == 0) group.advertised_from.erase(from);
  }
  if (plan.next.has_value()) {
    ++group.advertised_from[plan.next->source];
    if (it != group.advertised.end()) {
      it->second = std::move(*plan.next);
    } else {
      group.advertised.emplace(key, std::move(*plan.next));
    }
  } else if (it != group.advertised.end()) {
    group.advertised.erase(it);
  }
}

bool AdjRibOut::NextKey(const UpdateGroup& group, RouteKey& key, bool& from_walk) const {
  if (!group.dirty.empty()) {
    key = *group.dirty.Front();
    from_walk = false;
    return true;
  }
  if (!group.walking) return false;
  const LocRib& loc_rib = rib_.loc_rib();
  auto it = group.walk_after.has_value() ? loc_rib.upper_bound(*group.walk_after) : loc_rib.begin();
  if (it == loc_rib.end()) return false;
  key = it->first;
  from_walk = true;
  return true;
}

void AdjRibOut::ConsumeKey(UpdateGroup& group, const RouteKey& key, bool from_walk) {
  if (from_walk) {
    group.walk_after = key;
  } else {
    group.dirty.PopFront();  // NextKey's key
  }
  group.started = true;
}

// ---- producing UPDATEs ----

void AdjRibOut::AppendEndOfRib(const UpdateGroup& group, std::vector<OutboundUpdate>& out) const {
  for (const wire::AfiSafi& family : group.policy.families) {
    // RFC 4724 §2: "An UPDATE message with no reachable Network Layer Reachability Information
    // (NLRI) and empty withdrawn NLRI is specified as the End-of-RIB marker"; for families other
    // than IPv4 unicast it carries only an empty MP_UNREACH_NLRI.
    auto encoded =
        wire::EncodeMessage(wire::UpdateMessage::EndOfRib(family), group.policy.codec_context());
    if (!encoded.ok()) continue;
    out.push_back({std::make_shared<const std::vector<uint8_t>>(std::move(*encoded)), group.members,
                   0, true});
  }
}

absl::StatusOr<std::vector<OutboundUpdate>> AdjRibOut::NextUpdates(UpdateGroupId id,
                                                                   size_t max_message_size,
                                                                   size_t max_messages) {
  UpdateGroup* group = FindGroup(id);
  if (group == nullptr) return absl::NotFoundError(absl::StrCat("no update group ", id));
  wire::CodecContext context = group->policy.codec_context();
  context.max_message_size = std::min(max_message_size, context.max_message_size);
  UpdatePacker packer(context);
  ExportCache cache(group->policy, rib_.config(), interner_);
  RouteKey key;
  bool from_walk = false;
  for (size_t examined = 0; examined < kMaxKeysPerCall && NextKey(*group, key, from_walk);
       ++examined) {
    Plan plan = PlanKey(*group, key, from_walk && group->resend, cache, packer);
    size_t extra = 0;
    for (const PackOp& op : plan.ops) extra += packer.ExtraMessages(op);
    // The first key always goes, so a key needing two messages progresses under any budget.
    if (packer.message_count() > 0 && packer.message_count() + extra > max_messages) break;
    Commit(*group, key, plan, packer);
    ConsumeKey(*group, key, from_walk);
  }
  if (group->walking && !NextKey(*group, key, from_walk)) {
    group->walking = false;
    group->resend = false;
  }
  absl::StatusOr<std::vector<PackedUpdate>> packed = packer.Finish();
  if (!packed.ok()) return packed.status();
  std::vector<OutboundUpdate> out;
  for (PackedUpdate& p : *packed) {
    out.push_back({std::make_shared<const std::vector<uint8_t>>(std::move(p.message)),
                   Recipients(*group, p.audience), p.nlri_count, false});
  }
  // RFC 4724 §2: End-of-RIB once the initial update is complete.
  if (group->end_of_rib_pending && !group->walking && group->dirty.empty() &&
      out.size() < max_messages) {
    AppendEndOfRib(*group, out);
    group->end_of_rib_pending = false;
    group->started = true;
  }
  TryMerge(id);
  return out;
}

// A group that is idle and has advertised exactly what an idle group of the same policy has
// joins it: from here on both would send the same bytes.
void AdjRibOut::TryMerge(UpdateGroupId id) {
  UpdateGroup* group = FindGroup(id);
  if (group == nullptr || HasWork(*group)) return;
  for (auto& [other_id, other] : groups_) {
    if (other_id == id || other.policy != group->policy || HasWork(other) ||
        other.advertised != group->advertised) {
      continue;
    }
    UpdateGroup& keep = other_id < id ? other : *group;
    UpdateGroup& gone = other_id < id ? *group : other;
    for (PeerId p : gone.members) {
      keep.members.insert(std::upper_bound(keep.members.begin(), keep.members.end(), p), p);
      peer_group_[p] = keep.id;
    }
    groups_.erase(gone.id);
    return;
  }
}

}  // namespace evpnd::rib
