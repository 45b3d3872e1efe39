// Route Distinguisher: the 8-byte value that makes an EVPN route unique across MAC-VRFs.
// Kept as its 8 wire bytes, so unknown RD types survive unchanged; typed views on top.
// Standards: RFC 4364 §4.2 (types 0, 1, 2), RFC 7432 §7.9 (RD of an EVI), RFC 8365 §5.1.2.1.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace evpnd::evpn {

class RouteDistinguisher {
 public:
  enum Type : uint16_t {
    kTwoOctetAs = 0,   // 2-byte ASN : 4-byte number
    kIpv4Address = 1,  // IPv4 address : 2-byte number (router-id:N, as FRR and EOS auto-derive)
    kFourOctetAs = 2,  // 4-byte ASN : 2-byte number
  };

  RouteDistinguisher() = default;
  explicit RouteDistinguisher(const std::array<uint8_t, 8>& bytes) : bytes_(bytes) {}
  static RouteDistinguisher TwoOctetAs(uint16_t asn, uint32_t number);
  static RouteDistinguisher Ipv4Address(uint32_t address_host_order, uint16_t number);
  static RouteDistinguisher FourOctetAs(uint32_t asn, uint16_t number);
  // "65000:100" (type 0; type 2 when the ASN exceeds 65535), "192.0.2.1:7" (type 1).
  static absl::StatusOr<RouteDistinguisher> Parse(absl::string_view text);

  uint16_t type() const { return static_cast<uint16_t>((bytes_[0] << 8) | bytes_[1]); }
  // Administrator subfield: ASN or IPv4 address as a number; 0 for unknown types.
  uint32_t administrator() const;
  // Assigned number subfield; 0 for unknown types.
  uint32_t assigned_number() const;
  const std::array<uint8_t, 8>& bytes() const { return bytes_; }
  // "65000:100", "192.0.2.1:7", "4200000000:7"; unknown types as "type:hexvalue".
  std::string ToString() const;

  friend auto operator<=>(const RouteDistinguisher&, const RouteDistinguisher&) = default;
  friend bool operator==(const RouteDistinguisher&, const RouteDistinguisher&) = default;

 private:
  std::array<uint8_t, 8> bytes_{};
};

}  // namespace evpnd::evpn
