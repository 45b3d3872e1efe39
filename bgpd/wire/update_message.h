// UPDATE message: IPv4 withdrawn routes, path attributes, IPv4 NLRI; other families travel in
// MP_REACH_NLRI / MP_UNREACH_NLRI inside the attributes. An UPDATE with neither NLRI nor
// attributes is an End-of-RIB marker for IPv4 unicast; one with only an empty MP_UNREACH_NLRI is
// the marker for that family.
// Standards: RFC 4271 §4.3 and §6.3, RFC 7606, RFC 4760, RFC 4724 §2 (End-of-RIB), RFC 7911.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "bgpd/wire/codec_context.h"
#include "bgpd/wire/decode_outcome.h"
#include "bgpd/wire/path_attributes.h"
#include "bgpd/wire/prefix_nlri.h"
#include "bgpd/wire/wire_reader.h"

namespace evpnd::wire {

struct UpdateMessage {
  std::vector<PrefixNlri> withdrawn_routes;  // IPv4 unicast
  PathAttributes attributes;
  std::vector<PrefixNlri> nlri;  // IPv4 unicast

  // RFC 4724 §2: the End-of-RIB marker's family, if this UPDATE is one.
  std::optional<AfiSafi> EndOfRibFamily() const;
  static UpdateMessage EndOfRib(AfiSafi family);
  friend bool operator==(const UpdateMessage&, const UpdateMessage&) = default;
};

// `body` is the message without its 19-byte header.
DecodeOutcome<UpdateMessage> DecodeUpdateBody(std::span<const uint8_t> body,
                                              const CodecContext& ctx);
void EncodeUpdateBody(const UpdateMessage& update, const CodecContext& ctx, WireWriter& w);

}  // namespace evpnd::wire
