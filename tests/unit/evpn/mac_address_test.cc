// Unit tests for evpn::MacAddress: the 48-bit IEEE 802 address carried in EVPN MAC/IP routes
// (RFC 7432 §7.2), the router's MAC community (RFC 9135 §8.1) and the ES-import route target
// (RFC 7432 §7.6). Covers parsing (colon or dash separators, either case), rejection of malformed
// text, lower-case colon printing as iproute2 and FRR show it, IsZero, ordering and equality.
#include "evpn/mac_address.h"

#include <array>
#include <cstdint>
#include <set>

#include "gtest/gtest.h"

namespace evpnd::evpn {
namespace {

TEST(MacAddressTest, ParseColonSeparated) {
  auto mac = MacAddress::Parse("52:54:00:12:34:56");
  ASSERT_TRUE(mac.ok()) << mac.status();
  const std::array<uint8_t, 6> want{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  EXPECT_EQ(mac->bytes, want);
}

TEST(MacAddressTest, ParseDashSeparatedAndUpperCase) {
  auto mac = MacAddress::Parse("AA-BB-CC-0D-EE-FF");
  ASSERT_TRUE(mac.ok()) << mac.status();
  const std::array<uint8_t, 6> want{0xaa, 0xbb, 0xcc, 0x0d, 0xee, 0xff};
  EXPECT_EQ(mac->bytes, want);
  EXPECT_EQ(mac->ToString(), "aa:bb:cc:0d:ee:ff");
}

TEST(MacAddressTest, ToStringIsLowerCaseColonWithLeadingZeros) {
  MacAddress mac{{0x00, 0x0a, 0xB0, 0x01, 0x02, 0xfF}};
  EXPECT_EQ(mac.ToString(), "00:0a:b0:01:02:ff");
}

TEST(MacAddressTest, ParsePrintRoundTrip) {
  for (const char* text :
       {"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "02:42:ac:11:00:02", "de:ad:be:ef:00:01"}) {
    auto mac = MacAddress::Parse(text);
    ASSERT_TRUE(mac.ok()) << text;
    EXPECT_EQ(mac->ToString(), text);
  }
}

TEST(MacAddressTest, ParseRejectsMalformedText) {
  for (const char* text : {"", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54:00:12:34:5g",
                           "52.54.00.12.34.56", "5254.0012.3456", "52:54:00:12:34:56 ",
                           "525:4:00:12:34:56", "52:54:00:12:34:5", "zz:54:00:12:34:56"}) {
    EXPECT_FALSE(MacAddress::Parse(text).ok()) << "'" << text << "'";
  }
}

TEST(MacAddressTest, IsZero) {
  EXPECT_TRUE(MacAddress{}.IsZero());
  EXPECT_TRUE(MacAddress::Parse("00:00:00:00:00:00")->IsZero());
  EXPECT_FALSE(MacAddress::Parse("00:00:00:00:00:01")->IsZero());
  EXPECT_FALSE(MacAddress::Parse("80:00:00:00:00:00")->IsZero());
}

TEST(MacAddressTest, OrderingIsBytewise) {
  const MacAddress a = *MacAddress::Parse("00:00:00:00:00:ff");
  const MacAddress b = *MacAddress::Parse("00:00:00:00:01:00");
  const MacAddress c = *MacAddress::Parse("ff:00:00:00:00:00");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(a, *MacAddress::Parse("00-00-00-00-00-FF"));
  EXPECT_NE(a, b);
  std::set<MacAddress> s{c, b, a, a};
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(*s.begin(), a);
}

TEST(MacAddressTest, IsUnicast) {
  EXPECT_TRUE(MacAddress::Parse("52:54:00:12:34:56")->IsUnicast());
  EXPECT_TRUE(MacAddress::Parse("02:00:00:00:00:01")->IsUnicast());  // locally administered
  EXPECT_FALSE(MacAddress::Parse("00:00:00:00:00:00")->IsUnicast());
  EXPECT_FALSE(MacAddress::Parse("01:00:5e:00:00:01")->IsUnicast());  // IPv4 multicast
  EXPECT_FALSE(MacAddress::Parse("33:33:00:00:00:01")->IsUnicast());  // IPv6 multicast
  EXPECT_FALSE(MacAddress::Parse("ff:ff:ff:ff:ff:ff")->IsUnicast());  // broadcast
}

}  // namespace
}  // namespace evpnd::evpn
