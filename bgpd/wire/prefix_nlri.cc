// See prefix_nlri.h.
#include "bgpd/wire/prefix_nlri.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"

namespace evpnd::wire {

std::optional<std::string> DecodePrefixNlri(std::span<const uint8_t> bytes, bool ipv6,
                                            bool add_path, std::vector<PrefixNlri>& out) {
  WireReader r(bytes);
  const uint8_t max_bits = ipv6 ? 128 : 32;
  while (!r.empty()) {
    PrefixNlri nlri;
    if (add_path) {
      uint32_t path_id = 0;
      if (!r.ReadU32(path_id)) return "prefix truncated in its ADD-PATH path identifier";
      nlri.path_id = path_id;
    }
    uint8_t bits = 0;
    if (!r.ReadU8(bits)) return "prefix length missing after the path identifier";
    // RFC 4271 §4.3: the prefix field is the minimum number of octets that hold `bits`.
    if (bits > max_bits) {
      return absl::StrCat("prefix length ", bits, " exceeds ", max_bits);
    }
    std::span<const uint8_t> prefix;
    if (!r.ReadBytes((bits + 7) / 8, prefix)) {
      return absl::StrCat("prefix of length ", bits, " overruns the field");
    }
    std::array<uint8_t, 16> addr{};
    std::copy(prefix.begin(), prefix.end(), addr.begin());
    nlri.prefix.address =
        *evpn::IpAddress::FromBytes(std::span<const uint8_t>(addr.data(), ipv6 ? 16 : 4));
    nlri.prefix.length = bits;
    out.push_back(nlri);
  }
  return std::nullopt;
}

void EncodePrefixNlri(const PrefixNlri& nlri, bool add_path, WireWriter& w) {
  if (add_path) w.PutU32(nlri.path_id.value_or(0));
  const uint8_t bits = std::min(nlri.prefix.length, nlri.prefix.address.bit_length());
  w.PutU8(bits);
  w.PutBytes(nlri.prefix.address.bytes().first((bits + 7) / 8));
}

size_t PrefixNlriSize(const PrefixNlri& nlri, bool add_path) {
  const uint8_t bits = std::min(nlri.prefix.length, nlri.prefix.address.bit_length());
  return (add_path ? 4 : 0) + 1 + (bits + 7) / 8;
}

}  // namespace evpnd::wire
