// What a session negotiated that changes how its bytes read: 2- or 4-octet AS numbers, the
// maximum message size, and the address families whose NLRI carry ADD-PATH identifiers.
// Standards: RFC 6793 (4-octet AS), RFC 8654 (extended message), RFC 7911 (ADD-PATH),
// RFC 4760 (AFI/SAFI), RFC 7432 §7 (AFI 25 / SAFI 70).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace evpnd::wire {

inline constexpr uint16_t kAfiIpv4 = 1;
inline constexpr uint16_t kAfiIpv6 = 2;
inline constexpr uint16_t kAfiL2vpn = 25;
inline constexpr uint8_t kSafiUnicast = 1;
inline constexpr uint8_t kSafiEvpn = 70;

struct AfiSafi {
  uint16_t afi = 0;
  uint8_t safi = 0;
  friend auto operator<=>(const AfiSafi&, const AfiSafi&) = default;
};

inline constexpr AfiSafi kIpv4Unicast{kAfiIpv4, kSafiUnicast};
inline constexpr AfiSafi kIpv6Unicast{kAfiIpv6, kSafiUnicast};
inline constexpr AfiSafi kL2vpnEvpn{kAfiL2vpn, kSafiEvpn};

// "l2vpn-evpn", "ipv4-unicast", "ipv6-unicast", else "afi-25-safi-70" style.
std::string AfiSafiName(AfiSafi family);

inline constexpr size_t kHeaderSize = 19;
inline constexpr size_t kMaxMessageSize = 4096;           // RFC 4271 §4.1
inline constexpr size_t kMaxExtendedMessageSize = 65535;  // RFC 8654 §3

struct CodecContext {
  // RFC 6793: AS numbers in AS_PATH and AGGREGATOR are 4 octets once both sides sent the
  // 4-octet AS capability.
  bool four_octet_as = true;
  // RFC 8654: 4096, or 65535 once both sides sent the extended message capability. Decoding
  // rejects longer messages; encoding refuses to produce them.
  size_t max_message_size = kMaxMessageSize;
  // RFC 7911: families whose NLRI carry a 4-byte path identifier in this direction.
  std::vector<AfiSafi> add_path;

  bool HasAddPath(AfiSafi family) const {
    for (const AfiSafi& f : add_path) {
      if (f == family) return true;
    }
    return false;
  }
};

}  // namespace evpnd::wire
