// Unit tests for the EVPN route value (evpn/evpn_route.h) and the 24-bit label field
// (evpn/label.h): the route type octet of each variant (RFC 7432 §7: 1 A-D, 2 MAC/IP, 3 IMET,
// 4 ES; RFC 9136 §3: 5 IP prefix) and of the opaque unknown form, the registry names, FRR-style
// one-line printing, value equality of every route type (every field takes part), and the label
// helpers: VNI in the whole 24-bit field (RFC 8365 §5.1.3) versus a 20-bit MPLS label with the
// bottom-of-stack bit (RFC 3032 §2.1 as used by RFC 7432 §7.2).
#include "evpn/evpn_route.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace evpnd::evpn {
namespace {

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }
MacAddress Mac(const char* text) { return *MacAddress::Parse(text); }
RouteDistinguisher Rd(const char* text) { return *RouteDistinguisher::Parse(text); }

Esi TestEsi() {
  Esi esi;
  esi.bytes = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99};
  return esi;
}

MacIpAdvertisementRoute TestMacIp() {
  MacIpAdvertisementRoute r;
  r.rd = Rd("192.0.2.1:2");
  r.mac = Mac("52:54:00:12:34:56");
  r.ip = Ip("10.0.0.1");
  r.label1 = Label::FromVni(10100);
  return r;
}

TEST(RouteLabelFieldTest, VniUsesAll24Bits) {
  const Label l = Label::FromVni(10100);
  EXPECT_EQ(l.raw, 0x002774u);
  EXPECT_EQ(l.vni(), 10100u);
  EXPECT_EQ(Label::FromVni(kMaxVni).raw, 0xffffffu);
  EXPECT_EQ(Label::FromVni(0x1000001).raw, 1u);  // only 24 bits exist on the wire
}

TEST(RouteLabelFieldTest, MplsLabelIsTop20BitsWithBottomOfStack) {
  const Label l = Label::FromMpls(100);
  EXPECT_EQ(l.raw, 0x000641u);
  EXPECT_EQ(l.mpls_label(), 100u);
  EXPECT_TRUE(l.bottom_of_stack());
  const Label top = Label::FromMpls(0xfffff, /*bottom_of_stack=*/false);
  EXPECT_EQ(top.raw, 0xfffff0u);
  EXPECT_EQ(top.mpls_label(), 0xfffffu);
  EXPECT_FALSE(top.bottom_of_stack());
  EXPECT_EQ(Label::FromMpls(0x100000).mpls_label(), 0u);  // 21st bit does not fit
}

TEST(EvpnRouteTest, RouteTypeOfEachVariant) {
  EXPECT_EQ(RouteTypeOf(EthernetAutoDiscoveryRoute{}), 1);
  EXPECT_EQ(RouteTypeOf(MacIpAdvertisementRoute{}), 2);
  EXPECT_EQ(RouteTypeOf(InclusiveMulticastEthernetTagRoute{}), 3);
  EXPECT_EQ(RouteTypeOf(EthernetSegmentRoute{}), 4);
  EXPECT_EQ(RouteTypeOf(IpPrefixRoute{}), 5);
  EXPECT_EQ(RouteTypeOf(UnknownEvpnRoute{9, {1, 2, 3}}), 9);
  EXPECT_EQ(RouteTypeOf(UnknownEvpnRoute{0xff, {}}), 0xff);
}

TEST(EvpnRouteTest, RouteTypeNames) {
  EXPECT_EQ(std::string(RouteTypeName(1)), "ethernet-auto-discovery");
  EXPECT_EQ(std::string(RouteTypeName(2)), "mac-ip-advertisement");
  EXPECT_EQ(std::string(RouteTypeName(3)), "inclusive-multicast-ethernet-tag");
  EXPECT_EQ(std::string(RouteTypeName(4)), "ethernet-segment");
  EXPECT_EQ(std::string(RouteTypeName(5)), "ip-prefix");
  EXPECT_EQ(std::string(RouteTypeName(0)), "unknown");
  EXPECT_EQ(std::string(RouteTypeName(6)), "unknown");
  EXPECT_EQ(std::string(RouteTypeName(255)), "unknown");
}

TEST(EvpnRouteTest, ToStringMacIpWithAndWithoutIp) {
  MacIpAdvertisementRoute r = TestMacIp();
  EXPECT_EQ(ToString(r), "192.0.2.1:2 [2]:[0]:[48]:[52:54:00:12:34:56]:[32]:[10.0.0.1]");
  r.ip = Ip("2001:db8::5");
  r.ethernet_tag = 7;
  EXPECT_EQ(ToString(r), "192.0.2.1:2 [2]:[7]:[48]:[52:54:00:12:34:56]:[128]:[2001:db8::5]");
  r.ip.reset();
  EXPECT_EQ(ToString(r), "192.0.2.1:2 [2]:[7]:[48]:[52:54:00:12:34:56]");
}

TEST(EvpnRouteTest, ToStringOtherTypes) {
  EthernetAutoDiscoveryRoute ad{Rd("65000:1"), TestEsi(), 0xffffffffu, Label::FromVni(0)};
  EXPECT_EQ(ToString(ad), "65000:1 [1]:[00:11:22:33:44:55:66:77:88:99]:[4294967295]");
  InclusiveMulticastEthernetTagRoute imet{Rd("192.0.2.1:100"), 0, Ip("192.0.2.1")};
  EXPECT_EQ(ToString(imet), "192.0.2.1:100 [3]:[0]:[32]:[192.0.2.1]");
  EthernetSegmentRoute es{Rd("192.0.2.1:0"), TestEsi(), Ip("2001:db8::1")};
  EXPECT_EQ(ToString(es), "192.0.2.1:0 [4]:[00:11:22:33:44:55:66:77:88:99]:[128]:[2001:db8::1]");
  IpPrefixRoute pfx;
  pfx.rd = Rd("65000:5");
  pfx.prefix = *IpPrefix::Parse("10.1.1.0/24");
  EXPECT_EQ(ToString(pfx), "65000:5 [5]:[0]:[24]:[10.1.1.0]");
  EXPECT_EQ(ToString(UnknownEvpnRoute{9, {1, 2, 3}}), "[9]:(3 bytes)");
}

TEST(EvpnRouteTest, EqualityCoversEveryMacIpField) {
  const MacIpAdvertisementRoute base = TestMacIp();
  EXPECT_EQ(base, TestMacIp());
  std::vector<MacIpAdvertisementRoute> changed(7, base);
  changed[0].rd = Rd("192.0.2.1:3");
  changed[1].esi = TestEsi();
  changed[2].ethernet_tag = 1;
  changed[3].mac = Mac("52:54:00:12:34:57");
  changed[4].ip.reset();
  changed[5].label1 = Label::FromVni(10101);
  changed[6].label2 = Label::FromVni(50000);
  for (size_t i = 0; i < changed.size(); ++i) {
    EXPECT_NE(changed[i], base) << "field " << i;
    EXPECT_FALSE(EvpnRoute(changed[i]) == EvpnRoute(base)) << "field " << i;
  }
  // An IPv4 and IPv6 address with the same leading bytes differ.
  MacIpAdvertisementRoute v6 = base;
  v6.ip = Ip("a00:1::");
  EXPECT_NE(v6, base);
}

TEST(EvpnRouteTest, EqualityAcrossVariantsAndUnknown) {
  const EvpnRoute a = InclusiveMulticastEthernetTagRoute{Rd("1:1"), 0, Ip("192.0.2.1")};
  const EvpnRoute b = EthernetSegmentRoute{Rd("1:1"), Esi{}, Ip("192.0.2.1")};
  EXPECT_FALSE(a == b);
  EXPECT_TRUE(a == (EvpnRoute{InclusiveMulticastEthernetTagRoute{Rd("1:1"), 0, Ip("192.0.2.1")}}));
  EXPECT_FALSE((EvpnRoute{UnknownEvpnRoute{9, {1}}}) == (EvpnRoute{UnknownEvpnRoute{10, {1}}}));
  EXPECT_FALSE((EvpnRoute{UnknownEvpnRoute{9, {1}}}) == (EvpnRoute{UnknownEvpnRoute{9, {2}}}));
  IpPrefixRoute p1;
  p1.prefix = *IpPrefix::Parse("10.0.0.0/8");
  IpPrefixRoute p2 = p1;
  p2.gateway_ip = Ip("10.0.0.254");
  EXPECT_NE(p1, p2);
  p2 = p1;
  p2.prefix.length = 9;
  EXPECT_NE(p1, p2);
}

}  // namespace
}  // namespace evpnd::evpn
