// Unit tests for the EVPN NLRI codec (bgpd/wire/evpn_nlri.h). Each route type is checked against
// canonical bytes written out by hand from the RFC layouts: type 1 Ethernet A-D (RFC 7432 §7.1),
// type 2 MAC/IP with no IP, IPv4 and IPv6, with and without MPLS Label2 (§7.2), type 3 IMET
// (§7.3) and type 4 ES (§7.4) with IPv4 and IPv6 originator, and type 5 IP prefix (RFC 9136
// §3.1, 34 and 58 bytes), with the VNI in the label field as RFC 8365 §5.1.3 puts it. Also:
// unknown route types kept opaque (RFC 7432 §7), ADD-PATH path identifiers (RFC 7911 §3), every
// malformation the decoder must reject (bad MAC/IP length, overrun, trailing bytes, type-5
// length), and a seeded property test: thousands of random valid routes encode, decode, equal.
#include "bgpd/wire/evpn_nlri.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/hex_bytes.h"

namespace evpnd::wire {
namespace {

using evpn::EvpnRoute;

using test::Hex;

std::vector<uint8_t> Encode(const std::vector<EvpnNlri>& nlris, bool add_path) {
  std::vector<uint8_t> out;
  WireWriter w(out);
  for (const EvpnNlri& n : nlris) EncodeEvpnNlri(n, add_path, w);
  return out;
}

evpn::IpAddress Ip(const char* text) { return *evpn::IpAddress::Parse(text); }
evpn::RouteDistinguisher Rd(const char* text) { return *evpn::RouteDistinguisher::Parse(text); }
evpn::Esi Esi(const std::string& hex) {
  evpn::Esi esi;
  std::vector<uint8_t> b = Hex(hex);
  std::copy(b.begin(), b.end(), esi.bytes.begin());
  return esi;
}

const char kRd65000[] = "00 00 fd e8 00 00 00 64";  // 65000:100, RFC 4364 type 0
const char kRd192[] = "00 01 c0 00 02 01 00 64";    // 192.0.2.1:100, type 1
const char kEsiZero[] = "00 00 00 00 00 00 00 00 00 00";
const char kEsi0[] = "00 11 22 33 44 55 66 77 88 99";  // type 0 arbitrary

// Checks bytes -> route and route -> bytes, and that the encoder's size agrees.
void ExpectCanonical(const std::vector<uint8_t>& bytes, const EvpnNlri& nlri, bool add_path) {
  std::vector<EvpnNlri> decoded;
  auto err = DecodeEvpnNlri(bytes, add_path, decoded);
  ASSERT_FALSE(err.has_value()) << *err;
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_TRUE(decoded[0] == nlri) << evpn::ToString(decoded[0].route) << " vs "
                                  << evpn::ToString(nlri.route);
  EXPECT_EQ(Encode({nlri}, add_path), bytes);
  EXPECT_EQ(EvpnNlriSize(nlri, add_path), bytes.size());
}

evpn::MacIpAdvertisementRoute MacIp() {
  evpn::MacIpAdvertisementRoute r;
  r.rd = Rd("65000:100");
  r.mac = *evpn::MacAddress::Parse("52:54:00:12:34:56");
  r.label1 = evpn::Label::FromVni(10100);
  return r;
}

TEST(EvpnNlriTest, Type1EthernetAutoDiscoveryPerEs) {
  const auto bytes = Hex(std::string("01 19") + kRd192 + kEsi0 + "ff ff ff ff 00 27 74");
  ExpectCanonical(
      bytes,
      {std::nullopt, evpn::EthernetAutoDiscoveryRoute{Rd("192.0.2.1:100"), Esi(kEsi0), 0xffffffffu,
                                                      evpn::Label::FromVni(10100)}},
      false);
}

TEST(EvpnNlriTest, Type1WithMplsLabel) {
  // MPLS label 100 with the bottom-of-stack bit: 0x000641.
  const auto bytes = Hex(std::string("01 19") + kRd65000 + kEsi0 + "00 00 00 07 00 06 41");
  ExpectCanonical(bytes,
                  {std::nullopt, evpn::EthernetAutoDiscoveryRoute{Rd("65000:100"), Esi(kEsi0), 7,
                                                                  evpn::Label::FromMpls(100)}},
                  false);
}

TEST(EvpnNlriTest, Type2MacOnly) {
  const auto bytes = Hex(std::string("02 21") + kRd65000 + kEsiZero +
                         "00 00 00 00 30 52 54 00 12 34 56 00" + "00 27 74");
  ExpectCanonical(bytes, {std::nullopt, MacIp()}, false);
}

TEST(EvpnNlriTest, Type2Ipv4WithoutAndWithLabel2) {
  auto route = MacIp();
  route.ip = Ip("10.0.0.1");
  const std::string head = std::string(kRd65000) + kEsiZero + "00 00 00 00 30 52 54 00 12 34 56" +
                           "20 0a 00 00 01 00 27 74";
  ExpectCanonical(Hex("02 25" + head), {std::nullopt, route}, false);
  // RFC 9135 §5.1: symmetric IRB puts the L3 VNI in Label2.
  route.label2 = evpn::Label::FromVni(50000);
  ExpectCanonical(Hex("02 28" + head + "00 c3 50"), {std::nullopt, route}, false);
}

TEST(EvpnNlriTest, Type2Ipv6WithoutAndWithLabel2) {
  auto route = MacIp();
  route.ip = Ip("2001:db8::5");
  route.ethernet_tag = 100;
  route.esi = Esi(kEsi0);
  const std::string head = std::string(kRd65000) + kEsi0 + "00 00 00 64 30 52 54 00 12 34 56" +
                           "80 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 05 00 27 74";
  ExpectCanonical(Hex("02 31" + head), {std::nullopt, route}, false);
  route.label2 = evpn::Label::FromVni(0xffffff);
  ExpectCanonical(Hex("02 34" + head + "ff ff ff"), {std::nullopt, route}, false);
}

TEST(EvpnNlriTest, Type3InclusiveMulticastIpv4AndIpv6) {
  ExpectCanonical(Hex(std::string("03 11") + kRd192 + "00 00 00 00 20 c0 00 02 01"),
                  {std::nullopt, evpn::InclusiveMulticastEthernetTagRoute{Rd("192.0.2.1:100"), 0,
                                                                          Ip("192.0.2.1")}},
                  false);
  ExpectCanonical(Hex(std::string("03 1d") + kRd192 + "00 00 00 0a 80" +
                      "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"),
                  {std::nullopt, evpn::InclusiveMulticastEthernetTagRoute{Rd("192.0.2.1:100"), 10,
                                                                          Ip("2001:db8::1")}},
                  false);
}

TEST(EvpnNlriTest, Type4EthernetSegmentIpv4AndIpv6) {
  const char esi3[] = "03 44 38 39 ff 00 01 00 00 2a";
  ExpectCanonical(
      Hex(std::string("04 17") + kRd192 + esi3 + "20 c0 00 02 01"),
      {std::nullopt, evpn::EthernetSegmentRoute{Rd("192.0.2.1:100"), Esi(esi3), Ip("192.0.2.1")}},
      false);
  ExpectCanonical(
      Hex(std::string("04 23") + kRd192 + esi3 + "80" +
          "fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02"),
      {std::nullopt, evpn::EthernetSegmentRoute{Rd("192.0.2.1:100"), Esi(esi3), Ip("fd00::2")}},
      false);
}

TEST(EvpnNlriTest, Type5IpPrefixIpv4Is34Bytes) {
  evpn::IpPrefixRoute r;
  r.rd = Rd("192.0.2.1:5");
  r.prefix = *evpn::IpPrefix::Parse("10.1.1.0/24");
  r.gateway_ip = evpn::IpAddress();
  r.label = evpn::Label::FromVni(50000);
  ExpectCanonical(Hex(std::string("05 22 00 01 c0 00 02 01 00 05") + kEsiZero +
                      "00 00 00 00 18 0a 01 01 00 00 00 00 00 00 c3 50"),
                  {std::nullopt, r}, false);
}

TEST(EvpnNlriTest, Type5IpPrefixIpv6Is58Bytes) {
  evpn::IpPrefixRoute r;
  r.rd = Rd("192.0.2.1:5");
  r.esi = Esi(kEsi0);
  r.ethernet_tag = 1;
  r.prefix = *evpn::IpPrefix::Parse("2001:db8:1::/64");
  r.gateway_ip = Ip("2001:db8:1::1");
  r.label = evpn::Label::FromVni(50000);
  ExpectCanonical(Hex(std::string("05 3a 00 01 c0 00 02 01 00 05") + kEsi0 + "00 00 00 01 40" +
                      "20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 00" +
                      "20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 01 00 c3 50"),
                  {std::nullopt, r}, false);
}

TEST(EvpnNlriTest, Type5GatewayOfOtherFamilyIsSentAsZeros) {
  evpn::IpPrefixRoute r;
  r.prefix = *evpn::IpPrefix::Parse("10.0.0.0/8");
  r.gateway_ip = Ip("2001:db8::1");  // wrong family
  const auto bytes = Encode({{std::nullopt, r}}, false);
  ASSERT_EQ(bytes.size(), 36u);  // still a well-formed 34-byte route
  std::vector<EvpnNlri> decoded;
  ASSERT_FALSE(DecodeEvpnNlri(bytes, false, decoded).has_value());
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(std::get<evpn::IpPrefixRoute>(decoded[0].route).gateway_ip, evpn::IpAddress());
}

TEST(EvpnNlriTest, UnknownRouteTypeKeptOpaque) {
  ExpectCanonical(Hex("09 03 aa bb cc"),
                  {std::nullopt, evpn::UnknownEvpnRoute{9, {0xaa, 0xbb, 0xcc}}}, false);
  ExpectCanonical(Hex("00 00"), {std::nullopt, evpn::UnknownEvpnRoute{0, {}}}, false);
  // RFC 9251 type 6 (SMET) is not modelled: kept, even if it would not parse as anything.
  ExpectCanonical(Hex("06 02 01 02"), {std::nullopt, evpn::UnknownEvpnRoute{6, {1, 2}}}, false);
}

TEST(EvpnNlriTest, AddPathIdentifierPrecedesEachRoute) {
  const std::string imet = std::string("03 11") + kRd192 + "00 00 00 00 20 c0 00 02 01";
  const evpn::InclusiveMulticastEthernetTagRoute route{Rd("192.0.2.1:100"), 0, Ip("192.0.2.1")};
  ExpectCanonical(Hex("00 00 00 01" + imet), {1u, route}, true);
  ExpectCanonical(Hex("ff ff ff ff" + imet), {0xffffffffu, route}, true);
  // Without ADD-PATH the same route has no identifier; the 4 bytes then misparse.
  std::vector<EvpnNlri> decoded;
  EXPECT_TRUE(DecodeEvpnNlri(Hex("00 00 00 01" + imet), false, decoded).has_value());
  // Truncated inside the path identifier.
  decoded.clear();
  EXPECT_TRUE(DecodeEvpnNlri(Hex("00 00 00"), true, decoded).has_value());
}

TEST(EvpnNlriTest, SeveralRoutesInOneField) {
  const auto bytes = Hex(std::string("03 11") + kRd192 + "00 00 00 00 20 c0 00 02 01" + "09 01 ff" +
                         "03 11" + kRd65000 + "00 00 00 01 20 c0 00 02 02");
  std::vector<EvpnNlri> decoded;
  ASSERT_FALSE(DecodeEvpnNlri(bytes, false, decoded).has_value());
  ASSERT_EQ(decoded.size(), 3u);
  EXPECT_EQ(evpn::RouteTypeOf(decoded[0].route), 3);
  EXPECT_EQ(evpn::RouteTypeOf(decoded[1].route), 9);
  EXPECT_EQ(std::get<evpn::InclusiveMulticastEthernetTagRoute>(decoded[2].route).ethernet_tag, 1u);
  EXPECT_EQ(Encode(decoded, false), bytes);
}

std::string Zeros(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += "00 ";
  return s;
}

// Returns the decoder's error for `hex`, or "" when it accepted it.
std::string DecodeError(const std::string& hex, size_t* routes_before = nullptr) {
  std::vector<EvpnNlri> decoded;
  auto err = DecodeEvpnNlri(Hex(hex), false, decoded);
  if (routes_before != nullptr) *routes_before = decoded.size();
  return err.value_or("");
}

TEST(EvpnNlriTest, MalformedRoutesAreRejected) {
  const std::string rd_esi_tag = std::string(kRd65000) + kEsiZero + "00 00 00 00";
  struct Case {
    const char* what;
    std::string hex;
  };
  const Case cases[] = {
      {"MAC length 40", "02 21" + rd_esi_tag + "28 52 54 00 12 34 56 00 00 27 74"},
      {"MAC length 0", "02 21" + rd_esi_tag + "00 52 54 00 12 34 56 00 00 27 74"},
      {"type-2 IP length 24", "02 24" + rd_esi_tag + "30 52 54 00 12 34 56 18 0a 00 00 00 27 74"},
      {"type-2 IP length 33",
       "02 25" + rd_esi_tag + "30 52 54 00 12 34 56 21 0a 00 00 01 00 27 74"},
      {"type-2 one byte after Label1",
       "02 22" + rd_esi_tag + "30 52 54 00 12 34 56 00 00 27 74 01"},
      {"type-2 two bytes after Label1",
       "02 23" + rd_esi_tag + "30 52 54 00 12 34 56 00 00 27 74 01 02"},
      {"type-2 byte after Label2",
       "02 25" + rd_esi_tag + "30 52 54 00 12 34 56 00 00 27 74 00 00 01 ff"},
      {"type-2 truncated in MAC", "02 1a" + rd_esi_tag + "30 52 54 00"},
      {"type-2 IPv4 truncated", "02 21" + rd_esi_tag + "30 52 54 00 12 34 56 20 0a 00 00"},
      {"type-3 IP length 0", std::string("03 0d") + kRd192 + "00 00 00 00 00"},
      {"type-3 IP length 64",
       std::string("03 15") + kRd192 + "00 00 00 00 40 01 02 03 04 05 06 07 08"},
      {"type-3 IPv6 truncated", std::string("03 11") + kRd192 + "00 00 00 00 80 c0 00 02 01"},
      {"type-3 trailing byte", std::string("03 12") + kRd192 + "00 00 00 00 20 c0 00 02 01 00"},
      {"type-4 IP length 16", std::string("04 15") + kRd192 + kEsi0 + "10 c0 00"},
      {"type-1 short", std::string("01 18") + kRd192 + kEsi0 + "00 00 00 00 00 27"},
      {"type-1 trailing", std::string("01 1a") + kRd192 + kEsi0 + "00 00 00 00 00 27 74 00"},
      {"route length overruns", std::string("03 12") + kRd192 + "00 00 00 00 20 c0 00 02 01"},
      {"length byte missing", "03"},
      {"type-5 length 33", std::string("05 21") + kRd192 + kEsiZero + "00 00 00 00 18" +
                               "0a 01 01 00 00 00 00 00 00 c3"},
      {"type-5 length 35", std::string("05 23") + kRd192 + kEsiZero + "00 00 00 00 18" +
                               "0a 01 01 00 00 00 00 00 00 c3 50 00"},
      {"type-5 length 46", "05 2e" + Zeros(46)},
      {"type-5 length 57", "05 39" + Zeros(57)},
      {"type-5 length 59", "05 3b" + Zeros(59)},
      {"type-5 IPv6 prefix length 129", "05 3a" + Zeros(22) + "81" + Zeros(35)},
      {"type-5 IPv4 prefix length 33", std::string("05 22") + kRd192 + kEsiZero + "00 00 00 00 21" +
                                           "0a 01 01 00 00 00 00 00 00 c3 50"},
  };
  for (const Case& c : cases) {
    EXPECT_NE(DecodeError(c.hex), "") << c.what;
  }
}

TEST(EvpnNlriTest, ErrorMessagesNameTheProblem) {
  const std::string rd_esi_tag = std::string(kRd65000) + kEsiZero + "00 00 00 00";
  EXPECT_NE(DecodeError("02 21" + rd_esi_tag + "28 52 54 00 12 34 56 00 00 27 74").find("MAC"),
            std::string::npos);
  EXPECT_NE(
      DecodeError(std::string("03 12") + kRd192 + "00 00 00 00 20 c0 00 02 01").find("overruns"),
      std::string::npos);
  EXPECT_NE(DecodeError(std::string("03 12") + kRd192 + "00 00 00 00 20 c0 00 02 01 00")
                .find("past its fields"),
            std::string::npos);
  EXPECT_NE(DecodeError("05 21" + Zeros(33)).find("34"), std::string::npos);
}

TEST(EvpnNlriTest, ErrorKeepsTheRoutesBeforeTheBadOne) {
  size_t before = 0;
  const std::string good = std::string("03 11") + kRd192 + "00 00 00 00 20 c0 00 02 01";
  const std::string err = DecodeError(good + good + "03 11 00", &before);
  EXPECT_NE(err, "");
  EXPECT_EQ(before, 2u);
}

TEST(EvpnNlriTest, EmptyFieldHasNoRoutes) {
  std::vector<EvpnNlri> decoded;
  EXPECT_FALSE(DecodeEvpnNlri({}, false, decoded).has_value());
  EXPECT_FALSE(DecodeEvpnNlri({}, true, decoded).has_value());
  EXPECT_TRUE(decoded.empty());
}

// ---- property test: random valid routes survive encode -> decode ----

class RandomRoutes {
 public:
  explicit RandomRoutes(uint32_t seed) : rng_(seed) {}

  EvpnNlri Next(bool add_path) {
    EvpnNlri n;
    if (add_path) n.path_id = U32();
    switch (Pick(6)) {
      case 0:
        n.route = evpn::EthernetAutoDiscoveryRoute{RdRand(), EsiRand(), U32(), LabelRand()};
        break;
      case 1: {
        evpn::MacIpAdvertisementRoute r;
        r.rd = RdRand();
        r.esi = EsiRand();
        r.ethernet_tag = U32();
        for (auto& b : r.mac.bytes) b = U8();
        const int ip = Pick(3);
        if (ip == 1) r.ip = IpRand(false);
        if (ip == 2) r.ip = IpRand(true);
        r.label1 = LabelRand();
        if (Pick(2) == 1) r.label2 = LabelRand();
        n.route = r;
        break;
      }
      case 2:
        n.route = evpn::InclusiveMulticastEthernetTagRoute{RdRand(), U32(), IpRand(Pick(2) == 1)};
        break;
      case 3:
        n.route = evpn::EthernetSegmentRoute{RdRand(), EsiRand(), IpRand(Pick(2) == 1)};
        break;
      case 4: {
        const bool v6 = Pick(2) == 1;
        evpn::IpPrefixRoute r;
        r.rd = RdRand();
        r.esi = EsiRand();
        r.ethernet_tag = U32();
        r.prefix.address = IpRand(v6);
        r.prefix.length = static_cast<uint8_t>(Pick(v6 ? 129 : 33));
        r.gateway_ip = IpRand(v6);
        r.label = LabelRand();
        n.route = r;
        break;
      }
      default: {
        evpn::UnknownEvpnRoute r;
        r.route_type = static_cast<uint8_t>(6 + Pick(250));
        r.value.resize(Pick(60));
        for (auto& b : r.value) b = U8();
        n.route = r;
        break;
      }
    }
    return n;
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  uint8_t U8() { return static_cast<uint8_t>(Pick(256)); }
  uint32_t U32() { return static_cast<uint32_t>(rng_()); }
  evpn::Label LabelRand() { return evpn::Label{U32() & 0xffffff}; }
  evpn::RouteDistinguisher RdRand() {
    std::array<uint8_t, 8> b;
    for (auto& x : b) x = U8();
    b[0] = 0;
    b[1] = static_cast<uint8_t>(Pick(4));  // types 0-2 and an unknown type 3
    return evpn::RouteDistinguisher(b);
  }
  evpn::Esi EsiRand() {
    evpn::Esi esi;
    if (Pick(3) == 0) return esi;
    for (auto& x : esi.bytes) x = U8();
    return esi;
  }
  evpn::IpAddress IpRand(bool v6) {
    std::array<uint8_t, 16> b;
    for (auto& x : b) x = U8();
    return *evpn::IpAddress::FromBytes(std::span<const uint8_t>(b.data(), v6 ? 16 : 4));
  }

  std::mt19937 rng_;
};

TEST(EvpnNlriPropertyTest, RandomValidRoutesRoundTrip) {
  RandomRoutes gen(20240601);
  for (int i = 0; i < 4000; ++i) {
    const bool add_path = (i % 3) == 0;
    std::vector<EvpnNlri> routes;
    const int count = 1 + i % 4;
    for (int k = 0; k < count; ++k) routes.push_back(gen.Next(add_path));
    const std::vector<uint8_t> bytes = Encode(routes, add_path);
    size_t expected_size = 0;
    for (const EvpnNlri& r : routes) expected_size += EvpnNlriSize(r, add_path);
    ASSERT_EQ(bytes.size(), expected_size) << "iteration " << i;
    std::vector<EvpnNlri> decoded;
    auto err = DecodeEvpnNlri(bytes, add_path, decoded);
    ASSERT_FALSE(err.has_value()) << "iteration " << i << ": " << *err;
    ASSERT_EQ(decoded.size(), routes.size()) << "iteration " << i;
    for (size_t k = 0; k < routes.size(); ++k) {
      ASSERT_TRUE(decoded[k] == routes[k])
          << "iteration " << i << " route " << k << ": " << evpn::ToString(routes[k].route)
          << " came back as " << evpn::ToString(decoded[k].route);
    }
    // Every route's own length octet matches its value (independent of EvpnNlriSize).
    size_t at = add_path ? 4 : 0;
    ASSERT_EQ(bytes[at], evpn::RouteTypeOf(routes[0].route));
  }
}

}  // namespace
}  // namespace evpnd::wire
