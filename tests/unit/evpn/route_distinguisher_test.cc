// Unit tests for evpn::RouteDistinguisher (RFC 4364 §4.2): the three RD types as their exact
// 8 wire bytes (type 0: 2-byte ASN + 4-byte number, type 1: IPv4 address + 2-byte number, type 2:
// 4-byte ASN + 2-byte number), the administrator / assigned-number views, parsing of the operator
// text forms (type chosen by the administrator, range checks on the number), printing, unknown
// RD types kept byte for byte, and ordering. RFC 7432 §7.9 uses type 1 (router-id:EVI).
#include "evpn/route_distinguisher.h"

#include <array>
#include <cstdint>
#include <set>

#include "gtest/gtest.h"

namespace evpnd::evpn {
namespace {

using Bytes8 = std::array<uint8_t, 8>;

TEST(RouteDistinguisherTest, TwoOctetAsWireBytes) {
  RouteDistinguisher rd = RouteDistinguisher::TwoOctetAs(65000, 100);
  const Bytes8 want{0x00, 0x00, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x64};
  EXPECT_EQ(rd.bytes(), want);
  EXPECT_EQ(rd.type(), RouteDistinguisher::kTwoOctetAs);
  EXPECT_EQ(rd.administrator(), 65000u);
  EXPECT_EQ(rd.assigned_number(), 100u);
  EXPECT_EQ(rd.ToString(), "65000:100");
}

TEST(RouteDistinguisherTest, TwoOctetAsKeepsAll32BitsOfTheNumber) {
  RouteDistinguisher rd = RouteDistinguisher::TwoOctetAs(1, 0xfedcba98u);
  const Bytes8 want{0x00, 0x00, 0x00, 0x01, 0xfe, 0xdc, 0xba, 0x98};
  EXPECT_EQ(rd.bytes(), want);
  EXPECT_EQ(rd.assigned_number(), 0xfedcba98u);
}

TEST(RouteDistinguisherTest, Ipv4AddressWireBytes) {
  RouteDistinguisher rd = RouteDistinguisher::Ipv4Address(0xc0000201u, 7);  // 192.0.2.1:7
  const Bytes8 want{0x00, 0x01, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x07};
  EXPECT_EQ(rd.bytes(), want);
  EXPECT_EQ(rd.type(), RouteDistinguisher::kIpv4Address);
  EXPECT_EQ(rd.administrator(), 0xc0000201u);
  EXPECT_EQ(rd.assigned_number(), 7u);
  EXPECT_EQ(rd.ToString(), "192.0.2.1:7");
}

TEST(RouteDistinguisherTest, FourOctetAsWireBytes) {
  RouteDistinguisher rd = RouteDistinguisher::FourOctetAs(4200000000u, 65535);
  const Bytes8 want{0x00, 0x02, 0xfa, 0x56, 0xea, 0x00, 0xff, 0xff};
  EXPECT_EQ(rd.bytes(), want);
  EXPECT_EQ(rd.type(), RouteDistinguisher::kFourOctetAs);
  EXPECT_EQ(rd.administrator(), 4200000000u);
  EXPECT_EQ(rd.assigned_number(), 65535u);
  EXPECT_EQ(rd.ToString(), "4200000000:65535");
}

TEST(RouteDistinguisherTest, FromBytesViews) {
  RouteDistinguisher rd(Bytes8{0x00, 0x01, 0x0a, 0x00, 0x00, 0x01, 0x01, 0x00});
  EXPECT_EQ(rd.type(), 1);
  EXPECT_EQ(rd.ToString(), "10.0.0.1:256");
  EXPECT_EQ(rd, RouteDistinguisher::Ipv4Address(0x0a000001u, 256));
}

TEST(RouteDistinguisherTest, UnknownTypeKeptAndPrintedAsHex) {
  const Bytes8 raw{0x00, 0x03, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab};
  RouteDistinguisher rd(raw);
  EXPECT_EQ(rd.bytes(), raw);
  EXPECT_EQ(rd.type(), 3);
  EXPECT_EQ(rd.administrator(), 0u);
  EXPECT_EQ(rd.assigned_number(), 0u);
  EXPECT_EQ(rd.ToString(), "3:0123456789ab");
}

TEST(RouteDistinguisherTest, DefaultIsTypeZeroAllZeros) {
  RouteDistinguisher rd;
  EXPECT_EQ(rd.bytes(), Bytes8{});
  EXPECT_EQ(rd.ToString(), "0:0");
}

TEST(RouteDistinguisherTest, ParseChoosesTypeFromText) {
  auto t0 = RouteDistinguisher::Parse("65000:100");
  ASSERT_TRUE(t0.ok()) << t0.status();
  EXPECT_EQ(*t0, RouteDistinguisher::TwoOctetAs(65000, 100));

  auto t0max = RouteDistinguisher::Parse("65535:4294967295");
  ASSERT_TRUE(t0max.ok()) << t0max.status();
  EXPECT_EQ(t0max->type(), RouteDistinguisher::kTwoOctetAs);
  EXPECT_EQ(t0max->assigned_number(), 4294967295u);

  auto t1 = RouteDistinguisher::Parse("192.0.2.1:7");
  ASSERT_TRUE(t1.ok()) << t1.status();
  EXPECT_EQ(*t1, RouteDistinguisher::Ipv4Address(0xc0000201u, 7));

  // An ASN above 65535 needs type 2.
  auto t2 = RouteDistinguisher::Parse("65536:1");
  ASSERT_TRUE(t2.ok()) << t2.status();
  EXPECT_EQ(*t2, RouteDistinguisher::FourOctetAs(65536, 1));
  auto t2max = RouteDistinguisher::Parse("4294967295:65535");
  ASSERT_TRUE(t2max.ok()) << t2max.status();
  EXPECT_EQ(t2max->administrator(), 4294967295u);
}

TEST(RouteDistinguisherTest, ParseRejectsOutOfRangeAndGarbage) {
  for (const char* text :
       {"", "65000", "65000:", ":100", "65000:4294967296", "192.0.2.1:65536", "65536:65536",
        "4294967296:1", "1.2.3:4", "2001:db8::1:5", "abc:1", "65000:x", "-1:5"}) {
    EXPECT_FALSE(RouteDistinguisher::Parse(text).ok()) << "'" << text << "'";
  }
}

TEST(RouteDistinguisherTest, ParsePrintRoundTrip) {
  for (const char* text : {"0:0", "65000:100", "10.0.0.1:2", "4200000000:7", "1:4294967295"}) {
    auto rd = RouteDistinguisher::Parse(text);
    ASSERT_TRUE(rd.ok()) << text;
    EXPECT_EQ(rd->ToString(), text);
  }
}

TEST(RouteDistinguisherTest, OrderingFollowsWireBytes) {
  const RouteDistinguisher a = RouteDistinguisher::TwoOctetAs(65000, 100);
  const RouteDistinguisher b = RouteDistinguisher::TwoOctetAs(65000, 101);
  const RouteDistinguisher c = RouteDistinguisher::Ipv4Address(1, 0);
  const RouteDistinguisher d = RouteDistinguisher::FourOctetAs(1, 0);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);  // type 0 before type 1
  EXPECT_LT(c, d);
  std::set<RouteDistinguisher> s{d, c, b, a, a};
  EXPECT_EQ(s.size(), 4u);
}

}  // namespace
}  // namespace evpnd::evpn
