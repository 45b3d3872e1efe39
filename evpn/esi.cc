// See esi.h.
#include "evpn/esi.h"

#include "absl/strings/str_format.h"

namespace evpnd::evpn {

bool Esi::IsZero() const {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

MacAddress Esi::mac() const {
  MacAddress m;
  for (int i = 0; i < 6; ++i) m.bytes[i] = bytes[1 + i];
  return m;
}

uint16_t Esi::u16_after_mac() const { return static_cast<uint16_t>((bytes[7] << 8) | bytes[8]); }

uint32_t Esi::mac_based_discriminator() const {
  return (uint32_t{bytes[7]} << 16) | (uint32_t{bytes[8]} << 8) | bytes[9];
}

uint32_t Esi::u32_first() const {
  return (uint32_t{bytes[1]} << 24) | (uint32_t{bytes[2]} << 16) | (uint32_t{bytes[3]} << 8) |
         bytes[4];
}

uint32_t Esi::u32_second() const {
  return (uint32_t{bytes[5]} << 24) | (uint32_t{bytes[6]} << 16) | (uint32_t{bytes[7]} << 8) |
         bytes[8];
}

std::string Esi::ToString() const {
  return absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1],
                         bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                         bytes[9]);
}

}  // namespace evpnd::evpn
