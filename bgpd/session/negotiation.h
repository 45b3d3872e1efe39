// What two BGP speakers agreed on in their OPEN exchange: hold and keepalive times, the peer's AS
// and identifier, and the capabilities both sides announced. Also builds our OPEN from the
// session's settings. Pure.
// Standards: RFC 4271 §4.2 and §6.2 (OPEN checks), §10 (hold time); RFC 5492 §5 (a missing
// required capability gets Unsupported Capability); RFC 6793 (4-octet AS, AS_TRANS); RFC 4760;
// RFC 2918 and RFC 7313 (route refresh); RFC 8654 (extended message); RFC 7911 (ADD-PATH);
// RFC 4724 (graceful restart); RFC 6286 §2.2 (BGP identifier).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bgpd/wire/codec_context.h"
#include "bgpd/wire/notification_message.h"
#include "bgpd/wire/open_message.h"

namespace evpnd::bgpd {

// The local side of one session, as configuration resolved for that peer.
struct LocalSpeaker {
  uint32_t local_as = 0;
  uint32_t router_id = 0;              // host order
  uint32_t expected_peer_as = 0;       // the configured remote AS
  uint16_t hold_time_s = 90;           // proposed; 0 disables keepalives
  uint16_t keepalive_s = 30;           // upper bound; the negotiated one is at most hold / 3
  std::vector<wire::AfiSafi> families{wire::kL2vpnEvpn};
  // RFC 5492 §5: families the session cannot run without. EVPN is the reason evpnd exists.
  std::vector<wire::AfiSafi> required_families{wire::kL2vpnEvpn};
  bool graceful_restart = true;
  uint16_t restart_time_s = 120;
  bool restarting = false;             // R bit: we restarted and ask peers to keep our routes
  bool forwarding_preserved = false;   // F bit per family: the kernel FDB survived the restart
  std::string hostname;                // FQDN capability; empty: not sent
};

struct NegotiatedSession {
  uint16_t hold_time_s = 0;
  uint16_t keepalive_s = 0;
  uint32_t peer_as = 0;
  uint32_t peer_router_id = 0;
  bool four_octet_as = false;
  bool extended_message = false;
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  std::vector<wire::AfiSafi> families;          // both sides announced them
  std::vector<wire::AfiSafi> add_path_receive;  // peer sends path ids, we accept them
  std::vector<wire::AfiSafi> add_path_send;
  std::optional<wire::GracefulRestartCapability> peer_graceful_restart;
  std::string peer_hostname;

  // How to read what the peer sends, and how to write what we send.
  wire::CodecContext ReceiveContext() const;
  wire::CodecContext SendContext() const;
  bool HasFamily(wire::AfiSafi family) const;
};

wire::OpenMessage BuildOpen(const LocalSpeaker& local);

// The agreement, or the NOTIFICATION that RFC 4271 §6.2 / RFC 5492 §5 prescribe.
std::variant<NegotiatedSession, wire::NotificationMessage> Negotiate(
    const LocalSpeaker& local, const wire::OpenMessage& received);

}  // namespace evpnd::bgpd
