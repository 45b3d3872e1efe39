// BGP extended communities that EVPN uses, as typed values, plus an opaque form that keeps any
// other community byte for byte. Each value converts to and from its 8 wire bytes; the
// EXTENDED_COMMUNITIES attribute itself (a list) is coded in bgpd/wire.
// Standards: RFC 4360 (format, route target), RFC 5668 (4-octet AS route target), RFC 9012 §4.1
// (encapsulation), RFC 7432 §7.5-7.8 (ESI label, ES-import RT, MAC mobility, default gateway),
// RFC 9135 §8.1 (router's MAC), RFC 9047 (ARP/ND), RFC 8365 §5.1.2.1 (RT auto-derivation).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include "absl/strings/string_view.h"
#include <variant>

#include "absl/status/statusor.h"
#include "evpn/label.h"
#include "evpn/mac_address.h"

namespace evpnd::evpn {

// Type and sub-type octets (RFC 4360 §2, IANA "BGP Extended Communities").
inline constexpr uint8_t kEcTypeTwoOctetAs = 0x00;
inline constexpr uint8_t kEcTypeIpv4 = 0x01;
inline constexpr uint8_t kEcTypeFourOctetAs = 0x02;
inline constexpr uint8_t kEcTypeOpaque = 0x03;
inline constexpr uint8_t kEcTypeEvpn = 0x06;
inline constexpr uint8_t kEcSubTypeRouteTarget = 0x02;
inline constexpr uint8_t kEcSubTypeEncapsulation = 0x0c;
inline constexpr uint8_t kEcSubTypeDefaultGateway = 0x0d;
inline constexpr uint8_t kEcSubTypeMacMobility = 0x00;
inline constexpr uint8_t kEcSubTypeEsiLabel = 0x01;
inline constexpr uint8_t kEcSubTypeEsImportRouteTarget = 0x02;
inline constexpr uint8_t kEcSubTypeRouterMac = 0x03;
inline constexpr uint8_t kEcSubTypeArpNd = 0x08;

struct RouteTarget {
  enum class Kind : uint8_t { kTwoOctetAs, kIpv4Address, kFourOctetAs };
  Kind kind = Kind::kTwoOctetAs;
  uint32_t global_administrator = 0;  // ASN or IPv4 address
  uint32_t local_administrator = 0;   // 32 bits for kTwoOctetAs, else 16

  // RFC 8365 §5.1.2.1 auto-derivation: ASN:VNI (2-octet ASN) or, as EOS and FRR do for 4-octet
  // ASNs, the 4-octet-AS form with the low 16 bits of the VNI.
  static RouteTarget ForVni(uint32_t asn, uint32_t vni);
  // "65000:100", "192.0.2.1:100", "4200000000:100".
  static absl::StatusOr<RouteTarget> Parse(absl::string_view text);
  std::string ToString() const;
  friend auto operator<=>(const RouteTarget&, const RouteTarget&) = default;
};

// RFC 9012 §4.1 / RFC 8365 §5.1.3: the tunnel type the routes are to be used with.
struct EncapsulationExtendedCommunity {
  enum TunnelType : uint16_t {
    kVxlan = 8,
    kNvgre = 9,
    kMpls = 10,
    kMplsInGre = 11,
    kVxlanGpe = 12,
    kGeneve = 19,
  };
  uint16_t tunnel_type = kVxlan;
  friend auto operator<=>(const EncapsulationExtendedCommunity&,
                          const EncapsulationExtendedCommunity&) = default;
};

// RFC 7432 §7.7: MAC mobility, sticky flag in the low bit of the flags octet.
struct MacMobilityExtendedCommunity {
  static constexpr uint8_t kStickyFlag = 0x01;
  uint32_t sequence = 0;
  uint8_t flags = 0;  // all flag bits as received
  bool sticky() const { return (flags & kStickyFlag) != 0; }
  friend auto operator<=>(const MacMobilityExtendedCommunity&,
                          const MacMobilityExtendedCommunity&) = default;
};

// RFC 7432 §7.5: ESI label, single-active flag in the low bit.
struct EsiLabelExtendedCommunity {
  static constexpr uint8_t kSingleActiveFlag = 0x01;
  uint8_t flags = 0;
  Label label;
  bool single_active() const { return (flags & kSingleActiveFlag) != 0; }
  friend auto operator<=>(const EsiLabelExtendedCommunity&,
                          const EsiLabelExtendedCommunity&) = default;
};

// RFC 7432 §7.6: ES-import route target (the MAC of the ESI).
struct EsImportRouteTarget {
  MacAddress mac;
  friend auto operator<=>(const EsImportRouteTarget&, const EsImportRouteTarget&) = default;
};

// RFC 9135 §8.1: the router's MAC for symmetric IRB.
struct RouterMacExtendedCommunity {
  MacAddress mac;
  friend auto operator<=>(const RouterMacExtendedCommunity&,
                          const RouterMacExtendedCommunity&) = default;
};

// RFC 7432 §7.8: default gateway (opaque type, six zero bytes of value).
struct DefaultGatewayExtendedCommunity {
  friend auto operator<=>(const DefaultGatewayExtendedCommunity&,
                          const DefaultGatewayExtendedCommunity&) = default;
};

// RFC 9047: ARP/ND flags of a MAC/IP route. Router (R) and Override (O) flags are the two low
// bits; the other bits are kept as received.
struct ArpNdExtendedCommunity {
  static constexpr uint8_t kRouterFlag = 0x01;
  static constexpr uint8_t kOverrideFlag = 0x02;
  uint8_t flags = 0;
  bool router() const { return (flags & kRouterFlag) != 0; }
  bool override_flag() const { return (flags & kOverrideFlag) != 0; }
  friend auto operator<=>(const ArpNdExtendedCommunity&, const ArpNdExtendedCommunity&) = default;
};

// Any community not modelled above (or a modelled one with bytes we would not re-create), kept as
// received.
struct UnknownExtendedCommunity {
  std::array<uint8_t, 8> bytes{};
  uint8_t type() const { return bytes[0]; }
  uint8_t sub_type() const { return bytes[1]; }
  friend auto operator<=>(const UnknownExtendedCommunity&,
                          const UnknownExtendedCommunity&) = default;
};

using ExtendedCommunity =
    std::variant<RouteTarget, EncapsulationExtendedCommunity, MacMobilityExtendedCommunity,
                 EsiLabelExtendedCommunity, EsImportRouteTarget, RouterMacExtendedCommunity,
                 DefaultGatewayExtendedCommunity, ArpNdExtendedCommunity,
                 UnknownExtendedCommunity>;

// The 8 wire bytes of a community.
std::array<uint8_t, 8> ExtendedCommunityToBytes(const ExtendedCommunity& community);
// Any 8 bytes make a community: typed when the type, sub-type and reserved fields match a known
// community whose encoding gives the same bytes back, UnknownExtendedCommunity otherwise.
ExtendedCommunity ExtendedCommunityFromBytes(std::span<const uint8_t, 8> bytes);
// A short name for logs and the decode tool: "route-target", "mac-mobility", ...
absl::string_view ExtendedCommunityName(const ExtendedCommunity& community);

}  // namespace evpnd::evpn
