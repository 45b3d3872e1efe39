// The daemon's management surface for bgpd/api: plain views of peers, and the operator's
// commands (enable, disable, reset, soft reset a peer; add and delete local MACs; clear a
// duplicate MAC). Everything runs on the core thread: the API posts its calls here.
// Errors say what to fix and change nothing: NOT_FOUND for an unknown peer, VNI or MAC,
// INVALID_ARGUMENT for a bad shutdown message.
// Standards: RFC 4486 (Cease subcodes: Administrative Shutdown, Administrative Reset), RFC 8203 /
// RFC 9003 (shutdown communication), RFC 2918 (route refresh), RFC 7432 §15.
#include "absl/strings/str_cat.h"
#include "bgpd/daemon/daemon.h"
#include "bgpd/io/clock.h"
#include "bgpd/io/log.h"
#include "bgpd/wire/notification_codes.h"
#include "bgpd/wire/utf8.h"

namespace evpnd::bgpd {
namespace {

absl::Status UnknownPeer(const evpn::IpAddress& address) {
  return absl::NotFoundError(absl::StrCat(address.ToString(), " is not a configured peer"));
}

}  // namespace

bool Daemon::EventsWanted() const {
  for (const EventSink& l : listeners_) {
    if (!l.wanted || l.wanted()) return true;
  }
  return false;
}

void Daemon::Emit(Event::Kind kind, std::string subject, std::string what, std::string detail) {
  if (!EventsWanted()) return;
  const Event e{kind, absl::Now(), std::move(subject), std::move(what), std::move(detail)};
  for (const EventSink& l : listeners_) {
    if (!l.wanted || l.wanted()) l.take(e);
  }
}

std::vector<Daemon::PeerStatus> Daemon::PeerStatuses() const {
  std::vector<PeerStatus> out;
  for (const auto& [address, peer] : peers_) {
    PeerStatus s;
    s.config = peer.session->config();
    s.state = peer.session->state();
    s.state_since = peer.state_since;
    s.admin_down = peer.admin_down;
    if (peer.established) {
      s.hold_time_s = peer.hold_time_s;
      s.families = peer.families;
    }
    if (peer.in_rib) {
      if (absl::StatusOr<rib::PeerRouteCounts> c = rib_->Counts(peer.id); c.ok()) s.counts = *c;
      s.advertised = adj_rib_out_->AdvertisedCount(peer.id);
    }
    s.last_notification = peer.last_notification;
    s.last_down_reason = peer.last_down_reason;
    out.push_back(std::move(s));
  }
  return out;
}

absl::Status Daemon::EnablePeer(const evpn::IpAddress& address) {
  auto it = peers_.find(address);
  if (it == peers_.end()) return UnknownPeer(address);
  if (!it->second.admin_down) return absl::OkStatus();
  it->second.admin_down = false;
  spdlog::info("peer {}: enabled by the operator", address.ToString());
  it->second.session->Start();
  return absl::OkStatus();
}

absl::Status Daemon::DisablePeer(const evpn::IpAddress& address, const std::string& message) {
  auto it = peers_.find(address);
  if (it == peers_.end()) return UnknownPeer(address);
  // RFC 9003 §2: UTF-8, its length in one octet.
  if (message.size() > 255) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the shutdown message is ", message.size(), " bytes; at most 255 (RFC 9003 §2)"));
  }
  if (!wire::IsUtf8(message)) {
    return absl::InvalidArgumentError("the shutdown message is not valid UTF-8 (RFC 9003 §2)");
  }
  it->second.admin_down = true;
  spdlog::info("peer {}: disabled by the operator", address.ToString());
  it->second.session->Stop(message);
  return absl::OkStatus();
}

absl::Status Daemon::ResetPeer(const evpn::IpAddress& address) {
  auto it = peers_.find(address);
  if (it == peers_.end()) return UnknownPeer(address);
  if (it->second.admin_down) {
    return absl::FailedPreconditionError(
        absl::StrCat(address.ToString(), " is administratively down; enable it instead"));
  }
  spdlog::info("peer {}: reset by the operator", address.ToString());
  // RFC 4486 §4: Cease / Administrative Reset; the session comes back after a second.
  it->second.session->AutomaticStop(
      wire::NotificationMessage{wire::kCease, wire::kAdministrativeReset, {}}, absl::Seconds(1));
  return absl::OkStatus();
}

absl::Status Daemon::SoftResetPeer(const evpn::IpAddress& address) {
  auto it = peers_.find(address);
  if (it == peers_.end()) return UnknownPeer(address);
  Peer& peer = it->second;
  if (!peer.established) {
    return absl::FailedPreconditionError(
        absl::StrCat(address.ToString(), " is not Established (state ",
                     SessionStateName(peer.session->state()), ")"));
  }
  // In: ask the peer for its routes again (RFC 2918), when it can. Out: send ours again.
  if (peer.route_refresh) {
    for (wire::AfiSafi family : peer.families) {
      peer.session->SendRouteRefresh({family, wire::RouteRefreshMessage::kNormal, {}});
    }
  }
  if (absl::Status s = adj_rib_out_->MarkAllDirty(peer.id); !s.ok()) return s;
  spdlog::info("peer {}: soft reset by the operator{}", address.ToString(),
               peer.route_refresh ? "" : " (outbound only: no route refresh negotiated)");
  SchedulePropagate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<rib::MacEvent>> Daemon::AddLocalMac(
    evpn::Vni vni, const evpn::MacAddress& mac, const std::vector<evpn::IpAddress>& ips,
    bool sticky) {
  const absl::Time now = MonotonicNow();
  absl::StatusOr<std::vector<rib::MacEvent>> events =
      evpn_->LearnLocal(vni, mac, std::nullopt, sticky, now);
  if (!events.ok()) return events.status();
  for (const evpn::IpAddress& ip : ips) {
    absl::StatusOr<std::vector<rib::MacEvent>> more = evpn_->LearnLocal(vni, mac, ip, sticky, now);
    if (more.ok()) events->insert(events->end(), more->begin(), more->end());
  }
  spdlog::info("vni {} mac {}: declared local by the API", vni, mac.ToString());
  OnMacEvents(*events);
  DrainFdbChanges();
  return events;
}

absl::StatusOr<std::vector<rib::MacEvent>> Daemon::DeleteLocalMac(evpn::Vni vni,
                                                                  const evpn::MacAddress& mac) {
  const rib::MacVrf* vrf = evpn_->Find(vni);
  if (vrf == nullptr) return absl::NotFoundError(absl::StrCat("VNI ", vni, " is not configured"));
  auto it = vrf->macs.find(mac);
  if (it == vrf->macs.end() || !it->second.state.local.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("MAC ", mac.ToString(), " is not local in VNI ", vni));
  }
  absl::StatusOr<std::vector<rib::MacEvent>> events =
      evpn_->AgeLocal(vni, mac, std::nullopt, MonotonicNow());
  if (!events.ok()) return events.status();
  spdlog::info("vni {} mac {}: no longer local (API)", vni, mac.ToString());
  OnMacEvents(*events);
  DrainFdbChanges();
  return events;
}

absl::StatusOr<std::vector<rib::MacEvent>> Daemon::ClearDuplicate(evpn::Vni vni,
                                                                  const evpn::MacAddress& mac) {
  absl::StatusOr<std::vector<rib::MacEvent>> events =
      evpn_->ClearDuplicate(vni, mac, MonotonicNow());
  if (!events.ok()) return events.status();
  OnMacEvents(*events);
  DrainFdbChanges();
  return events;
}

std::pair<std::string, std::string> Daemon::BoundDevices(evpn::Vni vni) const {
  auto it = fib_bound_.find(vni);
  if (it == fib_bound_.end()) return {};
  auto bridge = links_.find(it->second.bridge_ifindex);
  return {it->second.name, bridge != links_.end() ? bridge->second.name : std::string()};
}

std::optional<rib::PeerId> Daemon::PeerIdOf(const evpn::IpAddress& address) const {
  auto it = peers_.find(address);
  if (it == peers_.end() || !it->second.in_rib) return std::nullopt;
  return it->second.id;
}

}  // namespace evpnd::bgpd
