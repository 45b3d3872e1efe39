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

  friend auto operator<=>(const MacAddress&, const MacAddress&) = default;
  friend bool operator==(const MacAddress&, const MacAddress&) = default;
};

}  // namespace evpnd::evpn
