// See extended_community.h.
#include "evpn/extended_community.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "evpn/ip_address.h"

namespace evpnd::evpn {
namespace {

using Bytes8 = std::array<uint8_t, 8>;

void Put16(Bytes8& b, size_t at, uint32_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}
void Put32(Bytes8& b, size_t at, uint32_t v) {
  Put16(b, at, v >> 16);
  Put16(b, at + 2, v);
}
uint32_t Get16(std::span<const uint8_t, 8> b, size_t at) {
  return (uint32_t{b[at]} << 8) | b[at + 1];
}
uint32_t Get32(std::span<const uint8_t, 8> b, size_t at) {
  return (Get16(b, at) << 16) | Get16(b, at + 2);
}
void PutMac(Bytes8& b, const MacAddress& mac) { std::copy(mac.bytes.begin(), mac.bytes.end(), b.begin() + 2); }
MacAddress GetMac(std::span<const uint8_t, 8> b) {
  MacAddress mac;
  std::copy(b.begin() + 2, b.end(), mac.bytes.begin());
  return mac;
}

struct ToBytesVisitor {
  Bytes8 operator()(const RouteTarget& rt) const {
    Bytes8 b{};
    b[1] = kEcSubTypeRouteTarget;
    switch (rt.kind) {
      case RouteTarget::Kind::kTwoOctetAs:
        b[0] = kEcTypeTwoOctetAs;
        Put16(b, 2, rt.global_administrator);
        Put32(b, 4, rt.local_administrator);
        break;
      case RouteTarget::Kind::kIpv4Address:
        b[0] = kEcTypeIpv4;
        Put32(b, 2, rt.global_administrator);
        Put16(b, 6, rt.local_administrator);
        break;
      case RouteTarget::Kind::kFourOctetAs:
        b[0] = kEcTypeFourOctetAs;
        Put32(b, 2, rt.global_administrator);
        Put16(b, 6, rt.local_administrator);
        break;
    }
    return b;
  }
  Bytes8 operator()(const EncapsulationExtendedCommunity& e) const {
    Bytes8 b{kEcTypeOpaque, kEcSubTypeEncapsulation};
    Put16(b, 6, e.tunnel_type);
    return b;
  }
  Bytes8 operator()(const MacMobilityExtendedCommunity& m) const {
    Bytes8 b{kEcTypeEvpn, kEcSubTypeMacMobility, m.flags};
    Put32(b, 4, m.sequence);
    return b;
  }
  Bytes8 operator()(const EsiLabelExtendedCommunity& e) const {
    Bytes8 b{kEcTypeEvpn, kEcSubTypeEsiLabel, e.flags};
    b[5] = static_cast<uint8_t>(e.label.raw >> 16);
    b[6] = static_cast<uint8_t>(e.label.raw >> 8);
    b[7] = static_cast<uint8_t>(e.label.raw);
    return b;
  }
  Bytes8 operator()(const EsImportRouteTarget& e) const {
    Bytes8 b{kEcTypeEvpn, kEcSubTypeEsImportRouteTarget};
    PutMac(b, e.mac);
    return b;
  }
  Bytes8 operator()(const RouterMacExtendedCommunity& r) const {
    Bytes8 b{kEcTypeEvpn, kEcSubTypeRouterMac};
    PutMac(b, r.mac);
    return b;
  }
  Bytes8 operator()(const DefaultGatewayExtendedCommunity&) const {
    return Bytes8{kEcTypeOpaque, kEcSubTypeDefaultGateway};
  }
  Bytes8 operator()(const ArpNdExtendedCommunity& a) const {
    return Bytes8{kEcTypeEvpn, kEcSubTypeArpNd, a.flags};
  }
  Bytes8 operator()(const UnknownExtendedCommunity& u) const { return u.bytes; }
};

// The typed reading of the bytes, before the round-trip check.
ExtendedCommunity Interpret(std::span<const uint8_t, 8> b) {
  const uint8_t type = b[0];
  const uint8_t sub = b[1];
  if (sub == kEcSubTypeRouteTarget && type <= kEcTypeFourOctetAs) {
    RouteTarget rt;
    if (type == kEcTypeTwoOctetAs) {
      rt = {RouteTarget::Kind::kTwoOctetAs, Get16(b, 2), Get32(b, 4)};
    } else {
      rt = {type == kEcTypeIpv4 ? RouteTarget::Kind::kIpv4Address
                                : RouteTarget::Kind::kFourOctetAs,
            Get32(b, 2), Get16(b, 6)};
    }
    return rt;
  }
  if (type == kEcTypeOpaque && sub == kEcSubTypeEncapsulation) {
    return EncapsulationExtendedCommunity{static_cast<uint16_t>(Get16(b, 6))};
  }
  if (type == kEcTypeOpaque && sub == kEcSubTypeDefaultGateway) {
    return DefaultGatewayExtendedCommunity{};
  }
  if (type != kEcTypeEvpn) {
    return UnknownExtendedCommunity{{b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]}};
  }
  switch (sub) {
    case kEcSubTypeMacMobility:
      return MacMobilityExtendedCommunity{Get32(b, 4), b[2]};
    case kEcSubTypeEsiLabel:
      return EsiLabelExtendedCommunity{b[2], Label{(uint32_t{b[5]} << 16) | Get16(b, 6)}};
    case kEcSubTypeEsImportRouteTarget:
      return EsImportRouteTarget{GetMac(b)};
    case kEcSubTypeRouterMac:
      return RouterMacExtendedCommunity{GetMac(b)};
    case kEcSubTypeArpNd:
      return ArpNdExtendedCommunity{b[2]};
    default:
      return UnknownExtendedCommunity{{b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]}};
  }
}

}  // namespace

RouteTarget RouteTarget::ForVni(uint32_t asn, uint32_t vni) {
  if (asn <= 0xffff) {
    return RouteTarget{Kind::kTwoOctetAs, asn, vni & kMaxVni};
  }
  return RouteTarget{Kind::kFourOctetAs, asn, vni & 0xffff};
}

absl::StatusOr<RouteTarget> RouteTarget::Parse(absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("route target '", text, "': ", why,
                                                   " (expected ASN:N or A.B.C.D:N)"));
  };
  size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) return bad("no ':'");
  absl::string_view admin = text.substr(0, colon);
  uint64_t local = 0;
  if (!absl::SimpleAtoi(text.substr(colon + 1), &local)) return bad("bad local administrator");
  if (admin.find('.') != absl::string_view::npos) {
    absl::StatusOr<IpAddress> ip = IpAddress::Parse(admin);
    if (!ip.ok() || !ip->is_v4()) return bad("bad IPv4 global administrator");
    if (local > 0xffff) return bad("local administrator above 65535 with an IPv4 address");
    return RouteTarget{Kind::kIpv4Address, ip->v4_host_order(), static_cast<uint32_t>(local)};
  }
  uint64_t asn = 0;
  if (!absl::SimpleAtoi(admin, &asn) || asn > 0xffffffffULL) return bad("bad ASN");
  if (asn <= 0xffff) {
    if (local > 0xffffffffULL) return bad("local administrator above 2^32-1");
    return RouteTarget{Kind::kTwoOctetAs, static_cast<uint32_t>(asn),
                       static_cast<uint32_t>(local)};
  }
  if (local > 0xffff) return bad("local administrator above 65535 with a 4-octet ASN");
  return RouteTarget{Kind::kFourOctetAs, static_cast<uint32_t>(asn), static_cast<uint32_t>(local)};
}

std::string RouteTarget::ToString() const {
  if (kind == Kind::kIpv4Address) {
    return absl::StrCat(IpAddress::V4(global_administrator).ToString(), ":", local_administrator);
  }
  return absl::StrCat(global_administrator, ":", local_administrator);
}

std::array<uint8_t, 8> ExtendedCommunityToBytes(const ExtendedCommunity& community) {
  return std::visit(ToBytesVisitor{}, community);
}

ExtendedCommunity ExtendedCommunityFromBytes(std::span<const uint8_t, 8> bytes) {
  ExtendedCommunity typed = Interpret(bytes);
  // Reserved fields that are not zero would be lost by a typed value: keep those bytes as they
  // came, so that what we forward is what we received.
  Bytes8 again = ExtendedCommunityToBytes(typed);
  if (!std::equal(again.begin(), again.end(), bytes.begin())) {
    return UnknownExtendedCommunity{
        {bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]}};
  }
  return typed;
}

absl::string_view ExtendedCommunityName(const ExtendedCommunity& community) {
  struct Namer {
    absl::string_view operator()(const RouteTarget&) const { return "route-target"; }
    absl::string_view operator()(const EncapsulationExtendedCommunity&) const {
      return "encapsulation";
    }
    absl::string_view operator()(const MacMobilityExtendedCommunity&) const {
      return "mac-mobility";
    }
    absl::string_view operator()(const EsiLabelExtendedCommunity&) const { return "esi-label"; }
    absl::string_view operator()(const EsImportRouteTarget&) const { return "es-import-rt"; }
    absl::string_view operator()(const RouterMacExtendedCommunity&) const { return "router-mac"; }
    absl::string_view operator()(const DefaultGatewayExtendedCommunity&) const {
      return "default-gateway";
    }
    absl::string_view operator()(const ArpNdExtendedCommunity&) const { return "arp-nd"; }
    absl::string_view operator()(const UnknownExtendedCommunity&) const { return "unknown"; }
  };
  return std::visit(Namer{}, community);
}

}  // namespace evpnd::evpn
