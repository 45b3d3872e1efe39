// NOTIFICATION and ROUTE-REFRESH messages.
// Standards: RFC 4271 §4.5, RFC 9003 (shutdown communication, obsoletes RFC 8203), RFC 2918 §3
// and RFC 7313 §3 and §5 (ROUTE-REFRESH, its subtypes and errors).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgpd/wire/codec_context.h"
#include "bgpd/wire/decode_outcome.h"
#include "bgpd/wire/wire_reader.h"

namespace evpnd::wire {

struct NotificationMessage {
  uint8_t code = 0;
  uint8_t subcode = 0;
  std::vector<uint8_t> data;

  // RFC 9003 §2: for Cease / Administrative Shutdown or Administrative Reset, the data may be a
  // length octet and that many bytes of UTF-8: the operator's shutdown communication.
  std::optional<std::string> ShutdownCommunication() const;
  static NotificationMessage Shutdown(uint8_t subcode, absl::string_view communication);
  friend bool operator==(const NotificationMessage&, const NotificationMessage&) = default;
};

struct RouteRefreshMessage {
  enum Subtype : uint8_t {
    kNormal = 0,            // RFC 2918
    kBeginningOfRefresh = 1,  // RFC 7313 BoRR
    kEndOfRefresh = 2,        // RFC 7313 EoRR
  };
  AfiSafi family;
  uint8_t subtype = kNormal;
  std::vector<uint8_t> orf_entries;  // RFC 5291 ORF data after the fixed fields, kept as bytes
  friend bool operator==(const RouteRefreshMessage&, const RouteRefreshMessage&) = default;
};

DecodeOutcome<NotificationMessage> DecodeNotificationBody(std::span<const uint8_t> body);
void EncodeNotificationBody(const NotificationMessage& n, WireWriter& w);
DecodeOutcome<RouteRefreshMessage> DecodeRouteRefreshBody(std::span<const uint8_t> body);
void EncodeRouteRefreshBody(const RouteRefreshMessage& rr, WireWriter& w);

}  // namespace evpnd::wire
