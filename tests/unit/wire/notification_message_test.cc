// Unit tests for the NOTIFICATION and ROUTE-REFRESH codecs (bgpd/wire/notification_message.h) and
// the error-code registry names (notification_codes.h, decode_outcome.h). NOTIFICATION: code,
// subcode and data kept byte-exact (RFC 4271 §4.5), the RFC 9003 §2 shutdown communication (a
// length octet and UTF-8 text on Cease / Administrative Shutdown or Reset; a length beyond the
// data or text that is not RFC 3629 UTF-8 is ignored), and the short-message error (RFC 4271
// §6.1, Bad Message Length with the length). ROUTE-REFRESH: subtypes 0, 1 (BoRR) and 2 (EoRR) of
// RFC 7313 §3, ORF bytes kept, and the RFC 7313 §5 Invalid Message Length error.
#include "bgpd/wire/notification_message.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "bgpd/wire/notification_codes.h"
#include "gtest/gtest.h"
#include "tests/unit/hex_bytes.h"

namespace evpnd::wire {
namespace {

using test::Hex;

std::vector<uint8_t> EncodeNotification(const NotificationMessage& n) {
  std::vector<uint8_t> out;
  WireWriter w(out);
  EncodeNotificationBody(n, w);
  return out;
}
std::vector<uint8_t> EncodeRefresh(const RouteRefreshMessage& rr) {
  std::vector<uint8_t> out;
  WireWriter w(out);
  EncodeRouteRefreshBody(rr, w);
  return out;
}

std::optional<std::string> Communication(const std::string& data_hex, uint8_t subcode = 2) {
  return NotificationMessage{kCease, subcode, Hex(data_hex)}.ShutdownCommunication();
}

TEST(NotificationTest, ShutdownCommunicationRoundTrip) {
  // Cease / Administrative Shutdown, length 11, "maintenance".
  const auto bytes = Hex("06 02 0b 6d 61 69 6e 74 65 6e 61 6e 63 65");
  auto out = DecodeNotificationBody(bytes);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value.code, kCease);
  EXPECT_EQ(out.value.subcode, kAdministrativeShutdown);
  EXPECT_EQ(out.value.ShutdownCommunication(), "maintenance");
  EXPECT_EQ(out.value, NotificationMessage::Shutdown(kAdministrativeShutdown, "maintenance"));
  EXPECT_EQ(EncodeNotification(out.value), bytes);
}

TEST(NotificationTest, ShutdownCommunicationUtf8) {
  // "Wartung für 5 min": ü is c3 bc.
  EXPECT_EQ(Communication("12 57 61 72 74 75 6e 67 20 66 c3 bc 72 20 35 20 6d 69 6e"),
            "Wartung f\xc3\xbcr 5 min");
  // A 4-byte sequence (U+1F6A7) and a 3-byte one (U+20AC) on Administrative Reset.
  EXPECT_EQ(Communication("07 f0 9f 9a a7 e2 82 ac", kAdministrativeReset),
            "\xf0\x9f\x9a\xa7\xe2\x82\xac");
  EXPECT_EQ(Communication("00"), "");
  const NotificationMessage n =
      NotificationMessage::Shutdown(kAdministrativeReset, "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(n.data, Hex("05 c3 a9 74 c3 a9"));
  EXPECT_EQ(n.ShutdownCommunication(), "\xc3\xa9t\xc3\xa9");
}

TEST(NotificationTest, ShutdownCommunicationBadLengthIgnored) {
  EXPECT_FALSE(Communication("14 61 62").has_value());  // claims 20 bytes, has 2
  EXPECT_FALSE(Communication("ff").has_value());
  EXPECT_FALSE(Communication("").has_value());
}

TEST(NotificationTest, ShutdownCommunicationInvalidUtf8Ignored) {
  for (const char* data : {"02 c3 28",  // continuation byte missing
                           "01 ff",     // never valid
                           "01 c3",     // sequence cut by the length
                           "02 e2 82",  // 3-byte sequence cut
                           "01 80",     // stray continuation byte
                           "04 f8 88 80 80"}) {
    EXPECT_FALSE(Communication(data).has_value()) << data;
  }
}

TEST(NotificationTest, ShutdownCommunicationRejectsWhatRfc3629Forbids) {
  // RFC 3629 §3-4: overlong forms, UTF-16 surrogates and code points above U+10FFFF are not
  // UTF-8 (regression: only the lead/continuation bit patterns were once checked).
  for (const char* data : {"02 c0 af",        // overlong '/'
                           "02 c1 bf",        // overlong
                           "03 e0 80 af",     // overlong 3-byte
                           "03 ed a0 80",     // surrogate U+D800
                           "04 f4 90 80 80",  // U+110000
                           "04 f5 80 80 80"}) {
    EXPECT_FALSE(Communication(data).has_value()) << data;
  }
}

TEST(NotificationTest, ShutdownCommunicationOnlyOnShutdownAndReset) {
  EXPECT_FALSE(Communication("02 68 69", kPeerDeConfigured).has_value());
  EXPECT_FALSE(Communication("02 68 69", kHardReset).has_value());
  EXPECT_EQ(Communication("02 68 69", kAdministrativeReset), "hi");
  EXPECT_FALSE((NotificationMessage{kUpdateMessageError, 2, Hex("02 68 69")})
                   .ShutdownCommunication()
                   .has_value());
}

TEST(NotificationTest, ShutdownTruncatesTo255Bytes) {
  const NotificationMessage n =
      NotificationMessage::Shutdown(kAdministrativeShutdown, std::string(300, 'x'));
  ASSERT_EQ(n.data.size(), 256u);
  EXPECT_EQ(n.data[0], 255);
  EXPECT_EQ(n.ShutdownCommunication(), std::string(255, 'x'));
}

TEST(NotificationTest, OtherNotificationsKeptByteExact) {
  for (const char* hex : {"04 00",                 // hold timer expired
                          "03 05 40 01 02 00 00",  // attribute length error
                          "02 01 00 04",           // unsupported version
                          "06 09 06 02 00"}) {     // hard reset (RFC 8538)
    auto out = DecodeNotificationBody(Hex(hex));
    ASSERT_TRUE(out.ok()) << hex;
    EXPECT_EQ(out.value.code, Hex(hex)[0]);
    EXPECT_EQ(EncodeNotification(out.value), Hex(hex));
  }
}

TEST(NotificationTest, ShorterThan21BytesIsBadMessageLength) {
  auto out = DecodeNotificationBody(Hex("06"));
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].action, ErrorAction::kSessionReset);
  EXPECT_EQ(out.errors[0].code, kMessageHeaderError);
  EXPECT_EQ(out.errors[0].subcode, kBadMessageLength);
  EXPECT_EQ(out.errors[0].data, Hex("00 14"));
  EXPECT_EQ(DecodeNotificationBody({}).errors.at(0).data, Hex("00 13"));
}

TEST(RouteRefreshTest, Subtypes) {
  struct Case {
    const char* hex;
    AfiSafi family;
    uint8_t subtype;
  };
  for (const Case& c : {Case{"00 19 00 46", kL2vpnEvpn, RouteRefreshMessage::kNormal},
                        Case{"00 01 01 01", kIpv4Unicast, RouteRefreshMessage::kBeginningOfRefresh},
                        Case{"00 19 02 46", kL2vpnEvpn, RouteRefreshMessage::kEndOfRefresh}}) {
    auto out = DecodeRouteRefreshBody(Hex(c.hex));
    ASSERT_TRUE(out.ok()) << c.hex;
    EXPECT_EQ(out.value.family, c.family);
    EXPECT_EQ(out.value.subtype, c.subtype);
    EXPECT_TRUE(out.value.orf_entries.empty());
    EXPECT_EQ(EncodeRefresh(out.value), Hex(c.hex));
    EXPECT_EQ(EncodeRefresh(RouteRefreshMessage{c.family, c.subtype, {}}), Hex(c.hex));
  }
}

TEST(RouteRefreshTest, OrfEntriesKeptOnNormalRefresh) {
  const auto bytes = Hex("00 01 00 01 01 40 00 05 01 02 03 04 05");
  auto out = DecodeRouteRefreshBody(bytes);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value.orf_entries, Hex("01 40 00 05 01 02 03 04 05"));
  EXPECT_EQ(EncodeRefresh(out.value), bytes);
}

TEST(RouteRefreshTest, InvalidMessageLength) {
  for (const char* hex : {"00 01 01 01 00", "00 19 02 46 00 00", "00 01 00", ""}) {
    const auto body = Hex(hex);
    auto out = DecodeRouteRefreshBody(body);
    ASSERT_EQ(out.errors.size(), 1u) << hex;
    const WireError& e = out.errors[0];
    EXPECT_EQ(e.action, ErrorAction::kSessionReset);
    EXPECT_EQ(e.code, kRouteRefreshMessageError);
    EXPECT_EQ(e.subcode, kInvalidMessageLength);
    // RFC 7313 §5: the data holds the ROUTE-REFRESH message (at least its body).
    ASSERT_GE(e.data.size(), body.size());
    EXPECT_TRUE(std::equal(body.begin(), body.end(), e.data.end() - body.size())) << hex;
  }
}

TEST(ErrorNamesTest, CodesSubcodesAndActions) {
  EXPECT_EQ(std::string(ErrorCodeName(kMessageHeaderError)), "message-header-error");
  EXPECT_EQ(std::string(ErrorCodeName(kCease)), "cease");
  EXPECT_EQ(std::string(ErrorCodeName(kRouteRefreshMessageError)), "route-refresh-message-error");
  EXPECT_EQ(std::string(ErrorCodeName(0)), "unknown");
  EXPECT_EQ(std::string(ErrorCodeName(99)), "unknown");
  EXPECT_EQ(std::string(ErrorSubcodeName(kMessageHeaderError, kBadMessageType)),
            "bad-message-type");
  EXPECT_EQ(std::string(ErrorSubcodeName(kOpenMessageError, kUnacceptableHoldTime)),
            "unacceptable-hold-time");
  EXPECT_EQ(std::string(ErrorSubcodeName(kOpenMessageError, 8)), "unknown");
  EXPECT_EQ(std::string(ErrorSubcodeName(kUpdateMessageError, kMalformedAsPath)),
            "malformed-as-path");
  EXPECT_EQ(std::string(ErrorSubcodeName(kCease, kAdministrativeShutdown)),
            "administrative-shutdown");
  EXPECT_EQ(std::string(ErrorSubcodeName(kCease, kBfdDown)), "bfd-down");
  EXPECT_EQ(std::string(ErrorSubcodeName(kRouteRefreshMessageError, kInvalidMessageLength)),
            "invalid-message-length");
  EXPECT_EQ(std::string(ErrorSubcodeName(kHoldTimerExpired, 0)), "unspecific");
  EXPECT_EQ(std::string(ErrorSubcodeName(kHoldTimerExpired, 1)), "unknown");
  EXPECT_EQ(std::string(ErrorActionName(ErrorAction::kNone)), "none");
  EXPECT_EQ(std::string(ErrorActionName(ErrorAction::kTreatAsWithdraw)), "treat-as-withdraw");
  EXPECT_EQ(std::string(ErrorActionName(ErrorAction::kSessionReset)), "session-reset");
}

}  // namespace
}  // namespace evpnd::wire
