// The daemon's EVPN glue: configures the EVPN service from config_.evpn (VNIs, duplicate MAC
// detection, the local MACs the file declares), runs its recovery timer, reports what it
// decides, and hands its FDB feed to fib-sync's reconciler (daemon_fib.cc).
// Standards: RFC 7432 §15 (what is logged as a warning: duplicate MACs, sticky conflicts).
#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "bgpd/daemon/daemon.h"
#include "bgpd/io/clock.h"
#include "bgpd/io/log.h"

namespace evpnd::bgpd {
namespace {

rib::EvpnInstanceConfig ToInstance(const VniConfig& v) {
  return rib::EvpnInstanceConfig{v.vni, v.rd, v.import_route_targets, v.export_route_targets,
                                 v.vtep};
}

const LocalMacConfig* FindMac(const std::vector<LocalMacConfig>& macs,
                              const evpn::MacAddress& mac) {
  for (const LocalMacConfig& m : macs) {
    if (m.mac == mac) return &m;
  }
  return nullptr;
}

const VniConfig* FindVni(const EvpnConfig* config, evpn::Vni vni) {
  if (config == nullptr) return nullptr;
  for (const VniConfig& v : config->vnis) {
    if (v.vni == vni) return &v;
  }
  return nullptr;
}

std::string Where(const std::optional<evpn::MacLocation>& location) {
  if (!location.has_value()) return "nowhere";
  return absl::StrCat(location->local ? "local VTEP " : "VTEP ", location->vtep.ToString(),
                      " sequence ", location->sequence, location->sticky ? " sticky" : "");
}

// Automatic route filtering: the import route targets of this VTEP's VNIs where no received
// route is passed on, or nullopt where every EVPN route is to be kept: no VNI (a spine), a
// route-reflector client, an external peer beside another peer (RFC 4271 §9.2: what one peer
// sends goes to the others unless both are internal; a leaf may be the way in for a
// neighbour's routes, as for the Arista leaf of interop scenario 9), or
// evpn.retain_route_target_all.
std::optional<std::vector<evpn::RouteTarget>> EvpnImportFilterFor(const Config& config) {
  if (config.evpn.retain_route_target_all || config.evpn.vnis.empty()) return std::nullopt;
  for (const PeerConfig& peer : config.peers) {
    if (peer.route_reflector_client) return std::nullopt;
    if (peer.remote_as != config.global.local_as && config.peers.size() > 1) return std::nullopt;
  }
  std::vector<evpn::RouteTarget> rts;
  for (const VniConfig& v : config.evpn.vnis) {
    rts.insert(rts.end(), v.import_route_targets.begin(), v.import_route_targets.end());
  }
  return rts;
}

}  // namespace

void Daemon::ApplyEvpnImportFilter() {
  const rib::Rib::FilterUpdate update = rib_->SetEvpnImportFilter(EvpnImportFilterFor(config_));
  if (update.change == rib::Rib::FilterChange::kNone) return;
  if (const auto& filter = rib_->evpn_import_filter(); filter.has_value()) {
    spdlog::info("EVPN: keeping only routes with a route target imported here ({}); {} held "
                 "routes without one dropped",
                 absl::StrJoin(*filter, ",", [](std::string* out, const evpn::RouteTarget& rt) {
                   out->append(rt.ToString());
                 }),
                 update.dropped);
  } else {
    spdlog::info("EVPN: keeping routes whatever their route targets");
  }
  if (update.dropped > 0) SchedulePropagate();
  // Routes refused so far are wanted now.
  if (update.change != rib::Rib::FilterChange::kAdmitsMore) return;
  for (auto& [address, peer] : peers_) {
    if (!peer.established ||
        std::find(peer.families.begin(), peer.families.end(), wire::kL2vpnEvpn) ==
            peer.families.end()) {
      continue;
    }
    if (!peer.route_refresh) {
      spdlog::warn("peer {}: no route refresh negotiated: EVPN routes it sent before that the "
                   "new route targets import come only when its session restarts",
                   address.ToString());
      continue;
    }
    spdlog::info("peer {}: asking for its EVPN routes again (route refresh): the route targets "
                 "imported here changed", address.ToString());
    peer.session->SendRouteRefresh({wire::kL2vpnEvpn, wire::RouteRefreshMessage::kNormal, {}});
  }
}

void Daemon::ConfigureEvpn(const EvpnConfig* previous) {
  const absl::Time now = MonotonicNow();
  std::vector<rib::EvpnInstanceConfig> instances;
  for (const VniConfig& v : config_.evpn.vnis) instances.push_back(ToInstance(v));
  OnMacEvents(evpn_->Configure(std::move(instances), config_.evpn.duplicate_detection, now));
  for (const VniConfig& v : config_.evpn.vnis) {
    const VniConfig* before = FindVni(previous, v.vni);
    // Declared MACs that went, or lost IPs.
    if (before != nullptr) {
      for (const LocalMacConfig& old : before->local_macs) {
        const LocalMacConfig* next = FindMac(v.local_macs, old.mac);
        if (next == nullptr) {
          (void)evpn_->AgeLocal(v.vni, old.mac, std::nullopt, now);
          continue;
        }
        for (const evpn::IpAddress& ip : old.ips) {
          if (std::find(next->ips.begin(), next->ips.end(), ip) == next->ips.end()) {
            (void)evpn_->AgeLocal(v.vni, old.mac, ip, now);
          }
        }
      }
    }
    // New or changed ones are learned (again).
    for (const LocalMacConfig& m : v.local_macs) {
      const LocalMacConfig* old = before != nullptr ? FindMac(before->local_macs, m.mac) : nullptr;
      if (old != nullptr && *old == m) continue;
      auto learned = evpn_->LearnLocal(v.vni, m.mac, std::nullopt, m.sticky, now);
      for (const evpn::IpAddress& ip : m.ips) {
        if (learned.ok()) learned = evpn_->LearnLocal(v.vni, m.mac, ip, m.sticky, now);
      }
      if (!learned.ok()) {
        spdlog::error("vni {}: local MAC {}: {}", v.vni, m.mac.ToString(),
                      learned.status().message());
      } else {
        OnMacEvents(*learned);
      }
    }
    spdlog::info("vni {}: rd {}, vtep {}, {} import / {} export route targets, {} declared MACs",
                 v.vni, v.rd.ToString(), v.vtep.ToString(), v.import_route_targets.size(),
                 v.export_route_targets.size(), v.local_macs.size());
  }
  ArmEvpnTimer();
  StartFib();
  RebindFib();
  SchedulePropagate();
}

void Daemon::OnMacEvents(const std::vector<rib::MacEvent>& events) {
  using evpn::MobilityDecision;
  CountMacEvents(events);
  // The text of an event is built only for someone to read it: a watcher of the API's event
  // stream, or the log (a mass move or a table transfer is one event per MAC).
  const bool watched = EventsWanted();
  const bool debug = spdlog::should_log(spdlog::level::debug);
  for (const rib::MacEvent& e : events) {
    const bool logged = debug || e.decision == MobilityDecision::kDuplicateDetected ||
                        e.decision == MobilityDecision::kStickyConflict ||
                        e.decision == MobilityDecision::kDuplicateCleared;
    if (!watched && !logged) continue;
    const std::string mac = e.mac.ToString();
    if (watched) {
      Emit(Event::Kind::kMac, absl::StrCat("vni ", e.vni, " mac ", mac),
           std::string(evpn::ToString(e.decision)), Where(e.location));
    }
    switch (e.decision) {
      case MobilityDecision::kDuplicateDetected:
        spdlog::warn(
            "vni {} mac {}: duplicate (moved {} times within {}); no longer advertised, kept at "
            "{}",
            e.vni, mac, evpn_->duplicate_detection().max_moves,
            absl::FormatDuration(evpn_->duplicate_detection().window), Where(e.location));
        break;
      case MobilityDecision::kStickyConflict:
        spdlog::warn("vni {} mac {}: conflicting claims on a sticky (static) MAC; now at {}",
                     e.vni, mac, Where(e.location));
        break;
      case MobilityDecision::kDuplicateCleared:
        spdlog::info("vni {} mac {}: duplicate mark cleared; at {}", e.vni, mac,
                     Where(e.location));
        break;
      default:
        spdlog::debug("vni {} mac {}: {}; at {}", e.vni, mac, evpn::ToString(e.decision),
                      Where(e.location));
        break;
    }
  }
  if (!events.empty()) {
    ArmEvpnTimer();
    SchedulePropagate();
  }
}

void Daemon::ArmEvpnTimer() {
  const std::optional<absl::Time> due = evpn_->NextDeadline();
  if (!due.has_value()) {
    evpn_timer_.cancel();
    return;
  }
  const absl::Duration in = std::max(*due - MonotonicNow(), absl::ZeroDuration());
  evpn_timer_.expires_after(absl::ToChronoNanoseconds(in));
  evpn_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    OnMacEvents(evpn_->OnTimer(MonotonicNow()));
    ArmEvpnTimer();
  });
}

void Daemon::DrainFdbChanges() {
  if (!evpn_->HasFdbChanges()) return;
  const rib::FdbChanges changes = evpn_->TakeFdbChanges();
  const bool debug = spdlog::should_log(spdlog::level::debug);
  const bool watched = EventsWanted();  // as in OnMacEvents: text only for a reader
  for (const rib::RemoteMacChange& c : changes.macs) {
    static constexpr const char* kKinds[] = {"add", "replace", "delete"};
    if (debug) {
      spdlog::debug("fdb: vni {} mac {} {} vtep {}", c.vni, c.mac.ToString(),
                    kKinds[static_cast<int>(c.kind)], c.vtep.ToString());
    }
    if (watched) {
      Emit(Event::Kind::kFdb, absl::StrCat("vni ", c.vni, " mac ", c.mac.ToString()),
           kKinds[static_cast<int>(c.kind)], absl::StrCat("vtep ", c.vtep.ToString()));
    }
    if (c.kind == rib::RemoteMacChange::Kind::kDelete) {
      reconciler_.EraseRemoteMac(c.vni, c.mac);
    } else {
      reconciler_.SetRemoteMac(c.vni, c.mac, c.vtep);
    }
  }
  for (const rib::FloodListChange& c : changes.flood) {
    if (debug) {
      spdlog::debug("fdb: vni {} flood {} vtep {}", c.vni, c.add ? "add" : "delete",
                    c.vtep.ToString());
    }
    if (watched) {
      Emit(Event::Kind::kFdb, absl::StrCat("vni ", c.vni, " flood"), c.add ? "add" : "delete",
           absl::StrCat("vtep ", c.vtep.ToString()));
    }
    reconciler_.SetFlood(c.vni, c.vtep, c.add);
  }
  PumpFib();
}

}  // namespace evpnd::bgpd
