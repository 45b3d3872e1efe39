// See path.h.
#include "rib/path.h"

#include <algorithm>
#include <span>

namespace evpnd::rib {

PathSourcePtr PathSource::Local(const RibConfig& config) {
  PathSource source;
  source.peer = kLocalPeer;
  source.router_id = config.router_id;
  source.peer_as = config.local_as;
  return Share(source);
}

PathSourcePtr PathSource::From(const PeerInfo& peer) {
  PathSource source;
  source.peer = peer.id;
  source.ebgp = peer.ebgp();
  source.rr_client = peer.route_reflector_client && !peer.ebgp();
  source.router_id = peer.router_id;
  source.peer_as = peer.peer_as;
  source.address = peer.address;
  return Share(source);
}

bool operator==(const PathSource& a, const PathSource& b) {
  return a.peer == b.peer && a.ebgp == b.ebgp && a.rr_client == b.rr_client &&
         a.router_id == b.router_id && a.peer_as == b.peer_as && a.address == b.address;
}

PathSourcePtr Share(const PathSource& source) { return PathSourcePtr(new PathSource(source)); }

PathPtr File(Path path) { return PathPtr(new Path(std::move(path))); }

PathAttributesPtr ShareAttributes(wire::PathAttributes attributes) {
  return PathAttributesPtr(new InternedAttributes(std::move(attributes)));
}

wire::AfiSafi FamilyOf(const RouteNlri& nlri) {
  if (std::holds_alternative<evpn::EvpnRoute>(nlri)) return wire::kL2vpnEvpn;
  return std::get<evpn::IpPrefix>(nlri).address.is_v4() ? wire::kIpv4Unicast : wire::kIpv6Unicast;
}

RouteKey KeyOf(const RouteNlri& nlri) {
  if (const auto* route = std::get_if<evpn::EvpnRoute>(&nlri)) return RouteKey::ForEvpn(*route);
  return RouteKey::ForPrefix(std::get<evpn::IpPrefix>(nlri));
}

// NlriRest's bytes by route type:
//   1 Ethernet A-D          label [0, 4)
//   2 MAC/IP Advertisement  ESI [0, 10), label1 [10, 14), label2 [14, 18) (flag: present)
//   5 IP Prefix             ESI [0, 10), label [10, 14), gateway [14, 18) or [14, 30) (flag: v6)
// Labels as their 32-bit raw value, big-endian.
namespace {

constexpr uint8_t kHasLabel2 = 1;
constexpr uint8_t kGatewayV6 = 2;

void PutLabel(uint8_t* at, evpn::Label label) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<uint8_t>(label.raw >> (24 - 8 * i));
}

evpn::Label GetLabel(const uint8_t* at) {
  uint32_t raw = 0;
  for (int i = 0; i < 4; ++i) raw = (raw << 8) | at[i];
  return evpn::Label{raw};
}

template <size_t N>
std::array<uint8_t, N> GetBytes(const uint8_t* at) {
  std::array<uint8_t, N> out;
  std::copy(at, at + N, out.begin());
  return out;
}

}  // namespace

NlriRest NlriRest::Of(const RouteNlri& nlri) {
  NlriRest rest;
  const auto* route = std::get_if<evpn::EvpnRoute>(&nlri);
  if (route == nullptr) return rest;
  uint8_t* b = rest.bytes_.data();
  if (const auto* r = std::get_if<evpn::EthernetAutoDiscoveryRoute>(route)) {
    PutLabel(b, r->label);
  } else if (const auto* r = std::get_if<evpn::MacIpAdvertisementRoute>(route)) {
    std::copy(r->esi.bytes.begin(), r->esi.bytes.end(), b);
    PutLabel(b + 10, r->label1);
    if (r->label2.has_value()) {
      PutLabel(b + 14, *r->label2);
      rest.flags_ |= kHasLabel2;
    }
  } else if (const auto* r = std::get_if<evpn::IpPrefixRoute>(route)) {
    std::copy(r->esi.bytes.begin(), r->esi.bytes.end(), b);
    PutLabel(b + 10, r->label);
    const std::span<const uint8_t> gateway = r->gateway_ip.bytes();
    std::copy(gateway.begin(), gateway.end(), b + 14);
    if (!r->gateway_ip.is_v4()) rest.flags_ |= kGatewayV6;
  }
  return rest;
}

RouteNlri NlriRest::With(const RouteKey& key) const {
  if (key.family() != wire::kL2vpnEvpn) return key.ToPrefix();
  evpn::EvpnRoute route = key.ToEvpnRoute();
  const uint8_t* b = bytes_.data();
  if (auto* r = std::get_if<evpn::EthernetAutoDiscoveryRoute>(&route)) {
    r->label = GetLabel(b);
  } else if (auto* r = std::get_if<evpn::MacIpAdvertisementRoute>(&route)) {
    r->esi.bytes = GetBytes<10>(b);
    r->label1 = GetLabel(b + 10);
    if (flags_ & kHasLabel2) r->label2 = GetLabel(b + 14);
  } else if (auto* r = std::get_if<evpn::IpPrefixRoute>(&route)) {
    r->esi.bytes = GetBytes<10>(b);
    r->label = GetLabel(b + 10);
    r->gateway_ip = (flags_ & kGatewayV6) ? evpn::IpAddress::V6(GetBytes<16>(b + 14))
                                          : evpn::IpAddress::V4(GetBytes<4>(b + 14));
  }
  return route;
}

std::optional<evpn::IpAddress> NextHopOf(const wire::PathAttributes& attributes) {
  if (attributes.mp_reach.has_value()) return attributes.mp_reach->NextHopAddress();
  if (attributes.next_hop.has_value()) return evpn::IpAddress::V4(*attributes.next_hop);
  return std::nullopt;
}

std::optional<evpn::IpAddress> Path::NextHop() const {
  if (attributes == nullptr) return std::nullopt;
  return NextHopOf(*attributes);
}

bool SameAdvertisement(const Path& a, const Path& b) {
  const bool same_source = a.source == b.source ||
                           (a.source != nullptr && b.source != nullptr && *a.source == *b.source);
  return same_source && a.path_id == b.path_id && a.attributes == b.attributes &&
         a.nlri_rest == b.nlri_rest;
}

}  // namespace evpnd::rib
