// EVPN NLRI codec: route type (1) | length (1) | route-type-specific bytes, one codec row per
// route type; unknown route types are kept as opaque bytes. With ADD-PATH each NLRI is preceded
// by a 4-byte path identifier.
// Standards: RFC 7432 §7 and §7.1-7.4 (types 1-4), RFC 9136 §3.1 (type 5), RFC 8365 §5.1.3
// (VNI in the label fields), RFC 7911 §3 (path identifier).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgpd/wire/wire_reader.h"
#include "evpn/evpn_route.h"

namespace evpnd::wire {

struct EvpnNlri {
  std::optional<uint32_t> path_id;
  evpn::EvpnRoute route;
  friend bool operator==(const EvpnNlri&, const EvpnNlri&) = default;
};

// Decodes every EVPN NLRI in `bytes`. On error returns what is wrong; `out` then holds the
// routes before the bad one.
std::optional<std::string> DecodeEvpnNlri(std::span<const uint8_t> bytes, bool add_path,
                                          std::vector<EvpnNlri>& out);
void EncodeEvpnNlri(const EvpnNlri& nlri, bool add_path, WireWriter& w);
// Bytes EncodeEvpnNlri writes.
size_t EvpnNlriSize(const EvpnNlri& nlri, bool add_path);

}  // namespace evpnd::wire
