// See evpn_service.h.
#include "rib/evpn_service.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace evpnd::rib {
namespace {

using evpn::IpAddress;
using evpn::MacAddress;

// RFC 8365 §5.1.3: routes for VXLAN carry the encapsulation extended community with tunnel
// type VXLAN, and the export route targets of the VNI.
wire::PathAttributes BaseAttributes(const EvpnInstanceConfig& config) {
  wire::PathAttributes a;
  std::vector<evpn::ExtendedCommunity> communities;
  for (const evpn::RouteTarget& rt : config.export_route_targets) communities.push_back(rt);
  communities.push_back(evpn::EncapsulationExtendedCommunity{});
  a.extended_communities = std::move(communities);
  return a;
}

evpn::MacIpAdvertisementRoute MacRoute(const EvpnInstanceConfig& config, const MacAddress& mac,
                                       const std::optional<IpAddress>& ip) {
  evpn::MacIpAdvertisementRoute r;
  r.rd = config.rd;
  r.mac = mac;
  r.ip = ip;
  // RFC 8365 §5.1.3: the VNI in the MPLS Label1 field.
  r.label1 = evpn::Label::FromVni(config.vni);
  return r;
}

wire::PathAttributes MacAttributes(const EvpnInstanceConfig& config, const OriginatedMac& mac) {
  wire::PathAttributes a = BaseAttributes(config);
  // RFC 7432 §7.7 / §15: the MAC Mobility extended community goes with every re-advertisement
  // after a move (sequence above 0), and with the sticky flag for a static MAC.
  if (mac.sequence != 0 || mac.sticky) {
    a.extended_communities->push_back(evpn::MacMobilityExtendedCommunity{
        mac.sequence, mac.sticky ? evpn::MacMobilityExtendedCommunity::kStickyFlag : uint8_t{0}});
  }
  return a;
}

// The MAC Mobility community of a received route; RFC 7432 §7.7: absent means sequence 0.
evpn::MacMobilityExtendedCommunity MobilityOf(const wire::PathAttributes& attributes) {
  if (attributes.extended_communities.has_value()) {
    for (const evpn::ExtendedCommunity& c : *attributes.extended_communities) {
      if (const auto* m = std::get_if<evpn::MacMobilityExtendedCommunity>(&c)) return *m;
    }
  }
  return {};
}

std::vector<evpn::MacClaim> ClaimsOf(const MacEntry& entry) {
  // One claim per VTEP: a VTEP's MAC-only and MAC/IP routes carry the same MAC, so the highest
  // sequence and any sticky flag among them speak for it.
  absl::btree_map<IpAddress, std::vector<const RemoteMacRoute*>> by_vtep;
  for (const auto& [key, route] : entry.remote_routes) by_vtep[route.vtep].push_back(&route);
  std::vector<evpn::MacClaim> claims;
  for (const auto& [vtep, routes] : by_vtep) {
    std::vector<uint32_t> seqs;
    bool sticky = false;
    for (const RemoteMacRoute* r : routes) {
      seqs.push_back(r->sequence);
      sticky = sticky || r->sticky;
    }
    claims.push_back(evpn::MacClaim{vtep, evpn::HighestSequence(seqs), sticky, false});
  }
  return claims;
}

absl::Status CheckUnicastMac(const MacAddress& mac) {
  if (!mac.IsUnicast()) {
    return absl::InvalidArgumentError(
        absl::StrCat(mac.ToString(), " is not a unicast MAC address; only unicast MACs are "
                                     "learned and advertised"));
  }
  return absl::OkStatus();
}

}  // namespace

EvpnService::EvpnService(Rib& rib) : rib_(rib) {}

// ---- configuration ----

std::vector<MacEvent> EvpnService::Configure(
    std::vector<EvpnInstanceConfig> instances,
    const evpn::DuplicateDetectionConfig& duplicate_detection, absl::Time now) {
  duplicate_detection_ = duplicate_detection;
  std::vector<MacEvent> events;
  absl::btree_map<evpn::Vni, EvpnInstanceConfig> wanted;
  for (EvpnInstanceConfig& c : instances) wanted[c.vni] = std::move(c);
  // Local MACs of VNIs that are rebuilt, to learn again afterwards.
  struct KeptMac {
    evpn::Vni vni;
    MacAddress mac;
    bool sticky;
    absl::btree_set<IpAddress> ips;
  };
  std::vector<KeptMac> kept;
  std::vector<evpn::Vni> gone;
  for (const auto& [vni, vrf] : vrfs_) {
    auto it = wanted.find(vni);
    if (it != wanted.end() && it->second == vrf.config) continue;
    if (it != wanted.end()) {
      for (const auto& [mac, entry] : vrf.macs) {
        // Only MACs that are ours now: one that moved away (RFC 7432 §15.1) is stale here, and
        // learning it again would claim it with a sequence number above the VTEP it lives on.
        if (entry.state.LocalActive()) {
          kept.push_back({vni, mac, entry.state.local->sticky, entry.local_ips});
        }
      }
    }
    gone.push_back(vni);
  }
  for (evpn::Vni vni : gone) TearDown(vni);
  for (const auto& [vni, config] : wanted) {
    if (!vrfs_.contains(vni)) SetUp(config, now, events);
  }
  for (const KeptMac& k : kept) {
    vrfs_[k.vni].macs[k.mac].local_ips = k.ips;
    absl::StatusOr<std::vector<MacEvent>> e = LearnLocal(k.vni, k.mac, std::nullopt, k.sticky, now);
    if (e.ok()) events.insert(events.end(), e->begin(), e->end());
  }
  return events;
}

void EvpnService::SetUp(const EvpnInstanceConfig& config, absl::Time now,
                        std::vector<MacEvent>& events) {
  MacVrf& vrf = vrfs_[config.vni];
  vrf.config = config;
  OriginateInclusiveMulticast(config);
  // Import what the Loc-RIB already holds for this VNI.
  Touched touched;
  for (const auto& [key, entry] : rib_.loc_rib()) {
    if (key.family() != wire::kL2vpnEvpn || entry.best == nullptr || entry.best->source->local()) {
      continue;
    }
    const uint8_t type = key.route_type();
    if (type != evpn::MacIpAdvertisementRoute::kRouteType &&
        type != evpn::InclusiveMulticastEthernetTagRoute::kRouteType) {
      continue;
    }
    // Routes imported elsewhere already are imported again, now into this VNI too.
    Unimport(key, touched);
    Import(key, *entry.best, touched);
  }
  Settle(touched, now, events);
}

void EvpnService::TearDown(evpn::Vni vni) {
  auto it = vrfs_.find(vni);
  if (it == vrfs_.end()) return;
  MacVrf& vrf = it->second;
  rib_.WithdrawLocal(evpn::InclusiveMulticastEthernetTagRoute{vrf.config.rd, 0, vrf.config.vtep});
  for (auto& [mac, entry] : vrf.macs) {
    if (entry.originated.has_value()) {
      rib_.WithdrawLocal(MacRoute(vrf.config, mac, std::nullopt));
      for (const IpAddress& ip : entry.originated->ips) {
        rib_.WithdrawLocal(MacRoute(vrf.config, mac, ip));
      }
    }
    if (entry.fdb_reported.has_value()) {
      removed_.macs.push_back(
          {vni, mac, RemoteMacChange::Kind::kDelete, *entry.fdb_reported});
    }
    if (entry.deadline.has_value()) deadlines_.erase({*entry.deadline, {vni, mac}});
  }
  for (const IpAddress& vtep : vrf.flood_reported) removed_.flood.push_back({vni, vtep, false});
  for (auto rec = imported_.begin(); rec != imported_.end();) {
    std::erase(rec->second.vnis, vni);
    rec = rec->second.vnis.empty() ? imported_.erase(rec) : std::next(rec);
  }
  for (auto d = fdb_dirty_.begin(); d != fdb_dirty_.end();) {
    d = d->first == vni ? fdb_dirty_.erase(d) : std::next(d);
  }
  flood_dirty_.erase(vni);
  vrfs_.erase(it);
}

// RFC 7432 §11.1 / RFC 8365 §9: one Inclusive Multicast Ethernet Tag route per EVI, with the
// PMSI Tunnel attribute naming ingress replication to our VTEP, the VNI in its label field.
void EvpnService::OriginateInclusiveMulticast(const EvpnInstanceConfig& config) {
  wire::PathAttributes a = BaseAttributes(config);
  a.pmsi_tunnel =
      wire::PmsiTunnel::IngressReplication(config.vtep, evpn::Label::FromVni(config.vni));
  rib_.Originate(evpn::InclusiveMulticastEthernetTagRoute{config.rd, 0, config.vtep},
                 std::move(a), config.vtep);
}

// ---- import ----

std::vector<evpn::Vni> EvpnService::ImportingVnis(const Path& path) const {
  std::vector<evpn::Vni> out;
  if (path.attributes == nullptr || !path.attributes->extended_communities.has_value()) {
    return out;
  }
  for (const auto& [vni, vrf] : vrfs_) {
    for (const evpn::ExtendedCommunity& c : *path.attributes->extended_communities) {
      const auto* rt = std::get_if<evpn::RouteTarget>(&c);
      const auto& imports = vrf.config.import_route_targets;
      if (rt != nullptr && std::find(imports.begin(), imports.end(), *rt) != imports.end()) {
        out.push_back(vni);
        break;
      }
    }
  }
  return out;
}

void EvpnService::Unimport(const RouteKey& key, Touched& touched) {
  auto it = imported_.find(key);
  if (it == imported_.end()) return;
  const ImportRecord& rec = it->second;
  for (evpn::Vni vni : rec.vnis) {
    MacVrf* vrf = FindMutable(vni);
    if (vrf == nullptr) continue;
    if (rec.route_type == evpn::MacIpAdvertisementRoute::kRouteType) {
      auto entry = vrf->macs.find(rec.mac);
      if (entry != vrf->macs.end()) entry->second.remote_routes.erase(key);
      touched.macs.insert({vni, rec.mac});
    } else {
      auto vtep = vrf->flood.find(rec.vtep);
      if (vtep != vrf->flood.end()) {
        vtep->second.erase(key);
        if (vtep->second.empty()) vrf->flood.erase(vtep);
      }
      touched.flood.insert(vni);
    }
  }
  imported_.erase(it);
}

void EvpnService::Import(const RouteKey& key, const Path& path, Touched& touched) {
  if (key.family() != wire::kL2vpnEvpn) return;
  std::vector<evpn::Vni> vnis = ImportingVnis(path);
  if (vnis.empty()) return;
  const RouteNlri nlri = path.Nlri(key);
  const evpn::EvpnRoute* route = &std::get<evpn::EvpnRoute>(nlri);
  ImportRecord rec;
  rec.route_type = key.route_type();
  if (const auto* mac_route = std::get_if<evpn::MacIpAdvertisementRoute>(route)) {
    // RFC 7432 §9.2.2: the remote MAC is reached through the route's next hop, the VTEP.
    const std::optional<IpAddress> vtep = path.NextHop();
    if (!vtep.has_value()) return;
    // Only unicast MACs are forwarded to a VTEP; a zero or group MAC would clash with the flood
    // entries (and no PE learns one).
    if (!CheckUnicastMac(mac_route->mac).ok()) {
      for (evpn::Vni vni : vnis) ++vrfs_[vni].counters.non_unicast_macs_ignored;
      return;
    }
    const evpn::MacMobilityExtendedCommunity mobility = MobilityOf(*path.attributes);
    rec.mac = mac_route->mac;
    for (evpn::Vni vni : vnis) {
      vrfs_[vni].macs[mac_route->mac].remote_routes[key] =
          RemoteMacRoute{*vtep, mobility.sequence, mobility.sticky(), mac_route->ip};
      touched.macs.insert({vni, mac_route->mac});
    }
  } else if (std::holds_alternative<evpn::InclusiveMulticastEthernetTagRoute>(*route)) {
    // RFC 8365 §9: VXLAN floods by ingress replication; the PMSI Tunnel attribute names the
    // tunnel endpoint. Without it (or with another tunnel type) the VTEP is not added.
    const wire::PmsiTunnel* pmsi =
        path.attributes->pmsi_tunnel.has_value() ? &*path.attributes->pmsi_tunnel : nullptr;
    const std::optional<IpAddress> endpoint =
        pmsi != nullptr ? pmsi->TunnelEndpoint() : std::nullopt;
    if (!endpoint.has_value()) {
      for (evpn::Vni vni : vnis) ++vrfs_[vni].counters.type3_without_ingress_replication;
      return;
    }
    rec.vtep = *endpoint;
    for (evpn::Vni vni : vnis) {
      vrfs_[vni].flood[*endpoint].insert(key);
      touched.flood.insert(vni);
    }
  } else {
    return;
  }
  rec.vnis = std::move(vnis);
  imported_[key] = std::move(rec);
}

std::vector<MacEvent> EvpnService::OnBestPathChanges(std::span<const BestPathChange> changes,
                                                     absl::Time now) {
  Touched touched;
  for (const BestPathChange& change : changes) {
    if (change.key.family() != wire::kL2vpnEvpn) continue;
    const uint8_t type = change.key.route_type();
    if (type != evpn::MacIpAdvertisementRoute::kRouteType &&
        type != evpn::InclusiveMulticastEthernetTagRoute::kRouteType) {
      continue;
    }
    Unimport(change.key, touched);
    // Our own routes come back here as best paths; they are not imported.
    if (change.current != nullptr && !change.current->source->local()) {
      Import(change.key, *change.current, touched);
    }
  }
  std::vector<MacEvent> events;
  Settle(touched, now, events);
  return events;
}

void EvpnService::Settle(const Touched& touched, absl::Time now, std::vector<MacEvent>& events) {
  for (const auto& [vni, mac] : touched.macs) {
    MacVrf* vrf = FindMutable(vni);
    if (vrf == nullptr) continue;
    auto it = vrf->macs.find(mac);
    if (it == vrf->macs.end()) continue;
    const evpn::MobilityDecisions decisions =
        evpn::OnRemoteClaims(it->second.state, ClaimsOf(it->second), Context(*vrf), now);
    AfterChange(*vrf, mac, decisions, events);
  }
  for (evpn::Vni vni : touched.flood) flood_dirty_.insert(vni);
}

// ---- local MACs ----

absl::StatusOr<MacVrf*> EvpnService::ForLocal(evpn::Vni vni, const MacAddress& mac) {
  MacVrf* vrf = FindMutable(vni);
  if (vrf == nullptr) {
    return absl::NotFoundError(absl::StrCat("VNI ", vni, " is not configured"));
  }
  if (absl::Status s = CheckUnicastMac(mac); !s.ok()) return s;
  return vrf;
}

absl::StatusOr<std::vector<MacEvent>> EvpnService::LearnLocal(evpn::Vni vni, const MacAddress& mac,
                                                              const std::optional<IpAddress>& ip,
                                                              bool sticky, absl::Time now) {
  absl::StatusOr<MacVrf*> vrf = ForLocal(vni, mac);
  if (!vrf.ok()) return vrf.status();
  MacEntry& entry = (*vrf)->macs[mac];
  if (ip.has_value()) entry.local_ips.insert(*ip);
  const evpn::MobilityDecisions decisions =
      evpn::OnLocalLearn(entry.state, sticky, Context(**vrf), now);
  std::vector<MacEvent> events;
  AfterChange(**vrf, mac, decisions, events);
  return events;
}

absl::StatusOr<std::vector<MacEvent>> EvpnService::AgeLocal(evpn::Vni vni, const MacAddress& mac,
                                                            const std::optional<IpAddress>& ip,
                                                            absl::Time now) {
  absl::StatusOr<MacVrf*> vrf = ForLocal(vni, mac);
  if (!vrf.ok()) return vrf.status();
  std::vector<MacEvent> events;
  auto it = (*vrf)->macs.find(mac);
  if (it == (*vrf)->macs.end()) return events;
  MacEntry& entry = it->second;
  evpn::MobilityDecisions decisions;
  if (ip.has_value()) {
    entry.local_ips.erase(*ip);  // the MAC itself stays
  } else {
    entry.local_ips.clear();
    decisions = evpn::OnLocalAge(entry.state, Context(**vrf), now);
  }
  AfterChange(**vrf, mac, decisions, events);
  return events;
}

absl::StatusOr<std::vector<MacEvent>> EvpnService::ClearDuplicate(evpn::Vni vni,
                                                                  const MacAddress& mac,
                                                                  absl::Time now) {
  absl::StatusOr<MacVrf*> found = ForLocal(vni, mac);
  if (!found.ok()) return found.status();
  MacVrf* vrf = *found;
  auto it = vrf->macs.find(mac);
  if (it == vrf->macs.end()) {
    return absl::NotFoundError(absl::StrCat("VNI ", vni, " has no MAC ", mac.ToString()));
  }
  if (!it->second.state.duplicate) {
    return absl::FailedPreconditionError(
        absl::StrCat("MAC ", mac.ToString(), " in VNI ", vni, " is not marked duplicate"));
  }
  std::vector<MacEvent> events;
  AfterChange(*vrf, mac, evpn::ClearDuplicate(it->second.state, Context(*vrf), now), events);
  return events;
}

std::vector<MacEvent> EvpnService::OnTimer(absl::Time now) {
  std::vector<MacEvent> events;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const auto [vni, mac] = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    MacVrf* vrf = FindMutable(vni);
    if (vrf == nullptr) continue;
    auto it = vrf->macs.find(mac);
    if (it == vrf->macs.end()) continue;
    it->second.deadline.reset();
    AfterChange(*vrf, mac, evpn::OnTimer(it->second.state, Context(*vrf), now), events);
  }
  return events;
}

std::optional<absl::Time> EvpnService::NextDeadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

// ---- after a change ----

void EvpnService::AfterChange(MacVrf& vrf, const MacAddress& mac,
                              const evpn::MobilityDecisions& decisions,
                              std::vector<MacEvent>& events) {
  const evpn::Vni vni = vrf.config.vni;
  auto it = vrf.macs.find(mac);
  if (it == vrf.macs.end()) return;
  MacEntry& entry = it->second;
  SyncOrigination(vrf, mac, entry);
  for (evpn::MobilityDecision d : decisions) {
    events.push_back(MacEvent{vni, mac, d, entry.state.location});
    if (d == evpn::MobilityDecision::kDuplicateDetected) ++vrf.counters.duplicates_detected;
    if (d == evpn::MobilityDecision::kStickyConflict) ++vrf.counters.sticky_conflicts;
    if (d == evpn::MobilityDecision::kMoved) ++vrf.counters.mac_moves;
  }
  const std::optional<absl::Time> deadline =
      evpn::NextDeadline(entry.state, Context(vrf));
  if (deadline != entry.deadline) {
    if (entry.deadline.has_value()) deadlines_.erase({*entry.deadline, {vni, mac}});
    if (deadline.has_value()) deadlines_.insert({*deadline, {vni, mac}});
    entry.deadline = deadline;
  }
  if (entry.state.RemoteVtep() != entry.fdb_reported) fdb_dirty_.insert({vni, mac});
  if (const MacShare now = ShareOf(entry); now != entry.counted) {
    vrf.counts.Apply(entry.counted, -1);
    vrf.counts.Apply(now, 1);
    entry.counted = now;
  }
  if (entry.Empty()) Erase(vrf, it);
}

void EvpnService::Erase(MacVrf& vrf, absl::btree_map<MacAddress, MacEntry>::iterator it) {
  vrf.counts.Apply(it->second.counted, -1);
  vrf.macs.erase(it);
}

void EvpnService::SyncOrigination(const MacVrf& vrf, const MacAddress& mac, MacEntry& entry) {
  std::optional<OriginatedMac> wanted;
  if (entry.state.Advertised()) {
    wanted = OriginatedMac{entry.state.local_sequence, entry.state.local->sticky,
                           entry.local_ips};
  }
  if (wanted == entry.originated) return;
  const EvpnInstanceConfig& config = vrf.config;
  if (entry.originated.has_value()) {
    // Withdraw what is no longer wanted: everything, or the IPs that went.
    for (const IpAddress& ip : entry.originated->ips) {
      if (!wanted.has_value() || !wanted->ips.contains(ip)) {
        rib_.WithdrawLocal(MacRoute(config, mac, ip));
      }
    }
    if (!wanted.has_value()) rib_.WithdrawLocal(MacRoute(config, mac, std::nullopt));
  }
  if (wanted.has_value()) {
    const bool same_attributes = entry.originated.has_value() &&
                                 entry.originated->sequence == wanted->sequence &&
                                 entry.originated->sticky == wanted->sticky;
    const wire::PathAttributes attributes = MacAttributes(config, *wanted);
    if (!same_attributes) rib_.Originate(MacRoute(config, mac, std::nullopt), attributes,
                                         config.vtep);
    for (const IpAddress& ip : wanted->ips) {
      if (same_attributes && entry.originated->ips.contains(ip)) continue;
      rib_.Originate(MacRoute(config, mac, ip), attributes, config.vtep);
    }
  }
  entry.originated = std::move(wanted);
}

// ---- FDB feed ----

bool EvpnService::HasFdbChanges() const {
  return !fdb_dirty_.empty() || !flood_dirty_.empty() || !removed_.empty();
}

FdbChanges EvpnService::TakeFdbChanges() {
  FdbChanges out = std::move(removed_);
  removed_ = FdbChanges{};
  for (const auto& [vni, mac] : fdb_dirty_) {
    MacVrf* vrf = FindMutable(vni);
    if (vrf == nullptr) continue;
    auto it = vrf->macs.find(mac);
    if (it == vrf->macs.end()) continue;
    MacEntry& entry = it->second;
    const std::optional<IpAddress> now_at = entry.state.RemoteVtep();
    const std::optional<IpAddress> was_at = entry.fdb_reported;
    if (now_at == was_at) continue;
    if (!now_at.has_value()) {
      out.macs.push_back({vni, mac, RemoteMacChange::Kind::kDelete, *was_at});
    } else {
      out.macs.push_back({vni, mac,
                          was_at.has_value() ? RemoteMacChange::Kind::kReplace
                                             : RemoteMacChange::Kind::kAdd,
                          *now_at});
    }
    entry.fdb_reported = now_at;
    if (entry.Empty()) Erase(*vrf, it);
  }
  fdb_dirty_.clear();
  for (evpn::Vni vni : flood_dirty_) {
    MacVrf* vrf = FindMutable(vni);
    if (vrf == nullptr) continue;
    for (const IpAddress& vtep : vrf->flood_reported) {
      if (!vrf->flood.contains(vtep)) out.flood.push_back({vni, vtep, false});
    }
    for (const auto& [vtep, keys] : vrf->flood) {
      if (!vrf->flood_reported.contains(vtep)) out.flood.push_back({vni, vtep, true});
    }
    vrf->flood_reported.clear();
    for (const auto& [vtep, keys] : vrf->flood) vrf->flood_reported.insert(vtep);
  }
  flood_dirty_.clear();
  return out;
}

// ---- views ----

MacVrf* EvpnService::FindMutable(evpn::Vni vni) {
  auto it = vrfs_.find(vni);
  return it == vrfs_.end() ? nullptr : &it->second;
}

const MacVrf* EvpnService::Find(evpn::Vni vni) const {
  auto it = vrfs_.find(vni);
  return it == vrfs_.end() ? nullptr : &it->second;
}

std::vector<evpn::Vni> EvpnService::Vnis() const {
  std::vector<evpn::Vni> out;
  for (const auto& [vni, vrf] : vrfs_) out.push_back(vni);
  return out;
}

evpn::MobilityContext EvpnService::Context(const MacVrf& vrf) const {
  return evpn::MobilityContext{vrf.config.vtep, duplicate_detection_};
}

}  // namespace evpnd::rib
