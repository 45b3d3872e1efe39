// Unit tests for the UPDATE codec (bgpd/wire/update_message.h) on whole UPDATE bodies written out
// by hand: an IPv4 UPDATE as RFC 4271 §4.3 lays it out (withdrawn routes, attributes, NLRI, with
// and without RFC 7911 ADD-PATH), EVPN UPDATEs in MP_REACH_NLRI (RFC 4760 §3) carrying a type-3
// route with the RFC 6514 §5 PMSI tunnel (ingress replication, VNI in the label: RFC 8365 §5.1.3)
// and a type-2 route with RFC 7432 §7.7 MAC mobility and the RFC 9135 router's MAC, an UPDATE in
// FRR's attribute order with an extended-length MP_REACH re-encoded byte-exact, End-of-RIB for
// IPv4 and EVPN (RFC 4724 §2), and the UPDATE-level errors of RFC 4271 §6.3 / RFC 7606: length
// overruns (3/1), bad prefixes (3/10), missing well-known attributes (3/3, data = type code, not
// required for withdraw-only or MP_REACH-only UPDATEs), and the strongest action winning.
#include "bgpd/wire/update_message.h"

#include <cstdint>
#include <string>
#include <vector>

#include "bgpd/wire/notification_codes.h"
#include "gtest/gtest.h"
#include "tests/unit/hex_bytes.h"

namespace evpnd::wire {
namespace {

using test::Hex;

std::vector<uint8_t> Encode(const UpdateMessage& u, const CodecContext& ctx = {}) {
  std::vector<uint8_t> out;
  WireWriter w(out);
  EncodeUpdateBody(u, ctx, w);
  return out;
}

evpn::IpAddress Ip(const char* text) { return *evpn::IpAddress::Parse(text); }
PrefixNlri P(const char* text, std::optional<uint32_t> id = std::nullopt) {
  return {id, *evpn::IpPrefix::Parse(text)};
}

const char kImet[] = "03 11 00 01 c0 00 02 01 00 64 00 00 00 00 20 c0 00 02 01";
const char kOrigin[] = " 40 01 01 00";
const char kAsPath[] = " 40 02 06 02 01 00 00 fd e9";  // AS_SEQUENCE 65001
const char kNextHop[] = " 40 03 04 c0 00 02 01";

// RFC 8365 §5.1.3: the VTEP 192.0.2.1 joins VNI 10100's flood list.
const std::string kImetUpdate = std::string("00 00 00 4b 80 0e 1c 00 19 46 04 c0 00 02 01 00 ") +
                                kImet + kOrigin + kAsPath +
                                " c0 10 10 00 02 fd e9 00 00 27 74 03 0c 00 00 00 00 00 08"
                                " c0 16 09 00 06 00 27 74 c0 00 02 01";

UpdateMessage ImetUpdate() {
  UpdateMessage u;
  PathAttributes& a = u.attributes;
  MpReachNlri reach;
  reach.family = kL2vpnEvpn;
  reach.SetNextHop(Ip("192.0.2.1"));
  reach.evpn_routes = {
      {std::nullopt, evpn::InclusiveMulticastEthernetTagRoute{
                         *evpn::RouteDistinguisher::Parse("192.0.2.1:100"), 0, Ip("192.0.2.1")}}};
  a.mp_reach = reach;
  a.origin = Origin::kIgp;
  a.as_path = AsPath{{{AsPathSegment::kAsSequence, {65001}}}};
  a.extended_communities = std::vector<evpn::ExtendedCommunity>{
      evpn::RouteTarget{evpn::RouteTarget::Kind::kTwoOctetAs, 65001, 10100},
      evpn::EncapsulationExtendedCommunity{evpn::EncapsulationExtendedCommunity::kVxlan}};
  PmsiTunnel pmsi;
  pmsi.tunnel_type = PmsiTunnel::kIngressReplication;
  pmsi.label = evpn::Label::FromVni(10100);
  pmsi.tunnel_identifier = {0xc0, 0x00, 0x02, 0x01};
  a.pmsi_tunnel = pmsi;
  return u;
}

TEST(UpdateMessageTest, EvpnImetUpdateBothWays) {
  auto out = DecodeUpdateBody(Hex(kImetUpdate), {});
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  EXPECT_EQ(out.value, ImetUpdate());
  EXPECT_EQ(Encode(ImetUpdate()), Hex(kImetUpdate));
  EXPECT_FALSE(out.value.EndOfRibFamily().has_value());
}

TEST(UpdateMessageTest, EvpnMacIpUpdateWithMobilityAndRouterMac) {
  const std::string hex =
      "00 00 00 66 80 0e 33 00 19 46 04 c0 00 02 01 00"
      " 02 28 00 01 c0 00 02 01 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
      " 30 52 54 00 12 34 56 20 0a 00 00 05 00 27 74 00 c3 50" +
      std::string(kOrigin) + kAsPath +
      " c0 10 20 00 02 fd e9 00 00 27 74 03 0c 00 00 00 00 00 08"
      " 06 00 00 00 00 00 00 03 06 03 52 54 00 aa bb cc";
  auto out = DecodeUpdateBody(Hex(hex), {});
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  const auto& routes = out.value.attributes.mp_reach->evpn_routes;
  ASSERT_EQ(routes.size(), 1u);
  const auto& r = std::get<evpn::MacIpAdvertisementRoute>(routes[0].route);
  EXPECT_EQ(r.mac.ToString(), "52:54:00:12:34:56");
  EXPECT_EQ(r.ip, Ip("10.0.0.5"));
  EXPECT_EQ(r.label1.vni(), 10100u);
  EXPECT_EQ(r.label2, evpn::Label::FromVni(50000));
  const auto& ecs = *out.value.attributes.extended_communities;
  ASSERT_EQ(ecs.size(), 4u);
  EXPECT_TRUE(ecs[2] == evpn::ExtendedCommunity(evpn::MacMobilityExtendedCommunity{3, 0}));
  EXPECT_TRUE(ecs[3] == evpn::ExtendedCommunity(evpn::RouterMacExtendedCommunity{
                            *evpn::MacAddress::Parse("52:54:00:aa:bb:cc")}));
  EXPECT_EQ(Encode(out.value), Hex(hex));
}

TEST(UpdateMessageTest, Ipv4UpdateBothWays) {
  const std::string hex = std::string("00 04 18 0a 01 02 00 14") + kOrigin + kAsPath + kNextHop +
                          " 18 c6 33 64 20 c0 00 02 07";
  UpdateMessage u;
  u.withdrawn_routes = {P("10.1.2.0/24")};
  u.attributes.origin = Origin::kIgp;
  u.attributes.as_path = AsPath{{{AsPathSegment::kAsSequence, {65001}}}};
  u.attributes.next_hop = 0xc0000201u;
  u.nlri = {P("198.51.100.0/24"), P("192.0.2.7/32")};
  auto out = DecodeUpdateBody(Hex(hex), {});
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  EXPECT_EQ(out.value, u);
  EXPECT_EQ(Encode(u), Hex(hex));
}

TEST(UpdateMessageTest, Ipv4AddPath) {
  CodecContext ctx;
  ctx.add_path = {kIpv4Unicast};
  const std::string hex = std::string("00 08 00 00 00 09 18 0a 01 02 00 14") + kOrigin + kAsPath +
                          kNextHop + " 00 00 00 01 18 c6 33 64 00 00 00 02 18 c6 33 64";
  auto out = DecodeUpdateBody(Hex(hex), ctx);
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  EXPECT_EQ(out.value.withdrawn_routes, (std::vector<PrefixNlri>{P("10.1.2.0/24", 9)}));
  EXPECT_EQ(out.value.nlri,
            (std::vector<PrefixNlri>{P("198.51.100.0/24", 1), P("198.51.100.0/24", 2)}));
  EXPECT_EQ(Encode(out.value, ctx), Hex(hex));
  // Without ADD-PATH negotiated the same bytes do not parse.
  EXPECT_FALSE(DecodeUpdateBody(Hex(hex), {}).ok());
}

TEST(UpdateMessageTest, FrrAttributeOrderAndExtendedLengthReEncodeByteExact) {
  // ORIGIN, AS_PATH, MED, then MP_REACH with the extended-length bit on a 28-byte value, then
  // LOCAL_PREF after EXTENDED_COMMUNITIES, then PMSI_TUNNEL.
  const std::string hex = std::string("00 00 00 5a") + kOrigin + kAsPath + " 80 04 04 00 00 00 00" +
                          " 90 0e 00 1c 00 19 46 04 c0 00 02 01 00 " + kImet +
                          " c0 10 10 00 02 fd e9 00 00 27 74 03 0c 00 00 00 00 00 08" +
                          " 40 05 04 00 00 00 64" + " c0 16 09 00 06 00 27 74 c0 00 02 01";
  auto out = DecodeUpdateBody(Hex(hex), {});
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  EXPECT_EQ(Encode(out.value), Hex(hex));
  EXPECT_EQ(out.value.attributes.local_pref, 100u);
  EXPECT_EQ(out.value.attributes.multi_exit_disc, 0u);
}

TEST(UpdateMessageTest, EndOfRib) {
  const auto v4 = Hex("00 00 00 00");
  const auto evpn = Hex("00 00 00 06 80 0f 03 00 19 46");
  EXPECT_EQ(DecodeUpdateBody(v4, {}).value.EndOfRibFamily(), kIpv4Unicast);
  EXPECT_EQ(DecodeUpdateBody(evpn, {}).value.EndOfRibFamily(), kL2vpnEvpn);
  EXPECT_TRUE(DecodeUpdateBody(evpn, {}).ok());
  EXPECT_EQ(Encode(UpdateMessage::EndOfRib(kIpv4Unicast)), v4);
  EXPECT_EQ(Encode(UpdateMessage::EndOfRib(kL2vpnEvpn)), evpn);
  EXPECT_EQ(UpdateMessage::EndOfRib(kIpv6Unicast).EndOfRibFamily(), kIpv6Unicast);
  // Not markers: a withdrawal, an MP_UNREACH with routes, an MP_UNREACH with company.
  EXPECT_FALSE(DecodeUpdateBody(Hex("00 02 08 0a 00 00"), {}).value.EndOfRibFamily());
  EXPECT_FALSE(DecodeUpdateBody(Hex(std::string("00 00 00 19 80 0f 16 00 19 46 ") + kImet), {})
                   .value.EndOfRibFamily());
  EXPECT_FALSE(DecodeUpdateBody(Hex("00 00 00 0a 80 0f 03 00 19 46 40 01 01 00"), {})
                   .value.EndOfRibFamily());
}

// ---- errors ----

void ExpectReset(const std::string& hex, uint8_t subcode) {
  SCOPED_TRACE(hex);
  auto out = DecodeUpdateBody(Hex(hex), {});
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.action(), ErrorAction::kSessionReset);
  EXPECT_EQ(out.errors[0].code, kUpdateMessageError);
  EXPECT_EQ(out.errors[0].subcode, subcode) << out.errors[0].message;
}

TEST(UpdateMessageErrorTest, LengthOverrunsAreMalformedAttributeList) {
  ExpectReset("00 05 18 0a 01 02 00 00", kMalformedAttributeList);  // withdrawn overrun
  ExpectReset("ff ff", kMalformedAttributeList);
  ExpectReset("00", kMalformedAttributeList);
  ExpectReset("", kMalformedAttributeList);
  ExpectReset("00 00 00 10 40 01 01 00", kMalformedAttributeList);  // attribute length overrun
  ExpectReset("00 00 00", kMalformedAttributeList);
  ExpectReset("00 02 08 0a", kMalformedAttributeList);  // total attribute length missing
}

TEST(UpdateMessageErrorTest, BadPrefixesAreInvalidNetworkField) {
  const std::string attrs = std::string("00 14") + kOrigin + kAsPath + kNextHop;
  ExpectReset("00 00" + attrs + " 21 0a 00 00 00 00", kInvalidNetworkField);
  ExpectReset("00 00" + attrs + " 18 0a 00", kInvalidNetworkField);
  ExpectReset("00 06 21 0a 00 00 00 00 00 00", kInvalidNetworkField);
  ExpectReset("00 02 18 0a 00 00", kInvalidNetworkField);
}

TEST(UpdateMessageErrorTest, MissingWellKnownAttributes) {
  struct Case {
    std::string attrs;
    std::vector<uint8_t> missing;
  };
  const Case cases[] = {
      {std::string("00 10") + kAsPath + kNextHop, {kAttrOrigin}},
      {std::string("00 0b") + kOrigin + kNextHop, {kAttrAsPath}},
      {std::string("00 0d") + kOrigin + kAsPath, {kAttrNextHop}},
      {"00 00", {kAttrOrigin, kAttrAsPath, kAttrNextHop}},
  };
  for (const Case& c : cases) {
    auto out = DecodeUpdateBody(Hex("00 00 " + c.attrs + " 18 c6 33 64"), {});
    ASSERT_EQ(out.errors.size(), c.missing.size()) << c.attrs;
    for (size_t i = 0; i < c.missing.size(); ++i) {
      const WireError& e = out.errors[i];
      EXPECT_EQ(e.action, ErrorAction::kTreatAsWithdraw);
      EXPECT_EQ(e.code, kUpdateMessageError);
      EXPECT_EQ(e.subcode, kMissingWellKnownAttribute);
      EXPECT_EQ(e.data, std::vector<uint8_t>{c.missing[i]});  // RFC 4271 §6.3: the type code
      EXPECT_EQ(e.attribute_type, c.missing[i]);
    }
    EXPECT_EQ(out.value.nlri.size(), 1u);  // the NLRI is still known, to be withdrawn
  }
}

TEST(UpdateMessageErrorTest, MandatoryAttributesOnlyForAnnouncements) {
  // Withdraw-only UPDATE: no attributes needed.
  EXPECT_TRUE(DecodeUpdateBody(Hex("00 04 18 0a 01 02 00 00"), {}).ok());
  // MP_UNREACH-only UPDATE.
  EXPECT_TRUE(
      DecodeUpdateBody(Hex(std::string("00 00 00 19 80 0f 16 00 19 46 ") + kImet), {}).ok());
  // MP_REACH-only UPDATE: ORIGIN and AS_PATH, but no NEXT_HOP (RFC 4760 §3).
  EXPECT_TRUE(DecodeUpdateBody(Hex(kImetUpdate), {}).ok());
  auto out = DecodeUpdateBody(
      Hex(std::string("00 00 00 23 80 0e 1c 00 19 46 04 c0 00 02 01 00 ") + kImet + kOrigin), {});
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].subcode, kMissingWellKnownAttribute);
  EXPECT_EQ(out.errors[0].data, std::vector<uint8_t>{kAttrAsPath});
}

TEST(UpdateMessageErrorTest, MalformedAttributeIsNotAlsoReportedMissing) {
  // ORIGIN with the Optional bit (3/4) and a bad AS_PATH (3/11): two errors, no 3/3.
  auto out = DecodeUpdateBody(
      Hex(std::string("00 00 00 10 80 01 01 00 40 02 02 02 00") + kNextHop + " 18 c6 33 64"), {});
  ASSERT_EQ(out.errors.size(), 2u);
  EXPECT_EQ(out.errors[0].subcode, kAttributeFlagsError);
  EXPECT_EQ(out.errors[0].data, Hex("80 01 01 00"));
  EXPECT_EQ(out.errors[1].subcode, kMalformedAsPath);
  EXPECT_EQ(out.action(), ErrorAction::kTreatAsWithdraw);
}

TEST(UpdateMessageErrorTest, AttributeOverrunKeepsNlriForWithdrawal) {
  // The last attribute claims 10 bytes but the Total Path Attribute Length leaves it 1.
  auto out = DecodeUpdateBody(Hex(std::string("00 00 00 18") + kOrigin + kAsPath + kNextHop +
                                  " 40 05 0a 00" + " 18 c6 33 64"),
                              {});
  EXPECT_EQ(out.action(), ErrorAction::kTreatAsWithdraw);
  EXPECT_EQ(out.value.nlri, (std::vector<PrefixNlri>{P("198.51.100.0/24")}));
}

TEST(UpdateMessageErrorTest, StrongestActionWins) {
  // Bad ATOMIC_AGGREGATE (discard), bad ORIGIN (treat-as-withdraw), malformed EVPN NLRI (AFI/SAFI
  // disable): the UPDATE's action is AFI/SAFI disable, and strongest() points at MP_REACH.
  const std::string attrs = "40 06 01 00 40 01 01 07" + std::string(kAsPath) +
                            " 80 0e 0c 00 19 46 04 c0 00 02 01 00 03 11 00";
  auto out = DecodeUpdateBody(Hex("00 00 00 20 " + attrs), {});
  ASSERT_EQ(out.errors.size(), 3u);
  EXPECT_EQ(out.action(), ErrorAction::kAfiSafiDisable);
  ASSERT_NE(out.strongest(), nullptr);
  EXPECT_EQ(out.strongest()->attribute_type, kAttrMpReachNlri);
  EXPECT_EQ(out.strongest()->family, kL2vpnEvpn);
  // Add a repeated MP_UNREACH: now the session is reset.
  auto worse =
      DecodeUpdateBody(Hex("00 00 00 2c " + attrs + " 80 0f 03 00 19 46 80 0f 03 00 19 46"), {});
  EXPECT_EQ(worse.action(), ErrorAction::kSessionReset);
  EXPECT_EQ(worse.strongest()->subcode, kMalformedAttributeList);
  EXPECT_EQ(worse.strongest()->attribute_type, kAttrMpUnreachNlri);
}

TEST(DecodeOutcomeTest, StrongestIsTheFirstOfTheStrongest) {
  DecodeOutcome<int> out;
  EXPECT_EQ(out.action(), ErrorAction::kNone);
  EXPECT_EQ(out.strongest(), nullptr);
  out.errors.push_back({ErrorAction::kTreatAsWithdraw, 3, 1, {}, {}, {}, "first taw"});
  out.errors.push_back({ErrorAction::kAttributeDiscard, 3, 2, {}, {}, {}, "discard"});
  out.errors.push_back({ErrorAction::kTreatAsWithdraw, 3, 3, {}, {}, {}, "second taw"});
  EXPECT_EQ(out.action(), ErrorAction::kTreatAsWithdraw);
  EXPECT_EQ(out.strongest()->message, "first taw");
  EXPECT_FALSE(out.ok());
}

}  // namespace
}  // namespace evpnd::wire
