// A BGP message as one value, the 19-byte header, stream framing, and the top-level decode and
// encode that dispatch to the per-type codecs.
// Standards: RFC 4271 §4.1 (header), §4.4 (KEEPALIVE), §6.1 (header errors); RFC 8654
// (extended message length); RFC 2918 (ROUTE-REFRESH type 5).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include "absl/strings/string_view.h"
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "bgpd/wire/codec_context.h"
#include "bgpd/wire/decode_outcome.h"
#include "bgpd/wire/notification_message.h"
#include "bgpd/wire/open_message.h"
#include "bgpd/wire/update_message.h"

namespace evpnd::wire {

enum MessageType : uint8_t {
  kMsgOpen = 1,
  kMsgUpdate = 2,
  kMsgNotification = 3,
  kMsgKeepalive = 4,
  kMsgRouteRefresh = 5,
};

struct KeepaliveMessage {
  friend bool operator==(const KeepaliveMessage&, const KeepaliveMessage&) = default;
};

using Message = std::variant<OpenMessage, UpdateMessage, NotificationMessage, KeepaliveMessage,
                             RouteRefreshMessage>;

uint8_t MessageTypeOf(const Message& message);
// "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH", "UNKNOWN".
absl::string_view MessageTypeName(uint8_t type);

// How a byte stream splits into messages. `length` is the length of the first message once its
// header has arrived and is valid; 0 means more bytes are needed. A bad header yields the RFC
// 4271 §6.1 error (the session must be reset: the stream cannot be re-synchronised).
struct FrameCheck {
  size_t length = 0;
  std::optional<WireError> error;
};
FrameCheck CheckFrame(std::span<const uint8_t> buffer, const CodecContext& ctx);

// Decodes exactly one message, header included.
DecodeOutcome<Message> DecodeMessage(std::span<const uint8_t> message, const CodecContext& ctx);
// Encodes one message, header included. Fails if it would exceed ctx.max_message_size or a
// field does not fit its wire width.
absl::StatusOr<std::vector<uint8_t>> EncodeMessage(const Message& message,
                                                   const CodecContext& ctx);

}  // namespace evpnd::wire
