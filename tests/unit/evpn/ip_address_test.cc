// Unit tests for evpn::IpAddress and evpn::IpPrefix: construction from host-order numbers, byte
// arrays and spans (4 bytes make IPv4, 16 IPv6, anything else nothing), text parsing and printing
// (RFC 4291 §2.2 text forms, RFC 5952 §4 canonical IPv6 text, dotted-quad IPv4), ordering and
// equality (family first, then bytes), and prefix parsing with length bounds (32 / 128 bits).
#include "evpn/ip_address.h"

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace evpnd::evpn {
namespace {

TEST(IpAddressTest, DefaultIsIpv4Zero) {
  IpAddress a;
  EXPECT_TRUE(a.is_v4());
  EXPECT_FALSE(a.is_v6());
  EXPECT_EQ(a.ToString(), "0.0.0.0");
  EXPECT_EQ(a.v4_host_order(), 0u);
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(a.bit_length(), 32);
}

TEST(IpAddressTest, V4FromHostOrderIsNetworkOrderBytes) {
  IpAddress a = IpAddress::V4(0xc0000201u);  // 192.0.2.1
  ASSERT_EQ(a.bytes().size(), 4u);
  EXPECT_EQ(a.bytes()[0], 0xc0);
  EXPECT_EQ(a.bytes()[1], 0x00);
  EXPECT_EQ(a.bytes()[2], 0x02);
  EXPECT_EQ(a.bytes()[3], 0x01);
  EXPECT_EQ(a.ToString(), "192.0.2.1");
  EXPECT_EQ(a.v4_host_order(), 0xc0000201u);
  EXPECT_EQ(a.family(), IpAddress::Family::kIpv4);
}

TEST(IpAddressTest, V4FromArrayEqualsV4FromNumber) {
  EXPECT_EQ(IpAddress::V4(std::array<uint8_t, 4>{10, 1, 2, 3}), IpAddress::V4(0x0a010203u));
  EXPECT_NE(IpAddress::V4(std::array<uint8_t, 4>{10, 1, 2, 3}), IpAddress::V4(0x0a010204u));
}

TEST(IpAddressTest, V6FromArray) {
  std::array<uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
  b[15] = 1;
  IpAddress a = IpAddress::V6(b);
  EXPECT_TRUE(a.is_v6());
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a.bit_length(), 128);
  EXPECT_EQ(a.ToString(), "2001:db8::1");
  EXPECT_EQ(a.v4_host_order(), 0u);  // documented: 0 for IPv6
  ASSERT_EQ(a.bytes().size(), 16u);
  EXPECT_EQ(a.bytes()[0], 0x20);
  EXPECT_EQ(a.bytes()[15], 0x01);
}

TEST(IpAddressTest, FromBytesPicksFamilyByLength) {
  const std::vector<uint8_t> four{198, 51, 100, 7};
  auto v4 = IpAddress::FromBytes(four);
  ASSERT_TRUE(v4.has_value());
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->ToString(), "198.51.100.7");

  std::vector<uint8_t> sixteen(16, 0);
  sixteen[0] = 0xfe;
  sixteen[1] = 0x80;
  sixteen[15] = 0x2a;
  auto v6 = IpAddress::FromBytes(sixteen);
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->is_v6());
  EXPECT_EQ(v6->ToString(), "fe80::2a");

  for (size_t n : {0u, 1u, 3u, 5u, 8u, 15u, 17u, 32u}) {
    std::vector<uint8_t> bad(n, 1);
    EXPECT_FALSE(IpAddress::FromBytes(bad).has_value()) << n << " bytes";
  }
}

TEST(IpAddressTest, ParseValidAddresses) {
  struct Case {
    const char* text;
    bool v6;
    const char* printed;
  };
  const Case cases[] = {
      {"192.0.2.1", false, "192.0.2.1"},
      {"0.0.0.0", false, "0.0.0.0"},
      {"255.255.255.255", false, "255.255.255.255"},
      {"2001:db8::1", true, "2001:db8::1"},
      {"::", true, "::"},
      {"::1", true, "::1"},
      // RFC 5952 §4.3: lower case; §4.2.1: leading zeros dropped, longest zero run compressed.
      {"2001:0DB8:0000:0000:0000:0000:0000:0001", true, "2001:db8::1"},
      // RFC 5952 §4.2.3: of equal runs, the first is compressed.
      {"2001:db8:0:0:1:0:0:1", true, "2001:db8::1:0:0:1"},
      // RFC 5952 §5: IPv4-mapped addresses print in mixed notation.
      {"::ffff:192.0.2.1", true, "::ffff:192.0.2.1"},
  };
  for (const Case& c : cases) {
    auto a = IpAddress::Parse(c.text);
    ASSERT_TRUE(a.ok()) << c.text << ": " << a.status();
    EXPECT_EQ(a->is_v6(), c.v6) << c.text;
    EXPECT_EQ(a->ToString(), c.printed) << c.text;
  }
}

TEST(IpAddressTest, ParseRejectsGarbage) {
  for (const char* text : {"", "1.2.3", "256.1.1.1", "1.2.3.4.5", "abc", "192.0.2.1/32",
                           "2001:db8:::1", "2001:db8::g", " 192.0.2.1", "1.2.3.4 "}) {
    auto a = IpAddress::Parse(text);
    EXPECT_FALSE(a.ok()) << "'" << text << "' parsed as " << (a.ok() ? a->ToString() : "");
  }
}

TEST(IpAddressTest, ParseThenPrintIsIdentityForCanonicalText) {
  for (const char* text : {"10.0.0.1", "100.64.0.254", "2001:db8:1:2:3:4:5:6", "fd00::10:1"}) {
    auto a = IpAddress::Parse(text);
    ASSERT_TRUE(a.ok()) << text;
    EXPECT_EQ(a->ToString(), text);
    auto again = IpAddress::FromBytes(a->bytes());
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, *a);
  }
}

TEST(IpAddressTest, OrderingIsFamilyThenBytes) {
  const IpAddress a = *IpAddress::Parse("10.0.0.1");
  const IpAddress b = *IpAddress::Parse("10.0.0.2");
  const IpAddress c = *IpAddress::Parse("192.0.2.1");
  const IpAddress d = *IpAddress::Parse("::1");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(c, d);  // every IPv4 address sorts before every IPv6 address
  EXPECT_EQ(a, *IpAddress::Parse("10.0.0.1"));
  // 0.0.0.0 and :: are different addresses even though all their bytes are zero.
  EXPECT_NE(IpAddress(), *IpAddress::Parse("::"));
  std::set<IpAddress> s{c, a, d, b, a};
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(*s.begin(), a);
}

TEST(IpPrefixTest, ParseAndPrint) {
  auto p = IpPrefix::Parse("10.0.0.0/8");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->address, IpAddress::V4(0x0a000000u));
  EXPECT_EQ(p->length, 8);
  EXPECT_EQ(p->ToString(), "10.0.0.0/8");

  auto p6 = IpPrefix::Parse("2001:db8::/32");
  ASSERT_TRUE(p6.ok()) << p6.status();
  EXPECT_TRUE(p6->address.is_v6());
  EXPECT_EQ(p6->length, 32);
  EXPECT_EQ(p6->ToString(), "2001:db8::/32");

  auto host = IpPrefix::Parse("2001:db8::1/128");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->length, 128);
  auto zero = IpPrefix::Parse("0.0.0.0/0");
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->length, 0);
}

TEST(IpPrefixTest, BitsPastTheLengthAreKept) {
  auto p = IpPrefix::Parse("10.1.2.3/8");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->address.ToString(), "10.1.2.3");
  EXPECT_EQ(p->ToString(), "10.1.2.3/8");
  EXPECT_NE(*p, *IpPrefix::Parse("10.0.0.0/8"));
}

TEST(IpPrefixTest, ParseRejectsBadLengthsAndText) {
  for (const char* text : {"10.0.0.0/33", "2001:db8::/129", "10.0.0.0", "10.0.0.0/", "10.0.0.0/x",
                           "10.0.0.0/-1", "/8", "bogus/8", "10.0.0.0/8/8"}) {
    EXPECT_FALSE(IpPrefix::Parse(text).ok()) << text;
  }
  EXPECT_TRUE(IpPrefix::Parse("10.0.0.0/32").ok());
  EXPECT_TRUE(IpPrefix::Parse("::/128").ok());
}

TEST(IpPrefixTest, OrderingAndEquality) {
  const IpPrefix a = *IpPrefix::Parse("10.0.0.0/8");
  const IpPrefix b = *IpPrefix::Parse("10.0.0.0/16");
  const IpPrefix c = *IpPrefix::Parse("10.0.0.0/8");
  EXPECT_EQ(a, c);
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);  // same address, shorter length first
}

}  // namespace
}  // namespace evpnd::evpn
