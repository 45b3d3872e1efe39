// libFuzzer target for the BGP message decoder and its JSON printer. The first input byte picks
// the session context (bit 0: 2-octet AS, bit 1: ADD-PATH on every family, bit 2: extended
// message); the rest is one BGP message, header included.
// Invariants: nothing crashes or reads out of bounds (ASan/UBSan), and a message that decodes
// without any error re-encodes to bytes that decode to the same value (a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "bgpd/cli/message_json.h"
#include "bgpd/wire/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evpnd::wire;  // NOLINT
  if (size < 1) return 0;
  CodecContext ctx;
  ctx.four_octet_as = (data[0] & 1) == 0;
  if (data[0] & 2) ctx.add_path = {kIpv4Unicast, kIpv6Unicast, kL2vpnEvpn};
  if (data[0] & 4) ctx.max_message_size = kMaxExtendedMessageSize;
  std::span<const uint8_t> message(data + 1, size - 1);

  DecodeOutcome<Message> first = DecodeMessage(message, ctx);
  (void)evpnd::cli::DecodedMessageToJson(message, first).dump(
      -1, ' ', false, evpnd::cli::Json::error_handler_t::replace);
  if (!first.ok()) return 0;
  absl::StatusOr<std::vector<uint8_t>> again = EncodeMessage(first.value, ctx);
  if (!again.ok()) return 0;  // a re-encoding can legitimately grow past the limit
  DecodeOutcome<Message> second = DecodeMessage(*again, ctx);
  if (!second.ok() || !(second.value == first.value)) std::abort();
  return 0;
}
