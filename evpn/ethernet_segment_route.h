// EVPN route type 4, Ethernet Segment: PEs attached to one ES discover each other (DF election).
// Standards: RFC 7432 §7.4 (layout), §8.5 (DF election).
#pragma once

#include <cstdint>
#include <optional>

#include "evpn/esi.h"
#include "evpn/ip_address.h"
#include "evpn/label.h"
#include "evpn/mac_address.h"
#include "evpn/route_distinguisher.h"

namespace evpnd::evpn {

struct EthernetSegmentRoute {
  static constexpr uint8_t kRouteType = 4;
  // RFC 7432 §7.4: RD (8) | ESI (10) | IP Address Length (1) |
  // Originating Router's IP Address (4 or 16).
  RouteDistinguisher rd;
  Esi esi;
  IpAddress originating_router_ip;

  friend bool operator==(const EthernetSegmentRoute&, const EthernetSegmentRoute&) = default;
};

}  // namespace evpnd::evpn
