// See mrt.h.
#include "bgpd/wire/mrt.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bgpd/wire/wire_reader.h"

namespace evpnd::wire {
namespace {

bool IsAs4(uint16_t subtype) {
  return subtype == kBgp4mpMessageAs4 || subtype == kBgp4mpStateChangeAs4 ||
         subtype == kBgp4mpMessageAs4Local || subtype == kBgp4mpMessageAs4AddPath ||
         subtype == kBgp4mpMessageAs4LocalAddPath;
}
bool IsAddPath(uint16_t subtype) { return subtype >= kBgp4mpMessageAddPath && subtype <= 11; }
bool IsStateChange(uint16_t subtype) {
  return subtype == kBgp4mpStateChange || subtype == kBgp4mpStateChangeAs4;
}
bool IsMessage(uint16_t subtype) {
  return (subtype >= kBgp4mpMessage && subtype <= 11 && !IsStateChange(subtype) && subtype != 2 &&
          subtype != 3);
}

// RFC 6396 §4.4.1: Peer AS | Local AS | Interface Index | Address Family | Peer IP | Local IP.
std::optional<std::string> ReadBgp4mp(WireReader& r, MrtRecord& rec) {
  const bool as4 = IsAs4(rec.subtype);
  if (as4) {
    if (!r.ReadU32(rec.peer_as) || !r.ReadU32(rec.local_as)) return "AS fields truncated";
  } else {
    uint16_t peer = 0;
    uint16_t local = 0;
    if (!r.ReadU16(peer) || !r.ReadU16(local)) return "AS fields truncated";
    rec.peer_as = peer;
    rec.local_as = local;
  }
  uint16_t afi = 0;
  if (!r.ReadU16(rec.interface_index) || !r.ReadU16(afi)) return "header fields truncated";
  if (afi != 1 && afi != 2) return absl::StrCat("address family ", afi, " is not IPv4 or IPv6");
  const size_t size = afi == 1 ? 4 : 16;
  std::span<const uint8_t> peer_ip;
  std::span<const uint8_t> local_ip;
  if (!r.ReadBytes(size, peer_ip) || !r.ReadBytes(size, local_ip)) return "addresses truncated";
  rec.peer_ip = *evpn::IpAddress::FromBytes(peer_ip);
  rec.local_ip = *evpn::IpAddress::FromBytes(local_ip);
  rec.is_bgp4mp = true;
  rec.four_octet_as = as4;
  rec.add_path = IsAddPath(rec.subtype);
  if (IsStateChange(rec.subtype)) {
    uint16_t old_state = 0;
    uint16_t new_state = 0;
    if (!r.ReadU16(old_state) || !r.ReadU16(new_state)) return "states truncated";
    rec.old_state = old_state;
    rec.new_state = new_state;
    return std::nullopt;
  }
  rec.bgp_message = r.ReadRest();
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::optional<MrtRecord>> MrtReader::Next() {
  if (pos_ == file_.size()) return std::nullopt;
  WireReader r(file_.subspan(pos_));
  MrtRecord rec;
  rec.file_offset = pos_;
  uint32_t length = 0;
  // RFC 6396 §2: Timestamp (4) | Type (2) | Subtype (2) | Length (4), Length excluding the
  // header.
  if (!r.ReadU32(rec.timestamp) || !r.ReadU16(rec.type) || !r.ReadU16(rec.subtype) ||
      !r.ReadU32(length)) {
    return absl::DataLossError(
        absl::StrCat("MRT record header at offset ", pos_, " is truncated"));
  }
  WireReader body(std::span<const uint8_t>{});
  if (!r.ReadSub(length, body)) {
    return absl::DataLossError(absl::StrCat("MRT record at offset ", pos_, " claims ", length,
                                            " bytes but only ", r.remaining(), " remain"));
  }
  pos_ += 12 + length;
  if (rec.type != kMrtTypeBgp4mp && rec.type != kMrtTypeBgp4mpEt) {
    rec.note = absl::StrCat("MRT type ", rec.type, " is not BGP4MP; skipped");
    return rec;
  }
  // RFC 6396 §3: the _ET types carry a microsecond timestamp, counted in Length.
  if (rec.type == kMrtTypeBgp4mpEt && !body.ReadU32(rec.microseconds)) {
    rec.note = "BGP4MP_ET record too short for its microsecond timestamp";
    return rec;
  }
  if (!IsMessage(rec.subtype) && !IsStateChange(rec.subtype)) {
    rec.note = absl::StrCat("BGP4MP subtype ", rec.subtype, " is not supported; skipped");
    return rec;
  }
  if (auto err = ReadBgp4mp(body, rec)) rec.note = absl::StrCat("malformed BGP4MP record: ", *err);
  return rec;
}

}  // namespace evpnd::wire
