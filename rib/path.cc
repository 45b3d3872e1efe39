// See path.h.
#include "rib/path.h"

namespace evpnd::rib {

PathSource PathSource::Local(const RibConfig& config) {
  PathSource source;
  source.peer = kLocalPeer;
  source.router_id = config.router_id;
  source.peer_as = config.local_as;
  return source;
}

PathSource PathSource::From(const PeerInfo& peer) {
  PathSource source;
  source.peer = peer.id;
  source.ebgp = peer.ebgp();
  source.rr_client = peer.route_reflector_client && !peer.ebgp();
  source.router_id = peer.router_id;
  source.peer_as = peer.peer_as;
  source.address = peer.address;
  return source;
}

std::optional<evpn::IpAddress> Path::NextHop() const {
  if (attributes == nullptr || !attributes->mp_reach.has_value()) return std::nullopt;
  return attributes->mp_reach->NextHopAddress();
}

bool SameAdvertisement(const Path& a, const Path& b) {
  return a.source == b.source && a.path_id == b.path_id && a.attributes == b.attributes &&
         a.route == b.route;
}

}  // namespace evpnd::rib
