// IPv4 and IPv6 addresses and prefixes as plain values: VTEP addresses, next hops, the IP of a
// MAC/IP route, the prefix of an IP prefix route. Pure: no sockets; parsing and printing use the
// libc text conversions only.
// Standards: RFC 4291 (IPv6 text form), RFC 5952 (canonical IPv6 text).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace evpnd::evpn {

class IpAddress {
 public:
  enum class Family : uint8_t { kIpv4 = 4, kIpv6 = 6 };

  // 0.0.0.0.
  IpAddress() = default;
  static IpAddress V4(uint32_t host_order);
  static IpAddress V4(const std::array<uint8_t, 4>& bytes);
  static IpAddress V6(const std::array<uint8_t, 16>& bytes);
  // 4 bytes make an IPv4 address, 16 an IPv6 one; any other length is no address.
  static std::optional<IpAddress> FromBytes(std::span<const uint8_t> bytes);
  // "192.0.2.1" or "2001:db8::1".
  static absl::StatusOr<IpAddress> Parse(absl::string_view text);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kIpv4; }
  bool is_v6() const { return family_ == Family::kIpv6; }
  // RFC 4291 §2.5.6: fe80::/10, meaningful only together with a link (interface).
  bool is_link_local() const { return is_v6() && bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80; }
  // Length in bytes: 4 or 16.
  size_t size() const { return is_v4() ? 4 : 16; }
  // Length in bits: 32 or 128.
  uint8_t bit_length() const { return is_v4() ? 32 : 128; }
  std::span<const uint8_t> bytes() const { return {bytes_.data(), size()}; }
  // The IPv4 address as a number (0 for IPv6).
  uint32_t v4_host_order() const;
  std::string ToString() const;

  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::kIpv4;
  std::array<uint8_t, 16> bytes_{};
};

// An IP prefix: address plus length in bits. Bits past the length are kept as given.
struct IpPrefix {
  IpAddress address;
  uint8_t length = 0;

  // "10.0.0.0/8".
  static absl::StatusOr<IpPrefix> Parse(absl::string_view text);
  std::string ToString() const;
  friend auto operator<=>(const IpPrefix&, const IpPrefix&) = default;
  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

}  // namespace evpnd::evpn
