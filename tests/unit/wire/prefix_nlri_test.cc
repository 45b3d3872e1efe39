// Unit tests for the IPv4/IPv6 unicast prefix codec (bgpd/wire/prefix_nlri.h): the (length in
// bits, minimum number of prefix octets) encoding of RFC 4271 §4.3 for the UPDATE's NLRI and
// Withdrawn Routes fields, the same for IPv6 in MP_REACH/MP_UNREACH (RFC 4760 §5), ADD-PATH path
// identifiers before each prefix (RFC 7911 §3), lengths 0/32/128 at the edges, bits past the
// prefix length kept, and every error: length above 32/128, prefix overrunning the field, and a
// truncated path identifier. Also the encoder's size function.
#include "bgpd/wire/prefix_nlri.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/hex_bytes.h"

namespace evpnd::wire {
namespace {

using test::Hex;

PrefixNlri P(const char* text, std::optional<uint32_t> path_id = std::nullopt) {
  return PrefixNlri{path_id, *evpn::IpPrefix::Parse(text)};
}

std::vector<uint8_t> Encode(const std::vector<PrefixNlri>& prefixes, bool add_path) {
  std::vector<uint8_t> out;
  WireWriter w(out);
  for (const PrefixNlri& p : prefixes) EncodePrefixNlri(p, add_path, w);
  return out;
}

void ExpectCanonical(const std::string& hex, const std::vector<PrefixNlri>& prefixes, bool ipv6,
                     bool add_path) {
  const std::vector<uint8_t> bytes = Hex(hex);
  std::vector<PrefixNlri> decoded;
  auto err = DecodePrefixNlri(bytes, ipv6, add_path, decoded);
  ASSERT_FALSE(err.has_value()) << *err;
  EXPECT_EQ(decoded, prefixes);
  EXPECT_EQ(Encode(prefixes, add_path), bytes);
  size_t size = 0;
  for (const PrefixNlri& p : prefixes) size += PrefixNlriSize(p, add_path);
  EXPECT_EQ(size, bytes.size());
}

TEST(PrefixNlriTest, Ipv4MinimumOctets) {
  ExpectCanonical("18 0a 01 02", {P("10.1.2.0/24")}, false, false);
  ExpectCanonical("08 0a", {P("10.0.0.0/8")}, false, false);
  ExpectCanonical("09 0a 80", {P("10.128.0.0/9")}, false, false);
  ExpectCanonical("20 c0 00 02 01", {P("192.0.2.1/32")}, false, false);
  ExpectCanonical("00", {P("0.0.0.0/0")}, false, false);
}

TEST(PrefixNlriTest, Ipv4SeveralPrefixes) {
  ExpectCanonical("18 0a 01 02 20 c0 00 02 01 00 10 ac 10",
                  {P("10.1.2.0/24"), P("192.0.2.1/32"), P("0.0.0.0/0"), P("172.16.0.0/16")}, false,
                  false);
}

TEST(PrefixNlriTest, Ipv6) {
  ExpectCanonical("40 20 01 0d b8 00 01 00 00", {P("2001:db8:1::/64")}, true, false);
  ExpectCanonical("80 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01", {P("2001:db8::1/128")},
                  true, false);
  ExpectCanonical("00", {P("::/0")}, true, false);
  ExpectCanonical("30 20 01 0d b8 00 02", {P("2001:db8:2::/48")}, true, false);
}

TEST(PrefixNlriTest, AddPathIdentifier) {
  ExpectCanonical("00 00 00 01 18 0a 01 02 00 00 00 02 18 0a 01 02",
                  {P("10.1.2.0/24", 1), P("10.1.2.0/24", 2)}, false, true);
  ExpectCanonical("ff ff ff ff 40 20 01 0d b8 00 01 00 00", {P("2001:db8:1::/64", 0xffffffffu)},
                  true, true);
}

TEST(PrefixNlriTest, AddPathWithoutIdentifierEncodesZero) {
  EXPECT_EQ(Encode({P("10.0.0.0/8")}, true), Hex("00 00 00 00 08 0a"));
  EXPECT_EQ(PrefixNlriSize(P("10.0.0.0/8"), true), 6u);
}

TEST(PrefixNlriTest, BitsPastTheLengthAreKept) {
  // A /20 needs 3 octets; the 4 low bits of the third are not part of the prefix but are kept so
  // that the prefix re-encodes as received.
  std::vector<PrefixNlri> decoded;
  ASSERT_FALSE(DecodePrefixNlri(Hex("14 0a 01 ff"), false, false, decoded).has_value());
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0].prefix.length, 20);
  EXPECT_EQ(decoded[0].prefix.address.ToString(), "10.1.255.0");
  EXPECT_EQ(Encode(decoded, false), Hex("14 0a 01 ff"));
}

TEST(PrefixNlriTest, EncoderNeverWritesMoreBitsThanTheFamilyHas) {
  PrefixNlri p = P("10.0.0.0/8");
  p.prefix.length = 40;  // impossible for IPv4: clamped to 32
  EXPECT_EQ(Encode({p}, false), Hex("20 0a 00 00 00"));
  EXPECT_EQ(PrefixNlriSize(p, false), 5u);
}

TEST(PrefixNlriTest, Errors) {
  struct Case {
    const char* what;
    const char* hex;
    bool ipv6;
    bool add_path;
    size_t kept;
  };
  const Case cases[] = {
      {"IPv4 length 33", "21 0a 00 00 00 00", false, false, 0},
      {"IPv4 length 255", "ff", false, false, 0},
      {"IPv6 length 129", "81 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00 00", true, false, 0},
      {"prefix overruns", "18 0a 01", false, false, 0},
      {"second prefix overruns", "08 0a 20 c0 00", false, false, 1},
      {"IPv6 overruns", "40 20 01 0d b8", true, false, 0},
      {"path id truncated", "00 00 01", false, true, 0},
      {"length missing after path id", "00 00 00 01", false, true, 0},
      {"second path id truncated", "00 00 00 01 08 0a 00 00", false, true, 1},
  };
  for (const Case& c : cases) {
    std::vector<PrefixNlri> decoded;
    auto err = DecodePrefixNlri(Hex(c.hex), c.ipv6, c.add_path, decoded);
    EXPECT_TRUE(err.has_value()) << c.what;
    EXPECT_EQ(decoded.size(), c.kept) << c.what;
  }
}

TEST(PrefixNlriTest, Ipv4LengthBoundaryIsExactly32) {
  std::vector<PrefixNlri> decoded;
  EXPECT_FALSE(DecodePrefixNlri(Hex("20 01 02 03 04"), false, false, decoded).has_value());
  EXPECT_TRUE(DecodePrefixNlri(Hex("21 01 02 03 04 05"), false, false, decoded).has_value());
  // The same bytes are fine for IPv6.
  decoded.clear();
  EXPECT_FALSE(DecodePrefixNlri(Hex("21 01 02 03 04 05"), true, false, decoded).has_value());
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_TRUE(decoded[0].prefix.address.is_v6());
  EXPECT_EQ(decoded[0].prefix.length, 33);
}

TEST(PrefixNlriTest, EmptyField) {
  std::vector<PrefixNlri> decoded;
  EXPECT_FALSE(DecodePrefixNlri({}, false, true, decoded).has_value());
  EXPECT_TRUE(decoded.empty());
}

}  // namespace
}  // namespace evpnd::wire
