// 48-bit IEEE 802 MAC addresses as values (the MAC of a MAC/IP advertisement route, router's MAC,
// ES-import route target).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace evpnd::evpn {

struct MacAddress {
  std::array<uint8_t, 6> bytes{};

  // "52:54:00:12:34:56" (also accepts '-' separators and upper case).
  static absl::StatusOr<MacAddress> Parse(absl::string_view text);
  // Lower case, colon separated, as iproute2 and FRR print it.
  std::string ToString() const;
  bool IsZero() const;
  // IEEE 802: a station's own address, neither zero nor a group address (the I/G bit, the least
  // significant bit of the first octet, clear). Only these are learned and forwarded to a VTEP.
  bool IsUnicast() const { return !IsZero() && (bytes[0] & 0x01) == 0; }

  friend auto operator<=>(const MacAddress&, const MacAddress&) = default;
  friend bool operator==(const MacAddress&, const MacAddress&) = default;
};

}  // namespace evpnd::evpn
