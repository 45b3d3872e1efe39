// Reader for MRT dump files (what FRR's `dump bgp`, GoBGP's mrt-dump and BIRD's mrtdump write):
// a sequence of records, each a common header and a body. BGP4MP and BGP4MP_ET records carrying
// BGP messages or peer state changes are decoded; other record types are reported and skipped.
// Standards: RFC 6396 §2-4.4 (MRT, BGP4MP, BGP4MP_ET), RFC 8050 §3 (ADD-PATH subtypes).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "evpn/ip_address.h"

namespace evpnd::wire {

inline constexpr uint16_t kMrtTypeBgp4mp = 16;
inline constexpr uint16_t kMrtTypeBgp4mpEt = 17;

enum Bgp4mpSubtype : uint16_t {
  kBgp4mpStateChange = 0,
  kBgp4mpMessage = 1,
  kBgp4mpMessageAs4 = 4,
  kBgp4mpStateChangeAs4 = 5,
  kBgp4mpMessageLocal = 6,
  kBgp4mpMessageAs4Local = 7,
  kBgp4mpMessageAddPath = 8,
  kBgp4mpMessageAs4AddPath = 9,
  kBgp4mpMessageLocalAddPath = 10,
  kBgp4mpMessageAs4LocalAddPath = 11,
};

struct MrtRecord {
  size_t file_offset = 0;
  uint32_t timestamp = 0;      // seconds since the epoch
  uint32_t microseconds = 0;   // BGP4MP_ET only
  uint16_t type = 0;
  uint16_t subtype = 0;
  // BGP4MP fields; valid when `is_bgp4mp`.
  bool is_bgp4mp = false;
  uint32_t peer_as = 0;
  uint32_t local_as = 0;
  uint16_t interface_index = 0;
  evpn::IpAddress peer_ip;
  evpn::IpAddress local_ip;
  // BGP4MP_STATE_CHANGE(_AS4): RFC 4271 FSM states 1 (Idle) to 6 (Established).
  std::optional<uint16_t> old_state;
  std::optional<uint16_t> new_state;
  // BGP4MP_MESSAGE*: the whole BGP message, header included, and how to read it.
  std::span<const uint8_t> bgp_message;
  bool four_octet_as = false;  // AS4 subtypes
  bool add_path = false;       // RFC 8050 ADDPATH subtypes
  // Why the body was not decoded (unsupported type, malformed body); empty when it was.
  std::string note;
};

class MrtReader {
 public:
  explicit MrtReader(std::span<const uint8_t> file) : file_(file) {}
  // The next record; std::nullopt at the end of the file; an error when a record header is cut
  // short (nothing after it can be trusted). A malformed body is reported in the record's note.
  absl::StatusOr<std::optional<MrtRecord>> Next();

 private:
  std::span<const uint8_t> file_;
  size_t pos_ = 0;
};

}  // namespace evpnd::wire
