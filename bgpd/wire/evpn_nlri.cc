// See evpn_nlri.h. One row per route type: decode from the route's value bytes (whose length
// the NLRI header gave) and encode back. A row's decoder must consume the value exactly.
#include "bgpd/wire/evpn_nlri.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace evpnd::wire {
namespace {

using evpn::EvpnRoute;

bool ReadRd(WireReader& r, evpn::RouteDistinguisher& rd) {
  std::array<uint8_t, 8> b;
  if (!r.ReadArray(b)) return false;
  rd = evpn::RouteDistinguisher(b);
  return true;
}
bool ReadEsi(WireReader& r, evpn::Esi& esi) { return r.ReadArray(esi.bytes); }
bool ReadLabel(WireReader& r, evpn::Label& label) { return r.ReadU24(label.raw); }
bool ReadMac(WireReader& r, evpn::MacAddress& mac) { return r.ReadArray(mac.bytes); }

// RFC 7432 §7.3/§7.4: IP Address Length in bits (32 or 128), then the address.
std::optional<std::string> ReadLengthAndIp(WireReader& r, evpn::IpAddress& ip) {
  uint8_t bits = 0;
  std::span<const uint8_t> bytes;
  if (!r.ReadU8(bits)) return "IP address length missing";
  if (bits != 32 && bits != 128) return absl::StrCat("IP address length ", bits, " is not 32 or 128");
  if (!r.ReadBytes(bits / 8, bytes)) return "IP address truncated";
  ip = *evpn::IpAddress::FromBytes(bytes);
  return std::nullopt;
}

void PutRd(WireWriter& w, const evpn::RouteDistinguisher& rd) { w.PutBytes(rd.bytes()); }
void PutEsi(WireWriter& w, const evpn::Esi& esi) { w.PutBytes(esi.bytes); }
void PutIpWithLength(WireWriter& w, const evpn::IpAddress& ip) {
  w.PutU8(ip.bit_length());
  w.PutBytes(ip.bytes());
}

constexpr const char* kTruncated = "route truncated";

// RFC 7432 §7.1: RD | ESI | Ethernet Tag ID | MPLS Label = 25 bytes.
std::optional<std::string> DecodeType1(WireReader& r, EvpnRoute& out) {
  evpn::EthernetAutoDiscoveryRoute route;
  if (!ReadRd(r, route.rd) || !ReadEsi(r, route.esi) || !r.ReadU32(route.ethernet_tag) ||
      !ReadLabel(r, route.label)) {
    return kTruncated;
  }
  out = route;
  return std::nullopt;
}
void EncodeType1(const EvpnRoute& in, WireWriter& w) {
  const auto& route = std::get<evpn::EthernetAutoDiscoveryRoute>(in);
  PutRd(w, route.rd);
  PutEsi(w, route.esi);
  w.PutU32(route.ethernet_tag);
  w.PutU24(route.label.raw);
}

// RFC 7432 §7.2: RD | ESI | Ethernet Tag ID | MAC Address Length (48) | MAC Address |
// IP Address Length (0, 32 or 128) | IP Address | MPLS Label1 | MPLS Label2 (optional).
std::optional<std::string> DecodeType2(WireReader& r, EvpnRoute& out) {
  evpn::MacIpAdvertisementRoute route;
  uint8_t mac_bits = 0;
  if (!ReadRd(r, route.rd) || !ReadEsi(r, route.esi) || !r.ReadU32(route.ethernet_tag) ||
      !r.ReadU8(mac_bits)) {
    return kTruncated;
  }
  // RFC 7432 §7.2: "The MAC Address Length field is in bits, and it is set to 48."
  if (mac_bits != 48) return absl::StrCat("MAC address length ", mac_bits, " is not 48");
  uint8_t ip_bits = 0;
  if (!ReadMac(r, route.mac) || !r.ReadU8(ip_bits)) return kTruncated;
  // RFC 7432 §7.2: "The IP Address Length field value is in bits" and is 0, 32 or 128.
  if (ip_bits != 0 && ip_bits != 32 && ip_bits != 128) {
    return absl::StrCat("IP address length ", ip_bits, " is not 0, 32 or 128");
  }
  if (ip_bits != 0) {
    std::span<const uint8_t> ip;
    if (!r.ReadBytes(ip_bits / 8, ip)) return kTruncated;
    route.ip = evpn::IpAddress::FromBytes(ip);
  }
  if (!ReadLabel(r, route.label1)) return kTruncated;
  if (!r.empty()) {
    evpn::Label label2;
    if (!ReadLabel(r, label2)) return "bytes after MPLS Label1 do not form MPLS Label2";
    route.label2 = label2;
  }
  out = route;
  return std::nullopt;
}
void EncodeType2(const EvpnRoute& in, WireWriter& w) {
  const auto& route = std::get<evpn::MacIpAdvertisementRoute>(in);
  PutRd(w, route.rd);
  PutEsi(w, route.esi);
  w.PutU32(route.ethernet_tag);
  w.PutU8(48);
  w.PutBytes(route.mac.bytes);
  if (route.ip.has_value()) {
    PutIpWithLength(w, *route.ip);
  } else {
    w.PutU8(0);
  }
  w.PutU24(route.label1.raw);
  if (route.label2.has_value()) w.PutU24(route.label2->raw);
}

// RFC 7432 §7.3: RD | Ethernet Tag ID | IP Address Length | Originating Router's IP Address.
std::optional<std::string> DecodeType3(WireReader& r, EvpnRoute& out) {
  evpn::InclusiveMulticastEthernetTagRoute route;
  if (!ReadRd(r, route.rd) || !r.ReadU32(route.ethernet_tag)) return kTruncated;
  if (auto err = ReadLengthAndIp(r, route.originating_router_ip)) return err;
  out = route;
  return std::nullopt;
}
void EncodeType3(const EvpnRoute& in, WireWriter& w) {
  const auto& route = std::get<evpn::InclusiveMulticastEthernetTagRoute>(in);
  PutRd(w, route.rd);
  w.PutU32(route.ethernet_tag);
  PutIpWithLength(w, route.originating_router_ip);
}

// RFC 7432 §7.4: RD | ESI | IP Address Length | Originating Router's IP Address.
std::optional<std::string> DecodeType4(WireReader& r, EvpnRoute& out) {
  evpn::EthernetSegmentRoute route;
  if (!ReadRd(r, route.rd) || !ReadEsi(r, route.esi)) return kTruncated;
  if (auto err = ReadLengthAndIp(r, route.originating_router_ip)) return err;
  out = route;
  return std::nullopt;
}
void EncodeType4(const EvpnRoute& in, WireWriter& w) {
  const auto& route = std::get<evpn::EthernetSegmentRoute>(in);
  PutRd(w, route.rd);
  PutEsi(w, route.esi);
  PutIpWithLength(w, route.originating_router_ip);
}

// RFC 9136 §3.1: RD | ESI | Ethernet Tag ID | IP Prefix Length | IP Prefix | GW IP Address |
// MPLS Label. "The Length field of the NLRI ... is 34 bytes for IPv4 or 58 bytes for IPv6";
// the family follows from that length.
std::optional<std::string> DecodeType5(WireReader& r, EvpnRoute& out) {
  const size_t length = r.remaining();
  if (length != 34 && length != 58) {
    return absl::StrCat("IP prefix route length ", length, " is not 34 (IPv4) or 58 (IPv6)");
  }
  const size_t addr_size = length == 34 ? 4 : 16;
  evpn::IpPrefixRoute route;
  uint8_t bits = 0;
  std::span<const uint8_t> prefix;
  std::span<const uint8_t> gateway;
  if (!ReadRd(r, route.rd) || !ReadEsi(r, route.esi) || !r.ReadU32(route.ethernet_tag) ||
      !r.ReadU8(bits) || !r.ReadBytes(addr_size, prefix) || !r.ReadBytes(addr_size, gateway) ||
      !ReadLabel(r, route.label)) {
    return kTruncated;
  }
  if (bits > addr_size * 8) {
    return absl::StrCat("IP prefix length ", bits, " exceeds ", addr_size * 8);
  }
  route.prefix = {*evpn::IpAddress::FromBytes(prefix), bits};
  route.gateway_ip = *evpn::IpAddress::FromBytes(gateway);
  out = route;
  return std::nullopt;
}
void EncodeType5(const EvpnRoute& in, WireWriter& w) {
  const auto& route = std::get<evpn::IpPrefixRoute>(in);
  PutRd(w, route.rd);
  PutEsi(w, route.esi);
  w.PutU32(route.ethernet_tag);
  w.PutU8(route.prefix.length);
  w.PutBytes(route.prefix.address.bytes());
  // The gateway shares the prefix's family (RFC 9136 §3.1); a mismatched one is sent as zeros
  // of the right size rather than as a malformed route.
  if (route.gateway_ip.family() == route.prefix.address.family()) {
    w.PutBytes(route.gateway_ip.bytes());
  } else {
    for (size_t i = 0; i < route.prefix.address.size(); ++i) w.PutU8(0);
  }
  w.PutU24(route.label.raw);
}

struct RouteTypeCodec {
  uint8_t route_type;
  std::optional<std::string> (*decode)(WireReader& r, EvpnRoute& out);
  void (*encode)(const EvpnRoute& in, WireWriter& w);
};

constexpr std::array<RouteTypeCodec, 5> kRouteTypeCodecs = {{
    {evpn::EthernetAutoDiscoveryRoute::kRouteType, DecodeType1, EncodeType1},
    {evpn::MacIpAdvertisementRoute::kRouteType, DecodeType2, EncodeType2},
    {evpn::InclusiveMulticastEthernetTagRoute::kRouteType, DecodeType3, EncodeType3},
    {evpn::EthernetSegmentRoute::kRouteType, DecodeType4, EncodeType4},
    {evpn::IpPrefixRoute::kRouteType, DecodeType5, EncodeType5},
}};

const RouteTypeCodec* FindCodec(uint8_t route_type) {
  for (const RouteTypeCodec& c : kRouteTypeCodecs) {
    if (c.route_type == route_type) return &c;
  }
  return nullptr;
}

void EncodeValue(const EvpnRoute& route, WireWriter& w) {
  if (const auto* unknown = std::get_if<evpn::UnknownEvpnRoute>(&route)) {
    w.PutBytes(unknown->value);
    return;
  }
  FindCodec(evpn::RouteTypeOf(route))->encode(route, w);
}

}  // namespace

std::optional<std::string> DecodeEvpnNlri(std::span<const uint8_t> bytes, bool add_path,
                                          std::vector<EvpnNlri>& out) {
  WireReader r(bytes);
  while (!r.empty()) {
    EvpnNlri nlri;
    const size_t at = r.offset();
    if (add_path) {
      uint32_t path_id = 0;
      if (!r.ReadU32(path_id)) return "EVPN NLRI truncated in its ADD-PATH path identifier";
      nlri.path_id = path_id;
    }
    uint8_t type = 0;
    uint8_t length = 0;
    WireReader value(std::span<const uint8_t>{});
    if (!r.ReadU8(type) || !r.ReadU8(length)) {
      return absl::StrCat("EVPN NLRI header truncated at offset ", at);
    }
    if (!r.ReadSub(length, value)) {
      return absl::StrCat("EVPN route type ", type, " length ", length, " overruns the NLRI field");
    }
    const RouteTypeCodec* codec = FindCodec(type);
    if (codec == nullptr) {
      // RFC 7432 §7: a route type we do not know is kept, not fatal.
      std::span<const uint8_t> v = value.ReadRest();
      nlri.route = evpn::UnknownEvpnRoute{type, {v.begin(), v.end()}};
    } else {
      if (auto err = codec->decode(value, nlri.route)) {
        return absl::StrCat("EVPN route type ", type, " (", evpn::RouteTypeName(type),
                            ") of length ", length, ": ", *err);
      }
      if (!value.empty()) {
        return absl::StrCat("EVPN route type ", type, " (", evpn::RouteTypeName(type), ") has ",
                            value.remaining(), " bytes past its fields (length ", length, ")");
      }
    }
    out.push_back(std::move(nlri));
  }
  return std::nullopt;
}

void EncodeEvpnNlri(const EvpnNlri& nlri, bool add_path, WireWriter& w) {
  if (add_path) w.PutU32(nlri.path_id.value_or(0));
  w.PutU8(evpn::RouteTypeOf(nlri.route));
  const size_t length_at = w.Reserve(1);
  const size_t start = w.size();
  EncodeValue(nlri.route, w);
  w.PatchLength8(length_at, w.size() - start);
}

size_t EvpnNlriSize(const EvpnNlri& nlri, bool add_path) {
  std::vector<uint8_t> scratch;
  WireWriter w(scratch);
  EncodeValue(nlri.route, w);
  return (add_path ? 4 : 0) + 2 + scratch.size();
}

}  // namespace evpnd::wire
