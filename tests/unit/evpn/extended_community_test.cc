// Unit tests for the EVPN extended communities (evpn/extended_community.h), each checked against
// hand-written 8-byte wire values in both directions: route targets in the 2-octet AS, IPv4 and
// 4-octet AS forms (RFC 4360 §3-4, RFC 5668), the encapsulation community with tunnel type VXLAN
// = 8 (RFC 9012 §4.1, RFC 8365 §5.1.3), MAC mobility with the sticky flag and sequence numbers
// near 2^32-1 (RFC 7432 §7.7), ESI label (§7.5), ES-import route target (§7.6), default gateway
// (§7.8), router's MAC (RFC 9135 §8.1) and ARP/ND (RFC 9047). Communities we do not model, and
// modelled ones whose reserved bytes are not zero, must come back as UnknownExtendedCommunity
// holding the exact bytes. Also route-target parsing/printing and RFC 8365 §5.1.2.1 derivation.
#include "evpn/extended_community.h"

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "gtest/gtest.h"

namespace evpnd::evpn {
namespace {

using Bytes8 = std::array<uint8_t, 8>;

ExtendedCommunity FromBytes(const Bytes8& b) { return ExtendedCommunityFromBytes(b); }

// Asserts that `bytes` decode to exactly `typed` and that `typed` encodes to exactly `bytes`.
void ExpectBothWays(const Bytes8& bytes, const ExtendedCommunity& typed) {
  EXPECT_EQ(ExtendedCommunityToBytes(typed), bytes);
  ExtendedCommunity decoded = FromBytes(bytes);
  EXPECT_EQ(decoded.index(), typed.index());
  EXPECT_TRUE(decoded == typed);
}

TEST(ExtendedCommunityTest, RouteTargetTwoOctetAs) {
  ExpectBothWays({0x00, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x27, 0x74},
                 RouteTarget{RouteTarget::Kind::kTwoOctetAs, 65000, 10100});
  // The 2-octet AS form has a full 32-bit local administrator.
  ExpectBothWays({0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe},
                 RouteTarget{RouteTarget::Kind::kTwoOctetAs, 65535, 0xfffffffeu});
}

TEST(ExtendedCommunityTest, RouteTargetIpv4Address) {
  ExpectBothWays({0x01, 0x02, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x64},
                 RouteTarget{RouteTarget::Kind::kIpv4Address, 0xc0000201u, 100});
}

TEST(ExtendedCommunityTest, RouteTargetFourOctetAs) {
  ExpectBothWays({0x02, 0x02, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x64},
                 RouteTarget{RouteTarget::Kind::kFourOctetAs, 4200000000u, 100});
}

TEST(ExtendedCommunityTest, EncapsulationVxlan) {
  ExpectBothWays({0x03, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08},
                 EncapsulationExtendedCommunity{EncapsulationExtendedCommunity::kVxlan});
  ExpectBothWays({0x03, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13},
                 EncapsulationExtendedCommunity{EncapsulationExtendedCommunity::kGeneve});
  EXPECT_EQ(EncapsulationExtendedCommunity{}.tunnel_type, 8);  // VXLAN by default
}

TEST(ExtendedCommunityTest, MacMobility) {
  ExpectBothWays({0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05},
                 MacMobilityExtendedCommunity{5, 0});
  const Bytes8 sticky{0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
  ExpectBothWays(sticky,
                 MacMobilityExtendedCommunity{0, MacMobilityExtendedCommunity::kStickyFlag});
  const ExtendedCommunity decoded = FromBytes(sticky);
  const auto* m = std::get_if<MacMobilityExtendedCommunity>(&decoded);
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->sticky());
  EXPECT_FALSE((MacMobilityExtendedCommunity{7, 0}.sticky()));
}

TEST(ExtendedCommunityTest, MacMobilitySequenceNearWrap) {
  // RFC 7432 §7.7: a 4-octet sequence number; values at the top of the range must survive.
  ExpectBothWays({0x06, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xfe},
                 MacMobilityExtendedCommunity{0xfffffffeu, 0});
  ExpectBothWays({0x06, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff},
                 MacMobilityExtendedCommunity{0xffffffffu, 1});
  // Flag bits other than sticky are kept as received.
  ExpectBothWays({0x06, 0x00, 0x81, 0x00, 0x80, 0x00, 0x00, 0x00},
                 MacMobilityExtendedCommunity{0x80000000u, 0x81});
}

TEST(ExtendedCommunityTest, EsiLabel) {
  const Bytes8 bytes{0x06, 0x01, 0x01, 0x00, 0x00, 0x00, 0x27, 0x74};
  ExpectBothWays(bytes, EsiLabelExtendedCommunity{1, Label{10100}});
  auto decoded = FromBytes(bytes);
  ASSERT_TRUE(std::holds_alternative<EsiLabelExtendedCommunity>(decoded));
  EXPECT_TRUE(std::get<EsiLabelExtendedCommunity>(decoded).single_active());
  EXPECT_EQ(std::get<EsiLabelExtendedCommunity>(decoded).label.vni(), 10100u);
  ExpectBothWays({0x06, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff},
                 EsiLabelExtendedCommunity{0, Label{0xffffff}});
}

TEST(ExtendedCommunityTest, EsImportRouteTarget) {
  ExpectBothWays({0x06, 0x02, 0x44, 0x38, 0x39, 0xff, 0x00, 0x01},
                 EsImportRouteTarget{*MacAddress::Parse("44:38:39:ff:00:01")});
}

TEST(ExtendedCommunityTest, RouterMac) {
  ExpectBothWays({0x06, 0x03, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56},
                 RouterMacExtendedCommunity{*MacAddress::Parse("52:54:00:12:34:56")});
}

TEST(ExtendedCommunityTest, DefaultGateway) {
  ExpectBothWays({0x03, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
                 DefaultGatewayExtendedCommunity{});
}

TEST(ExtendedCommunityTest, ArpNd) {
  const Bytes8 ro{0x06, 0x08, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00};
  ExpectBothWays(ro, ArpNdExtendedCommunity{0x03});
  auto decoded = std::get<ArpNdExtendedCommunity>(FromBytes(ro));
  EXPECT_TRUE(decoded.router());
  EXPECT_TRUE(decoded.override_flag());
  // The immutable (I) bit and others are kept as received.
  ExpectBothWays({0x06, 0x08, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00}, ArpNdExtendedCommunity{0x08});
  EXPECT_FALSE(ArpNdExtendedCommunity{0x08}.router());
  EXPECT_FALSE(ArpNdExtendedCommunity{0x08}.override_flag());
}

TEST(ExtendedCommunityTest, UnknownCommunitiesKeptByteExact) {
  const Bytes8 cases[] = {
      {0x03, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64},  // color (RFC 9012 §4.3)
      {0x40, 0x04, 0xfd, 0xe8, 0x4b, 0x3e, 0xbc, 0x20},  // link bandwidth (non-transitive)
      {0x40, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x01},  // non-transitive 2-octet AS RT
      {0x00, 0x03, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x01},  // route origin
      {0x06, 0x04, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc},  // EVPN layer 2 attributes (RFC 8214)
      {0x06, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06},  // undefined EVPN sub-type
      {0x80, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},  // flowspec traffic rate
      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
  };
  for (const Bytes8& b : cases) {
    ExtendedCommunity c = FromBytes(b);
    ASSERT_TRUE(std::holds_alternative<UnknownExtendedCommunity>(c))
        << "type " << int{b[0]} << " sub-type " << int{b[1]} << " decoded as "
        << std::string(ExtendedCommunityName(c));
    const auto& u = std::get<UnknownExtendedCommunity>(c);
    EXPECT_EQ(u.bytes, b);
    EXPECT_EQ(u.type(), b[0]);
    EXPECT_EQ(u.sub_type(), b[1]);
    EXPECT_EQ(ExtendedCommunityToBytes(c), b);
  }
}

TEST(ExtendedCommunityTest, NonZeroReservedBytesKeptAsUnknown) {
  const Bytes8 cases[] = {
      {0x03, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08},  // encapsulation, reserved byte 5
      {0x03, 0x0c, 0x80, 0x00, 0x00, 0x00, 0x00, 0x08},  // encapsulation, reserved byte 2
      {0x06, 0x00, 0x01, 0xff, 0x00, 0x00, 0x00, 0x05},  // MAC mobility, reserved byte 3
      {0x06, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x64},  // ESI label, reserved byte 3
      {0x06, 0x01, 0x00, 0x00, 0x34, 0x00, 0x00, 0x64},  // ESI label, reserved byte 4
      {0x03, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01},  // default gateway, value not zero
      {0x06, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01},  // ARP/ND, reserved byte 7
      {0x06, 0x08, 0x01, 0x10, 0x00, 0x00, 0x00, 0x00},  // ARP/ND, reserved byte 3
  };
  for (const Bytes8& b : cases) {
    ExtendedCommunity c = FromBytes(b);
    ASSERT_TRUE(std::holds_alternative<UnknownExtendedCommunity>(c))
        << "type " << int{b[0]} << " sub-type " << int{b[1]} << " decoded as "
        << std::string(ExtendedCommunityName(c));
    EXPECT_EQ(ExtendedCommunityToBytes(c), b);
  }
}

TEST(ExtendedCommunityTest, Names) {
  EXPECT_EQ(std::string(ExtendedCommunityName(RouteTarget{})), "route-target");
  EXPECT_EQ(std::string(ExtendedCommunityName(EncapsulationExtendedCommunity{})), "encapsulation");
  EXPECT_EQ(std::string(ExtendedCommunityName(MacMobilityExtendedCommunity{})), "mac-mobility");
  EXPECT_EQ(std::string(ExtendedCommunityName(EsiLabelExtendedCommunity{})), "esi-label");
  EXPECT_EQ(std::string(ExtendedCommunityName(EsImportRouteTarget{})), "es-import-rt");
  EXPECT_EQ(std::string(ExtendedCommunityName(RouterMacExtendedCommunity{})), "router-mac");
  EXPECT_EQ(std::string(ExtendedCommunityName(DefaultGatewayExtendedCommunity{})),
            "default-gateway");
  EXPECT_EQ(std::string(ExtendedCommunityName(ArpNdExtendedCommunity{})), "arp-nd");
  EXPECT_EQ(std::string(ExtendedCommunityName(UnknownExtendedCommunity{})), "unknown");
}

TEST(RouteTargetTest, ParseAndPrint) {
  struct Case {
    const char* text;
    RouteTarget want;
  };
  const Case cases[] = {
      {"65000:10100", {RouteTarget::Kind::kTwoOctetAs, 65000, 10100}},
      {"1:4294967295", {RouteTarget::Kind::kTwoOctetAs, 1, 4294967295u}},
      {"192.0.2.1:100", {RouteTarget::Kind::kIpv4Address, 0xc0000201u, 100}},
      {"4200000000:100", {RouteTarget::Kind::kFourOctetAs, 4200000000u, 100}},
      {"65536:65535", {RouteTarget::Kind::kFourOctetAs, 65536, 65535}},
  };
  for (const Case& c : cases) {
    auto rt = RouteTarget::Parse(c.text);
    ASSERT_TRUE(rt.ok()) << c.text << ": " << rt.status();
    EXPECT_EQ(*rt, c.want) << c.text;
    EXPECT_EQ(rt->ToString(), c.text);
  }
}

TEST(RouteTargetTest, ParseRejectsOutOfRange) {
  for (const char* text : {"", "65000", "65000:4294967296", "192.0.2.1:65536", "65536:65536",
                           "4294967296:1", "300.0.0.1:1", "::1:1", "a:b", "65000:"}) {
    EXPECT_FALSE(RouteTarget::Parse(text).ok()) << "'" << text << "'";
  }
}

TEST(RouteTargetTest, ForVniAutoDerivation) {
  // RFC 8365 §5.1.2.1: ASN:VNI with a 2-octet ASN.
  EXPECT_EQ(RouteTarget::ForVni(65000, 10100),
            (RouteTarget{RouteTarget::Kind::kTwoOctetAs, 65000, 10100}));
  EXPECT_EQ(ExtendedCommunityToBytes(RouteTarget::ForVni(65000, 10100)),
            (Bytes8{0x00, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x27, 0x74}));
  // The VNI is 24 bits; higher bits are not part of it.
  EXPECT_EQ(RouteTarget::ForVni(65000, 0x1ffffff).local_administrator, 0xffffffu);
  // 4-octet ASN: the low 16 bits of the VNI, as EOS and FRR do.
  EXPECT_EQ(RouteTarget::ForVni(4200000000u, 0x12345),
            (RouteTarget{RouteTarget::Kind::kFourOctetAs, 4200000000u, 0x2345}));
  EXPECT_EQ(RouteTarget::ForVni(65535, 1).kind, RouteTarget::Kind::kTwoOctetAs);
  EXPECT_EQ(RouteTarget::ForVni(65536, 1).kind, RouteTarget::Kind::kFourOctetAs);
}

TEST(ExtendedCommunityTest, EveryTypedValueRoundTrips) {
  const std::vector<ExtendedCommunity> all = {
      RouteTarget{RouteTarget::Kind::kTwoOctetAs, 1, 2},
      RouteTarget{RouteTarget::Kind::kIpv4Address, 0x0a000001u, 3},
      RouteTarget{RouteTarget::Kind::kFourOctetAs, 70000, 4},
      EncapsulationExtendedCommunity{EncapsulationExtendedCommunity::kMpls},
      MacMobilityExtendedCommunity{0xffffffffu, 1},
      EsiLabelExtendedCommunity{1, Label::FromMpls(16)},
      EsImportRouteTarget{*MacAddress::Parse("00:11:22:33:44:55")},
      RouterMacExtendedCommunity{*MacAddress::Parse("66:77:88:99:aa:bb")},
      DefaultGatewayExtendedCommunity{},
      ArpNdExtendedCommunity{0x02},
      UnknownExtendedCommunity{{0x43, 0x0b, 1, 2, 3, 4, 5, 6}},
  };
  for (const ExtendedCommunity& c : all) {
    const Bytes8 bytes = ExtendedCommunityToBytes(c);
    EXPECT_TRUE(FromBytes(bytes) == c) << std::string(ExtendedCommunityName(c));
  }
}

}  // namespace
}  // namespace evpnd::evpn
