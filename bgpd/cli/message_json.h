// Renders decoded BGP messages as JSON for people and scripts: every attribute and NLRI field
// under its RFC name, plus each decode error with its NOTIFICATION code/subcode and RFC 7606
// action. Used by `evpnctl decode`; key order follows the wire order.
#pragma once

#include <span>

#include "bgpd/wire/decode_outcome.h"
#include "bgpd/wire/message.h"
#include "bgpd/wire/mrt.h"
#include "nlohmann/json.hpp"

namespace evpnd::cli {

using Json = nlohmann::ordered_json;

Json EvpnRouteToJson(const wire::EvpnNlri& nlri);
Json PathAttributesToJson(const wire::PathAttributes& attributes);
Json MessageToJson(const wire::Message& message);
Json ErrorToJson(const wire::WireError& error);
// {"type": ..., "length": ..., <type>: {...}, "action": ..., "errors": [...]}; for bytes that do
// not frame as a message only the errors.
Json DecodedMessageToJson(std::span<const uint8_t> bytes,
                          const wire::DecodeOutcome<wire::Message>& outcome);
Json MrtRecordToJson(const wire::MrtRecord& record);

}  // namespace evpnd::cli
