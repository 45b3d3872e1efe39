// The EVPN NLRI as one value: a variant over the route types of RFC 7432 and RFC 9136, plus the
// opaque form that keeps route types we do not know, so they can be passed on unchanged.
// Standards: RFC 7432 §7 (EVPN NLRI), RFC 9136 §3 (type 5).
#pragma once

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include <variant>
#include <vector>

#include "evpn/ethernet_auto_discovery_route.h"
#include "evpn/ethernet_segment_route.h"
#include "evpn/inclusive_multicast_ethernet_tag_route.h"
#include "evpn/ip_prefix_route.h"
#include "evpn/mac_ip_advertisement_route.h"

namespace evpnd::evpn {

// A route type this implementation does not model; its value bytes are kept.
struct UnknownEvpnRoute {
  uint8_t route_type = 0;
  std::vector<uint8_t> value;
  friend bool operator==(const UnknownEvpnRoute&, const UnknownEvpnRoute&) = default;
};

using EvpnRoute =
    std::variant<EthernetAutoDiscoveryRoute, MacIpAdvertisementRoute,
                 InclusiveMulticastEthernetTagRoute, EthernetSegmentRoute, IpPrefixRoute,
                 UnknownEvpnRoute>;

// The route type octet (1-5, or the unknown one's).
uint8_t RouteTypeOf(const EvpnRoute& route);
// RFC names: "ethernet-auto-discovery", "mac-ip-advertisement", "inclusive-multicast-ethernet-tag",
// "ethernet-segment", "ip-prefix", "unknown".
absl::string_view RouteTypeName(uint8_t route_type);
// One line in FRR's bracket notation, e.g. "[2]:[0]:[48]:[52:54:00:12:34:56]:[32]:[10.0.0.1]"
// preceded by the RD: "192.0.2.1:2 [2]:...". For logs and human output.
std::string ToString(const EvpnRoute& route);

}  // namespace evpnd::evpn
