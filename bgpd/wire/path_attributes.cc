// See path_attributes.h. The attribute table has one row per attribute type: expected flags, the
// RFC 7606 reaction to a malformed value, and the value's decoder and encoder. The driver below
// the table does the per-attribute framing, flag checks, duplicate handling and ordering.
#include "bgpd/wire/path_attributes.h"

#include <algorithm>
#include <array>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "bgpd/wire/notification_codes.h"

namespace evpnd::wire {
namespace {

// What a value decoder found wrong. kNone as action means "the row's default action".
struct AttrError {
  AttrError(uint8_t subcode, std::string message, ErrorAction action = ErrorAction::kNone,
            std::optional<AfiSafi> family = std::nullopt)
      : subcode(subcode), message(std::move(message)), action(action), family(family) {}
  uint8_t subcode;
  std::string message;
  ErrorAction action;
  std::optional<AfiSafi> family;
};
using AttrResult = std::optional<AttrError>;

AttrError LengthError(size_t length, absl::string_view expected) {
  return {kAttributeLengthError, absl::StrCat("length ", length, ", expected ", expected)};
}

// ---- value decoders and encoders, one pair per attribute ----

AttrResult DecodeOrigin(WireReader& v, const CodecContext&, PathAttributes& a) {
  uint8_t origin = 0;
  if (v.remaining() != 1 || !v.ReadU8(origin)) return LengthError(v.remaining(), "1");
  // RFC 7606 §7.1: an undefined ORIGIN value is malformed (treat-as-withdraw).
  if (origin > 2) return AttrError{kInvalidOriginAttribute, absl::StrCat("undefined value ", origin)};
  a.origin = static_cast<Origin>(origin);
  return std::nullopt;
}
void EncodeOrigin(const PathAttributes& a, const CodecContext&, WireWriter& w) {
  w.PutU8(static_cast<uint8_t>(*a.origin));
}

// RFC 4271 §4.3: segments of (type, number of ASes, ASes). RFC 7606 §7.2: a segment with an
// undefined type, zero length, or overrunning the attribute makes it malformed.
AttrResult DecodeAsPathValue(WireReader& v, bool four_octet, AsPath& path) {
  while (!v.empty()) {
    AsPathSegment segment;
    uint8_t count = 0;
    if (!v.ReadU8(segment.type) || !v.ReadU8(count)) {
      return AttrError{kMalformedAsPath, "segment header truncated"};
    }
    if (segment.type < AsPathSegment::kAsSet || segment.type > AsPathSegment::kAsConfedSet) {
      return AttrError{kMalformedAsPath, absl::StrCat("undefined segment type ", segment.type)};
    }
    if (count == 0) return AttrError{kMalformedAsPath, "segment of zero length"};
    if (v.remaining() < size_t{count} * (four_octet ? 4 : 2)) {
      return AttrError{kMalformedAsPath,
                       absl::StrCat("segment of ", count, " ASes overruns the attribute",
                                    four_octet ? "" : " (2-octet AS session)")};
    }
    segment.asns.reserve(count);
    for (int i = 0; i < count; ++i) {
      uint32_t asn = 0;
      uint16_t asn16 = 0;
      if (four_octet) {
        v.ReadU32(asn);
      } else {
        v.ReadU16(asn16);
        asn = asn16;
      }
      segment.asns.push_back(asn);
    }
    path.segments.push_back(std::move(segment));
  }
  return std::nullopt;
}
void EncodeAsPathValue(const AsPath& path, bool four_octet, WireWriter& w) {
  for (const AsPathSegment& s : path.segments) {
    // A segment holds at most 255 ASes; longer lists continue in further segments.
    for (size_t start = 0; start < s.asns.size() || start == 0; start += 255) {
      const size_t n = std::min<size_t>(255, s.asns.size() - start);
      w.PutU8(s.type);
      w.PutU8(static_cast<uint8_t>(n));
      for (size_t i = start; i < start + n; ++i) {
        if (four_octet) {
          w.PutU32(s.asns[i]);
        } else {
          // RFC 6793 §4.2.2: an AS above 65535 is replaced by AS_TRANS on a 2-octet session.
          w.PutU16(static_cast<uint16_t>(s.asns[i] > 0xffff ? kAsTrans : s.asns[i]));
        }
      }
      if (s.asns.empty()) break;
    }
  }
}

AttrResult DecodeAsPath(WireReader& v, const CodecContext& ctx, PathAttributes& a) {
  AsPath path;
  if (auto err = DecodeAsPathValue(v, ctx.four_octet_as, path)) return err;
  a.as_path = std::move(path);
  return std::nullopt;
}
void EncodeAsPath(const PathAttributes& a, const CodecContext& ctx, WireWriter& w) {
  EncodeAsPathValue(*a.as_path, ctx.four_octet_as, w);
}

AttrResult DecodeAs4Path(WireReader& v, const CodecContext&, PathAttributes& a) {
  AsPath path;
  if (auto err = DecodeAsPathValue(v, /*four_octet=*/true, path)) return err;
  // RFC 6793 §6: confederation segments must not appear in AS4_PATH.
  for (const AsPathSegment& s : path.segments) {
    if (s.type == AsPathSegment::kAsConfedSequence || s.type == AsPathSegment::kAsConfedSet) {
      return AttrError{kMalformedAsPath, "confederation segment in AS4_PATH"};
    }
  }
  a.as4_path = std::move(path);
  return std::nullopt;
}
void EncodeAs4Path(const PathAttributes& a, const CodecContext&, WireWriter& w) {
  EncodeAsPathValue(*a.as4_path, /*four_octet=*/true, w);
}

// A 4-byte value attribute (NEXT_HOP, MED, LOCAL_PREF, ORIGINATOR_ID).
template <std::optional<uint32_t> PathAttributes::*kField>
AttrResult DecodeU32(WireReader& v, const CodecContext&, PathAttributes& a) {
  uint32_t value = 0;
  if (v.remaining() != 4 || !v.ReadU32(value)) return LengthError(v.remaining(), "4");
  a.*kField = value;
  return std::nullopt;
}
template <std::optional<uint32_t> PathAttributes::*kField>
void EncodeU32(const PathAttributes& a, const CodecContext&, WireWriter& w) {
  w.PutU32(*(a.*kField));
}

AttrResult DecodeAtomicAggregate(WireReader& v, const CodecContext&, PathAttributes& a) {
  // RFC 7606 §7.6: a non-zero length makes it malformed (attribute discard).
  if (!v.empty()) return LengthError(v.remaining(), "0");
  a.atomic_aggregate = true;
  return std::nullopt;
}
void EncodeNothing(const PathAttributes&, const CodecContext&, WireWriter&) {}

AttrResult DecodeAggregatorValue(WireReader& v, bool four_octet, Aggregator& out) {
  const size_t want = four_octet ? 8 : 6;
  if (v.remaining() != want) return LengthError(v.remaining(), four_octet ? "8" : "6");
  if (four_octet) {
    v.ReadU32(out.asn);
  } else {
    uint16_t asn = 0;
    v.ReadU16(asn);
    out.asn = asn;
  }
  v.ReadU32(out.address);
  return std::nullopt;
}

AttrResult DecodeAggregator(WireReader& v, const CodecContext& ctx, PathAttributes& a) {
  // RFC 7606 §7.7: length other than 6 (2-octet AS) or 8 (4-octet AS): attribute discard.
  Aggregator agg;
  if (auto err = DecodeAggregatorValue(v, ctx.four_octet_as, agg)) return err;
  a.aggregator = agg;
  return std::nullopt;
}
void EncodeAggregator(const PathAttributes& a, const CodecContext& ctx, WireWriter& w) {
  if (ctx.four_octet_as) {
    w.PutU32(a.aggregator->asn);
  } else {
    w.PutU16(static_cast<uint16_t>(a.aggregator->asn > 0xffff ? kAsTrans : a.aggregator->asn));
  }
  w.PutU32(a.aggregator->address);
}

AttrResult DecodeAs4Aggregator(WireReader& v, const CodecContext&, PathAttributes& a) {
  Aggregator agg;
  if (auto err = DecodeAggregatorValue(v, /*four_octet=*/true, agg)) return err;
  a.as4_aggregator = agg;
  return std::nullopt;
}
void EncodeAs4Aggregator(const PathAttributes& a, const CodecContext&, WireWriter& w) {
  w.PutU32(a.as4_aggregator->asn);
  w.PutU32(a.as4_aggregator->address);
}

// A list of 4-byte values (COMMUNITIES, CLUSTER_LIST). RFC 7606 §7.8 and §7.10: malformed
// unless the length is a non-zero multiple of 4.
template <std::optional<std::vector<uint32_t>> PathAttributes::*kField>
AttrResult DecodeU32List(WireReader& v, const CodecContext&, PathAttributes& a) {
  if (v.empty() || v.remaining() % 4 != 0) {
    return LengthError(v.remaining(), "a non-zero multiple of 4");
  }
  std::vector<uint32_t> values(v.remaining() / 4);
  for (uint32_t& value : values) v.ReadU32(value);
  a.*kField = std::move(values);
  return std::nullopt;
}
template <std::optional<std::vector<uint32_t>> PathAttributes::*kField>
void EncodeU32List(const PathAttributes& a, const CodecContext&, WireWriter& w) {
  for (uint32_t value : *(a.*kField)) w.PutU32(value);
}

// RFC 7606 §7.14: malformed unless the length is a non-zero multiple of 8.
AttrResult DecodeExtendedCommunities(WireReader& v, const CodecContext&, PathAttributes& a) {
  if (v.empty() || v.remaining() % 8 != 0) {
    return LengthError(v.remaining(), "a non-zero multiple of 8");
  }
  std::vector<evpn::ExtendedCommunity> communities;
  communities.reserve(v.remaining() / 8);
  std::array<uint8_t, 8> bytes;
  while (v.ReadArray(bytes)) communities.push_back(evpn::ExtendedCommunityFromBytes(bytes));
  a.extended_communities = std::move(communities);
  return std::nullopt;
}
void EncodeExtendedCommunities(const PathAttributes& a, const CodecContext&, WireWriter& w) {
  for (const evpn::ExtendedCommunity& c : *a.extended_communities) {
    w.PutBytes(evpn::ExtendedCommunityToBytes(c));
  }
}

// RFC 8092 §6: malformed unless the length is a non-zero multiple of 12 (treat-as-withdraw).
AttrResult DecodeLargeCommunities(WireReader& v, const CodecContext&, PathAttributes& a) {
  if (v.empty() || v.remaining() % 12 != 0) {
    return LengthError(v.remaining(), "a non-zero multiple of 12");
  }
  std::vector<LargeCommunity> communities(v.remaining() / 12);
  for (LargeCommunity& c : communities) {
    v.ReadU32(c.global_administrator);
    v.ReadU32(c.local_data1);
    v.ReadU32(c.local_data2);
  }
  a.large_communities = std::move(communities);
  return std::nullopt;
}
void EncodeLargeCommunities(const PathAttributes& a, const CodecContext&, WireWriter& w) {
  for (const LargeCommunity& c : *a.large_communities) {
    w.PutU32(c.global_administrator);
    w.PutU32(c.local_data1);
    w.PutU32(c.local_data2);
  }
}

// RFC 6514 §5. For ingress replication the identifier must be an IPv4 or IPv6 address.
AttrResult DecodePmsiTunnel(WireReader& v, const CodecContext&, PathAttributes& a) {
  PmsiTunnel t;
  // The length is checked before anything is read, so that the error names the whole of it.
  if (v.remaining() < 5) return LengthError(v.remaining(), "at least 5");
  if (!v.ReadU8(t.flags) || !v.ReadU8(t.tunnel_type) || !v.ReadU24(t.label.raw)) {
    return LengthError(v.remaining(), "at least 5");
  }
  std::span<const uint8_t> id = v.ReadRest();
  if (t.tunnel_type == PmsiTunnel::kIngressReplication && id.size() != 4 && id.size() != 16) {
    return AttrError{kOptionalAttributeError,
                     absl::StrCat("ingress replication tunnel identifier of ", id.size(),
                                  " bytes is not an IPv4 or IPv6 address")};
  }
  t.tunnel_identifier.assign(id.begin(), id.end());
  a.pmsi_tunnel = std::move(t);
  return std::nullopt;
}
void EncodePmsiTunnel(const PathAttributes& a, const CodecContext&, WireWriter& w) {
  w.PutU8(a.pmsi_tunnel->flags);
  w.PutU8(a.pmsi_tunnel->tunnel_type);
  w.PutU24(a.pmsi_tunnel->label.raw);
  w.PutBytes(a.pmsi_tunnel->tunnel_identifier);
}

// ---- MP_REACH_NLRI / MP_UNREACH_NLRI ----

enum class NlriKind { kPrefixV4, kPrefixV6, kEvpn, kUnknown };

NlriKind KindOf(AfiSafi family) {
  if (family == kIpv4Unicast) return NlriKind::kPrefixV4;
  if (family == kIpv6Unicast) return NlriKind::kPrefixV6;
  if (family == kL2vpnEvpn) return NlriKind::kEvpn;
  return NlriKind::kUnknown;
}

// RFC 7606 §7.11: a next hop length the family does not allow is an AFI/SAFI-level error.
bool NextHopLengthValid(NlriKind kind, size_t length) {
  switch (kind) {
    case NlriKind::kPrefixV4:
      return length == 4 || length == 16 || length == 32;  // RFC 8950 allows IPv6 next hops
    case NlriKind::kPrefixV6:
      return length == 16 || length == 32;
    case NlriKind::kEvpn:
      return length == 4 || length == 16;
    case NlriKind::kUnknown:
      return true;
  }
  return true;
}

std::optional<std::string> DecodeNlriField(std::span<const uint8_t> bytes, AfiSafi family,
                                           const CodecContext& ctx,
                                           std::vector<PrefixNlri>& prefixes,
                                           std::vector<EvpnNlri>& evpn_routes,
                                           std::vector<uint8_t>& unknown) {
  const bool add_path = ctx.HasAddPath(family);
  switch (KindOf(family)) {
    case NlriKind::kPrefixV4:
      return DecodePrefixNlri(bytes, /*ipv6=*/false, add_path, prefixes);
    case NlriKind::kPrefixV6:
      return DecodePrefixNlri(bytes, /*ipv6=*/true, add_path, prefixes);
    case NlriKind::kEvpn:
      return DecodeEvpnNlri(bytes, add_path, evpn_routes);
    case NlriKind::kUnknown:
      // RFC 4760 §7 leaves families a speaker did not negotiate to be ignored; keep the bytes.
      unknown.assign(bytes.begin(), bytes.end());
      return std::nullopt;
  }
  return std::nullopt;
}

void EncodeNlriField(AfiSafi family, const CodecContext& ctx,
                     const std::vector<PrefixNlri>& prefixes,
                     const std::vector<EvpnNlri>& evpn_routes,
                     const std::vector<uint8_t>& unknown, WireWriter& w) {
  const bool add_path = ctx.HasAddPath(family);
  for (const PrefixNlri& p : prefixes) EncodePrefixNlri(p, add_path, w);
  for (const EvpnNlri& e : evpn_routes) EncodeEvpnNlri(e, add_path, w);
  w.PutBytes(unknown);
}

AttrResult NlriError(AfiSafi family, const std::string& what) {
  // RFC 4760 §7 / RFC 7606 §5.3: NLRI that cannot be parsed cannot be withdrawn one by one; the
  // family is disabled (or the session reset), with "Optional Attribute Error".
  return AttrError{kOptionalAttributeError, absl::StrCat(AfiSafiName(family), " NLRI: ", what),
                   ErrorAction::kAfiSafiDisable, family};
}

bool ReadFamily(WireReader& v, AfiSafi& family) { return v.ReadU16(family.afi) && v.ReadU8(family.safi); }

AttrResult DecodeMpReach(WireReader& v, const CodecContext& ctx, PathAttributes& a) {
  MpReachNlri mp;
  // RFC 7606 §7.11: if even the AFI/SAFI cannot be read, only a session reset is left.
  if (!ReadFamily(v, mp.family)) {
    return AttrError{kAttributeLengthError, "too short to hold AFI and SAFI",
                     ErrorAction::kSessionReset};
  }
  uint8_t nh_length = 0;
  std::span<const uint8_t> next_hop;
  if (!v.ReadU8(nh_length) || !v.ReadBytes(nh_length, next_hop) || !v.ReadU8(mp.reserved)) {
    return NlriError(mp.family, "next hop overruns the attribute");
  }
  if (!NextHopLengthValid(KindOf(mp.family), nh_length)) {
    return NlriError(mp.family, absl::StrCat("next hop length ", nh_length,
                                             " does not fit the address family"));
  }
  mp.next_hop.assign(next_hop.begin(), next_hop.end());
  if (auto err = DecodeNlriField(v.ReadRest(), mp.family, ctx, mp.prefixes, mp.evpn_routes,
                                 mp.unknown_nlri)) {
    return NlriError(mp.family, *err);
  }
  a.mp_reach = std::move(mp);
  return std::nullopt;
}
void EncodeMpReach(const PathAttributes& a, const CodecContext& ctx, WireWriter& w) {
  const MpReachNlri& mp = *a.mp_reach;
  w.PutU16(mp.family.afi);
  w.PutU8(mp.family.safi);
  if (mp.next_hop.size() > 0xff) w.Fail();
  w.PutU8(static_cast<uint8_t>(mp.next_hop.size()));
  w.PutBytes(mp.next_hop);
  w.PutU8(mp.reserved);
  EncodeNlriField(mp.family, ctx, mp.prefixes, mp.evpn_routes, mp.unknown_nlri, w);
}

AttrResult DecodeMpUnreach(WireReader& v, const CodecContext& ctx, PathAttributes& a) {
  MpUnreachNlri mp;
  if (!ReadFamily(v, mp.family)) {
    return AttrError{kAttributeLengthError, "too short to hold AFI and SAFI",
                     ErrorAction::kSessionReset};
  }
  if (auto err = DecodeNlriField(v.ReadRest(), mp.family, ctx, mp.prefixes, mp.evpn_routes,
                                 mp.unknown_nlri)) {
    return NlriError(mp.family, *err);
  }
  a.mp_unreach = std::move(mp);
  return std::nullopt;
}
void EncodeMpUnreach(const PathAttributes& a, const CodecContext& ctx, WireWriter& w) {
  const MpUnreachNlri& mp = *a.mp_unreach;
  w.PutU16(mp.family.afi);
  w.PutU8(mp.family.safi);
  EncodeNlriField(mp.family, ctx, mp.prefixes, mp.evpn_routes, mp.unknown_nlri, w);
}

// ---- the table ----

using DecodeFn = AttrResult (*)(WireReader& value, const CodecContext& ctx, PathAttributes& a);
using EncodeFn = void (*)(const PathAttributes& a, const CodecContext& ctx, WireWriter& w);
using PresentFn = bool (*)(const PathAttributes& a);

struct AttributeCodec {
  uint8_t type;
  absl::string_view name;
  uint8_t flags;               // expected Optional and Transitive bits
  ErrorAction on_malformed;    // RFC 7606 §7 reaction to a malformed value
  DecodeFn decode;
  EncodeFn encode;
  PresentFn present;
};

template <auto kField>
bool Has(const PathAttributes& a) {
  return (a.*kField).has_value();
}
bool HasAtomicAggregate(const PathAttributes& a) { return a.atomic_aggregate; }

constexpr uint8_t kWellKnown = kAttrFlagTransitive;
constexpr uint8_t kOptional = kAttrFlagOptional;
constexpr uint8_t kOptionalTransitive = kAttrFlagOptional | kAttrFlagTransitive;
using PA = PathAttributes;

// Rows in ascending type code. Actions: RFC 7606 §7.1-7.14, RFC 6793 §6, RFC 8092 §6.
constexpr std::array<AttributeCodec, 17> kAttributeTable = {{
    {kAttrOrigin, "ORIGIN", kWellKnown, ErrorAction::kTreatAsWithdraw, DecodeOrigin, EncodeOrigin,
     Has<&PA::origin>},
    {kAttrAsPath, "AS_PATH", kWellKnown, ErrorAction::kTreatAsWithdraw, DecodeAsPath,
     EncodeAsPath, Has<&PA::as_path>},
    {kAttrNextHop, "NEXT_HOP", kWellKnown, ErrorAction::kTreatAsWithdraw,
     DecodeU32<&PA::next_hop>, EncodeU32<&PA::next_hop>, Has<&PA::next_hop>},
    {kAttrMultiExitDisc, "MULTI_EXIT_DISC", kOptional, ErrorAction::kTreatAsWithdraw,
     DecodeU32<&PA::multi_exit_disc>, EncodeU32<&PA::multi_exit_disc>, Has<&PA::multi_exit_disc>},
    {kAttrLocalPref, "LOCAL_PREF", kWellKnown, ErrorAction::kTreatAsWithdraw,
     DecodeU32<&PA::local_pref>, EncodeU32<&PA::local_pref>, Has<&PA::local_pref>},
    {kAttrAtomicAggregate, "ATOMIC_AGGREGATE", kWellKnown, ErrorAction::kAttributeDiscard,
     DecodeAtomicAggregate, EncodeNothing, HasAtomicAggregate},
    {kAttrAggregator, "AGGREGATOR", kOptionalTransitive, ErrorAction::kAttributeDiscard,
     DecodeAggregator, EncodeAggregator, Has<&PA::aggregator>},
    {kAttrCommunities, "COMMUNITIES", kOptionalTransitive, ErrorAction::kTreatAsWithdraw,
     DecodeU32List<&PA::communities>, EncodeU32List<&PA::communities>, Has<&PA::communities>},
    {kAttrOriginatorId, "ORIGINATOR_ID", kOptional, ErrorAction::kTreatAsWithdraw,
     DecodeU32<&PA::originator_id>, EncodeU32<&PA::originator_id>, Has<&PA::originator_id>},
    {kAttrClusterList, "CLUSTER_LIST", kOptional, ErrorAction::kTreatAsWithdraw,
     DecodeU32List<&PA::cluster_list>, EncodeU32List<&PA::cluster_list>, Has<&PA::cluster_list>},
    {kAttrMpReachNlri, "MP_REACH_NLRI", kOptional, ErrorAction::kAfiSafiDisable, DecodeMpReach,
     EncodeMpReach, Has<&PA::mp_reach>},
    {kAttrMpUnreachNlri, "MP_UNREACH_NLRI", kOptional, ErrorAction::kAfiSafiDisable,
     DecodeMpUnreach, EncodeMpUnreach, Has<&PA::mp_unreach>},
    {kAttrExtendedCommunities, "EXTENDED_COMMUNITIES", kOptionalTransitive,
     ErrorAction::kTreatAsWithdraw, DecodeExtendedCommunities, EncodeExtendedCommunities,
     Has<&PA::extended_communities>},
    {kAttrAs4Path, "AS4_PATH", kOptionalTransitive, ErrorAction::kAttributeDiscard, DecodeAs4Path,
     EncodeAs4Path, Has<&PA::as4_path>},
    {kAttrAs4Aggregator, "AS4_AGGREGATOR", kOptionalTransitive, ErrorAction::kAttributeDiscard,
     DecodeAs4Aggregator, EncodeAs4Aggregator, Has<&PA::as4_aggregator>},
    {kAttrPmsiTunnel, "PMSI_TUNNEL", kOptionalTransitive, ErrorAction::kTreatAsWithdraw,
     DecodePmsiTunnel, EncodePmsiTunnel, Has<&PA::pmsi_tunnel>},
    {kAttrLargeCommunity, "LARGE_COMMUNITY", kOptionalTransitive, ErrorAction::kTreatAsWithdraw,
     DecodeLargeCommunities, EncodeLargeCommunities, Has<&PA::large_communities>},
}};

const AttributeCodec* FindAttribute(uint8_t type) {
  for (const AttributeCodec& row : kAttributeTable) {
    if (row.type == type) return &row;
  }
  return nullptr;
}

// ---- the driver ----

std::vector<uint8_t> Copy(std::span<const uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

struct AttributeDecoder {
  const CodecContext& ctx;
  std::vector<WireError>& errors;
  PathAttributes attrs;
  std::array<bool, 256> seen{};

  void Error(ErrorAction action, uint8_t subcode, std::vector<uint8_t> data,
             std::optional<uint8_t> type, std::string message,
             std::optional<AfiSafi> family = std::nullopt) {
    errors.push_back(WireError{action, kUpdateMessageError, subcode, std::move(data), type, family,
                               std::move(message)});
  }

  // One attribute: flags, type and value already framed; `whole` is the attribute as received
  // (flags, type, length, value), the NOTIFICATION data RFC 4271 §6.3 asks for.
  void One(uint8_t flags, uint8_t type, std::span<const uint8_t> value,
           std::span<const uint8_t> whole) {
    const AttributeCodec* row = FindAttribute(type);
    const std::string name = row ? std::string(row->name) : absl::StrCat("attribute ", type);
    if (seen[type]) {
      // RFC 7606 §3 (g): a repeated MP_REACH/MP_UNREACH resets the session; any other repeated
      // attribute is discarded after its first occurrence.
      if (type == kAttrMpReachNlri || type == kAttrMpUnreachNlri) {
        Error(ErrorAction::kSessionReset, kMalformedAttributeList, {}, type,
              absl::StrCat(name, " appears more than once"));
      } else {
        Error(ErrorAction::kAttributeDiscard, kMalformedAttributeList, {}, type,
              absl::StrCat(name, " appears more than once; later copies discarded"));
      }
      return;
    }
    seen[type] = true;
    attrs.layout.push_back({type, flags});
    if (row == nullptr) {
      Unrecognized(flags, type, value, whole);
      return;
    }
    // RFC 7606 §3 (c): Optional or Transitive bits in conflict with the attribute's definition
    // make it malformed, handled by the attribute's own rule.
    const uint8_t kind_bits = flags & (kAttrFlagOptional | kAttrFlagTransitive);
    if (kind_bits != row->flags) {
      std::optional<AfiSafi> family;
      ErrorAction action = row->on_malformed;
      if (action == ErrorAction::kAfiSafiDisable) {
        // The family to disable is in the value; without it only a session reset is left.
        WireReader v(value);
        AfiSafi f;
        if (v.ReadU16(f.afi) && v.ReadU8(f.safi)) {
          family = f;
        } else {
          action = ErrorAction::kSessionReset;
        }
      }
      Error(action, kAttributeFlagsError, Copy(whole), type,
            absl::StrCat(name, ": flags 0x", absl::Hex(flags), " conflict with its definition"),
            family);
      return;
    }
    WireReader r(value);
    if (AttrResult err = row->decode(r, ctx, attrs)) {
      const ErrorAction action = err->action == ErrorAction::kNone ? row->on_malformed : err->action;
      Error(action, err->subcode, Copy(whole), type, absl::StrCat(name, ": ", err->message),
            err->family);
    }
  }

  void Unrecognized(uint8_t flags, uint8_t type, std::span<const uint8_t> value,
                    std::span<const uint8_t> whole) {
    // RFC 4271 §6.3: an unrecognized well-known attribute resets the session.
    if ((flags & kAttrFlagOptional) == 0) {
      Error(ErrorAction::kSessionReset, kUnrecognizedWellKnownAttribute, Copy(whole), type,
            absl::StrCat("unrecognized well-known attribute ", type));
      return;
    }
    attrs.unknown.push_back(UnknownAttribute{flags, type, Copy(value)});
  }
};

void PutAttribute(uint8_t flags, uint8_t type, std::span<const uint8_t> value, WireWriter& w) {
  // RFC 4271 §4.3: the Extended Length bit selects a 2-byte length; needed above 255 bytes.
  const bool extended = (flags & kAttrFlagExtendedLength) != 0 || value.size() > 255;
  flags = extended ? (flags | kAttrFlagExtendedLength) : (flags & ~kAttrFlagExtendedLength);
  if (value.size() > 0xffff) w.Fail();
  w.PutU8(flags);
  w.PutU8(type);
  if (extended) {
    w.PutU16(static_cast<uint16_t>(value.size()));
  } else {
    w.PutU8(static_cast<uint8_t>(value.size()));
  }
  w.PutBytes(value);
}

}  // namespace

std::optional<evpn::IpAddress> MpReachNlri::NextHopAddress() const {
  if (next_hop.size() == 32) return evpn::IpAddress::FromBytes(std::span(next_hop).first(16));
  return evpn::IpAddress::FromBytes(next_hop);
}

bool operator==(const PathAttributes& a, const PathAttributes& b) {
  auto tie = [](const PathAttributes& p) {
    return std::tie(p.origin, p.as_path, p.next_hop, p.multi_exit_disc, p.local_pref,
                    p.atomic_aggregate, p.aggregator, p.communities, p.originator_id,
                    p.cluster_list, p.mp_reach, p.mp_unreach, p.extended_communities, p.as4_path,
                    p.as4_aggregator, p.pmsi_tunnel, p.large_communities, p.unknown);
  };
  return tie(a) == tie(b);
}

PathAttributes PrepareForPropagation(PathAttributes attributes) {
  std::vector<UnknownAttribute> kept;
  for (UnknownAttribute& u : attributes.unknown) {
    if ((u.flags & kAttrFlagTransitive) == 0) continue;
    u.flags |= kAttrFlagPartial;
    kept.push_back(std::move(u));
  }
  attributes.unknown = std::move(kept);
  attributes.layout.clear();
  return attributes;
}

absl::string_view AttributeTypeName(uint8_t type) {
  const AttributeCodec* row = FindAttribute(type);
  return row ? row->name : "UNKNOWN";
}

PathAttributes DecodePathAttributes(std::span<const uint8_t> bytes, const CodecContext& ctx,
                                    std::vector<WireError>& errors) {
  AttributeDecoder d{ctx, errors, {}, {}};
  WireReader r(bytes);
  while (!r.empty()) {
    const size_t start = r.offset();
    uint8_t flags = 0;
    uint8_t type = 0;
    uint16_t length = 0;
    uint8_t length8 = 0;
    bool header_ok = r.ReadU8(flags) && r.ReadU8(type);
    if (header_ok) {
      header_ok = (flags & kAttrFlagExtendedLength) ? r.ReadU16(length) : r.ReadU8(length8);
      if ((flags & kAttrFlagExtendedLength) == 0) length = length8;
    }
    std::span<const uint8_t> value;
    if (!header_ok || !r.ReadBytes(length, value)) {
      // RFC 7606 §4: an attribute that overruns the path attributes field, or fewer bytes left
      // than an attribute header: treat-as-withdraw, with the Total Path Attribute Length still
      // locating the NLRI.
      d.Error(ErrorAction::kTreatAsWithdraw, kAttributeLengthError, {}, std::nullopt,
              absl::StrCat("path attribute at offset ", start,
                           header_ok ? absl::StrCat(" (type ", type, ", length ", length,
                                                    ") overruns the path attributes field")
                                     : " is truncated in its header"));
      break;
    }
    d.One(flags, type, value, bytes.subspan(start, r.offset() - start));
  }
  return std::move(d.attrs);
}

void EncodePathAttributes(const PathAttributes& attributes, const CodecContext& ctx,
                          WireWriter& w) {
  std::array<bool, 256> done{};
  std::vector<uint8_t> value;
  auto emit_known = [&](const AttributeCodec& row, uint8_t flags) {
    value.clear();
    WireWriter vw(value);
    row.encode(attributes, ctx, vw);
    if (!vw.ok()) w.Fail();
    PutAttribute(flags, row.type, value, w);
    done[row.type] = true;
  };
  auto emit_unknown = [&](const UnknownAttribute& u) {
    PutAttribute(u.flags, u.type, u.value, w);
    done[u.type] = true;
  };
  // The received layout first: same order, same flags.
  for (const AttributeLayout& l : attributes.layout) {
    if (done[l.type]) continue;
    if (const AttributeCodec* row = FindAttribute(l.type)) {
      if (row->present(attributes)) emit_known(*row, l.flags);
      continue;
    }
    for (const UnknownAttribute& u : attributes.unknown) {
      if (u.type == l.type) {
        emit_unknown(u);
        break;
      }
    }
  }
  // Then the canonical order for the rest: RFC 7606 §5.1 "MP_REACH_NLRI or MP_UNREACH_NLRI
  // attribute SHOULD be encoded as the very first path attribute", then ascending type code.
  for (uint8_t first : {kAttrMpReachNlri, kAttrMpUnreachNlri}) {
    const AttributeCodec& row = *FindAttribute(first);
    if (!done[first] && row.present(attributes)) emit_known(row, row.flags);
  }
  std::vector<const UnknownAttribute*> unknown;
  for (const UnknownAttribute& u : attributes.unknown) unknown.push_back(&u);
  std::sort(unknown.begin(), unknown.end(),
            [](const auto* x, const auto* y) { return x->type < y->type; });
  auto next_unknown = unknown.begin();
  for (const AttributeCodec& row : kAttributeTable) {
    for (; next_unknown != unknown.end() && (*next_unknown)->type < row.type; ++next_unknown) {
      if (!done[(*next_unknown)->type]) emit_unknown(**next_unknown);
    }
    if (!done[row.type] && row.present(attributes)) emit_known(row, row.flags);
  }
  for (; next_unknown != unknown.end(); ++next_unknown) {
    if (!done[(*next_unknown)->type]) emit_unknown(**next_unknown);
  }
}

}  // namespace evpnd::wire
