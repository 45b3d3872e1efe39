// See route_key.h. Each route type appends its key fields to a byte string that starts with the
// route type and, for the known types, the 8-byte RD; addresses are written as their length in
// bits followed by their bytes, so IPv4 and IPv6 keys never collide.
#include "rib/route_key.h"

#include <algorithm>
#include <array>
#include <span>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"

namespace evpnd::rib {
namespace {

class KeyWriter {
 public:
  void U8(uint8_t v) { out_.push_back(v); }
  void U32(uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) U8(static_cast<uint8_t>(v >> shift));
  }
  void Bytes(std::span<const uint8_t> v) { out_.insert(out_.end(), v.begin(), v.end()); }
  void Address(const evpn::IpAddress& ip) {
    U8(ip.bit_length());
    Bytes(ip.bytes());
  }
  std::span<const uint8_t> bytes() const { return {out_.data(), out_.size()}; }

 private:
  absl::InlinedVector<uint8_t, 40> out_;
};

struct KeyFields {
  KeyWriter& w;
  // RFC 7432 §7.1: "For the purpose of BGP route key processing, only the Ethernet Segment
  // Identifier and the Ethernet Tag ID are considered to be part of the prefix in the NLRI. The
  // MPLS Label field is to be treated as a route attribute as opposed to being part of the
  // route."
  void operator()(const evpn::EthernetAutoDiscoveryRoute& r) const {
    w.Bytes(r.rd.bytes());
    w.Bytes(r.esi.bytes);
    w.U32(r.ethernet_tag);
  }
  // RFC 7432 §7.2: "For the purpose of BGP route key processing, only the Ethernet Tag ID, MAC
  // Address Length, MAC Address, IP Address Length, and IP Address fields are considered to be
  // part of the prefix in the NLRI. The Ethernet Segment Identifier, MPLS Label1, and MPLS Label2
  // fields are to be treated as route attributes as opposed to being part of the route."
  void operator()(const evpn::MacIpAdvertisementRoute& r) const {
    w.Bytes(r.rd.bytes());
    w.U32(r.ethernet_tag);
    w.U8(48);
    w.Bytes(r.mac.bytes);
    if (r.ip.has_value()) {
      w.Address(*r.ip);
    } else {
      w.U8(0);
    }
  }
  // RFC 7432 §7.3: "For the purpose of BGP route key processing, only the Ethernet Tag ID, IP
  // Address Length, and Originating Router's IP Address fields are considered to be part of the
  // prefix in the NLRI."
  void operator()(const evpn::InclusiveMulticastEthernetTagRoute& r) const {
    w.Bytes(r.rd.bytes());
    w.U32(r.ethernet_tag);
    w.Address(r.originating_router_ip);
  }
  // RFC 7432 §7.4: "For the purpose of BGP route key processing, only the Ethernet Segment ID, IP
  // Address Length, and Originating Router's IP Address fields are considered to be part of the
  // prefix in the NLRI."
  void operator()(const evpn::EthernetSegmentRoute& r) const {
    w.Bytes(r.rd.bytes());
    w.Bytes(r.esi.bytes);
    w.Address(r.originating_router_ip);
  }
  // RFC 9136 §3.2: "The RD, Ethernet Tag ID, IP prefix length, and IP prefix are part of the
  // route key used by BGP to compare routes. The rest of the fields are not part of the route
  // key."
  void operator()(const evpn::IpPrefixRoute& r) const {
    w.Bytes(r.rd.bytes());
    w.U32(r.ethernet_tag);
    w.U8(r.prefix.length);
    w.Address(r.prefix.address);
  }
  // A route type we do not model: all of it, since we cannot tell key from attribute.
  void operator()(const evpn::UnknownEvpnRoute& r) const { w.Bytes(r.value); }
};

class KeyReader {
 public:
  explicit KeyReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  uint8_t U8() { return at_ < bytes_.size() ? bytes_[at_++] : 0; }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | U8();
    return v;
  }
  template <size_t N>
  std::array<uint8_t, N> Array() {
    std::array<uint8_t, N> out{};
    for (uint8_t& b : out) b = U8();
    return out;
  }
  evpn::IpAddress Address() {
    const uint8_t bits = U8();
    if (bits == 128) return evpn::IpAddress::V6(Array<16>());
    return evpn::IpAddress::V4(Array<4>());
  }
  std::vector<uint8_t> Rest() {
    std::vector<uint8_t> out(bytes_.begin() + static_cast<std::ptrdiff_t>(at_), bytes_.end());
    at_ = bytes_.size();
    return out;
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t at_ = 0;
};

evpn::EvpnRoute RebuildRoute(uint8_t type, KeyReader& r) {
  if (type == evpn::EthernetAutoDiscoveryRoute::kRouteType) {
    evpn::EthernetAutoDiscoveryRoute route;
    route.rd = evpn::RouteDistinguisher(r.Array<8>());
    route.esi.bytes = r.Array<10>();
    route.ethernet_tag = r.U32();
    return route;
  }
  if (type == evpn::MacIpAdvertisementRoute::kRouteType) {
    evpn::MacIpAdvertisementRoute route;
    route.rd = evpn::RouteDistinguisher(r.Array<8>());
    route.ethernet_tag = r.U32();
    r.U8();  // MAC length, always 48
    route.mac.bytes = r.Array<6>();
    const uint8_t ip_bits = r.U8();
    if (ip_bits == 32) route.ip = evpn::IpAddress::V4(r.Array<4>());
    if (ip_bits == 128) route.ip = evpn::IpAddress::V6(r.Array<16>());
    return route;
  }
  if (type == evpn::InclusiveMulticastEthernetTagRoute::kRouteType) {
    evpn::InclusiveMulticastEthernetTagRoute route;
    route.rd = evpn::RouteDistinguisher(r.Array<8>());
    route.ethernet_tag = r.U32();
    route.originating_router_ip = r.Address();
    return route;
  }
  if (type == evpn::EthernetSegmentRoute::kRouteType) {
    evpn::EthernetSegmentRoute route;
    route.rd = evpn::RouteDistinguisher(r.Array<8>());
    route.esi.bytes = r.Array<10>();
    route.originating_router_ip = r.Address();
    return route;
  }
  if (type == evpn::IpPrefixRoute::kRouteType) {
    evpn::IpPrefixRoute route;
    route.rd = evpn::RouteDistinguisher(r.Array<8>());
    route.ethernet_tag = r.U32();
    route.prefix.length = r.U8();
    route.prefix.address = r.Address();
    // The gateway has the prefix's family (RFC 9136 §3.1); zero, as it is not key.
    route.gateway_ip = route.prefix.address.is_v4() ? evpn::IpAddress() : evpn::IpAddress::V6({});
    return route;
  }
  return evpn::UnknownEvpnRoute{type, r.Rest()};
}

}  // namespace

RouteKey RouteKey::ForEvpn(const evpn::EvpnRoute& route) {
  KeyWriter w;
  w.U8(evpn::RouteTypeOf(route));
  std::visit(KeyFields{w}, route);
  return RouteKey(wire::kL2vpnEvpn, w.bytes());
}

RouteKey RouteKey::ForPrefix(const evpn::IpPrefix& prefix) {
  KeyWriter w;
  const uint8_t length = std::min(prefix.length, prefix.address.bit_length());
  w.U8(length);
  std::span<const uint8_t> bytes = prefix.address.bytes();
  for (size_t i = 0; i < bytes.size(); ++i) {
    const int keep = std::clamp(static_cast<int>(length) - static_cast<int>(i) * 8, 0, 8);
    w.U8(static_cast<uint8_t>(bytes[i] & (0xff00 >> keep)));
  }
  return RouteKey(prefix.address.is_v4() ? wire::kIpv4Unicast : wire::kIpv6Unicast, w.bytes());
}

RouteKey::RouteKey(wire::AfiSafi family, std::span<const uint8_t> bytes) {
  if (family == wire::kIpv4Unicast) {
    family_ = Family::kIpv4Unicast;
  } else if (family == wire::kIpv6Unicast) {
    family_ = Family::kIpv6Unicast;
  } else {
    family_ = Family::kL2vpnEvpn;  // the only other family with keys
  }
  if (bytes.size() <= kInlineBytes) {
    size_ = static_cast<uint8_t>(bytes.size());
    std::copy(bytes.begin(), bytes.end(), inline_.begin());
  } else {
    size_ = kOnHeap;
    set_heap(new std::vector<uint8_t>(bytes.begin(), bytes.end()));
  }
}

wire::AfiSafi RouteKey::family() const {
  switch (family_) {
    case Family::kIpv4Unicast:
      return wire::kIpv4Unicast;
    case Family::kIpv6Unicast:
      return wire::kIpv6Unicast;
    case Family::kL2vpnEvpn:
      return wire::kL2vpnEvpn;
    case Family::kNone:
      break;
  }
  return wire::AfiSafi{};
}

uint8_t RouteKey::route_type() const {
  if (family_ != Family::kL2vpnEvpn || bytes().empty()) return 0;
  return bytes()[0];
}

evpn::EvpnRoute RouteKey::ToEvpnRoute() const {
  KeyReader r(bytes());
  const uint8_t type = r.U8();
  return RebuildRoute(type, r);
}

evpn::IpPrefix RouteKey::ToPrefix() const {
  KeyReader r(bytes());
  evpn::IpPrefix prefix;
  prefix.length = r.U8();
  if (family_ == Family::kIpv6Unicast) {
    prefix.address = evpn::IpAddress::V6(r.Array<16>());
  } else {
    prefix.address = evpn::IpAddress::V4(r.Array<4>());
  }
  return prefix;
}

std::string RouteKey::ToString() const {
  if (family_ == Family::kIpv4Unicast || family_ == Family::kIpv6Unicast) {
    return absl::StrCat(wire::AfiSafiName(family()), " ", ToPrefix().ToString());
  }
  if (family_ != Family::kL2vpnEvpn) {
    return absl::StrCat(wire::AfiSafiName(family()), " (", bytes().size(), " key bytes)");
  }
  return absl::StrCat(wire::AfiSafiName(family()), " ", evpn::ToString(ToEvpnRoute()));
}

}  // namespace evpnd::rib
