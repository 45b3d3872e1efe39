// EVPN route type 5, IP Prefix: an IPv4 or IPv6 prefix reachable in a tenant VRF.
// Standards: RFC 9136 §3.1 (layout; IPv4 34 bytes, IPv6 58 bytes).
#pragma once

#include <cstdint>
#include <optional>

#include "evpn/esi.h"
#include "evpn/ip_address.h"
#include "evpn/label.h"
#include "evpn/mac_address.h"
#include "evpn/route_distinguisher.h"

namespace evpnd::evpn {

struct IpPrefixRoute {
  static constexpr uint8_t kRouteType = 5;
  // RFC 9136 §3.1: RD (8) | ESI (10) | Ethernet Tag ID (4) | IP Prefix Length (1) |
  // IP Prefix (4 or 16) | GW IP Address (4 or 16) | MPLS Label (3).
  RouteDistinguisher rd;
  Esi esi;
  uint32_t ethernet_tag = 0;
  IpPrefix prefix;
  IpAddress gateway_ip;  // same family as the prefix
  Label label;

  friend bool operator==(const IpPrefixRoute&, const IpPrefixRoute&) = default;
};

}  // namespace evpnd::evpn
