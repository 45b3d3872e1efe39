// Unit tests for rib/path.h's NlriRest: a path keeps only the NLRI fields its key leaves out,
// so the key and those fields must give back the NLRI as announced, for every route type, and
// two NLRIs of one key that differ outside it (a new label, ESI or gateway) must not compare
// equal.
#include "rib/path.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/rib/rib_test_util.h"

namespace evpnd::rib {
namespace {

using test::Ip;
using test::Rd;

evpn::Esi EsiOf(uint8_t first, uint8_t last) {
  evpn::Esi esi;
  esi.bytes[0] = first;
  esi.bytes[9] = last;
  return esi;
}

// One NLRI of each shape: every route type, with and without the optional fields.
std::vector<RouteNlri> Shapes() {
  std::vector<RouteNlri> out;
  out.push_back(evpn::EvpnRoute(evpn::EthernetAutoDiscoveryRoute{
      Rd("192.0.2.1:1"), EsiOf(0, 7), 0xffffffff, evpn::Label::FromMpls(1000, true)}));
  evpn::MacIpAdvertisementRoute t2 = test::Type2(3);
  out.push_back(evpn::EvpnRoute(t2));  // MAC only, one label
  t2.ip = Ip("10.0.0.3");
  t2.esi = EsiOf(1, 9);
  t2.label2 = evpn::Label::FromVni(50001);
  out.push_back(evpn::EvpnRoute(t2));  // MAC/IPv4, ESI, two labels
  t2.ip = Ip("2001:db8::3");
  t2.label1 = evpn::Label{0xffffffff};  // every bit of the raw value survives
  out.push_back(evpn::EvpnRoute(t2));
  out.push_back(evpn::EvpnRoute(test::Type3("192.0.2.1:100", "10.0.0.1")));
  out.push_back(evpn::EvpnRoute(
      evpn::EthernetSegmentRoute{Rd("192.0.2.1:1"), EsiOf(1, 2), Ip("2001:db8::1")}));
  evpn::IpPrefixRoute t5;
  t5.rd = Rd("192.0.2.1:5");
  t5.esi = EsiOf(0, 5);
  t5.ethernet_tag = 5;
  t5.prefix = evpn::IpPrefix{Ip("10.1.0.0"), 16};
  t5.gateway_ip = Ip("10.1.0.1");
  t5.label = evpn::Label::FromVni(5000);
  out.push_back(evpn::EvpnRoute(t5));
  t5.prefix = evpn::IpPrefix{Ip("2001:db8:5::"), 48};
  t5.gateway_ip = Ip("2001:db8:5::ffff:1");
  out.push_back(evpn::EvpnRoute(t5));
  out.push_back(evpn::EvpnRoute(evpn::UnknownEvpnRoute{9, {1, 2, 3, 4, 5}}));
  out.push_back(evpn::IpPrefix{Ip("192.168.1.0"), 24});
  out.push_back(evpn::IpPrefix{Ip("2001:db8:1::"), 48});
  return out;
}

// A Loc-RIB of a million routes holds a million paths: 56 bytes is a 64-byte malloc chunk.
TEST(PathTest, SizeOfAPath) {
  EXPECT_EQ(sizeof(NlriRest), 31u);
  EXPECT_EQ(sizeof(Path), 56u);
}

TEST(NlriRestTest, KeyAndRestGiveBackTheNlri) {
  for (const RouteNlri& nlri : Shapes()) {
    const RouteKey key = KeyOf(nlri);
    SCOPED_TRACE(key.ToString());
    EXPECT_EQ(NlriRest::Of(nlri).With(key), nlri);
  }
}

TEST(NlriRestTest, FieldsOutsideTheKeyMakeADifferentRest) {
  evpn::MacIpAdvertisementRoute a = test::Type2(1);
  evpn::MacIpAdvertisementRoute b = a;
  b.label1 = evpn::Label::FromVni(20200);
  evpn::MacIpAdvertisementRoute c = a;
  c.esi = EsiOf(0, 1);
  evpn::MacIpAdvertisementRoute d = a;
  d.label2 = a.label1;  // a second label equal to the first still counts
  const std::vector<NlriRest> rests = {
      NlriRest::Of(evpn::EvpnRoute(a)), NlriRest::Of(evpn::EvpnRoute(b)),
      NlriRest::Of(evpn::EvpnRoute(c)), NlriRest::Of(evpn::EvpnRoute(d))};
  for (size_t i = 0; i < rests.size(); ++i) {
    for (size_t j = 0; j < rests.size(); ++j) EXPECT_EQ(rests[i] == rests[j], i == j) << i << j;
  }
  // A type-5 route whose gateway changes family with the same bytes.
  evpn::IpPrefixRoute v4;
  v4.prefix = evpn::IpPrefix{Ip("2001:db8::"), 32};
  v4.gateway_ip = Ip("0.0.0.0");
  evpn::IpPrefixRoute v6 = v4;
  v6.gateway_ip = Ip("::");
  EXPECT_NE(NlriRest::Of(evpn::EvpnRoute(v4)), NlriRest::Of(evpn::EvpnRoute(v6)));
}

// Random type-2 and type-5 routes: the round trip holds for any field values.
TEST(NlriRestTest, RandomRoutesRoundTrip) {
  std::mt19937 rng(11);
  auto byte = [&] { return static_cast<uint8_t>(rng()); };
  for (int i = 0; i < 2000; ++i) {
    evpn::RouteDistinguisher rd = Rd("192.0.2.1:1");
    evpn::Esi esi;
    for (uint8_t& b : esi.bytes) b = byte();
    RouteNlri nlri;
    if (i % 2 == 0) {
      evpn::MacIpAdvertisementRoute r;
      r.rd = rd;
      r.esi = esi;
      r.ethernet_tag = static_cast<uint32_t>(rng());
      for (uint8_t& b : r.mac.bytes) b = byte();
      if (rng() % 3 == 1) r.ip = evpn::IpAddress::V4(static_cast<uint32_t>(rng()));
      if (rng() % 3 == 2) r.ip = evpn::IpAddress::V6({byte(), byte(), 0, 0, 0, 0, 0, byte()});
      r.label1 = evpn::Label{static_cast<uint32_t>(rng())};
      if (rng() % 2) r.label2 = evpn::Label{static_cast<uint32_t>(rng())};
      nlri = evpn::EvpnRoute(r);
    } else {
      evpn::IpPrefixRoute r;
      r.rd = rd;
      r.esi = esi;
      r.ethernet_tag = static_cast<uint32_t>(rng());
      const bool v6 = rng() % 2;
      r.prefix.length = static_cast<uint8_t>(rng() % (v6 ? 129 : 33));
      r.prefix.address = v6 ? evpn::IpAddress::V6({byte(), byte(), byte(), 0, 0, 0, 0, 0, 0, 0,
                                                    0, 0, 0, 0, byte(), byte()})
                            : evpn::IpAddress::V4(static_cast<uint32_t>(rng()));
      r.gateway_ip = v6 ? evpn::IpAddress::V6({byte(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                               byte()})
                        : evpn::IpAddress::V4(static_cast<uint32_t>(rng()));
      r.label = evpn::Label{static_cast<uint32_t>(rng())};
      nlri = evpn::EvpnRoute(r);
    }
    ASSERT_EQ(NlriRest::Of(nlri).With(KeyOf(nlri)), nlri) << KeyOf(nlri).ToString();
  }
}

}  // namespace
}  // namespace evpnd::rib
