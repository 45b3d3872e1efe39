// EVPN route type 2, MAC/IP Advertisement: one MAC (and optionally its IP) behind a VTEP.
// Standards: RFC 7432 §7.2 (layout), §9 (procedures); RFC 8365 §5.1.3 (Label1 = VNI);
// RFC 9135 §5.1 (Label2 = L3 VNI for symmetric IRB).
#pragma once

#include <cstdint>
#include <optional>

#include "evpn/esi.h"
#include "evpn/ip_address.h"
#include "evpn/label.h"
#include "evpn/mac_address.h"
#include "evpn/route_distinguisher.h"

namespace evpnd::evpn {

struct MacIpAdvertisementRoute {
  static constexpr uint8_t kRouteType = 2;
  // RFC 7432 §7.2: RD (8) | ESI (10) | Ethernet Tag ID (4) | MAC Address Length (1) = 48 |
  // MAC Address (6) | IP Address Length (1) = 0, 32 or 128 | IP Address (0, 4 or 16) |
  // MPLS Label1 (3) | MPLS Label2 (0 or 3).
  RouteDistinguisher rd;
  Esi esi;
  uint32_t ethernet_tag = 0;
  MacAddress mac;
  std::optional<IpAddress> ip;
  Label label1;
  std::optional<Label> label2;

  friend bool operator==(const MacIpAdvertisementRoute&, const MacIpAdvertisementRoute&) = default;
};

}  // namespace evpnd::evpn
