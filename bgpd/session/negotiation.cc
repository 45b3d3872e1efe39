// See negotiation.h.
#include "bgpd/session/negotiation.h"

#include <algorithm>

#include "bgpd/wire/as_path.h"
#include "bgpd/wire/notification_codes.h"
#include "bgpd/wire/wire_reader.h"

namespace evpnd::bgpd {
namespace {

using wire::AfiSafi;

bool Contains(const std::vector<AfiSafi>& list, AfiSafi f) {
  return std::find(list.begin(), list.end(), f) != list.end();
}

wire::NotificationMessage OpenError(uint8_t subcode, std::vector<uint8_t> data = {}) {
  return wire::NotificationMessage{wire::kOpenMessageError, subcode, std::move(data)};
}

// RFC 5492 §5: the Data field of Unsupported Capability lists the capabilities (code, length,
// value) the speaker requires and the peer did not announce.
std::vector<uint8_t> MissingMultiprotocol(const std::vector<AfiSafi>& missing) {
  std::vector<uint8_t> data;
  wire::WireWriter w(data);
  for (AfiSafi f : missing) {
    w.PutU8(wire::kCapMultiprotocol);
    w.PutU8(4);
    w.PutU16(f.afi);
    w.PutU8(0);
    w.PutU8(f.safi);
  }
  return data;
}

}  // namespace

wire::CodecContext NegotiatedSession::ReceiveContext() const {
  wire::CodecContext ctx;
  ctx.four_octet_as = four_octet_as;
  ctx.max_message_size = extended_message ? wire::kMaxExtendedMessageSize : wire::kMaxMessageSize;
  ctx.add_path = add_path_receive;
  return ctx;
}

wire::CodecContext NegotiatedSession::SendContext() const {
  wire::CodecContext ctx = ReceiveContext();
  ctx.add_path = add_path_send;
  return ctx;
}

bool NegotiatedSession::HasFamily(AfiSafi family) const { return Contains(families, family); }

wire::OpenMessage BuildOpen(const LocalSpeaker& local) {
  wire::OpenMessage open;
  // RFC 6793 §4.1: My Autonomous System carries AS_TRANS when the AS needs four octets.
  open.my_as = static_cast<uint16_t>(local.local_as > 0xffff ? wire::kAsTrans : local.local_as);
  open.hold_time = local.hold_time_s;
  open.bgp_identifier = local.router_id;
  for (AfiSafi f : local.families) open.capabilities.push_back(wire::MultiprotocolCapability{f});
  open.capabilities.push_back(wire::RouteRefreshCapability{});
  open.capabilities.push_back(wire::EnhancedRouteRefreshCapability{});
  open.capabilities.push_back(wire::FourOctetAsCapability{local.local_as});
  open.capabilities.push_back(wire::ExtendedMessageCapability{});
  if (local.graceful_restart) {
    wire::GracefulRestartCapability gr;
    gr.restart_flags = local.restarting ? wire::GracefulRestartCapability::kRestartState : 0;
    gr.restart_time = std::min<uint16_t>(local.restart_time_s, 0x0fff);  // 12 bits
    for (AfiSafi f : local.families) {
      gr.families.push_back(
          {f, local.forwarding_preserved ? wire::GracefulRestartCapability::kForwardingState
                                         : uint8_t{0}});
    }
    open.capabilities.push_back(std::move(gr));
  }
  if (!local.hostname.empty()) open.capabilities.push_back(wire::FqdnCapability{local.hostname, ""});
  return open;
}

std::variant<NegotiatedSession, wire::NotificationMessage> Negotiate(
    const LocalSpeaker& local, const wire::OpenMessage& received) {
  NegotiatedSession s;
  s.peer_as = received.SpeakerAs();
  s.peer_router_id = received.bgp_identifier;
  // RFC 4271 §6.2: a peer AS other than the one configured is Bad Peer AS.
  if (s.peer_as != local.expected_peer_as) {
    return OpenError(wire::kBadPeerAs, {static_cast<uint8_t>(received.my_as >> 8),
                                         static_cast<uint8_t>(received.my_as)});
  }
  // RFC 6286 §2.2: within one AS the identifiers must differ.
  if (s.peer_as == local.local_as && s.peer_router_id == local.router_id) {
    return OpenError(wire::kBadBgpIdentifier);
  }
  // RFC 4271 §6.2: a received Hold Time of one or two seconds MUST be rejected.
  if (received.hold_time == 1 || received.hold_time == 2) {
    return OpenError(wire::kUnacceptableHoldTime);
  }
  // RFC 4271 §4.2: the hold time is the smaller of the two; 0 or at least 3 seconds.
  s.hold_time_s = std::min(local.hold_time_s, received.hold_time);
  if (s.hold_time_s != 0 && s.hold_time_s < 3) return OpenError(wire::kUnacceptableHoldTime);
  s.keepalive_s = s.hold_time_s == 0
                      ? 0
                      : static_cast<uint16_t>(
                            std::max(1, std::min<int>(local.keepalive_s, s.hold_time_s / 3)));
  const std::vector<AfiSafi> theirs = received.Families();
  for (AfiSafi f : local.families) {
    if (Contains(theirs, f)) s.families.push_back(f);
  }
  std::vector<AfiSafi> missing;
  for (AfiSafi f : local.required_families) {
    if (!Contains(theirs, f)) missing.push_back(f);
  }
  if (!missing.empty()) {
    return OpenError(wire::kUnsupportedCapability, MissingMultiprotocol(missing));
  }
  s.four_octet_as = received.Find<wire::FourOctetAsCapability>() != nullptr;
  s.extended_message = received.Find<wire::ExtendedMessageCapability>() != nullptr;
  s.route_refresh = received.Find<wire::RouteRefreshCapability>() != nullptr;
  s.enhanced_route_refresh = received.Find<wire::EnhancedRouteRefreshCapability>() != nullptr;
  if (const auto* gr = received.Find<wire::GracefulRestartCapability>()) {
    s.peer_graceful_restart = *gr;
  }
  if (const auto* fqdn = received.Find<wire::FqdnCapability>()) s.peer_hostname = fqdn->hostname;
  // RFC 7911 §4: path ids flow only where one side announced send and the other receive; we
  // announce no ADD-PATH capability, so both directions stay off whatever the peer offers.
  return s;
}

}  // namespace evpnd::bgpd
