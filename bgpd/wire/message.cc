// See message.h.
#include "bgpd/wire/message.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bgpd/wire/notification_codes.h"

namespace evpnd::wire {
namespace {

WireError HeaderError(uint8_t subcode, std::vector<uint8_t> data, std::string message) {
  return WireError{ErrorAction::kSessionReset, kMessageHeaderError, subcode, std::move(data),
                   std::nullopt, std::nullopt, std::move(message)};
}

std::vector<uint8_t> Be16(size_t v) {
  return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

// RFC 4271 §6.1: each type has a minimum (KEEPALIVE an exact) length; ROUTE-REFRESH lengths are
// judged by RFC 7313 §5 in its own decoder.
bool LengthFitsType(uint8_t type, size_t length) {
  switch (type) {
    case kMsgOpen:
      return length >= 29;
    case kMsgUpdate:
      return length >= 23;
    case kMsgNotification:
      return length >= 21;
    case kMsgKeepalive:
      return length == kHeaderSize;
    default:
      return true;
  }
}

template <typename T>
DecodeOutcome<Message> Widen(DecodeOutcome<T>&& in) {
  return DecodeOutcome<Message>{Message(std::move(in.value)), std::move(in.errors)};
}

}  // namespace

uint8_t MessageTypeOf(const Message& message) { return static_cast<uint8_t>(message.index() + 1); }

absl::string_view MessageTypeName(uint8_t type) {
  switch (type) {
    case kMsgOpen:
      return "OPEN";
    case kMsgUpdate:
      return "UPDATE";
    case kMsgNotification:
      return "NOTIFICATION";
    case kMsgKeepalive:
      return "KEEPALIVE";
    case kMsgRouteRefresh:
      return "ROUTE-REFRESH";
    default:
      return "UNKNOWN";
  }
}

FrameCheck CheckFrame(std::span<const uint8_t> buffer, const CodecContext& ctx) {
  FrameCheck check;
  if (buffer.size() < kHeaderSize) return check;
  // RFC 4271 §6.1: the marker must be all ones.
  if (!std::all_of(buffer.begin(), buffer.begin() + 16, [](uint8_t b) { return b == 0xff; })) {
    check.error = HeaderError(kConnectionNotSynchronized, {}, "marker is not all ones");
    return check;
  }
  const size_t length = (size_t{buffer[16]} << 8) | buffer[17];
  const uint8_t type = buffer[18];
  // RFC 8654 §4: OPEN and KEEPALIVE stay within 4096 bytes even with extended messages.
  const size_t max = type == kMsgOpen || type == kMsgKeepalive ? kMaxMessageSize
                                                               : ctx.max_message_size;
  if (length < kHeaderSize || length > max || !LengthFitsType(type, length)) {
    check.error = HeaderError(
        kBadMessageLength, Be16(length),
        absl::StrCat("length ", length, " is invalid for a ", MessageTypeName(type),
                     " message (maximum ", max, ")"));
    return check;
  }
  if (type < kMsgOpen || type > kMsgRouteRefresh) {
    check.error = HeaderError(kBadMessageType, {type}, absl::StrCat("message type ", type,
                                                                    " is not defined"));
    return check;
  }
  check.length = length;
  return check;
}

DecodeOutcome<Message> DecodeMessage(std::span<const uint8_t> message, const CodecContext& ctx) {
  FrameCheck frame = CheckFrame(message, ctx);
  if (message.size() < kHeaderSize) {
    frame.error = HeaderError(kBadMessageLength, Be16(message.size()),
                              absl::StrCat("message of ", message.size(),
                                           " bytes is shorter than the 19-byte header"));
  } else if (!frame.error && frame.length != message.size()) {
    frame.error = HeaderError(
        kBadMessageLength, Be16(frame.length),
        absl::StrCat("header length ", frame.length, " but ", message.size(), " bytes given"));
  }
  if (frame.error) {
    DecodeOutcome<Message> out;
    out.value = KeepaliveMessage{};
    out.errors.push_back(std::move(*frame.error));
    return out;
  }
  std::span<const uint8_t> body = message.subspan(kHeaderSize);
  switch (message[18]) {
    case kMsgOpen:
      return Widen(DecodeOpenBody(body));
    case kMsgUpdate:
      return Widen(DecodeUpdateBody(body, ctx));
    case kMsgNotification:
      return Widen(DecodeNotificationBody(body));
    case kMsgRouteRefresh: {
      DecodeOutcome<Message> out = Widen(DecodeRouteRefreshBody(body));
      // RFC 7313 §5: the Data field carries the complete ROUTE-REFRESH message.
      for (WireError& e : out.errors) e.data.assign(message.begin(), message.end());
      return out;
    }
    default:
      return DecodeOutcome<Message>{KeepaliveMessage{}, {}};
  }
}

absl::StatusOr<std::vector<uint8_t>> EncodeMessage(const Message& message,
                                                   const CodecContext& ctx) {
  std::vector<uint8_t> out;
  out.reserve(kHeaderSize + 64);
  WireWriter w(out);
  for (int i = 0; i < 16; ++i) w.PutU8(0xff);
  const size_t length_at = w.Reserve(2);
  w.PutU8(MessageTypeOf(message));
  struct BodyEncoder {
    const CodecContext& ctx;
    WireWriter& w;
    void operator()(const OpenMessage& m) { EncodeOpenBody(m, w); }
    void operator()(const UpdateMessage& m) { EncodeUpdateBody(m, ctx, w); }
    void operator()(const NotificationMessage& m) { EncodeNotificationBody(m, w); }
    void operator()(const KeepaliveMessage&) {}
    void operator()(const RouteRefreshMessage& m) { EncodeRouteRefreshBody(m, w); }
  };
  std::visit(BodyEncoder{ctx, w}, message);
  if (!w.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        MessageTypeName(MessageTypeOf(message)),
        ": a field is longer than its length field can express (capability or EVPN route over "
        "255 bytes, attribute over 65535)"));
  }
  if (out.size() > ctx.max_message_size) {
    return absl::OutOfRangeError(absl::StrCat(
        MessageTypeName(MessageTypeOf(message)), " of ", out.size(),
        " bytes exceeds the maximum message size ", ctx.max_message_size));
  }
  w.PatchU16(length_at, static_cast<uint16_t>(out.size()));
  return out;
}

}  // namespace evpnd::wire
