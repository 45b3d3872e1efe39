// See evpn_route.h.
#include "evpn/evpn_route.h"

#include "absl/strings/str_cat.h"

namespace evpnd::evpn {
namespace {

struct Printer {
  std::string operator()(const EthernetAutoDiscoveryRoute& r) const {
    return absl::StrCat(r.rd.ToString(), " [1]:[", r.esi.ToString(), "]:[", r.ethernet_tag, "]");
  }
  std::string operator()(const MacIpAdvertisementRoute& r) const {
    std::string s = absl::StrCat(r.rd.ToString(), " [2]:[", r.ethernet_tag, "]:[48]:[",
                                 r.mac.ToString(), "]");
    if (r.ip.has_value()) {
      absl::StrAppend(&s, ":[", r.ip->bit_length(), "]:[", r.ip->ToString(), "]");
    }
    return s;
  }
  std::string operator()(const InclusiveMulticastEthernetTagRoute& r) const {
    return absl::StrCat(r.rd.ToString(), " [3]:[", r.ethernet_tag, "]:[",
                        r.originating_router_ip.bit_length(), "]:[",
                        r.originating_router_ip.ToString(), "]");
  }
  std::string operator()(const EthernetSegmentRoute& r) const {
    return absl::StrCat(r.rd.ToString(), " [4]:[", r.esi.ToString(), "]:[",
                        r.originating_router_ip.bit_length(), "]:[",
                        r.originating_router_ip.ToString(), "]");
  }
  std::string operator()(const IpPrefixRoute& r) const {
    return absl::StrCat(r.rd.ToString(), " [5]:[", r.ethernet_tag, "]:[", r.prefix.length, "]:[",
                        r.prefix.address.ToString(), "]");
  }
  std::string operator()(const UnknownEvpnRoute& r) const {
    return absl::StrCat("[", r.route_type, "]:(", r.value.size(), " bytes)");
  }
};

}  // namespace

uint8_t RouteTypeOf(const EvpnRoute& route) {
  if (const auto* unknown = std::get_if<UnknownEvpnRoute>(&route)) {
    return unknown->route_type;
  }
  return static_cast<uint8_t>(route.index() + 1);
}

absl::string_view RouteTypeName(uint8_t route_type) {
  switch (route_type) {
    case EthernetAutoDiscoveryRoute::kRouteType:
      return "ethernet-auto-discovery";
    case MacIpAdvertisementRoute::kRouteType:
      return "mac-ip-advertisement";
    case InclusiveMulticastEthernetTagRoute::kRouteType:
      return "inclusive-multicast-ethernet-tag";
    case EthernetSegmentRoute::kRouteType:
      return "ethernet-segment";
    case IpPrefixRoute::kRouteType:
      return "ip-prefix";
    default:
      return "unknown";
  }
}

std::string ToString(const EvpnRoute& route) { return std::visit(Printer{}, route); }

}  // namespace evpnd::evpn
