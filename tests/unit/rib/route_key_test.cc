// Unit tests for rib/route_key.h: which fields of each EVPN route type are key (RFC 7432
// §7.1-7.4, RFC 9136 §3.2) and which are attributes (labels, ESI, gateway), RD always key, IPv4
// and IPv6 kept apart, ordering and rebuilding the key route.
#include "rib/route_key.h"

#include <algorithm>
#include <random>
#include <vector>

#include "absl/hash/hash.h"
#include "gtest/gtest.h"
#include "tests/unit/rib/rib_test_util.h"

namespace evpnd::rib {
namespace {

using test::Ip;
using test::Rd;

evpn::Esi EsiOf(uint8_t last) {
  evpn::Esi esi;
  esi.bytes[0] = 0;
  esi.bytes[9] = last;
  return esi;
}

TEST(RouteKeyTest, Type1EsiAndTagAreKeyLabelIsNot) {
  evpn::EthernetAutoDiscoveryRoute a{Rd("192.0.2.1:1"), EsiOf(1), 100, evpn::Label::FromVni(1)};
  evpn::EthernetAutoDiscoveryRoute b = a;
  b.label = evpn::Label::FromVni(2);
  EXPECT_EQ(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  b = a;
  b.esi = EsiOf(2);
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  b = a;
  b.ethernet_tag = 101;
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
}

TEST(RouteKeyTest, Type2MacIpAndTagAreKeyEsiAndLabelsAreNot) {
  evpn::MacIpAdvertisementRoute a = test::Type2(1);
  a.ip = Ip("10.0.0.1");
  evpn::MacIpAdvertisementRoute b = a;
  b.label1 = evpn::Label::FromVni(999);
  b.label2 = evpn::Label::FromVni(5000);
  b.esi = EsiOf(7);
  EXPECT_EQ(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  b = a;
  b.mac.bytes[5] = 9;
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  b = a;
  b.ip.reset();
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  b = a;
  b.ip = Ip("10.0.0.2");
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  b = a;
  b.ethernet_tag = 5;
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
}

TEST(RouteKeyTest, RdIsAlwaysKey) {
  EXPECT_NE(RouteKey::ForEvpn(test::Type2(1, "192.0.2.1:100")),
            RouteKey::ForEvpn(test::Type2(1, "192.0.2.2:100")));
  EXPECT_NE(RouteKey::ForEvpn(test::Type3("192.0.2.1:100", "192.0.2.1")),
            RouteKey::ForEvpn(test::Type3("192.0.2.1:101", "192.0.2.1")));
}

TEST(RouteKeyTest, Type3TagAndOriginatorAreKey) {
  auto a = test::Type3("192.0.2.1:100", "192.0.2.1");
  auto b = a;
  b.originating_router_ip = Ip("192.0.2.2");
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  b = a;
  b.ethernet_tag = 1;
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  b = a;
  b.originating_router_ip = Ip("::ffff:192.0.2.1");
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
}

TEST(RouteKeyTest, Type4EsiAndOriginatorAreKey) {
  evpn::EthernetSegmentRoute a{Rd("192.0.2.1:0"), EsiOf(1), Ip("192.0.2.1")};
  auto b = a;
  b.esi = EsiOf(2);
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  b = a;
  b.originating_router_ip = Ip("192.0.2.9");
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  EXPECT_EQ(RouteKey::ForEvpn(a), RouteKey::ForEvpn(evpn::EthernetSegmentRoute(a)));
}

TEST(RouteKeyTest, Type5PrefixAndTagAreKeyEsiGatewayLabelAreNot) {
  evpn::IpPrefixRoute a;
  a.rd = Rd("192.0.2.1:5");
  a.prefix = *evpn::IpPrefix::Parse("10.1.0.0/16");
  a.gateway_ip = Ip("0.0.0.0");
  a.label = evpn::Label::FromVni(5000);
  auto b = a;
  b.esi = EsiOf(3);
  b.gateway_ip = Ip("10.1.0.1");
  b.label = evpn::Label::FromVni(6000);
  EXPECT_EQ(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  b = a;
  b.prefix.length = 24;
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
  b = a;
  b.ethernet_tag = 1;
  EXPECT_NE(RouteKey::ForEvpn(a), RouteKey::ForEvpn(b));
}

TEST(RouteKeyTest, RouteTypesNeverCollide) {
  evpn::UnknownEvpnRoute unknown{9, {1, 2, 3}};
  evpn::UnknownEvpnRoute other{9, {1, 2, 4}};
  EXPECT_NE(RouteKey::ForEvpn(unknown), RouteKey::ForEvpn(other));
  EXPECT_EQ(RouteKey::ForEvpn(unknown).route_type(), 9);
  EXPECT_EQ(RouteKey::ForEvpn(test::Type2(1)).route_type(), 2);
  EXPECT_EQ(RouteKey::ForEvpn(test::Type2(1)).family(), wire::kL2vpnEvpn);
  // Ordered by route type first, then RD.
  EXPECT_LT(RouteKey::ForEvpn(test::Type2(1, "192.0.2.9:1")),
            RouteKey::ForEvpn(test::Type3("192.0.2.1:1", "192.0.2.1")));
}

TEST(RouteKeyTest, ToEvpnRouteKeepsKeyFieldsOnly) {
  evpn::MacIpAdvertisementRoute a = test::Type2(0x010203);
  a.ip = Ip("2001:db8::1");
  a.esi = EsiOf(4);
  const evpn::EvpnRoute rebuilt = RouteKey::ForEvpn(a).ToEvpnRoute();
  const auto& r = std::get<evpn::MacIpAdvertisementRoute>(rebuilt);
  EXPECT_EQ(r.rd, a.rd);
  EXPECT_EQ(r.mac, a.mac);
  EXPECT_EQ(r.ip, a.ip);
  EXPECT_EQ(r.label1, evpn::Label{});
  EXPECT_TRUE(r.esi.IsZero());
  EXPECT_EQ(RouteKey::ForEvpn(rebuilt), RouteKey::ForEvpn(a));
  EXPECT_EQ(RouteKey::ForEvpn(a).ToString(),
            "l2vpn-evpn 192.0.2.1:100 [2]:[0]:[48]:[02:00:00:01:02:03]:[128]:[2001:db8::1]");

  evpn::IpPrefixRoute p;
  p.rd = Rd("65000:5");
  p.prefix = *evpn::IpPrefix::Parse("2001:db8::/32");
  p.gateway_ip = Ip("::");
  EXPECT_EQ(RouteKey::ForEvpn(RouteKey::ForEvpn(p).ToEvpnRoute()), RouteKey::ForEvpn(p));
  EXPECT_EQ(std::get<evpn::IpPrefixRoute>(RouteKey::ForEvpn(p).ToEvpnRoute()), p);
}

TEST(RouteKeyTest, KnownTypesFitInlineAndLongUnknownKeysCopyAndMove) {
  // The longest known keys: a type-2 with an IPv6 address, a type-4 with an IPv6 originator.
  evpn::MacIpAdvertisementRoute t2 = test::Type2(7);
  t2.ip = Ip("2001:db8::7");
  EXPECT_EQ(RouteKey::ForEvpn(t2).bytes().size(), 37u);
  EXPECT_EQ(RouteKey::ForEvpn(evpn::EthernetSegmentRoute{Rd("1:1"), EsiOf(1), Ip("2001:db8::1")})
                .bytes()
                .size(),
            36u);
  EXPECT_EQ(sizeof(RouteKey), 40u);
  // An unknown route type's whole value is its key, however long (held on the heap).
  std::vector<uint8_t> value(300);
  for (size_t i = 0; i < value.size(); ++i) value[i] = static_cast<uint8_t>(i);
  const RouteKey long_key = RouteKey::ForEvpn(evpn::UnknownEvpnRoute{42, value});
  EXPECT_EQ(long_key.bytes().size(), 301u);
  RouteKey copy = long_key;
  EXPECT_EQ(copy, long_key);
  EXPECT_NE(copy.bytes().data(), long_key.bytes().data());
  RouteKey moved = std::move(copy);
  EXPECT_EQ(moved, long_key);
  moved = RouteKey::ForEvpn(t2);  // heap to inline
  EXPECT_EQ(moved, RouteKey::ForEvpn(t2));
  moved = long_key;  // inline to heap
  EXPECT_EQ(moved, long_key);
  const RouteKey& same = moved;
  moved = same;  // self-assignment keeps it
  EXPECT_EQ(moved, long_key);
  // A key that is a prefix of another orders first; bytes compare unsigned.
  value.resize(40);
  const RouteKey shorter = RouteKey::ForEvpn(evpn::UnknownEvpnRoute{42, value});
  EXPECT_LT(shorter, long_key);
  EXPECT_LT(RouteKey::ForEvpn(evpn::UnknownEvpnRoute{42, {0x7f}}),
            RouteKey::ForEvpn(evpn::UnknownEvpnRoute{42, {0x80}}));
  EXPECT_LT(RouteKey{}, RouteKey::ForEvpn(t2));
  EXPECT_EQ(absl::HashOf(RouteKey::ForEvpn(t2)), absl::HashOf(RouteKey::ForEvpn(t2)));
}

// The order compares eight bytes at a time: it must still be the bytes' lexicographic order,
// shorter first on a common prefix, for keys inline and on the heap alike. Unknown route types
// give keys of any length and content; the values are drawn from few bytes so that long common
// prefixes, zero bytes and prefix keys are common.
TEST(RouteKeyTest, OrderIsTheLexicographicOrderOfTheBytes) {
  std::mt19937 rng(7);
  const uint8_t alphabet[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
  std::vector<RouteKey> keys;
  for (int i = 0; i < 400; ++i) {
    std::vector<uint8_t> value(rng() % 50);  // keys of 1-50 bytes: inline up to 40
    for (uint8_t& b : value) b = alphabet[rng() % 5];
    keys.push_back(RouteKey::ForEvpn(evpn::UnknownEvpnRoute{9, value}));
  }
  for (const RouteKey& a : keys) {
    for (const RouteKey& b : keys) {
      const std::span<const uint8_t> x = a.bytes(), y = b.bytes();
      const bool lex_less = std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
      const bool lex_equal = std::equal(x.begin(), x.end(), y.begin(), y.end());
      ASSERT_EQ(a < b, lex_less) << a.ToString() << " vs " << b.ToString();
      ASSERT_EQ(a == b, lex_equal);
      ASSERT_EQ(RouteKeyOrder()(a, b) == 0, lex_equal);
      ASSERT_EQ(RouteKeyOrder()(a, b) < 0, lex_less);
    }
  }
  // The family orders first.
  EXPECT_LT(RouteKey::ForPrefix(evpn::IpPrefix{Ip("10.0.0.0"), 8}),
            RouteKey::ForEvpn(test::Type2(1)));
}

}  // namespace
}  // namespace evpnd::rib
