// EVPN route type 3, Inclusive Multicast Ethernet Tag: a VTEP joins the flood list of an EVI.
// The tunnel to use comes in the PMSI Tunnel attribute (ingress replication for VXLAN).
// Standards: RFC 7432 §7.3 (layout), §11 (procedures); RFC 8365 §5.1.3.
#pragma once

#include <cstdint>
#include <optional>

#include "evpn/esi.h"
#include "evpn/ip_address.h"
#include "evpn/label.h"
#include "evpn/mac_address.h"
#include "evpn/route_distinguisher.h"

namespace evpnd::evpn {

struct InclusiveMulticastEthernetTagRoute {
  static constexpr uint8_t kRouteType = 3;
  // RFC 7432 §7.3: RD (8) | Ethernet Tag ID (4) | IP Address Length (1) |
  // Originating Router's IP Address (4 or 16).
  RouteDistinguisher rd;
  uint32_t ethernet_tag = 0;
  IpAddress originating_router_ip;

  friend bool operator==(const InclusiveMulticastEthernetTagRoute&,
                         const InclusiveMulticastEthernetTagRoute&) = default;
};

}  // namespace evpnd::evpn
