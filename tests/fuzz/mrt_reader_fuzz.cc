// libFuzzer target for the MRT reader followed by the message decoder on every BGP4MP message
// record, as `evpnctl decode --mrt` runs them. Invariant: no crash, no out-of-bounds read, and
// the reader always advances (it terminates).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "bgpd/wire/message.h"
#include "bgpd/wire/mrt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evpnd::wire;  // NOLINT
  MrtReader reader(std::span<const uint8_t>(data, size));
  for (size_t records = 0;; ++records) {
    if (records > size) std::abort();  // every record consumes at least its 12-byte header
    absl::StatusOr<std::optional<MrtRecord>> next = reader.Next();
    if (!next.ok() || !next->has_value()) break;
    const MrtRecord& rec = **next;
    if (rec.bgp_message.empty()) continue;
    CodecContext ctx;
    ctx.four_octet_as = rec.four_octet_as;
    if (rec.add_path) ctx.add_path = {kIpv4Unicast, kIpv6Unicast, kL2vpnEvpn};
    (void)DecodeMessage(rec.bgp_message, ctx);
  }
  return 0;
}
