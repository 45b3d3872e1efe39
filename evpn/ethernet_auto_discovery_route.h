// EVPN route type 1, Ethernet Auto-Discovery: per-ES and per-EVI A-D routes for multihoming.
// Standards: RFC 7432 §7.1 (layout), §8.2 (per-ES), §8.4 (per-EVI); RFC 8365 §5.1.3 (VNI label).
#pragma once

#include <cstdint>
#include <optional>

#include "evpn/esi.h"
#include "evpn/ip_address.h"
#include "evpn/label.h"
#include "evpn/mac_address.h"
#include "evpn/route_distinguisher.h"

namespace evpnd::evpn {

struct EthernetAutoDiscoveryRoute {
  static constexpr uint8_t kRouteType = 1;
  // RFC 7432 §7.1: RD (8) | ESI (10) | Ethernet Tag ID (4) | MPLS Label (3).
  RouteDistinguisher rd;
  Esi esi;
  uint32_t ethernet_tag = 0;  // 0xFFFFFFFF (MAX-ET) marks a per-ES route
  Label label;

  friend bool operator==(const EthernetAutoDiscoveryRoute&,
                         const EthernetAutoDiscoveryRoute&) = default;
};

}  // namespace evpnd::evpn
