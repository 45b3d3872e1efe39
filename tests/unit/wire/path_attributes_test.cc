// Unit tests for the path attribute codec (bgpd/wire/path_attributes.h). Round trips of every
// attribute against hand-written canonical bytes (RFC 4271 §4.3 and §5: ORIGIN ... AGGREGATOR on
// 4- and 2-octet sessions; RFC 1997 COMMUNITIES; RFC 4456 ORIGINATOR_ID and CLUSTER_LIST; RFC
// 4760 §3-4 MP_REACH/MP_UNREACH; RFC 4360 EXTENDED_COMMUNITIES; RFC 6793 AS4_PATH and
// AS4_AGGREGATOR; RFC 6514 §5 PMSI_TUNNEL with ingress replication and the VNI in its label as in
// RFC 8365 §5.1.3; RFC 8092 LARGE_COMMUNITY; unknown attributes), canonical ordering (RFC 7606
// §5.1), order/flag preservation for byte-exact re-encoding, the RFC 4271 §5 propagation rules,
// and each RFC 7606 §7 error reaction (attribute discard, treat-as-withdraw, AFI/SAFI disable,
// session reset) with the NOTIFICATION subcode and data RFC 4271 §6.3 gives.
#include "bgpd/wire/path_attributes.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bgpd/wire/notification_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/hex_bytes.h"

namespace evpnd::wire {
namespace {

using test::Hex;

CodecContext TwoOctet() {
  CodecContext ctx;
  ctx.four_octet_as = false;
  return ctx;
}

struct Decoded {
  PathAttributes attrs;
  std::vector<WireError> errors;
};
Decoded Decode(const std::string& hex, const CodecContext& ctx = {}) {
  Decoded d;
  d.attrs = DecodePathAttributes(Hex(hex), ctx, d.errors);
  return d;
}
std::vector<uint8_t> Encode(const PathAttributes& a, const CodecContext& ctx = {}) {
  std::vector<uint8_t> out;
  WireWriter w(out);
  EncodePathAttributes(a, ctx, w);
  return out;
}

// A type-3 route 192.0.2.1:100 [3]:[0]:[32]:[192.0.2.1] (RFC 7432 §7.3), 19 bytes with header.
const char kImet[] = "03 11 00 01 c0 00 02 01 00 64 00 00 00 00 20 c0 00 02 01";
EvpnNlri ImetRoute() {
  return {std::nullopt, evpn::InclusiveMulticastEthernetTagRoute{
                            *evpn::RouteDistinguisher::Parse("192.0.2.1:100"), 0,
                            *evpn::IpAddress::Parse("192.0.2.1")}};
}

// Every attribute, in canonical order: MP_REACH, MP_UNREACH, then ascending type code, with two
// unknown optional transitive attributes (20 and 40) falling into their places.
const std::string kAllCanonical = std::string("80 0e 1c 00 19 46 04 c0 00 02 01 00 ") + kImet +
                                  " 80 0f 16 00 19 46 " + kImet +
                                  " 40 01 01 02"  // ORIGIN
                                  " 40 02 10 02 02 00 00 fd e9 00 00 fd ea 01 01 00 00 fd eb"
                                  " 40 03 04 c0 00 02 01"              // NEXT_HOP
                                  " 80 04 04 00 00 00 64"              // MED
                                  " 40 05 04 00 00 00 c8"              // LOCAL_PREF
                                  " 40 06 00"                          // ATOMIC_AGG
                                  " c0 07 08 00 00 fd e9 c0 00 02 01"  // AGGREGATOR
                                  " c0 08 08 fd e8 00 01 ff ff ff 01"  // COMMUNITIES
                                  " 80 09 04 0a 00 00 01"              // ORIGINATOR
                                  " 80 0a 08 0a 00 00 02 0a 00 00 03"  // CLUSTER
                                  " c0 10 10 00 02 fd e8 00 00 27 74 03 0c 00 00 00 00 00 08"
                                  " c0 11 06 02 01 fa 56 ea 00"                    // AS4_PATH
                                  " c0 12 08 fa 56 ea 00 c0 00 02 01"              // AS4_AGG
                                  " c0 14 02 aa bb"                                // unknown 20
                                  " c0 16 09 00 06 00 27 74 c0 00 02 01"           // PMSI
                                  " c0 20 0c 00 00 fd e8 00 00 00 01 00 00 00 02"  // LARGE
                                  " c0 28 03 01 02 03";                            // unknown 40

PathAttributes AllAttributes() {
  PathAttributes a;
  MpReachNlri reach;
  reach.family = kL2vpnEvpn;
  reach.SetNextHop(*evpn::IpAddress::Parse("192.0.2.1"));
  reach.evpn_routes = {ImetRoute()};
  a.mp_reach = reach;
  a.mp_unreach = MpUnreachNlri{kL2vpnEvpn, {}, {ImetRoute()}, {}};
  a.origin = Origin::kIncomplete;
  a.as_path =
      AsPath{{{AsPathSegment::kAsSequence, {65001, 65002}}, {AsPathSegment::kAsSet, {65003}}}};
  a.next_hop = 0xc0000201u;
  a.multi_exit_disc = 100;
  a.local_pref = 200;
  a.atomic_aggregate = true;
  a.aggregator = Aggregator{65001, 0xc0000201u};
  a.communities = std::vector<uint32_t>{0xfde80001u, 0xffffff01u};
  a.originator_id = 0x0a000001u;
  a.cluster_list = std::vector<uint32_t>{0x0a000002u, 0x0a000003u};
  a.extended_communities = std::vector<evpn::ExtendedCommunity>{
      evpn::RouteTarget::ForVni(65000, 10100), evpn::EncapsulationExtendedCommunity{}};
  a.as4_path = AsPath{{{AsPathSegment::kAsSequence, {4200000000u}}}};
  a.as4_aggregator = Aggregator{4200000000u, 0xc0000201u};
  a.pmsi_tunnel = PmsiTunnel::IngressReplication(*evpn::IpAddress::Parse("192.0.2.1"),
                                                 evpn::Label::FromVni(10100));
  a.large_communities = std::vector<LargeCommunity>{{65000, 1, 2}};
  a.unknown = {UnknownAttribute{0xc0, 20, {0xaa, 0xbb}}, UnknownAttribute{0xc0, 40, {1, 2, 3}}};
  return a;
}

TEST(PathAttributesTest, EveryAttributeDecodesFromCanonicalBytes) {
  Decoded d = Decode(kAllCanonical);
  ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
  EXPECT_TRUE(d.attrs == AllAttributes());
  EXPECT_EQ(d.attrs.layout.size(), 19u);
  ASSERT_TRUE(d.attrs.pmsi_tunnel.has_value());
  EXPECT_EQ(d.attrs.pmsi_tunnel->label.vni(), 10100u);
  EXPECT_EQ(d.attrs.pmsi_tunnel->TunnelEndpoint(), evpn::IpAddress::Parse("192.0.2.1").value());
  EXPECT_EQ(d.attrs.mp_reach->NextHopAddress(), evpn::IpAddress::Parse("192.0.2.1").value());
}

TEST(PathAttributesTest, EveryAttributeEncodesToCanonicalBytes) {
  // No layout: canonical order and flags, independent of any decoded input.
  EXPECT_EQ(Encode(AllAttributes()), Hex(kAllCanonical));
}

TEST(PathAttributesTest, TwoOctetAsSession) {
  const std::string hex =
      "40 02 06 02 02 fd e9 5b a0"               // AS_PATH 65001 AS_TRANS
      " c0 07 06 5b a0 c0 00 02 01"              // AGGREGATOR AS_TRANS 192.0.2.1
      " c0 11 0a 02 02 00 00 fd e9 fa 56 ea 00"  // AS4_PATH 65001 4200000000
      " c0 12 08 fa 56 ea 00 c0 00 02 01";       // AS4_AGGREGATOR
  Decoded d = Decode(hex, TwoOctet());
  ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
  EXPECT_EQ(d.attrs.as_path->segments[0].asns, (std::vector<uint32_t>{65001, kAsTrans}));
  EXPECT_EQ(d.attrs.aggregator->asn, kAsTrans);
  EXPECT_EQ(d.attrs.as4_path->segments[0].asns, (std::vector<uint32_t>{65001, 4200000000u}));
  EXPECT_EQ(Encode(d.attrs, TwoOctet()), Hex(hex));
  // RFC 6793 §4.2.2: encoding a 4-octet AS on a 2-octet session writes AS_TRANS (0x5ba0).
  PathAttributes a;
  a.as_path = AsPath{{{AsPathSegment::kAsSequence, {4200000000u, 65001}}}};
  a.aggregator = Aggregator{4200000000u, 0xc0000201u};
  EXPECT_EQ(Encode(a, TwoOctet()), Hex("40 02 06 02 02 5b a0 fd e9 c0 07 06 5b a0 c0 00 02 01"));
}

TEST(PathAttributesTest, LongValueGetsExtendedLength) {
  PathAttributes a;
  a.communities = std::vector<uint32_t>(70, 0xfde80001u);  // 280 bytes
  const std::vector<uint8_t> bytes = Encode(a);
  ASSERT_EQ(bytes.size(), 4u + 280u);
  EXPECT_EQ(bytes[0], 0xd0);  // optional, transitive, extended length
  EXPECT_EQ(bytes[1], 8);
  EXPECT_EQ(bytes[2], 0x01);
  EXPECT_EQ(bytes[3], 0x18);
  std::vector<WireError> errors;
  EXPECT_TRUE(DecodePathAttributes(bytes, {}, errors) == a);
  EXPECT_TRUE(errors.empty());
}

TEST(PathAttributesTest, LongAsPathSplitsIntoSegmentsOf255) {
  PathAttributes a;
  std::vector<uint32_t> asns;
  for (uint32_t i = 1; i <= 300; ++i) asns.push_back(i);
  a.as_path = AsPath{{{AsPathSegment::kAsSequence, asns}}};
  const std::vector<uint8_t> bytes = Encode(a);
  // Extended length: 2 + 255*4 + 2 + 45*4 = 1204 = 0x04b4.
  ASSERT_EQ(bytes.size(), 4u + 1204u);
  EXPECT_EQ(bytes[0], 0x50);
  EXPECT_EQ(bytes[2], 0x04);
  EXPECT_EQ(bytes[3], 0xb4);
  EXPECT_EQ(bytes[4], 2);
  EXPECT_EQ(bytes[5], 255);
  EXPECT_EQ(bytes[4 + 2 + 255 * 4 + 1], 45);
  std::vector<WireError> errors;
  PathAttributes back = DecodePathAttributes(bytes, {}, errors);
  ASSERT_TRUE(errors.empty());
  ASSERT_EQ(back.as_path->segments.size(), 2u);
  EXPECT_EQ(back.as_path->Length(), 300u);
}

TEST(PathAttributesTest, ReceivedOrderAndFlagsReEncodeByteExact) {
  // Non-canonical order, MP_REACH with the extended-length bit on a 28-byte value (as FRR sends
  // it), a Partial bit on COMMUNITIES and an unknown attribute with extended length.
  const std::string hex = std::string("40 01 01 00 40 02 06 02 01 00 00 fd e9") +
                          " e0 08 04 fd e8 00 01" + " 90 0e 00 1c 00 19 46 04 c0 00 02 01 00 " +
                          kImet + " d0 28 00 02 01 02" + " c0 10 08 00 02 fd e8 00 00 27 74";
  Decoded d = Decode(hex);
  ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
  EXPECT_EQ(Encode(d.attrs), Hex(hex));
  // Without the layout, canonical order and flags.
  PathAttributes canonical = d.attrs;
  canonical.layout.clear();
  EXPECT_EQ(Encode(canonical), Hex(std::string("80 0e 1c 00 19 46 04 c0 00 02 01 00 ") + kImet +
                                   " 40 01 01 00 40 02 06 02 01 00 00 fd e9 c0 08 04 fd e8 00 01"
                                   " c0 10 08 00 02 fd e8 00 00 27 74 d0 28 00 02 01 02"));
  EXPECT_TRUE(canonical == d.attrs);  // layout is not part of equality
}

TEST(PathAttributesTest, LayoutSkipsAttributesRemovedSinceDecoding) {
  Decoded d = Decode("40 01 01 00 80 04 04 00 00 00 64 40 05 04 00 00 00 c8");
  ASSERT_TRUE(d.errors.empty());
  d.attrs.multi_exit_disc.reset();
  d.attrs.next_hop = 0x0a000001u;  // added: goes after the layout's attributes
  EXPECT_EQ(Encode(d.attrs), Hex("40 01 01 00 40 05 04 00 00 00 c8 40 03 04 0a 00 00 01"));
}

TEST(PathAttributesTest, PrepareForPropagation) {
  Decoded d = Decode("40 01 01 00 c0 63 02 01 02 80 64 01 ff e0 65 01 07 80 04 04 00 00 00 05");
  ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
  ASSERT_EQ(d.attrs.unknown.size(), 3u);
  PathAttributes out = PrepareForPropagation(d.attrs);
  EXPECT_TRUE(out.layout.empty());
  // RFC 4271 §5: optional transitive kept with Partial set; optional non-transitive dropped.
  ASSERT_EQ(out.unknown.size(), 2u);
  EXPECT_EQ(out.unknown[0], (UnknownAttribute{0xe0, 0x63, {1, 2}}));
  EXPECT_EQ(out.unknown[1], (UnknownAttribute{0xe0, 0x65, {7}}));
  EXPECT_EQ(out.multi_exit_disc, 5u);  // recognised attributes are untouched here
  EXPECT_EQ(Encode(out), Hex("40 01 01 00 80 04 04 00 00 00 05 e0 63 02 01 02 e0 65 01 07"));
}

TEST(PathAttributesTest, UnknownFamilyNlriKeptAsBytes) {
  // AFI 1 / SAFI 128 (VPNv4) is not parsed: next hop and NLRI are kept as received.
  const std::string hex =
      "80 0e 14 00 01 80 0c 00 00 00 00 00 00 00 00 c0 00 02 01 00 aa bb cc"
      " 80 0f 05 00 01 80 dd ee";
  Decoded d = Decode(hex);
  ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
  EXPECT_EQ(d.attrs.mp_reach->family, (AfiSafi{1, 128}));
  EXPECT_EQ(d.attrs.mp_reach->next_hop.size(), 12u);
  EXPECT_EQ(d.attrs.mp_reach->unknown_nlri, Hex("aa bb cc"));
  EXPECT_EQ(d.attrs.mp_unreach->unknown_nlri, Hex("dd ee"));
  EXPECT_EQ(Encode(d.attrs), Hex(hex));
}

TEST(PathAttributesTest, Ipv6UnicastMpReachWithLinkLocalNextHop) {
  const std::string nh =
      "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"
      " fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01";
  const std::string hex = "80 0e 2e 00 02 01 20 " + nh + " 00 40 20 01 0d b8 00 01 00 00";
  Decoded d = Decode(hex);
  ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
  EXPECT_EQ(d.attrs.mp_reach->NextHopAddress(), evpn::IpAddress::Parse("2001:db8::1").value());
  ASSERT_EQ(d.attrs.mp_reach->prefixes.size(), 1u);
  EXPECT_EQ(d.attrs.mp_reach->prefixes[0].prefix.ToString(), "2001:db8:1::/64");
  EXPECT_EQ(Encode(d.attrs), Hex(hex));
}

TEST(PathAttributesTest, AddPathInMpReach) {
  CodecContext ctx;
  ctx.add_path = {kL2vpnEvpn};
  const std::string hex = std::string("80 0e 20 00 19 46 04 c0 00 02 01 00 00 00 00 07 ") + kImet;
  std::vector<WireError> errors;
  PathAttributes a = DecodePathAttributes(Hex(hex), ctx, errors);
  ASSERT_TRUE(errors.empty());
  ASSERT_EQ(a.mp_reach->evpn_routes.size(), 1u);
  EXPECT_EQ(a.mp_reach->evpn_routes[0].path_id, 7u);
  EXPECT_EQ(Encode(a, ctx), Hex(hex));
}

// ---- RFC 7606 error handling ----

// Decodes one attribute that must produce exactly one error; checks it.
void ExpectError(const std::string& hex, ErrorAction action, uint8_t subcode,
                 const CodecContext& ctx = {}, bool data_is_attribute = true) {
  SCOPED_TRACE(hex);
  Decoded d = Decode(hex, ctx);
  ASSERT_EQ(d.errors.size(), 1u);
  const WireError& e = d.errors[0];
  EXPECT_EQ(e.action, action) << ErrorActionName(e.action) << ": " << e.message;
  EXPECT_EQ(e.code, kUpdateMessageError);
  EXPECT_EQ(e.subcode, subcode) << e.message;
  // RFC 4271 §6.3: the Data field holds the erroneous attribute (type, length and value).
  if (data_is_attribute) {
    EXPECT_EQ(e.data, Hex(hex));
  }
  const std::vector<uint8_t> bytes = Hex(hex);
  if (bytes.size() >= 2) {
    EXPECT_EQ(e.attribute_type, bytes[1]);
  }
  EXPECT_FALSE(e.message.empty());
}

TEST(PathAttributesErrorTest, FlagsConflict) {
  ExpectError("c0 01 01 00", ErrorAction::kTreatAsWithdraw, kAttributeFlagsError);  // ORIGIN opt
  ExpectError("00 02 00", ErrorAction::kTreatAsWithdraw, kAttributeFlagsError);     // AS_PATH
  ExpectError("40 04 04 00 00 00 01", ErrorAction::kTreatAsWithdraw, kAttributeFlagsError);
  ExpectError("80 06 00", ErrorAction::kAttributeDiscard, kAttributeFlagsError);
  ExpectError("40 07 08 00 00 fd e9 c0 00 02 01", ErrorAction::kAttributeDiscard,
              kAttributeFlagsError);
  ExpectError("80 08 04 fd e8 00 01", ErrorAction::kTreatAsWithdraw, kAttributeFlagsError);
  ExpectError("80 20 0c 00 00 fd e8 00 00 00 01 00 00 00 02", ErrorAction::kTreatAsWithdraw,
              kAttributeFlagsError);
  // The Partial and Extended Length bits are not part of the check.
  EXPECT_TRUE(Decode("60 01 01 00").errors.empty());
  EXPECT_TRUE(Decode("50 01 00 01 00").errors.empty());
}

TEST(PathAttributesErrorTest, WellKnownAttributeValues) {
  ExpectError("40 01 02 00 00", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("40 01 00", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("40 01 01 03", ErrorAction::kTreatAsWithdraw, kInvalidOriginAttribute);
  ExpectError("40 03 05 c0 00 02 01 00", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("40 03 03 c0 00 02", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("80 04 03 00 00 01", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("40 05 00", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("40 06 01 00", ErrorAction::kAttributeDiscard, kAttributeLengthError);
}

TEST(PathAttributesErrorTest, AsPath) {
  ExpectError("40 02 06 05 01 00 00 fd e9", ErrorAction::kTreatAsWithdraw, kMalformedAsPath);
  ExpectError("40 02 06 00 01 00 00 fd e9", ErrorAction::kTreatAsWithdraw, kMalformedAsPath);
  ExpectError("40 02 02 02 00", ErrorAction::kTreatAsWithdraw, kMalformedAsPath);
  ExpectError("40 02 06 02 02 00 00 fd e9", ErrorAction::kTreatAsWithdraw, kMalformedAsPath);
  ExpectError("40 02 01 02", ErrorAction::kTreatAsWithdraw, kMalformedAsPath);
  // A 4-octet AS_PATH read on a 2-octet session: AS 0, then segment type 0xfd.
  ExpectError("40 02 06 02 01 00 00 fd e9", ErrorAction::kTreatAsWithdraw, kMalformedAsPath,
              TwoOctet());
  // And a 2-octet one read on a 4-octet session overruns.
  ExpectError("40 02 06 02 02 fd e9 fd ea", ErrorAction::kTreatAsWithdraw, kMalformedAsPath);
  EXPECT_TRUE(Decode("40 02 06 02 02 fd e9 fd ea", TwoOctet()).errors.empty());
  // An empty AS_PATH (iBGP origination) is valid.
  Decoded d = Decode("40 02 00");
  EXPECT_TRUE(d.errors.empty());
  EXPECT_TRUE(d.attrs.as_path.has_value());
  EXPECT_TRUE(d.attrs.as_path->segments.empty());
}

TEST(PathAttributesErrorTest, AggregatorLengthDependsOnSession) {
  ExpectError("c0 07 06 fd e9 c0 00 02 01", ErrorAction::kAttributeDiscard, kAttributeLengthError);
  ExpectError("c0 07 08 00 00 fd e9 c0 00 02 01", ErrorAction::kAttributeDiscard,
              kAttributeLengthError, TwoOctet());
  EXPECT_TRUE(Decode("c0 07 06 fd e9 c0 00 02 01", TwoOctet()).errors.empty());
  ExpectError("c0 12 06 fd e9 c0 00 02 01", ErrorAction::kAttributeDiscard, kAttributeLengthError,
              TwoOctet());
}

TEST(PathAttributesErrorTest, ListLengthsMustBeNonZeroMultiples) {
  ExpectError("c0 08 00", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("c0 08 06 fd e8 00 01 00 00", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("80 0a 00", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("80 0a 05 0a 00 00 02 00", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("c0 10 00", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("c0 10 0c 00 02 fd e8 00 00 27 74 00 00 00 00", ErrorAction::kTreatAsWithdraw,
              kAttributeLengthError);
  ExpectError("c0 20 00", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  ExpectError("c0 20 08 00 00 fd e8 00 00 00 01", ErrorAction::kTreatAsWithdraw,
              kAttributeLengthError);
  ExpectError("80 09 03 0a 00 00", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
}

TEST(PathAttributesErrorTest, As4AttributesAreDiscarded) {
  ExpectError("c0 11 02 02 00", ErrorAction::kAttributeDiscard, kMalformedAsPath);
  ExpectError("c0 11 06 07 01 00 00 fd e9", ErrorAction::kAttributeDiscard, kMalformedAsPath);
  // RFC 6793 §6: confederation segments in AS4_PATH.
  ExpectError("c0 11 06 03 01 00 00 fd e9", ErrorAction::kAttributeDiscard, kMalformedAsPath);
  ExpectError("c0 11 06 04 01 00 00 fd e9", ErrorAction::kAttributeDiscard, kMalformedAsPath);
}

TEST(PathAttributesErrorTest, PmsiTunnel) {
  ExpectError("c0 16 04 00 06 00 27", ErrorAction::kTreatAsWithdraw, kAttributeLengthError);
  // The message names the attribute's whole length, not what was left after a partial read.
  EXPECT_THAT(Decode("c0 16 02 00 06").errors[0].message, ::testing::HasSubstr("length 2"));
  ExpectError("c0 16 0a 00 06 00 27 74 c0 00 02 01 01", ErrorAction::kTreatAsWithdraw,
              kOptionalAttributeError);
  // Other tunnel types carry identifiers of their own shapes.
  EXPECT_TRUE(Decode("c0 16 05 00 00 00 00 00").errors.empty());
  EXPECT_TRUE(Decode("c0 16 0a 00 03 00 00 00 c0 00 02 01 e8").errors.empty());
}

TEST(PathAttributesErrorTest, MpReachAndUnreach) {
  // Too short for AFI/SAFI: nothing is known about the family, so the session is reset.
  ExpectError("80 0e 02 00 19", ErrorAction::kSessionReset, kAttributeLengthError);
  ExpectError("80 0f 01 00", ErrorAction::kSessionReset, kAttributeLengthError);
  // RFC 7606 §7.11: a next hop length EVPN does not allow disables the family.
  const std::string bad_nh = "80 0e 0a 00 19 46 05 c0 00 02 01 02 00";
  ExpectError(bad_nh, ErrorAction::kAfiSafiDisable, kOptionalAttributeError);
  EXPECT_EQ(Decode(bad_nh).errors[0].family, kL2vpnEvpn);
  ExpectError("80 0e 06 00 19 46 10 c0 00", ErrorAction::kAfiSafiDisable, kOptionalAttributeError);
  ExpectError("80 0e 09 00 01 01 03 c0 00 02 00 00", ErrorAction::kAfiSafiDisable,
              kOptionalAttributeError);
  // Malformed EVPN NLRI in MP_REACH (IP length 24) and MP_UNREACH (overrun).
  const std::string bad_reach =
      "80 0e 18 00 19 46 04 c0 00 02 01 00 03 0d 00 01 c0 00 02 01 00 64 00 00 00 00 18";
  ExpectError(bad_reach, ErrorAction::kAfiSafiDisable, kOptionalAttributeError);
  EXPECT_EQ(Decode(bad_reach).errors[0].family, kL2vpnEvpn);
  EXPECT_FALSE(Decode(bad_reach).attrs.mp_reach.has_value());
  ExpectError("80 0f 06 00 19 46 03 11 00", ErrorAction::kAfiSafiDisable, kOptionalAttributeError);
  EXPECT_EQ(Decode("80 0f 06 00 19 46 03 11 00").errors[0].family, kL2vpnEvpn);
  const std::string bad_v6 =
      "80 0e 16 00 02 01 10 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 00 81";
  ExpectError(bad_v6, ErrorAction::kAfiSafiDisable, kOptionalAttributeError);
  EXPECT_EQ(Decode(bad_v6).errors[0].family, kIpv6Unicast);
}

// Wraps EVPN NLRI bytes in an MP_REACH_NLRI attribute with next hop 192.0.2.1.
std::string EvpnReach(const std::string& nlri_hex) {
  const size_t length = 9 + Hex(nlri_hex).size();
  char head[16];
  snprintf(head, sizeof(head), "80 0e %02zx ", length);
  return head + std::string("00 19 46 04 c0 00 02 01 00 ") + nlri_hex;
}

TEST(PathAttributesErrorTest, MalformedEvpnNlriDisablesTheFamily) {
  const std::string rd_esi_tag =
      "00 00 fd e8 00 00 00 64 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
  const std::string zeros33 =
      "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
      "00 00 00";
  for (const std::string& nlri : {
           "02 21 " + rd_esi_tag + " 28 52 54 00 12 34 56 00 00 27 74",  // MAC length 40
           "02 25 " + rd_esi_tag + " 30 52 54 00 12 34 56 18 0a 00 00 00 27 74 00",     // IP len 24
           std::string(kImet) + " 03 12 00",                                            // overrun
           std::string("03 12 00 01 c0 00 02 01 00 64 00 00 00 00 20 c0 00 02 01 00"),  // trailing
           "05 21 " + zeros33,             // type 5 of 33
           "05 23 " + zeros33 + " 00 00",  // type 5 of 35
       }) {
    SCOPED_TRACE(nlri);
    const std::string hex = EvpnReach(nlri);
    ExpectError(hex, ErrorAction::kAfiSafiDisable, kOptionalAttributeError);
    Decoded d = Decode(hex);
    EXPECT_EQ(d.errors.at(0).family, kL2vpnEvpn);
    EXPECT_EQ(d.errors.at(0).attribute_type, kAttrMpReachNlri);
  }
  // The same framing around a good route is accepted, so the errors above come from the NLRI.
  EXPECT_TRUE(Decode(EvpnReach(kImet)).errors.empty());
}

TEST(PathAttributesErrorTest, AfiSafiDisableAlwaysNamesTheFamily) {
  // An MP_REACH_NLRI whose Optional/Transitive flags conflict is handled by its own rule
  // (RFC 7606 §3 (c)), AFI/SAFI disable; the family is in the first 3 bytes of the value and
  // must be reported, or the session cannot tell which family to disable.
  // Regression: the flags error once carried kAfiSafiDisable without the family.
  const std::string hex = std::string("c0 0e 1c 00 19 46 04 c0 00 02 01 00 ") + kImet;
  Decoded d = Decode(hex);
  ASSERT_EQ(d.errors.size(), 1u);
  const WireError& e = d.errors[0];
  EXPECT_EQ(e.subcode, kAttributeFlagsError);
  EXPECT_TRUE(e.action != ErrorAction::kAfiSafiDisable || e.family.has_value())
      << "AFI/SAFI disable without a family: " << e.message;
}

TEST(PathAttributesErrorTest, Duplicates) {
  // RFC 7606 §3 (g): a repeated MP_REACH or MP_UNREACH resets the session.
  const std::string reach = std::string("80 0e 1c 00 19 46 04 c0 00 02 01 00 ") + kImet;
  Decoded d = Decode(reach + " " + reach);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].action, ErrorAction::kSessionReset);
  EXPECT_EQ(d.errors[0].subcode, kMalformedAttributeList);
  d = Decode("80 0f 03 00 19 46 80 0f 03 00 19 46");
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].action, ErrorAction::kSessionReset);
  EXPECT_EQ(d.errors[0].subcode, kMalformedAttributeList);
  // Any other repeated attribute: the first is kept, later copies discarded.
  d = Decode("40 01 01 00 40 01 01 02 c0 63 01 01 c0 63 01 02");
  ASSERT_EQ(d.errors.size(), 2u);
  for (const WireError& e : d.errors) {
    EXPECT_EQ(e.action, ErrorAction::kAttributeDiscard);
    EXPECT_EQ(e.subcode, kMalformedAttributeList);
  }
  EXPECT_EQ(d.attrs.origin, Origin::kIgp);
  ASSERT_EQ(d.attrs.unknown.size(), 1u);
  EXPECT_EQ(d.attrs.unknown[0].value, Hex("01"));
}

TEST(PathAttributesErrorTest, UnrecognizedWellKnownResetsTheSession) {
  ExpectError("40 63 02 01 02", ErrorAction::kSessionReset, kUnrecognizedWellKnownAttribute);
  ExpectError("00 63 00", ErrorAction::kSessionReset, kUnrecognizedWellKnownAttribute);
}

TEST(PathAttributesErrorTest, AttributeOverrunningTheFieldIsTreatAsWithdraw) {
  for (const char* hex : {"40 01 01 00 40 02 0a 02 01 00 00 fd e9", "40 01 01 00 40",
                          "40 01 01 00 40 02", "40 01 01 00 50 02 00", "50 02 01 00 00"}) {
    Decoded d = Decode(hex);
    ASSERT_EQ(d.errors.size(), 1u) << hex;
    EXPECT_EQ(d.errors[0].action, ErrorAction::kTreatAsWithdraw) << hex;
    EXPECT_EQ(d.errors[0].subcode, kAttributeLengthError) << hex;
  }
  // What came before the overrun is kept.
  EXPECT_EQ(Decode("40 01 01 00 40 02 0a 02").attrs.origin, Origin::kIgp);
}

TEST(PathAttributesTest, Names) {
  EXPECT_EQ(std::string(AttributeTypeName(kAttrOrigin)), "ORIGIN");
  EXPECT_EQ(std::string(AttributeTypeName(kAttrMpReachNlri)), "MP_REACH_NLRI");
  EXPECT_EQ(std::string(AttributeTypeName(kAttrPmsiTunnel)), "PMSI_TUNNEL");
  EXPECT_EQ(std::string(AttributeTypeName(kAttrLargeCommunity)), "LARGE_COMMUNITY");
  EXPECT_EQ(std::string(AttributeTypeName(99)), "UNKNOWN");
}

TEST(AsPathTest, LengthAndText) {
  AsPath p{{{AsPathSegment::kAsSequence, {65001, 65002}},
            {AsPathSegment::kAsSet, {65003, 65004}},
            {AsPathSegment::kAsConfedSequence, {65010}},
            {AsPathSegment::kAsConfedSet, {65011, 65012}}}};
  // RFC 4271 §9.1.2.2 (a): a set counts 1; RFC 5065 §5.3: confederation segments count 0.
  EXPECT_EQ(p.Length(), 3u);
  EXPECT_EQ(p.ToString(), "65001 65002 {65003,65004} (65010) [65011,65012]");
  EXPECT_EQ(AsPath{}.Length(), 0u);
  EXPECT_EQ(AsPath{}.ToString(), "");
}

TEST(PmsiTunnelTest, EndpointOnlyForIngressReplication) {
  PmsiTunnel t = PmsiTunnel::IngressReplication(*evpn::IpAddress::Parse("2001:db8::7"),
                                                evpn::Label::FromVni(20));
  EXPECT_EQ(t.tunnel_type, PmsiTunnel::kIngressReplication);
  EXPECT_EQ(t.tunnel_identifier.size(), 16u);
  EXPECT_EQ(t.TunnelEndpoint(), evpn::IpAddress::Parse("2001:db8::7").value());
  t.tunnel_type = PmsiTunnel::kPimSsm;
  EXPECT_FALSE(t.TunnelEndpoint().has_value());
}

}  // namespace
}  // namespace evpnd::wire
