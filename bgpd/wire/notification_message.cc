// See notification_message.h.
#include "bgpd/wire/notification_message.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "bgpd/wire/notification_codes.h"
#include "bgpd/wire/utf8.h"

namespace evpnd::wire {
std::optional<std::string> NotificationMessage::ShutdownCommunication() const {
  if (code != kCease || (subcode != kAdministrativeShutdown && subcode != kAdministrativeReset) ||
      data.empty()) {
    return std::nullopt;
  }
  const size_t length = data[0];
  // RFC 9003 §2: a length beyond the data makes the communication invalid (it is then ignored).
  if (length + 1 > data.size()) return std::nullopt;
  std::span<const uint8_t> text(data.data() + 1, length);
  if (!IsUtf8(absl::string_view(reinterpret_cast<const char*>(text.data()), text.size()))) {
    return std::nullopt;
  }
  return std::string(text.begin(), text.end());
}

NotificationMessage NotificationMessage::Shutdown(uint8_t subcode, absl::string_view communication) {
  NotificationMessage n{kCease, subcode, {}};
  // RFC 9003 §2: at most 255 bytes.
  const size_t length = std::min<size_t>(communication.size(), 255);
  n.data.resize(1 + length);
  n.data[0] = static_cast<uint8_t>(length);
  std::copy(communication.begin(), communication.begin() + length, n.data.begin() + 1);
  return n;
}

DecodeOutcome<NotificationMessage> DecodeNotificationBody(std::span<const uint8_t> body) {
  DecodeOutcome<NotificationMessage> out;
  WireReader r(body);
  if (!r.ReadU8(out.value.code) || !r.ReadU8(out.value.subcode)) {
    const uint16_t length = static_cast<uint16_t>(body.size() + kHeaderSize);
    out.errors.push_back(WireError{ErrorAction::kSessionReset, kMessageHeaderError,
                                   kBadMessageLength,
                                   {static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)},
                                   std::nullopt, std::nullopt,
                                   "NOTIFICATION shorter than its 21-byte minimum"});
    return out;
  }
  std::span<const uint8_t> data = r.ReadRest();
  out.value.data.assign(data.begin(), data.end());
  return out;
}

void EncodeNotificationBody(const NotificationMessage& n, WireWriter& w) {
  w.PutU8(n.code);
  w.PutU8(n.subcode);
  w.PutBytes(n.data);
}

DecodeOutcome<RouteRefreshMessage> DecodeRouteRefreshBody(std::span<const uint8_t> body) {
  DecodeOutcome<RouteRefreshMessage> out;
  RouteRefreshMessage& rr = out.value;
  WireReader r(body);
  // RFC 7313 §5: a ROUTE-REFRESH shorter than 23 bytes, or a BoRR/EoRR longer than 23, gets
  // ROUTE-REFRESH Message Error / Invalid Message Length with the message as data.
  bool ok = r.ReadU16(rr.family.afi) && r.ReadU8(rr.subtype) && r.ReadU8(rr.family.safi);
  if (ok && rr.subtype != RouteRefreshMessage::kNormal && !r.empty()) ok = false;
  if (!ok) {
    out.errors.push_back(WireError{
        ErrorAction::kSessionReset, kRouteRefreshMessageError, kInvalidMessageLength,
        {body.begin(), body.end()}, std::nullopt, std::nullopt,
        absl::StrCat("ROUTE-REFRESH of ", body.size() + kHeaderSize,
                     " bytes (23 expected for subtype ", rr.subtype, ")")});
    return out;
  }
  std::span<const uint8_t> orf = r.ReadRest();
  rr.orf_entries.assign(orf.begin(), orf.end());
  return out;
}

void EncodeRouteRefreshBody(const RouteRefreshMessage& rr, WireWriter& w) {
  w.PutU16(rr.family.afi);
  w.PutU8(rr.subtype);
  w.PutU8(rr.family.safi);
  w.PutBytes(rr.orf_entries);
}

}  // namespace evpnd::wire
