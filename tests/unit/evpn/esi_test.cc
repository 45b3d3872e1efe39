// Unit tests for evpn::Esi, the 10-byte Ethernet Segment Identifier of RFC 7432 §5: the type
// octet, the all-zero single-homed ESI, the typed views of ESI types 1 (LACP: system MAC + port
// key), 2 (bridged LAN: root bridge MAC + priority), 3 (MAC-based: system MAC + 3-byte
// discriminator), 4 (router id + discriminator) and 5 (ASN + discriminator), FRR-style printing
// and bytewise ordering.
#include "evpn/esi.h"

#include <array>
#include <cstdint>
#include <set>

#include "gtest/gtest.h"

namespace evpnd::evpn {
namespace {

Esi Make(std::array<uint8_t, 10> bytes) {
  Esi esi;
  esi.bytes = bytes;
  return esi;
}

TEST(EsiTest, ZeroEsiIsSingleHomed) {
  Esi esi;
  EXPECT_TRUE(esi.IsZero());
  EXPECT_EQ(esi.type(), Esi::kArbitrary);
  EXPECT_EQ(esi.ToString(), "00:00:00:00:00:00:00:00:00:00");
  for (size_t i = 0; i < 10; ++i) {
    Esi one;
    one.bytes[i] = 1;
    EXPECT_FALSE(one.IsZero()) << "byte " << i;
  }
}

TEST(EsiTest, Type0ArbitraryPrintsAllBytes) {
  Esi esi = Make({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99});
  EXPECT_EQ(esi.type(), 0);
  EXPECT_FALSE(esi.IsZero());
  EXPECT_EQ(esi.ToString(), "00:11:22:33:44:55:66:77:88:99");
}

TEST(EsiTest, Type1LacpSystemMacAndPortKey) {
  // RFC 7432 §5: CE LACP System MAC address (6 octets) | CE LACP Port Key (2) | 0x00.
  Esi esi = Make({0x01, 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc, 0x01, 0x2c, 0x00});
  EXPECT_EQ(esi.type(), Esi::kLacp);
  EXPECT_EQ(esi.mac().ToString(), "52:54:00:aa:bb:cc");
  EXPECT_EQ(esi.u16_after_mac(), 0x012c);
  EXPECT_EQ(esi.ToString(), "01:52:54:00:aa:bb:cc:01:2c:00");
}

TEST(EsiTest, Type2BridgedLanRootBridgePriority) {
  Esi esi = Make({0x02, 0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e, 0x80, 0x00, 0x00});
  EXPECT_EQ(esi.type(), Esi::kBridgedLan);
  EXPECT_EQ(esi.mac().ToString(), "00:1b:21:3c:4d:5e");
  EXPECT_EQ(esi.u16_after_mac(), 0x8000);
}

TEST(EsiTest, Type3MacBasedDiscriminator) {
  Esi esi = Make({0x03, 0x44, 0x38, 0x39, 0xff, 0x00, 0x01, 0x00, 0x00, 0x2a});
  EXPECT_EQ(esi.type(), Esi::kMacBased);
  EXPECT_EQ(esi.mac().ToString(), "44:38:39:ff:00:01");
  EXPECT_EQ(esi.mac_based_discriminator(), 42u);
  Esi high = Make({0x03, 0, 0, 0, 0, 0, 0, 0xab, 0xcd, 0xef});
  EXPECT_EQ(high.mac_based_discriminator(), 0xabcdefu);
}

TEST(EsiTest, Type4RouterIdAndDiscriminator) {
  // RFC 7432 §5: Router ID (4) | Local Discriminator (4) | 0x00.
  Esi esi = Make({0x04, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00});
  EXPECT_EQ(esi.type(), Esi::kRouterId);
  EXPECT_EQ(esi.u32_first(), 0xc0000201u);
  EXPECT_EQ(esi.u32_second(), 0x100u);
}

TEST(EsiTest, Type5AsBased) {
  Esi esi = Make({0x05, 0xfa, 0x56, 0xea, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00});
  EXPECT_EQ(esi.type(), Esi::kAsBased);
  EXPECT_EQ(esi.u32_first(), 4200000000u);
  EXPECT_EQ(esi.u32_second(), 0xdeadbeefu);
}

TEST(EsiTest, OrderingIsBytewise) {
  Esi a = Make({0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01});
  Esi b = Make({0x00, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00});
  Esi c = Make({0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(a, Make({0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}));
  std::set<Esi> s{c, b, a, a};
  EXPECT_EQ(s.size(), 3u);
}

}  // namespace
}  // namespace evpnd::evpn
