// Unit tests for whole BGP messages (bgpd/wire/message.h): the 19-byte header of RFC 4271 §4.1
// (marker, length, type), KEEPALIVE (§4.4), ROUTE-REFRESH (RFC 2918 type 5), End-of-RIB messages
// for IPv4 and EVPN (RFC 4724 §2), every header error of RFC 4271 §6.1 with its data (marker not
// all ones 1/1; Bad Message Length 1/2 carrying the length: <19, >4096, per-type minimums; Bad
// Message Type 1/3 carrying the type) and the RFC 8654 65535-byte limit once negotiated; stream
// framing with CheckFrame (partial header, full header, bad header); encode limits; and a seeded
// mutation property: random byte changes to a valid UPDATE never crash the decoder and, whenever
// it reports no error, the value re-encodes to a message that decodes to the same value.
#include "bgpd/wire/message.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bgpd/wire/notification_codes.h"
#include "gtest/gtest.h"
#include "tests/unit/hex_bytes.h"

namespace evpnd::wire {
namespace {

using test::Hex;

const std::string kMarker = "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ";
const char kImet[] = "03 11 00 01 c0 00 02 01 00 64 00 00 00 00 20 c0 00 02 01";

std::vector<uint8_t> Msg(const std::string& length_type_body) {
  return Hex(kMarker + length_type_body);
}

// A valid EVPN UPDATE of 98 bytes: type-3 route, ORIGIN, AS_PATH, RT + VXLAN, PMSI tunnel.
std::vector<uint8_t> ImetUpdate() {
  return Msg(std::string("00 62 02 00 00 00 4b 80 0e 1c 00 19 46 04 c0 00 02 01 00 ") + kImet +
             " 40 01 01 00 40 02 06 02 01 00 00 fd e9"
             " c0 10 10 00 02 fd e9 00 00 27 74 03 0c 00 00 00 00 00 08"
             " c0 16 09 00 06 00 27 74 c0 00 02 01");
}

void ExpectRoundTrip(const std::vector<uint8_t>& bytes, uint8_t type,
                     const CodecContext& ctx = {}) {
  auto out = DecodeMessage(bytes, ctx);
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  EXPECT_EQ(MessageTypeOf(out.value), type);
  auto again = EncodeMessage(out.value, ctx);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, bytes);
}

TEST(MessageTest, Keepalive) {
  const auto bytes = Msg("00 13 04");
  auto out = DecodeMessage(bytes, {});
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(std::holds_alternative<KeepaliveMessage>(out.value));
  EXPECT_EQ(*EncodeMessage(KeepaliveMessage{}, {}), bytes);
}

TEST(MessageTest, EveryTypeRoundTripsWithItsHeader) {
  ExpectRoundTrip(Msg("00 1d 01 04 fd e9 00 b4 c0 00 02 01 00"), kMsgOpen);
  ExpectRoundTrip(ImetUpdate(), kMsgUpdate);
  ExpectRoundTrip(Msg("00 19 03 06 02 03 62 79 65"), kMsgNotification);
  ExpectRoundTrip(Msg("00 17 05 00 19 00 46"), kMsgRouteRefresh);
  ExpectRoundTrip(Msg("00 17 05 00 19 01 46"), kMsgRouteRefresh);
  ExpectRoundTrip(Msg("00 17 05 00 19 02 46"), kMsgRouteRefresh);
  auto n = DecodeMessage(Msg("00 19 03 06 02 03 62 79 65"), {});
  EXPECT_EQ(std::get<NotificationMessage>(n.value).ShutdownCommunication(), "bye");
}

TEST(MessageTest, EndOfRibMessages) {
  const auto v4 = Msg("00 17 02 00 00 00 00");
  const auto evpn = Msg("00 1d 02 00 00 00 06 80 0f 03 00 19 46");
  EXPECT_EQ(*EncodeMessage(UpdateMessage::EndOfRib(kIpv4Unicast), {}), v4);
  EXPECT_EQ(*EncodeMessage(UpdateMessage::EndOfRib(kL2vpnEvpn), {}), evpn);
  EXPECT_EQ(std::get<UpdateMessage>(DecodeMessage(v4, {}).value).EndOfRibFamily(), kIpv4Unicast);
  EXPECT_EQ(std::get<UpdateMessage>(DecodeMessage(evpn, {}).value).EndOfRibFamily(), kL2vpnEvpn);
}

TEST(MessageTest, TypeNames) {
  EXPECT_EQ(std::string(MessageTypeName(kMsgOpen)), "OPEN");
  EXPECT_EQ(std::string(MessageTypeName(kMsgRouteRefresh)), "ROUTE-REFRESH");
  EXPECT_EQ(std::string(MessageTypeName(0)), "UNKNOWN");
  EXPECT_EQ(std::string(MessageTypeName(6)), "UNKNOWN");
  EXPECT_EQ(MessageTypeOf(KeepaliveMessage{}), 4);
  EXPECT_EQ(MessageTypeOf(RouteRefreshMessage{}), 5);
}

// ---- RFC 4271 §6.1 header errors ----

void ExpectHeaderError(const std::vector<uint8_t>& bytes, uint8_t subcode,
                       const std::vector<uint8_t>& data, const CodecContext& ctx = {}) {
  auto out = DecodeMessage(bytes, ctx);
  ASSERT_EQ(out.errors.size(), 1u);
  const WireError& e = out.errors[0];
  EXPECT_EQ(e.action, ErrorAction::kSessionReset);
  EXPECT_EQ(e.code, kMessageHeaderError);
  EXPECT_EQ(e.subcode, subcode) << e.message;
  EXPECT_EQ(e.data, data) << e.message;
  // CheckFrame on the same bytes reports the same error (except for a size mismatch).
  FrameCheck check = CheckFrame(bytes, ctx);
  if (check.error) {
    EXPECT_EQ(check.error->subcode, subcode);
    EXPECT_EQ(check.length, 0u);
  }
}

TEST(MessageHeaderTest, MarkerNotAllOnes) {
  for (size_t i = 0; i < 16; ++i) {
    auto bytes = Msg("00 13 04");
    bytes[i] = 0xfe;
    ExpectHeaderError(bytes, kConnectionNotSynchronized, {});
  }
}

TEST(MessageHeaderTest, BadLengths) {
  ExpectHeaderError(Msg("00 12 04"), kBadMessageLength, Hex("00 12"));
  ExpectHeaderError(Msg("00 00 04"), kBadMessageLength, Hex("00 00"));
  ExpectHeaderError(Msg("00 14 04 00"), kBadMessageLength, Hex("00 14"));  // KEEPALIVE != 19
  ExpectHeaderError(Msg("00 1c 01 04 fd e9 00 b4 c0 00 02 01"), kBadMessageLength,
                    Hex("00 1c"));                                               // OPEN < 29
  ExpectHeaderError(Msg("00 16 02 00 00 00"), kBadMessageLength, Hex("00 16"));  // UPDATE < 23
  ExpectHeaderError(Msg("00 14 03 06"), kBadMessageLength, Hex("00 14"));  // NOTIFICATION < 21
  // Header length disagreeing with the bytes given.
  ExpectHeaderError(Msg("00 14 04"), kBadMessageLength, Hex("00 14"));
}

std::vector<uint8_t> BigUpdate(size_t total) {
  // An unknown optional transitive attribute (type 99) with an extended length fills the UPDATE.
  const size_t value = total - 19 - 4 - 4;
  std::vector<uint8_t> m = Hex(kMarker);
  m.push_back(static_cast<uint8_t>(total >> 8));
  m.push_back(static_cast<uint8_t>(total));
  m.push_back(kMsgUpdate);
  for (uint8_t b : {0, 0, static_cast<int>((value + 4) >> 8), static_cast<int>((value + 4) & 0xff),
                    0xd0, 99, static_cast<int>(value >> 8), static_cast<int>(value & 0xff)}) {
    m.push_back(b);
  }
  for (size_t i = 0; i < value; ++i) m.push_back(static_cast<uint8_t>(i));
  EXPECT_EQ(m.size(), total);
  return m;
}

TEST(MessageHeaderTest, MaximumMessageSize) {
  CodecContext extended;
  extended.max_message_size = kMaxExtendedMessageSize;
  // 4096 is fine; 4097 is Bad Message Length carrying 0x1001 unless RFC 8654 was negotiated.
  ExpectRoundTrip(BigUpdate(4096), kMsgUpdate);
  ExpectHeaderError(BigUpdate(4097), kBadMessageLength, Hex("10 01"));
  ExpectRoundTrip(BigUpdate(4097), kMsgUpdate, extended);
  ExpectRoundTrip(BigUpdate(65535), kMsgUpdate, extended);
  ExpectHeaderError(Msg("13 88 02"), kBadMessageLength, Hex("13 88"));
  // The encoder refuses to exceed the limit.
  auto big = DecodeMessage(BigUpdate(5000), extended);
  ASSERT_TRUE(big.ok());
  EXPECT_FALSE(EncodeMessage(big.value, {}).ok());
  EXPECT_TRUE(EncodeMessage(big.value, extended).ok());
}

TEST(MessageHeaderTest, BadMessageType) {
  ExpectHeaderError(Msg("00 13 06"), kBadMessageType, Hex("06"));
  ExpectHeaderError(Msg("00 13 00"), kBadMessageType, Hex("00"));
  ExpectHeaderError(Msg("00 15 ff 00 00"), kBadMessageType, Hex("ff"));
}

TEST(MessageHeaderTest, RouteRefreshLengthJudgedByRfc7313) {
  auto out = DecodeMessage(Msg("00 18 05 00 01 01 01 00"), {});  // BoRR with an extra byte
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].code, kRouteRefreshMessageError);
  EXPECT_EQ(out.errors[0].subcode, kInvalidMessageLength);
  EXPECT_EQ(out.action(), ErrorAction::kSessionReset);
  EXPECT_EQ(DecodeMessage(Msg("00 14 05 00"), {}).errors.at(0).code, kRouteRefreshMessageError);
}

TEST(MessageHeaderTest, ShortBuffersNeverCrash) {
  const auto keepalive = Msg("00 13 04");
  for (size_t n = 0; n < keepalive.size(); ++n) {
    auto out = DecodeMessage(std::span<const uint8_t>(keepalive.data(), n), {});
    ASSERT_EQ(out.errors.size(), 1u) << n;
    EXPECT_EQ(out.errors[0].subcode, kBadMessageLength) << n;
  }
}

// ---- stream framing ----

TEST(CheckFrameTest, PartialHeaderFullHeaderAndBadHeader) {
  std::vector<uint8_t> stream = Msg("00 13 04");
  const auto update = ImetUpdate();
  stream.insert(stream.end(), update.begin(), update.end());
  const auto notification = Msg("00 15 03 04 00");
  stream.insert(stream.end(), notification.begin(), notification.end());

  // Every prefix shorter than a header asks for more bytes.
  for (size_t n = 0; n < kHeaderSize; ++n) {
    FrameCheck c = CheckFrame(std::span<const uint8_t>(stream.data(), n), {});
    EXPECT_EQ(c.length, 0u) << n;
    EXPECT_FALSE(c.error.has_value()) << n;
  }
  // Walk the stream message by message.
  std::vector<size_t> lengths;
  std::vector<uint8_t> types;
  std::span<const uint8_t> rest(stream);
  while (!rest.empty()) {
    FrameCheck c = CheckFrame(rest, {});
    ASSERT_FALSE(c.error.has_value());
    ASSERT_GT(c.length, 0u);
    ASSERT_LE(c.length, rest.size());
    auto out = DecodeMessage(rest.first(c.length), {});
    ASSERT_TRUE(out.ok());
    lengths.push_back(c.length);
    types.push_back(MessageTypeOf(out.value));
    rest = rest.subspan(c.length);
  }
  EXPECT_EQ(lengths, (std::vector<size_t>{19, 98, 21}));
  EXPECT_EQ(types, (std::vector<uint8_t>{kMsgKeepalive, kMsgUpdate, kMsgNotification}));
  // Once the header is in, the length is known before the body arrives.
  FrameCheck head = CheckFrame(std::span<const uint8_t>(update.data(), 19), {});
  EXPECT_EQ(head.length, 98u);
  EXPECT_FALSE(head.error.has_value());
  // A bad header is an error, not a request for more bytes.
  auto bad = Msg("00 13 04");
  bad[3] = 0;
  FrameCheck c = CheckFrame(bad, {});
  ASSERT_TRUE(c.error.has_value());
  EXPECT_EQ(c.error->subcode, kConnectionNotSynchronized);
  EXPECT_EQ(c.length, 0u);
  c = CheckFrame(Msg("00 12 04"), {});
  ASSERT_TRUE(c.error.has_value());
  EXPECT_EQ(c.error->data, Hex("00 12"));
}

TEST(MessageTest, OversizedEvpnRouteNeverEncodesCorrupt) {
  // An EVPN NLRI's length is one octet. An unknown route type kept opaque with 300 bytes cannot be
  // sent; EncodeMessage documents that it fails when a field does not fit its wire width.
  // Regression: the length byte once wrapped (300 -> 44), giving a malformed UPDATE.
  UpdateMessage u;
  u.attributes.origin = Origin::kIgp;
  u.attributes.as_path = AsPath{};
  MpReachNlri reach;
  reach.family = kL2vpnEvpn;
  reach.SetNextHop(*evpn::IpAddress::Parse("192.0.2.1"));
  reach.evpn_routes = {{std::nullopt, evpn::UnknownEvpnRoute{9, std::vector<uint8_t>(300, 7)}}};
  u.attributes.mp_reach = reach;
  auto encoded = EncodeMessage(u, {});
  if (encoded.ok()) {
    auto back = DecodeMessage(*encoded, {});
    EXPECT_TRUE(back.ok()) << "encoder produced an UPDATE its own decoder rejects: "
                           << back.errors[0].message;
  }
}

// ---- property: mutated UPDATEs ----

// An IPv4 UPDATE with most attribute kinds: withdrawn route, ORIGIN, AS_PATH, NEXT_HOP, MED,
// LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES, EXTENDED_COMMUNITIES (RT, MAC mobility),
// LARGE_COMMUNITY, an unknown optional transitive attribute, and two prefixes.
std::vector<uint8_t> RichUpdate() {
  return Msg(
      "00 86 02 00 04 18 0a 01 02 00 62"
      " 40 01 01 00 40 02 0a 02 02 00 00 fd e9 00 00 fd ea 40 03 04 c0 00 02 01"
      " 80 04 04 00 00 00 0a 40 05 04 00 00 00 64 40 06 00"
      " c0 07 08 00 00 fd e9 c0 00 02 01 c0 08 04 fd e8 00 01"
      " c0 10 10 00 02 fd e9 00 00 27 74 06 00 01 00 00 00 00 09"
      " c0 20 0c 00 00 fd e8 00 00 00 01 00 00 00 02 c0 63 02 aa bb"
      " 18 c6 33 64 20 c0 00 02 07");
}

TEST(MessagePropertyTest, MutatedUpdatesNeverCrashAndReachAFixedPoint) {
  std::mt19937 rng(7432);
  const std::vector<std::vector<uint8_t>> bases = {ImetUpdate(), RichUpdate()};
  for (const auto& base : bases) ASSERT_TRUE(DecodeMessage(base, {}).ok());
  int clean = 0;
  int byte_exact = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> m = bases[i % bases.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      // Mostly the body (the header is checked first and would hide the rest).
      const size_t at = (rng() % 10 == 0) ? rng() % m.size() : 19 + rng() % (m.size() - 19);
      if (rng() % 2 == 0) {
        m[at] = static_cast<uint8_t>(rng());
      } else {
        m[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
      }
    }
    if (rng() % 8 == 0) {  // truncate and keep the header length consistent
      m.resize(19 + 4 + rng() % (m.size() - 23));
      m[16] = static_cast<uint8_t>(m.size() >> 8);
      m[17] = static_cast<uint8_t>(m.size());
    }
    auto out = DecodeMessage(m, {});
    if (!out.ok()) {
      ASSERT_NE(out.strongest(), nullptr);
      continue;
    }
    ++clean;
    auto encoded = EncodeMessage(out.value, {});
    ASSERT_TRUE(encoded.ok()) << "iteration " << i << ": " << encoded.status();
    auto again = DecodeMessage(*encoded, {});
    ASSERT_TRUE(again.ok()) << "iteration " << i << ": " << again.errors[0].message;
    ASSERT_TRUE(again.value == out.value) << "iteration " << i;
    if (*encoded == m) ++byte_exact;
  }
  // The property is not vacuous: many mutants decode cleanly (changed values, not structure).
  EXPECT_GT(clean, 2000);
  // And a received UPDATE that decodes without error re-encodes to its own bytes.
  EXPECT_EQ(byte_exact, clean);
}

}  // namespace
}  // namespace evpnd::wire
