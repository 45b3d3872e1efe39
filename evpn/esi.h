// Ethernet Segment Identifier: 10 bytes, a type byte and 9 bytes whose layout the type gives.
// Kept as wire bytes; typed views for the six defined types.
// Standards: RFC 7432 §5 (ESI types 0-5).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>

#include "evpn/mac_address.h"

namespace evpnd::evpn {

struct Esi {
  enum Type : uint8_t {
    kArbitrary = 0,       // operator-configured 9 bytes
    kLacp = 1,            // CE LACP system MAC (6) + port key (2)
    kBridgedLan = 2,      // root bridge MAC (6) + root bridge priority (2)
    kMacBased = 3,        // system MAC (6) + local discriminator (3)
    kRouterId = 4,        // router id (4) + local discriminator (4)
    kAsBased = 5,         // ASN (4) + local discriminator (4)
  };

  std::array<uint8_t, 10> bytes{};

  uint8_t type() const { return bytes[0]; }
  // RFC 7432 §5: an ESI of all zeros denotes a single-homed site.
  bool IsZero() const;
  // MAC of types 1, 2 and 3.
  MacAddress mac() const;
  // Types 1 and 2: port key / bridge priority (bytes 7-8).
  uint16_t u16_after_mac() const;
  // Type 3: the 3-byte local discriminator (bytes 7-9).
  uint32_t mac_based_discriminator() const;
  // Types 4 and 5: router id / ASN (bytes 1-4) and local discriminator (bytes 5-8).
  uint32_t u32_first() const;
  uint32_t u32_second() const;
  // "00:11:22:33:44:55:66:77:88:99", as FRR prints it.
  std::string ToString() const;

  friend auto operator<=>(const Esi&, const Esi&) = default;
  friend bool operator==(const Esi&, const Esi&) = default;
};

}  // namespace evpnd::evpn
