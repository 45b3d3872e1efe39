// See rib.h.
#include "rib/rib.h"

#include <algorithm>
#include <limits>
#include <type_traits>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"

namespace evpnd::rib {
namespace {

LocRibEntry::Paths::iterator FindPath(LocRibEntry& entry, PeerId peer, uint32_t path_id) {
  return std::find_if(entry.paths.begin(), entry.paths.end(), [&](const PathPtr& p) {
    return p->source->peer == peer && p->path_id == path_id;
  });
}

// The family an AFI/SAFI disable concerns when the caller did not name it.
std::optional<wire::AfiSafi> FamilyOf(const wire::UpdateMessage& update) {
  if (update.attributes.mp_reach.has_value()) return update.attributes.mp_reach->family;
  if (update.attributes.mp_unreach.has_value()) return update.attributes.mp_unreach->family;
  return std::nullopt;
}

bool Contains(const std::vector<wire::AfiSafi>& families, wire::AfiSafi family) {
  return std::find(families.begin(), families.end(), family) != families.end();
}

absl::Status UnknownPeer(PeerId peer) {
  return absl::NotFoundError(absl::StrCat("peer ", peer, " is not in the RIB; add it first"));
}

}  // namespace

Rib::Rib(const RibConfig& config) : config_(config), policy_{config.default_local_pref} {
  PeerState& local = peers_[kLocalPeer];
  local.info.id = kLocalPeer;
  local.info.router_id = config.router_id;
  local.info.peer_as = config.local_as;
  local.info.local_as = config.local_as;
  local.source = PathSource::Local(config);
}

uint64_t& Rib::BestCount(const RouteKey& key) {
  if (key.family() == wire::kIpv4Unicast) return best_ipv4_;
  if (key.family() == wire::kIpv6Unicast) return best_ipv6_;
  return best_by_type_[key.route_type()];
}

uint64_t Rib::best_unicast_routes(wire::AfiSafi family) const {
  if (family == wire::kIpv4Unicast) return best_ipv4_;
  if (family == wire::kIpv6Unicast) return best_ipv6_;
  return 0;
}

Rib::PeerState* Rib::FindState(PeerId peer) {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second;
}

const PeerInfo* Rib::FindPeer(PeerId peer) const {
  auto it = peers_.find(peer);
  return it == peers_.end() || peer == kLocalPeer ? nullptr : &it->second.info;
}

std::vector<PeerId> Rib::Peers() const {
  std::vector<PeerId> out;
  for (const auto& [id, state] : peers_) {
    if (id != kLocalPeer) out.push_back(id);
  }
  return out;
}

// ---- paths ----

void Rib::FilePath(PeerState& peer, const RouteKey& key, Path path) {
  LocRibEntry& entry = loc_rib_[key];
  auto it = FindPath(entry, path.source->peer, path.path_id);
  // RFC 4271 §9: "if the NLRI of the new route is identical to the one of a route currently
  // stored in the Adj-RIB-In, then the new route SHALL replace the older route in the
  // Adj-RIB-In, thus implicitly withdrawing the older route from service."
  PathPtr fresh = File(std::move(path));
  if (it != entry.paths.end()) {
    if ((*it)->stale && !fresh->stale) --peer.stale;
    *it = std::move(fresh);
  } else {
    ++peer.received;
    entry.paths.push_back(std::move(fresh));
  }
  MarkDirty(peer, key, entry);
}

void Rib::MarkDirty(const PeerState& peer, const RouteKey& key, LocRibEntry& entry) {
  // Once: a key several peers change before its decision (the same table from four spines)
  // waits in the first one's lane and is decided once.
  if (entry.dirty) return;
  entry.dirty = true;
  dirty_.Insert(peer.info.id, key);
}

bool Rib::RemovePath(PeerState& peer, const RouteKey& key, uint32_t path_id) {
  auto entry_it = loc_rib_.find(key);
  if (entry_it == loc_rib_.end()) return false;
  LocRibEntry& entry = entry_it->second;
  auto it = FindPath(entry, peer.info.id, path_id);
  if (it == entry.paths.end()) return false;
  if ((*it)->stale) --peer.stale;
  // The installed best may be an older object of this same path (replaced, not yet decided).
  if (entry.best != nullptr && entry.best->source->peer == peer.info.id &&
      entry.best->path_id == path_id) {
    UncountBest(entry);
  }
  entry.paths.erase(it);
  --peer.received;
  if (entry.paths.empty() && entry.best == nullptr) {
    loc_rib_.erase(entry_it);  // never decided: nothing to undo
  } else {
    MarkDirty(peer, key, entry);
  }
  return true;
}

template <typename Fn>
void Rib::ForEachPathOf(const PeerState& peer, Fn fn) const {
  if (peer.received == 0) return;
  for (const auto& [key, entry] : loc_rib_) {
    for (const PathPtr& p : entry.paths) {
      if (p->source->peer == peer.info.id) fn(key, p);
    }
  }
}

template <typename Fn>
size_t Rib::ReplacePaths(PeerState& peer, Fn fn) {
  size_t touched = 0;
  if (peer.received == 0) return 0;
  // In place: the walk inserts and erases no entry.
  for (auto& [key, entry] : loc_rib_) {
    for (PathPtr& p : entry.paths) {
      if (p->source->peer != peer.info.id) continue;
      std::optional<Path> replacement = fn(key, *p);
      if (!replacement.has_value()) continue;
      if (p->stale != replacement->stale) replacement->stale ? ++peer.stale : --peer.stale;
      p = File(std::move(*replacement));
      MarkDirty(peer, key, entry);
      ++touched;
    }
  }
  return touched;
}

template <typename Pred>
size_t Rib::RemovePathsIf(PeerState& peer, Pred pred) {
  std::vector<std::pair<RouteKey, uint32_t>> doomed;
  ForEachPathOf(peer, [&](const RouteKey& key, const PathPtr& p) {
    if (pred(key, *p)) doomed.emplace_back(key, p->path_id);
  });
  for (const auto& [key, path_id] : doomed) RemovePath(peer, key, path_id);
  return doomed.size();
}

// ---- peers ----

absl::Status Rib::AddPeer(const PeerInfo& info) {
  if (info.id == kLocalPeer) {
    return absl::InvalidArgumentError("peer id 0 is reserved for the local speaker");
  }
  PeerState& peer = peers_[info.id];
  peer.info = info;
  peer.disabled_families.clear();
  PathSourcePtr source = PathSource::From(info);
  if (peer.source != nullptr && *peer.source == *source) return absl::OkStatus();
  peer.source = std::move(source);
  // Paths kept through a graceful restart take the new session's facts (router id, RR role).
  ReplacePaths(peer, [&](const RouteKey&, const Path& p) -> std::optional<Path> {
    if (p.source == peer.source) return std::nullopt;
    Path copy = p;
    copy.source = peer.source;
    return copy;
  });
  return absl::OkStatus();
}

absl::Status Rib::RemovePeer(PeerId id) {
  return RemovePeerPaths(id, std::numeric_limits<size_t>::max()).status();
}

absl::StatusOr<size_t> Rib::RemovePeerPaths(PeerId id, size_t max_paths) {
  PeerState* peer = FindState(id);
  if (peer == nullptr || id == kLocalPeer) return UnknownPeer(id);
  if (peer->received > 0) {
    // The next slice of the walk: up to max_paths of the peer's paths after the cursor, removed
    // once the walk has moved on (a removal may erase the entry).
    std::vector<std::pair<RouteKey, uint32_t>> doomed;
    auto it = peer->flush_after.has_value() ? loc_rib_.upper_bound(*peer->flush_after)
                                            : loc_rib_.begin();
    for (; it != loc_rib_.end() && doomed.size() < max_paths; ++it) {
      for (const PathPtr& p : it->second.paths) {
        if (p->source->peer == id) doomed.emplace_back(it->first, p->path_id);
      }
    }
    // At the end, the next slice starts over (in case paths were filed behind the cursor).
    if (it == loc_rib_.end()) {
      peer->flush_after.reset();
    } else {
      peer->flush_after = std::prev(it)->first;
    }
    for (const auto& [key, path_id] : doomed) RemovePath(*peer, key, path_id);
  }
  const size_t left = peer->received;
  if (left == 0) peers_.erase(id);
  return left;
}

// ---- inbound ----

void Rib::Reject(PeerState& peer, RouteRejectReason reason, size_t count, UpdateResult& result) {
  if (count == 0) return;
  peer.rejected[static_cast<size_t>(reason)] += count;
  result.rejected += count;
  if (!result.first_reject.has_value()) result.first_reject = reason;
}

namespace {

RouteKey KeyOf(const wire::EvpnNlri& n) { return RouteKey::ForEvpn(n.route); }
RouteKey KeyOf(const wire::PrefixNlri& n) { return RouteKey::ForPrefix(n.prefix); }
RouteNlri NlriOf(const wire::EvpnNlri& n) { return n.route; }
RouteNlri NlriOf(const wire::PrefixNlri& n) { return n.prefix; }

bool IsUnicast(wire::AfiSafi family) {
  return family == wire::kIpv4Unicast || family == wire::kIpv6Unicast;
}

// The attributes a path of `family` is filed with (NLRI already stripped): IPv4 unicast keeps
// its next hop in NEXT_HOP and has no MP_REACH_NLRI; the MP families keep MP_REACH_NLRI and
// drop NEXT_HOP, which RFC 4760 §3 says to ignore ("An UPDATE message that carries no NLRI,
// other than the one encoded in the MP_REACH_NLRI attribute, SHOULD NOT carry the NEXT_HOP
// attribute. If such a message contains the NEXT_HOP attribute, the BGP speaker that receives
// the message SHOULD ignore this attribute."). IPv4 unicast received in MP_REACH_NLRI moves its
// IPv4 next hop to NEXT_HOP, so that every IPv4 unicast path looks alike; an IPv6 next hop for
// IPv4 NLRI (RFC 8950, not negotiated here) leaves it without one.
wire::PathAttributes ForFamily(const wire::PathAttributes& stripped, wire::AfiSafi family,
                               bool from_mp_reach) {
  wire::PathAttributes a = stripped;
  if (family != wire::kIpv4Unicast) {
    a.next_hop.reset();
    return a;
  }
  if (from_mp_reach) {
    a.next_hop.reset();
    std::optional<evpn::IpAddress> nh = a.mp_reach->NextHopAddress();
    if (nh.has_value() && nh->is_v4()) a.next_hop = nh->v4_host_order();
  }
  a.mp_reach.reset();
  return a;
}

}  // namespace

template <typename Nlri>
void Rib::Withdraw(PeerState& peer, wire::AfiSafi family, const std::vector<Nlri>& nlri,
                   UpdateResult& result) {
  if (nlri.empty()) return;
  if (!peer.info.HasFamily(family)) {
    Reject(peer, RouteRejectReason::kUnsupportedFamily, nlri.size(), result);
    return;
  }
  for (const Nlri& n : nlri) {
    if (RemovePath(peer, KeyOf(n), n.path_id.value_or(0))) ++result.withdrawn;
  }
}

template <typename Nlri>
void Rib::AnnounceFamily(PeerState& peer, wire::AfiSafi family, const std::vector<Nlri>& nlri,
                         const wire::PathAttributes& stripped, bool from_mp_reach,
                         UpdateResult& result) {
  if (nlri.empty()) return;
  // RFC 4760 §6: a family the session did not negotiate is not one the peer may send.
  if (!peer.info.HasFamily(family)) {
    Reject(peer, RouteRejectReason::kUnsupportedFamily, nlri.size(), result);
    return;
  }
  if (Contains(peer.disabled_families, family)) {
    Reject(peer, RouteRejectReason::kFamilyDisabled, nlri.size(), result);
    return;
  }
  wire::PathAttributes attributes = ForFamily(stripped, family, from_mp_reach);
  if (auto reason = CheckReceived(attributes, peer.info, config_)) {
    // RFC 4271 §9.1.2: a looping route is excluded, so what the peer announced before for the
    // key is gone as well.
    for (const Nlri& n : nlri) RemovePath(peer, KeyOf(n), n.path_id.value_or(0));
    Reject(peer, *reason, nlri.size(), result);
    return;
  }
  // Automatic route filtering (SetEvpnImportFilter): the route targets are the UPDATE's, the
  // exemption per route.
  bool filtered = false;
  if constexpr (std::is_same_v<Nlri, wire::EvpnNlri>) {
    filtered = evpn_import_filter_.has_value() &&
               !CarriesRouteTarget(attributes, *evpn_import_filter_);
  }
  PathAttributesPtr interned;
  for (const Nlri& n : nlri) {
    if constexpr (std::is_same_v<Nlri, wire::EvpnNlri>) {
      if (filtered && evpn::RouteTypeOf(n.route) != evpn::EthernetSegmentRoute::kRouteType) {
        RemovePath(peer, KeyOf(n), n.path_id.value_or(0));
        Reject(peer, RouteRejectReason::kRouteTargetFiltered, 1, result);
        continue;
      }
    }
    if (interned == nullptr) interned = interner_.Intern(std::move(attributes));
    Path path;
    path.path_id = n.path_id.value_or(0);
    path.source = peer.source;
    path.nlri_rest = NlriRest::Of(NlriOf(n));
    path.attributes = interned;
    FilePath(peer, KeyOf(n), std::move(path));
    ++result.announced;
  }
}

Rib::FilterUpdate Rib::SetEvpnImportFilter(
    std::optional<std::vector<evpn::RouteTarget>> import) {
  if (import.has_value()) {
    std::sort(import->begin(), import->end());
    import->erase(std::unique(import->begin(), import->end()), import->end());
  }
  FilterUpdate out;
  if (import == evpn_import_filter_) return out;
  const std::optional<std::vector<evpn::RouteTarget>>& old = evpn_import_filter_;
  const bool admits_more =
      old.has_value() && (!import.has_value() || !std::includes(old->begin(), old->end(),
                                                                import->begin(), import->end()));
  // Some route target the old filter let in is refused now (or there was no filter).
  const bool refuses_more =
      import.has_value() && (!old.has_value() || !std::includes(import->begin(), import->end(),
                                                                old->begin(), old->end()));
  out.change = admits_more ? FilterChange::kAdmitsMore : FilterChange::kNarrower;
  evpn_import_filter_ = std::move(import);
  if (!refuses_more) return out;
  // The held routes it refuses go, as if the peers had sent them now: one walk of the Loc-RIB.
  struct Doomed {
    PeerId peer;
    RouteKey key;
    uint32_t path_id;
  };
  std::vector<Doomed> doomed;
  for (const auto& [key, entry] : loc_rib_) {
    if (key.family() != wire::kL2vpnEvpn ||
        key.route_type() == evpn::EthernetSegmentRoute::kRouteType) {
      continue;
    }
    for (const PathPtr& p : entry.paths) {
      if (p->source->local() || CarriesRouteTarget(*p->attributes, *evpn_import_filter_)) continue;
      doomed.push_back({p->source->peer, key, p->path_id});
    }
  }
  for (const Doomed& d : doomed) {
    PeerState* peer = FindState(d.peer);
    if (peer == nullptr || !RemovePath(*peer, d.key, d.path_id)) continue;
    ++peer->rejected[static_cast<size_t>(RouteRejectReason::kRouteTargetFiltered)];
    ++out.dropped;
  }
  return out;
}

void Rib::WithdrawAll(PeerState& peer, const wire::UpdateMessage& update, UpdateResult& result) {
  Withdraw(peer, wire::kIpv4Unicast, update.withdrawn_routes, result);
  const auto& unreach = update.attributes.mp_unreach;
  if (!unreach.has_value()) return;
  if (unreach->family == wire::kL2vpnEvpn) {
    Withdraw(peer, unreach->family, unreach->evpn_routes, result);
  } else if (IsUnicast(unreach->family)) {
    Withdraw(peer, unreach->family, unreach->prefixes, result);
  } else {
    Reject(peer, RouteRejectReason::kUnsupportedFamily, unreach->prefixes.size(), result);
  }
}

void Rib::Announce(PeerState& peer, const wire::UpdateMessage& update, UpdateResult& result) {
  const auto& reach = update.attributes.mp_reach;
  const bool mp_routes =
      reach.has_value() && (!reach->evpn_routes.empty() || !reach->prefixes.empty());
  if (update.nlri.empty() && !mp_routes) return;
  wire::PathAttributes stripped = StripNlri(update.attributes);
  SanitizeReceived(stripped, peer.info);
  // IPv4 unicast in the UPDATE's own NLRI field (RFC 4271 §4.3).
  AnnounceFamily(peer, wire::kIpv4Unicast, update.nlri, stripped, false, result);
  if (!mp_routes) return;
  if (reach->family == wire::kL2vpnEvpn) {
    AnnounceFamily(peer, reach->family, reach->evpn_routes, stripped, true, result);
  } else if (IsUnicast(reach->family)) {
    AnnounceFamily(peer, reach->family, reach->prefixes, stripped, true, result);
  } else {
    Reject(peer, RouteRejectReason::kUnsupportedFamily, reach->prefixes.size(), result);
  }
}

// RFC 7606 §2: "treat-as-withdraw": "In this approach, the UPDATE message containing the path
// attribute in question MUST be treated as though all contained routes had been withdrawn just as
// if they had been listed in the WITHDRAWN ROUTES field (or in the MP_UNREACH_NLRI attribute if
// appropriate) of the UPDATE message, thus causing them to be removed from the Adj-RIB-In".
void Rib::TreatAsWithdraw(PeerState& peer, const wire::UpdateMessage& update,
                          UpdateResult& result) {
  WithdrawAll(peer, update, result);
  Withdraw(peer, wire::kIpv4Unicast, update.nlri, result);
  size_t announced = update.nlri.size();
  const auto& reach = update.attributes.mp_reach;
  if (reach.has_value() && reach->family == wire::kL2vpnEvpn) {
    Withdraw(peer, reach->family, reach->evpn_routes, result);
    announced += reach->evpn_routes.size();
  } else if (reach.has_value() && IsUnicast(reach->family)) {
    Withdraw(peer, reach->family, reach->prefixes, result);
    announced += reach->prefixes.size();
  }
  Reject(peer, RouteRejectReason::kTreatAsWithdraw, announced, result);
}

// RFC 7606 §2 "AFI/SAFI disable", by way of RFC 4760 §7: the routes of that family received
// from the peer are removed, and the family's later UPDATEs on this session are ignored.
void Rib::DisableFamily(PeerState& peer, wire::AfiSafi family, UpdateResult& result) {
  if (!Contains(peer.disabled_families, family)) peer.disabled_families.push_back(family);
  result.withdrawn +=
      RemovePathsIf(peer, [&](const RouteKey& key, const Path&) { return key.family() == family; });
  result.disabled_family = family;
}

absl::StatusOr<UpdateResult> Rib::ApplyUpdate(PeerId id, const wire::UpdateMessage& update,
                                              wire::ErrorAction action,
                                              std::optional<wire::AfiSafi> family) {
  PeerState* peer = FindState(id);
  if (peer == nullptr || id == kLocalPeer) return UnknownPeer(id);
  UpdateResult result;
  switch (action) {
    case wire::ErrorAction::kSessionReset:
      return absl::FailedPreconditionError(
          "an UPDATE classified session-reset is not applied; close the session instead");
    case wire::ErrorAction::kAfiSafiDisable: {
      std::optional<wire::AfiSafi> f = family.has_value() ? family : FamilyOf(update);
      if (!f.has_value()) {
        return absl::InvalidArgumentError(
            "AFI/SAFI disable without a family: pass the WireError's family");
      }
      DisableFamily(*peer, *f, result);
      return result;
    }
    case wire::ErrorAction::kTreatAsWithdraw:
      TreatAsWithdraw(*peer, update, result);
      return result;
    case wire::ErrorAction::kNone:
    case wire::ErrorAction::kAttributeDiscard:
      break;
  }
  if (std::optional<wire::AfiSafi> eor = update.EndOfRibFamily()) {
    // RFC 4724 §4.2: "Once the End-of-RIB marker for an address family is received from the
    // peer, it MUST immediately remove any routes from the peer that are still marked as stale
    // for that address family."
    result.end_of_rib = eor;
    result.swept = *SweepStale(id, *eor);
    return result;
  }
  WithdrawAll(*peer, update, result);
  Announce(*peer, update, result);
  return result;
}

absl::StatusOr<UpdateResult> Rib::ApplyUpdate(
    PeerId peer, const wire::DecodeOutcome<wire::UpdateMessage>& outcome) {
  const wire::WireError* strongest = outcome.strongest();
  std::optional<wire::AfiSafi> family;
  if (strongest != nullptr) family = strongest->family;
  return ApplyUpdate(peer, outcome.value, outcome.action(), family);
}

// ---- local routes ----

void Rib::Originate(const evpn::EvpnRoute& route, wire::PathAttributes attributes,
                    const evpn::IpAddress& next_hop) {
  wire::MpReachNlri reach;
  reach.family = wire::kL2vpnEvpn;
  reach.SetNextHop(next_hop);
  attributes.mp_reach = std::move(reach);
  if (!attributes.origin.has_value()) attributes.origin = wire::Origin::kIgp;
  if (!attributes.as_path.has_value()) attributes.as_path = wire::AsPath{};
  PeerState& local = peers_[kLocalPeer];
  Path path;
  path.source = local.source;
  path.nlri_rest = NlriRest::Of(route);
  path.attributes = interner_.Intern(std::move(attributes));
  FilePath(local, RouteKey::ForEvpn(route), std::move(path));
}

bool Rib::WithdrawLocal(const evpn::EvpnRoute& route) {
  return RemovePath(peers_[kLocalPeer], RouteKey::ForEvpn(route), 0);
}

// ---- graceful restart ----

// RFC 4724 §4.2: "the Receiving Speaker MUST retain the routes received from the Restarting
// Speaker for all the address families that were previously received in the Graceful Restart
// Capability and MUST mark them as stale routing information."
absl::StatusOr<size_t> Rib::MarkStale(PeerId id, std::optional<wire::AfiSafi> family) {
  PeerState* peer = FindState(id);
  if (peer == nullptr || id == kLocalPeer) return UnknownPeer(id);
  return ReplacePaths(*peer, [&](const RouteKey& key, const Path& p) -> std::optional<Path> {
    if (p.stale || (family.has_value() && key.family() != *family)) return std::nullopt;
    Path copy = p;
    copy.stale = true;
    return copy;
  });
}

absl::StatusOr<size_t> Rib::SweepStale(PeerId id, std::optional<wire::AfiSafi> family) {
  PeerState* peer = FindState(id);
  if (peer == nullptr || id == kLocalPeer) return UnknownPeer(id);
  // The common End-of-RIB after a table transfer finds nothing stale: no walk over the table.
  if (peer->stale == 0) return 0;
  return RemovePathsIf(*peer, [&](const RouteKey& key, const Path& p) {
    return p.stale && (!family.has_value() || key.family() == *family);
  });
}

// ---- decision ----

void Rib::Decide(const RouteKey& key, std::vector<BestPathChange>& changes) {
  auto it = loc_rib_.find(key);
  if (it == loc_rib_.end()) return;
  LocRibEntry& entry = it->second;
  if (!entry.dirty) return;  // decided already, from another lane
  entry.dirty = false;
  PathPtr previous = entry.best;
  if (entry.paths.empty()) {
    if (previous != nullptr) {
      changes.push_back({key, previous, nullptr, BestPathReason::kNone});
      --BestCount(key);
      UncountBest(entry);
    }
    loc_rib_.erase(it);
    return;
  }
  absl::InlinedVector<const Path*, 4> candidates;
  for (const PathPtr& p : entry.paths) candidates.push_back(p.get());
  const BestPathSelection selection = *SelectBestPath(candidates, policy_);
  UncountBest(entry);
  entry.best = entry.paths[selection.index];
  entry.reason = selection.reason;
  CountBest(entry);
  if (previous == nullptr) ++BestCount(key);
  if (previous == nullptr || !SameAdvertisement(*previous, *entry.best)) {
    changes.push_back({key, previous, entry.best, entry.reason});
  }
}

void Rib::UncountBest(LocRibEntry& entry) {
  if (!entry.best_counted) return;
  entry.best_counted = false;
  if (PeerState* peer = FindState(entry.best->source->peer)) --peer->best;
}

void Rib::CountBest(LocRibEntry& entry) {
  PeerState* peer = entry.best != nullptr ? FindState(entry.best->source->peer) : nullptr;
  if (peer == nullptr) return;
  ++peer->best;
  entry.best_counted = true;
}

std::vector<BestPathChange> Rib::RunDecision(size_t budget) {
  std::vector<BestPathChange> changes;
  while (budget > 0 && !dirty_.empty()) {
    const RouteKey key = *dirty_.Front();
    dirty_.PopFront();
    Decide(key, changes);
    --budget;
  }
  return changes;
}

// ---- views ----

const LocRibEntry* Rib::Find(const RouteKey& key) const {
  auto it = loc_rib_.find(key);
  return it == loc_rib_.end() ? nullptr : &it->second;
}

PathPtr Rib::BestPath(const RouteKey& key) const {
  const LocRibEntry* entry = Find(key);
  return entry == nullptr ? nullptr : entry->best;
}

absl::StatusOr<PeerRouteCounts> Rib::Counts(PeerId id) const {
  auto it = peers_.find(id);
  if (it == peers_.end()) return UnknownPeer(id);
  const PeerState& peer = it->second;
  PeerRouteCounts counts;
  counts.received = peer.received;
  counts.rejected = peer.rejected;
  counts.best = peer.best;
  counts.stale = peer.stale;
  return counts;
}

}  // namespace evpnd::rib
