// Unit tests for the OPEN codec (bgpd/wire/open_message.h) against hand-written bodies laid out as
// RFC 4271 §4.2 gives them: every capability kind (RFC 4760 §8 multiprotocol, RFC 2918 route
// refresh, RFC 7313 enhanced route refresh, RFC 4724 §3 graceful restart with per-AFI flags,
// RFC 6793 4-octet AS, RFC 7911 §4 ADD-PATH, RFC 8654 extended message, the FQDN/hostname
// capability, unknown codes kept), several capabilities grouped in one Optional Parameter (RFC
// 5492 §4, re-encoded byte-exact), the RFC 9072 extended Optional Parameters form (decoded, kept,
// and chosen by the encoder when capabilities exceed 255 bytes), and every RFC 4271 §6.2 error:
// version, Bad Peer AS (AS 0, RFC 7607), hold time 1 and 2, BGP identifier 0 (RFC 6286),
// unsupported optional parameter, truncated and malformed capabilities, short OPEN.
#include "bgpd/wire/open_message.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bgpd/wire/message.h"
#include "bgpd/wire/notification_codes.h"
#include "gtest/gtest.h"
#include "tests/unit/hex_bytes.h"

namespace evpnd::wire {
namespace {

using test::Hex;

std::vector<uint8_t> Encode(const OpenMessage& open) {
  std::vector<uint8_t> out;
  WireWriter w(out);
  EncodeOpenBody(open, w);
  return out;
}

// Version 4, AS 65001, hold time 180, BGP identifier 192.0.2.1.
const char kFixed[] = "04 fd e9 00 b4 c0 00 02 01 ";

// One capability per Optional Parameter, as FRR sends them.
const char kAllCapabilities[] =
    "57"
    " 02 06 01 04 00 01 00 01"                    // multiprotocol IPv4 unicast
    " 02 06 01 04 00 19 00 46"                    // multiprotocol L2VPN EVPN
    " 02 02 02 00"                                // route refresh
    " 02 02 46 00"                                // enhanced route refresh
    " 02 0c 40 0a 80 78 00 01 01 80 00 19 46 00"  // graceful restart R=1, 120 s
    " 02 06 41 04 00 00 fd e9"                    // 4-octet AS 65001
    " 02 06 45 04 00 19 46 03"                    // ADD-PATH EVPN send/receive
    " 02 02 06 00"                                // extended message
    " 02 14 49 12 05 6c 65 61 66 31 0b 65 78 61 6d 70 6c 65 2e 6e 65 74"  // leaf1 example.net
    " 02 05 83 03 01 02 03";                                              // unknown code 131

OpenMessage AllCapabilitiesOpen() {
  OpenMessage o;
  o.my_as = 65001;
  o.hold_time = 180;
  o.bgp_identifier = 0xc0000201u;
  GracefulRestartCapability gr;
  gr.restart_flags = GracefulRestartCapability::kRestartState;
  gr.restart_time = 120;
  gr.families = {{kIpv4Unicast, GracefulRestartCapability::kForwardingState}, {kL2vpnEvpn, 0}};
  o.capabilities = {
      MultiprotocolCapability{kIpv4Unicast},
      MultiprotocolCapability{kL2vpnEvpn},
      RouteRefreshCapability{},
      EnhancedRouteRefreshCapability{},
      gr,
      FourOctetAsCapability{65001},
      AddPathCapability{{{kL2vpnEvpn, AddPathCapability::kReceive | AddPathCapability::kSend}}},
      ExtendedMessageCapability{},
      FqdnCapability{"leaf1", "example.net"},
      UnknownCapability{131, {1, 2, 3}}};
  return o;
}

TEST(OpenMessageTest, EveryCapabilityDecodes) {
  auto out = DecodeOpenBody(Hex(std::string(kFixed) + kAllCapabilities));
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  EXPECT_EQ(out.value, AllCapabilitiesOpen());
  EXPECT_TRUE(out.value.capabilities_per_parameter.empty());
  EXPECT_FALSE(out.value.extended_optional_parameters);
  EXPECT_EQ(out.value.SpeakerAs(), 65001u);
  EXPECT_EQ(out.value.Families(), (std::vector<AfiSafi>{kIpv4Unicast, kL2vpnEvpn}));
  const auto* gr = out.value.Find<GracefulRestartCapability>();
  ASSERT_NE(gr, nullptr);
  EXPECT_EQ(gr->restart_time, 120);
  EXPECT_EQ(gr->families[0].flags & GracefulRestartCapability::kForwardingState, 0x80);
  EXPECT_EQ(out.value.Find<FqdnCapability>()->hostname, "leaf1");
}

TEST(OpenMessageTest, EveryCapabilityEncodes) {
  EXPECT_EQ(Encode(AllCapabilitiesOpen()), Hex(std::string(kFixed) + kAllCapabilities));
}

TEST(OpenMessageTest, GracefulRestartFlagsAndTimeUseTheirBits) {
  GracefulRestartCapability gr;
  gr.restart_flags =
      GracefulRestartCapability::kRestartState | GracefulRestartCapability::kNotification;
  gr.restart_time = 0xfff;
  OpenMessage o;
  o.my_as = 1;
  o.bgp_identifier = 1;
  o.capabilities = {gr};
  EXPECT_EQ(Encode(o), Hex("04 00 01 00 00 00 00 00 01 06 02 04 40 02 cf ff"));
  auto out = DecodeOpenBody(Hex("04 00 01 00 00 00 00 00 01 0a 02 08 40 06 4f ff 00 19 46 80"));
  ASSERT_TRUE(out.ok());
  const auto* decoded = out.value.Find<GracefulRestartCapability>();
  ASSERT_NE(decoded, nullptr);
  EXPECT_EQ(decoded->restart_flags, GracefulRestartCapability::kNotification);
  EXPECT_EQ(decoded->restart_time, 0xfff);
  EXPECT_EQ(decoded->families[0].family, kL2vpnEvpn);
}

TEST(OpenMessageTest, SpeakerAsComesFromTheFourOctetCapability) {
  auto out = DecodeOpenBody(Hex("04 5b a0 00 5a 0a 00 00 01 08 02 06 41 04 fa 56 ea 00"));
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  EXPECT_EQ(out.value.my_as, kAsTrans);
  EXPECT_EQ(out.value.SpeakerAs(), 4200000000u);
  EXPECT_EQ(out.value.hold_time, 90);
}

TEST(OpenMessageTest, NoOptionalParameters) {
  const auto bytes = Hex(std::string(kFixed) + "00");
  auto out = DecodeOpenBody(bytes);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out.value.capabilities.empty());
  EXPECT_EQ(Encode(out.value), bytes);
}

TEST(OpenMessageTest, GroupedCapabilitiesReEncodeByteExact) {
  // Three capabilities in one parameter, two in the next, one alone (RFC 5492 §4 allows both).
  const auto bytes = Hex(std::string(kFixed) +
                         "1e 02 0e 01 04 00 01 00 01 01 04 00 19 00 46 02 00"
                         " 02 08 41 04 00 00 fd e9 46 00 02 02 06 00");
  auto out = DecodeOpenBody(bytes);
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  EXPECT_EQ(out.value.capabilities.size(), 6u);
  EXPECT_EQ(out.value.capabilities_per_parameter, (std::vector<uint16_t>{3, 2, 1}));
  EXPECT_EQ(Encode(out.value), bytes);
  // Forgetting the grouping gives one capability per parameter.
  OpenMessage flat = out.value;
  flat.capabilities_per_parameter.clear();
  EXPECT_EQ(Encode(flat), Hex(std::string(kFixed) +
                              "24 02 06 01 04 00 01 00 01 02 06 01 04 00 19 00 46 02 02 02 00"
                              " 02 06 41 04 00 00 fd e9 02 02 46 00 02 02 06 00"));
}

TEST(OpenMessageTest, EmptyCapabilitiesParameterKept) {
  const auto bytes = Hex(std::string(kFixed) + "06 02 00 02 02 02 00");
  auto out = DecodeOpenBody(bytes);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value.capabilities.size(), 1u);
  EXPECT_EQ(Encode(out.value), bytes);
}

TEST(OpenMessageTest, MultiprotocolWithNonZeroReservedKeptAsUnknown) {
  const auto bytes = Hex(std::string(kFixed) + "08 02 06 01 04 00 19 01 46");
  auto out = DecodeOpenBody(bytes);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out.value.capabilities.size(), 1u);
  EXPECT_EQ(out.value.capabilities[0], Capability(UnknownCapability{1, {0x00, 0x19, 0x01, 0x46}}));
  EXPECT_TRUE(out.value.Families().empty());
  EXPECT_EQ(Encode(out.value), bytes);
}

TEST(OpenMessageTest, Rfc9072ExtendedParametersDecodedAndKept) {
  // Non-Ext OP Len 255, Non-Ext OP Type 255, Extended Opt. Parm. Length 9, then a parameter
  // with a 2-byte length.
  const auto bytes = Hex(std::string(kFixed) + "ff ff 00 09 02 00 06 01 04 00 19 00 46");
  auto out = DecodeOpenBody(bytes);
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  EXPECT_TRUE(out.value.extended_optional_parameters);
  EXPECT_EQ(out.value.Families(), (std::vector<AfiSafi>{kL2vpnEvpn}));
  EXPECT_EQ(Encode(out.value), bytes);
}

TEST(OpenMessageTest, Rfc9072ChosenWhenCapabilitiesExceed255Bytes) {
  OpenMessage o;
  o.my_as = 65001;
  o.hold_time = 180;
  o.bgp_identifier = 0xc0000201u;
  std::string expected = std::string(kFixed) + "ff ff 01 68";  // 40 parameters of 9 bytes = 360
  for (int safi = 1; safi <= 40; ++safi) {
    o.capabilities.push_back(MultiprotocolCapability{{1, static_cast<uint8_t>(safi)}});
    char param[40];
    snprintf(param, sizeof(param), " 02 00 06 01 04 00 01 00 %02x", safi);
    expected += param;
  }
  const auto bytes = Encode(o);
  EXPECT_EQ(bytes, Hex(expected));
  auto out = DecodeOpenBody(bytes);
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  EXPECT_EQ(out.value.capabilities, o.capabilities);
  EXPECT_TRUE(out.value.extended_optional_parameters);
}

TEST(OpenMessageTest, Rfc9072ChosenWhenOneParameterExceeds255Bytes) {
  OpenMessage o;
  o.my_as = 65001;
  o.bgp_identifier = 1;
  o.capabilities = {UnknownCapability{200, std::vector<uint8_t>(200, 0xab)},
                    UnknownCapability{201, std::vector<uint8_t>(200, 0xcd)}};
  o.capabilities_per_parameter = {2};
  const auto bytes = Encode(o);
  // Parameter of 404 bytes: Extended Opt. Parm. Length 3 + 404 = 407 (0x0197).
  ASSERT_EQ(bytes.size(), 9u + 4u + 407u);
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 9, bytes.begin() + 16),
            Hex("ff ff 01 97 02 01 94"));
  EXPECT_EQ(bytes[16], 200);
  EXPECT_EQ(bytes[17], 200);
  auto out = DecodeOpenBody(bytes);
  ASSERT_TRUE(out.ok()) << out.errors[0].message;
  EXPECT_EQ(out.value.capabilities, o.capabilities);
  EXPECT_EQ(out.value.capabilities_per_parameter, (std::vector<uint16_t>{2}));
}

// ---- RFC 4271 §6.2 errors ----

const WireError& OnlyError(const DecodeOutcome<OpenMessage>& out) {
  EXPECT_EQ(out.errors.size(), 1u);
  static const WireError kNone;
  return out.errors.empty() ? kNone : out.errors[0];
}

void ExpectOpenError(const std::string& body_hex, uint8_t subcode) {
  SCOPED_TRACE(body_hex);
  auto out = DecodeOpenBody(Hex(body_hex));
  const WireError& e = OnlyError(out);
  EXPECT_EQ(e.action, ErrorAction::kSessionReset);
  EXPECT_EQ(e.code, kOpenMessageError);
  EXPECT_EQ(e.subcode, subcode) << e.message;
}

TEST(OpenMessageErrorTest, UnsupportedVersionCarriesVersion4) {
  auto out = DecodeOpenBody(Hex("03 fd e9 00 b4 c0 00 02 01 00"));
  const WireError& e = OnlyError(out);
  EXPECT_EQ(e.action, ErrorAction::kSessionReset);
  EXPECT_EQ(e.code, kOpenMessageError);
  EXPECT_EQ(e.subcode, kUnsupportedVersionNumber);
  EXPECT_EQ(e.data, Hex("00 04"));  // RFC 4271 §6.2: 2 octets, the largest version supported
  EXPECT_EQ(OnlyError(DecodeOpenBody(Hex("05 fd e9 00 b4 c0 00 02 01 00"))).data, Hex("00 04"));
}

TEST(OpenMessageErrorTest, BadPeerAsZero) {
  ExpectOpenError("04 00 00 00 b4 c0 00 02 01 00", kBadPeerAs);
  // RFC 7607 §2: also when the 4-octet AS capability carries 0.
  ExpectOpenError("04 5b a0 00 b4 c0 00 02 01 08 02 06 41 04 00 00 00 00", kBadPeerAs);
}

TEST(OpenMessageErrorTest, HoldTimeOneOrTwo) {
  ExpectOpenError("04 fd e9 00 01 c0 00 02 01 00", kUnacceptableHoldTime);
  ExpectOpenError("04 fd e9 00 02 c0 00 02 01 00", kUnacceptableHoldTime);
  EXPECT_TRUE(DecodeOpenBody(Hex("04 fd e9 00 00 c0 00 02 01 00")).ok());
  EXPECT_TRUE(DecodeOpenBody(Hex("04 fd e9 00 03 c0 00 02 01 00")).ok());
  EXPECT_TRUE(DecodeOpenBody(Hex("04 fd e9 ff ff c0 00 02 01 00")).ok());
}

TEST(OpenMessageErrorTest, BgpIdentifierZero) {
  ExpectOpenError("04 fd e9 00 b4 00 00 00 00 00", kBadBgpIdentifier);
}

TEST(OpenMessageErrorTest, SeveralFieldErrorsAllReported) {
  auto out = DecodeOpenBody(Hex("04 00 00 00 01 00 00 00 00 00"));
  ASSERT_EQ(out.errors.size(), 3u);
  EXPECT_EQ(out.action(), ErrorAction::kSessionReset);
  std::vector<uint8_t> subcodes;
  for (const WireError& e : out.errors) subcodes.push_back(e.subcode);
  EXPECT_EQ(subcodes, (std::vector<uint8_t>{kBadPeerAs, kUnacceptableHoldTime, kBadBgpIdentifier}));
}

TEST(OpenMessageErrorTest, UnsupportedOptionalParameterType) {
  // Type 1 (the deprecated Authentication Information) is not supported.
  ExpectOpenError(std::string(kFixed) + "04 01 02 00 00", kUnsupportedOptionalParameter);
  ExpectOpenError(std::string(kFixed) + "0c 02 06 01 04 00 01 00 01 03 02 00 00",
                  kUnsupportedOptionalParameter);
}

TEST(OpenMessageErrorTest, TruncatedCapabilitiesAndParameters) {
  ExpectOpenError(std::string(kFixed) + "06 02 04 01 04 00 01", kOpenUnspecific);  // cap overrun
  ExpectOpenError(std::string(kFixed) + "03 02 01 01", kOpenUnspecific);           // cap header cut
  ExpectOpenError(std::string(kFixed) + "04 02 06 01 04", kOpenUnspecific);        // param overrun
  ExpectOpenError(std::string(kFixed) + "0a 02 06 01 04 00 01 00 01", kOpenUnspecific);
  ExpectOpenError(std::string(kFixed) + "02 02 02 02 00", kOpenUnspecific);  // bytes left over
  ExpectOpenError(std::string(kFixed) + "ff ff 00", kOpenUnspecific);        // RFC 9072 length cut
  ExpectOpenError(std::string(kFixed) + "ff ff 00 0a 02 00 06 01 04 00 19 00 46", kOpenUnspecific);
}

TEST(OpenMessageErrorTest, MalformedKnownCapabilities) {
  for (const char* params : {
           "07 02 05 01 03 00 01 00",           // multiprotocol of 3 bytes
           "09 02 07 01 05 00 01 00 01 00",     // multiprotocol of 5 bytes
           "06 02 04 41 02 fd e9",              // 4-octet AS of 2 bytes
           "05 02 03 02 01 00",                 // route refresh with a value
           "05 02 03 46 01 00",                 // enhanced route refresh with a value
           "05 02 03 06 01 00",                 // extended message with a value
           "07 02 05 40 03 80 78 00",           // graceful restart of 3 bytes
           "04 02 02 40 00",                    // graceful restart of 0 bytes
           "09 02 07 45 05 00 19 46 03 00",     // ADD-PATH of 5 bytes
           "08 02 06 49 04 05 6c 65 61",        // FQDN hostname overruns
           "0a 02 08 49 06 01 61 01 62 00 00",  // FQDN with trailing bytes
       }) {
    ExpectOpenError(std::string(kFixed) + params, kOpenUnspecific);
  }
}

TEST(OpenMessageErrorTest, ShorterThan29BytesIsBadMessageLength) {
  auto out = DecodeOpenBody(Hex("04 fd e9 00 b4 c0 00 02 01"));  // no Opt Parm Len: 28 bytes
  const WireError& e = OnlyError(out);
  EXPECT_EQ(e.action, ErrorAction::kSessionReset);
  EXPECT_EQ(e.code, kMessageHeaderError);
  EXPECT_EQ(e.subcode, kBadMessageLength);
  EXPECT_EQ(e.data, Hex("00 1c"));
  EXPECT_EQ(OnlyError(DecodeOpenBody({})).data, Hex("00 13"));
}

TEST(OpenMessageTest, CapabilityNamesAndCodes) {
  EXPECT_EQ(CapabilityCodeOf(MultiprotocolCapability{}), 1);
  EXPECT_EQ(CapabilityCodeOf(GracefulRestartCapability{}), 64);
  EXPECT_EQ(CapabilityCodeOf(FqdnCapability{}), 73);
  EXPECT_EQ(CapabilityCodeOf(UnknownCapability{200, {}}), 200);
  EXPECT_EQ(std::string(CapabilityName(kCapAddPath)), "add-path");
  EXPECT_EQ(std::string(CapabilityName(kCapEnhancedRouteRefresh)), "enhanced-route-refresh");
  EXPECT_EQ(std::string(CapabilityName(200)), "unknown");
}

TEST(OpenMessageTest, LongFqdnNeverEncodesAMalformedCapability) {
  // A capability's length is one octet. A hostname and domain of 200 and 100 bytes need 302;
  // the encoder must not write a wrong length byte (EncodeMessage documents that it fails when a
  // field does not fit its wire width).
  // Regression: the length byte once wrapped (302 -> 46), giving the peer a malformed capability.
  OpenMessage o;
  o.my_as = 65001;
  o.hold_time = 180;
  o.bgp_identifier = 0xc0000201u;
  o.capabilities = {FqdnCapability{std::string(200, 'h'), std::string(100, 'd')}};
  auto encoded = EncodeMessage(o, CodecContext{});
  if (encoded.ok()) {
    auto back = DecodeMessage(*encoded, CodecContext{});
    EXPECT_TRUE(back.ok()) << "encoder produced an OPEN its own decoder rejects: "
                           << back.errors[0].message;
  }
}

}  // namespace
}  // namespace evpnd::wire
