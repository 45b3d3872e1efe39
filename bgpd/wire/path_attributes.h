// The path attributes of an UPDATE as one value: a typed field per attribute we know, opaque
// copies of the ones we do not, and the layout (order and flags) they arrived in so that a
// received UPDATE re-encodes to the same bytes.
// Standards: RFC 4271 §4.3 and §5 (ORIGIN ... AGGREGATOR), RFC 1997 (COMMUNITIES), RFC 4456 §8
// (ORIGINATOR_ID, CLUSTER_LIST), RFC 4760 §3-4 (MP_REACH_NLRI, MP_UNREACH_NLRI), RFC 4360
// (EXTENDED_COMMUNITIES), RFC 6793 (AS4_PATH, AS4_AGGREGATOR), RFC 8092 (LARGE_COMMUNITY),
// RFC 6514 §5 (PMSI_TUNNEL), RFC 7606 (error handling), RFC 7911 (ADD-PATH).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include "absl/strings/string_view.h"
#include <vector>

#include "bgpd/wire/as_path.h"
#include "bgpd/wire/codec_context.h"
#include "bgpd/wire/decode_outcome.h"
#include "bgpd/wire/evpn_nlri.h"
#include "bgpd/wire/prefix_nlri.h"
#include "bgpd/wire/wire_reader.h"
#include "evpn/extended_community.h"
#include "evpn/ip_address.h"
#include "evpn/label.h"

namespace evpnd::wire {

// RFC 4271 §4.3 attribute flag bits.
inline constexpr uint8_t kAttrFlagOptional = 0x80;
inline constexpr uint8_t kAttrFlagTransitive = 0x40;
inline constexpr uint8_t kAttrFlagPartial = 0x20;
inline constexpr uint8_t kAttrFlagExtendedLength = 0x10;

enum AttributeType : uint8_t {
  kAttrOrigin = 1,
  kAttrAsPath = 2,
  kAttrNextHop = 3,
  kAttrMultiExitDisc = 4,
  kAttrLocalPref = 5,
  kAttrAtomicAggregate = 6,
  kAttrAggregator = 7,
  kAttrCommunities = 8,
  kAttrOriginatorId = 9,
  kAttrClusterList = 10,
  kAttrMpReachNlri = 14,
  kAttrMpUnreachNlri = 15,
  kAttrExtendedCommunities = 16,
  kAttrAs4Path = 17,
  kAttrAs4Aggregator = 18,
  kAttrPmsiTunnel = 22,
  kAttrLargeCommunity = 32,
};

enum class Origin : uint8_t { kIgp = 0, kEgp = 1, kIncomplete = 2 };

struct Aggregator {
  uint32_t asn = 0;
  uint32_t address = 0;  // IPv4, host order
  friend bool operator==(const Aggregator&, const Aggregator&) = default;
};

// RFC 8092 §3.
struct LargeCommunity {
  uint32_t global_administrator = 0;
  uint32_t local_data1 = 0;
  uint32_t local_data2 = 0;
  friend bool operator==(const LargeCommunity&, const LargeCommunity&) = default;
};

// RFC 6514 §5: Flags (1) | Tunnel Type (1) | MPLS Label (3) | Tunnel Identifier (variable).
struct PmsiTunnel {
  static constexpr uint8_t kLeafInformationRequired = 0x01;
  enum TunnelType : uint8_t {
    kNoTunnelInformation = 0,
    kRsvpTeP2mp = 1,
    kMldpP2mp = 2,
    kPimSsm = 3,
    kPimSm = 4,
    kBidirPim = 5,
    kIngressReplication = 6,  // RFC 7432 §11.2 / RFC 8365 §5.1.3: the VXLAN flood mode
    kMldpMp2mp = 7,
  };
  uint8_t flags = 0;
  uint8_t tunnel_type = kIngressReplication;
  evpn::Label label;  // RFC 8365 §5.1.3: carries the VNI for VXLAN
  std::vector<uint8_t> tunnel_identifier;

  // RFC 6514 §5: for ingress replication the identifier is the unicast tunnel endpoint address.
  std::optional<evpn::IpAddress> TunnelEndpoint() const {
    if (tunnel_type != kIngressReplication) return std::nullopt;
    return evpn::IpAddress::FromBytes(tunnel_identifier);
  }
  static PmsiTunnel IngressReplication(const evpn::IpAddress& endpoint, evpn::Label label) {
    PmsiTunnel t;
    t.label = label;
    t.tunnel_identifier.assign(endpoint.bytes().begin(), endpoint.bytes().end());
    return t;
  }
  friend bool operator==(const PmsiTunnel&, const PmsiTunnel&) = default;
};

// RFC 4760 §3: AFI (2) | SAFI (1) | Length of Next Hop (1) | Next Hop | Reserved (1) | NLRI.
// NLRI of families we do not parse stay as bytes.
struct MpReachNlri {
  AfiSafi family;
  std::vector<uint8_t> next_hop;  // as on the wire: 4, 16 or 32 bytes for the families we know
  uint8_t reserved = 0;           // RFC 4760 §3: must be 0, ignored on receipt
  std::vector<PrefixNlri> prefixes;
  std::vector<EvpnNlri> evpn_routes;
  std::vector<uint8_t> unknown_nlri;

  // The (first, global) next hop address: the VTEP of EVPN routes.
  std::optional<evpn::IpAddress> NextHopAddress() const;
  void SetNextHop(const evpn::IpAddress& address) {
    next_hop.assign(address.bytes().begin(), address.bytes().end());
  }
  friend bool operator==(const MpReachNlri&, const MpReachNlri&) = default;
};

// RFC 4760 §4: AFI (2) | SAFI (1) | Withdrawn Routes.
struct MpUnreachNlri {
  AfiSafi family;
  std::vector<PrefixNlri> prefixes;
  std::vector<EvpnNlri> evpn_routes;
  std::vector<uint8_t> unknown_nlri;
  friend bool operator==(const MpUnreachNlri&, const MpUnreachNlri&) = default;
};

// An attribute we do not recognise, kept with its flags and value.
struct UnknownAttribute {
  uint8_t flags = 0;
  uint8_t type = 0;
  std::vector<uint8_t> value;
  friend bool operator==(const UnknownAttribute&, const UnknownAttribute&) = default;
};

// Where an attribute stood in the received UPDATE and the flags it had, for byte-exact
// re-encoding. Empty layout: canonical order (MP_REACH/MP_UNREACH first as RFC 7606 §5.1 asks,
// then ascending type code) and canonical flags.
struct AttributeLayout {
  uint8_t type = 0;
  uint8_t flags = 0;
  friend bool operator==(const AttributeLayout&, const AttributeLayout&) = default;
};

struct PathAttributes {
  std::optional<Origin> origin;
  std::optional<AsPath> as_path;
  std::optional<uint32_t> next_hop;  // IPv4, host order
  std::optional<uint32_t> multi_exit_disc;
  std::optional<uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::optional<Aggregator> aggregator;
  std::optional<std::vector<uint32_t>> communities;
  std::optional<uint32_t> originator_id;
  std::optional<std::vector<uint32_t>> cluster_list;
  std::optional<MpReachNlri> mp_reach;
  std::optional<MpUnreachNlri> mp_unreach;
  std::optional<std::vector<evpn::ExtendedCommunity>> extended_communities;
  std::optional<AsPath> as4_path;
  std::optional<Aggregator> as4_aggregator;
  std::optional<PmsiTunnel> pmsi_tunnel;
  std::optional<std::vector<LargeCommunity>> large_communities;
  std::vector<UnknownAttribute> unknown;

  // Filled by decoding; not part of equality.
  std::vector<AttributeLayout> layout;

  friend bool operator==(const PathAttributes& a, const PathAttributes& b);
};

// RFC 4271 §5: before passing attributes on, unrecognised optional transitive attributes get
// the Partial bit and unrecognised non-transitive ones are dropped. The layout is cleared, since
// the result is no longer what was received.
PathAttributes PrepareForPropagation(PathAttributes attributes);

// The registry name of an attribute type ("ORIGIN", "MP_REACH_NLRI", ...), or "UNKNOWN".
absl::string_view AttributeTypeName(uint8_t type);

// Decodes the Path Attributes field of an UPDATE. Errors are appended to `errors` with their
// RFC 7606 action; the returned attributes hold everything that could be kept.
PathAttributes DecodePathAttributes(std::span<const uint8_t> bytes, const CodecContext& ctx,
                                    std::vector<WireError>& errors);
// Appends the encoded attributes.
void EncodePathAttributes(const PathAttributes& attributes, const CodecContext& ctx,
                          WireWriter& w);

}  // namespace evpnd::wire
