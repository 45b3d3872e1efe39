// See path.h.
#include "rib/path.h"

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

wire::AfiSafi FamilyOf(const RouteNlri& nlri) {
  if (std::holds_alternative<evpn::EvpnRoute>(nlri)) return wire::kL2vpnEvpn;
  return std::get<evpn::IpPrefix>(nlri).address.is_v4() ? wire::kIpv4Unicast : wire::kIpv6Unicast;
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
  return same_source && a.path_id == b.path_id && a.attributes == b.attributes && a.nlri == b.nlri;
}

}  // namespace evpnd::rib
