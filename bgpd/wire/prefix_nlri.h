// IPv4 and IPv6 unicast NLRI: (length in bits, prefix bytes) pairs, optionally preceded by an
// ADD-PATH path identifier. Used by the UPDATE's own NLRI and Withdrawn Routes fields and by
// MP_REACH_NLRI / MP_UNREACH_NLRI for AFI 1 and 2.
// Standards: RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgpd/wire/wire_reader.h"
#include "evpn/ip_address.h"

namespace evpnd::wire {

struct PrefixNlri {
  std::optional<uint32_t> path_id;
  evpn::IpPrefix prefix;
  friend bool operator==(const PrefixNlri&, const PrefixNlri&) = default;
};

// Decodes every prefix in `bytes`. On error returns what is wrong; `out` then holds the prefixes
// before the bad one.
std::optional<std::string> DecodePrefixNlri(std::span<const uint8_t> bytes, bool ipv6,
                                            bool add_path, std::vector<PrefixNlri>& out);
void EncodePrefixNlri(const PrefixNlri& nlri, bool add_path, WireWriter& w);
// Bytes EncodePrefixNlri writes.
size_t PrefixNlriSize(const PrefixNlri& nlri, bool add_path);

}  // namespace evpnd::wire
