// OPEN negotiation and OPEN building (bgpd/session/negotiation.h).
// Covered: hold time = the smaller of the two, 0 or at least 3 s, received values of 1 and 2
// rejected with Unacceptable Hold Time (RFC 4271 §4.2, §6.2, §10); keepalive = min(configured,
// hold / 3) and at least 1 s, 0 with hold 0 (§4.4, §10); Bad Peer AS (2/2) on an AS mismatch,
// with the 4-octet AS capability authoritative over My Autonomous System and AS_TRANS (RFC 4271
// §6.2, RFC 6793 §4); Bad BGP Identifier (2/3) when an internal peer uses our identifier, and
// not for an external one (RFC 6286 §2.2); a missing required family answered with Unsupported
// Capability (2/7) whose Data lists the missing multiprotocol capabilities as encoded in an OPEN
// (RFC 5492 §5, RFC 4760 §8: 01 04 00 19 00 46 for l2vpn-evpn); optional families intersected;
// four-octet AS, extended message (RFC 8654), route refresh (RFC 2918), enhanced route refresh
// (RFC 7313), graceful restart (RFC 4724) and FQDN picked up from the peer; BuildOpen with
// AS_TRANS for a 4-octet local AS, the graceful restart capability with its R and F bits, and a
// wire encode/decode round trip (byte-checked); the codec contexts a session derives (4-octet AS,
// 4096 or 65535-byte messages, no ADD-PATH).
#include "bgpd/session/negotiation.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "bgpd/wire/as_path.h"
#include "bgpd/wire/codec_context.h"
#include "bgpd/wire/message.h"
#include "bgpd/wire/notification_codes.h"
#include "bgpd/wire/open_message.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/hex_bytes.h"

namespace evpnd::bgpd {
namespace {

using ::evpnd::test::Hex;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using wire::AfiSafi;

constexpr uint32_t kLocalAs = 65001;
constexpr uint32_t kPeerAs = 65002;
constexpr uint32_t kLocalId = 0x0a000001;
constexpr uint32_t kPeerId = 0x0a000002;
constexpr uint32_t kBigAs = 4200000000;  // 0xfa56ea00
constexpr AfiSafi kVpls{wire::kAfiL2vpn, 65};

LocalSpeaker Local() {
  LocalSpeaker local;
  local.local_as = kLocalAs;
  local.router_id = kLocalId;
  local.expected_peer_as = kPeerAs;
  local.hold_time_s = 90;
  local.keepalive_s = 30;
  return local;
}

wire::OpenMessage Open(uint32_t as = kPeerAs, uint16_t hold = 90,
                       std::vector<AfiSafi> families = {wire::kL2vpnEvpn}) {
  wire::OpenMessage open;
  open.my_as = static_cast<uint16_t>(as > 0xffff ? wire::kAsTrans : as);
  open.hold_time = hold;
  open.bgp_identifier = kPeerId;
  for (AfiSafi f : families) open.capabilities.push_back(wire::MultiprotocolCapability{f});
  return open;
}

// The agreement, failing the test if Negotiate() refused.
NegotiatedSession Agreed(const LocalSpeaker& local, const wire::OpenMessage& open) {
  auto result = Negotiate(local, open);
  if (const auto* n = std::get_if<wire::NotificationMessage>(&result)) {
    ADD_FAILURE() << "refused with " << int{n->code} << "/" << int{n->subcode};
    return {};
  }
  return std::get<NegotiatedSession>(result);
}

// The NOTIFICATION, failing the test if Negotiate() agreed.
wire::NotificationMessage Refused(const LocalSpeaker& local, const wire::OpenMessage& open) {
  auto result = Negotiate(local, open);
  if (std::holds_alternative<NegotiatedSession>(result)) {
    ADD_FAILURE() << "agreed, expected a NOTIFICATION";
    return {};
  }
  return std::get<wire::NotificationMessage>(result);
}

// ---------------------------------------------------------------------------------------------
// Hold and keepalive

struct TimesCase {
  uint16_t local_hold;
  uint16_t local_keepalive;
  uint16_t peer_hold;
  uint16_t hold;
  uint16_t keepalive;
};

class NegotiateTimesTest : public ::testing::TestWithParam<TimesCase> {};

// RFC 4271 §4.2: "use the smaller of its configured Hold Time and the Hold Time received in the
// OPEN message"; §4.4 / §10: keepalive one third of the hold time (here also capped by the
// configured value, and never below 1 s); hold 0: no keepalives.
TEST_P(NegotiateTimesTest, HoldIsMinimumKeepaliveIsMinOfConfiguredAndThird) {
  const TimesCase c = GetParam();
  LocalSpeaker local = Local();
  local.hold_time_s = c.local_hold;
  local.keepalive_s = c.local_keepalive;
  const NegotiatedSession s = Agreed(local, Open(kPeerAs, c.peer_hold));
  EXPECT_EQ(s.hold_time_s, c.hold);
  EXPECT_EQ(s.keepalive_s, c.keepalive);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4271, NegotiateTimesTest,
    ::testing::Values(TimesCase{90, 30, 90, 90, 30}, TimesCase{90, 30, 30, 30, 10},
                      TimesCase{90, 30, 180, 90, 30}, TimesCase{90, 60, 90, 90, 30},
                      TimesCase{90, 5, 90, 90, 5}, TimesCase{180, 60, 240, 180, 60},
                      TimesCase{90, 30, 3, 3, 1}, TimesCase{90, 30, 4, 4, 1},
                      TimesCase{90, 30, 5, 5, 1}, TimesCase{90, 0, 90, 90, 1},
                      TimesCase{90, 30, 0, 0, 0}, TimesCase{0, 30, 90, 0, 0}),
    [](const ::testing::TestParamInfo<TimesCase>& info) {
      const TimesCase& c = info.param;
      return "Local" + std::to_string(c.local_hold) + "Ka" + std::to_string(c.local_keepalive) +
             "Peer" + std::to_string(c.peer_hold);
    });

// RFC 4271 §6.2: "An implementation MUST reject Hold Time values of one or two seconds."
TEST(NegotiateHoldTime, RejectsReceivedHoldTimeOfOneOrTwoSeconds) {
  for (uint16_t hold : {1, 2}) {
    const wire::NotificationMessage n = Refused(Local(), Open(kPeerAs, hold));
    EXPECT_EQ(n.code, wire::kOpenMessageError) << hold;
    EXPECT_EQ(n.subcode, wire::kUnacceptableHoldTime) << hold;
  }
}

// The MUST is about the Hold Time field received, whatever the local value is.
TEST(NegotiateHoldTime, RejectsReceivedHoldTimeOfTwoEvenWhenLocalHoldIsZero) {
  LocalSpeaker local = Local();
  local.hold_time_s = 0;
  const wire::NotificationMessage n = Refused(local, Open(kPeerAs, 2));
  EXPECT_EQ(n.code, wire::kOpenMessageError);
  EXPECT_EQ(n.subcode, wire::kUnacceptableHoldTime);
}

// ---------------------------------------------------------------------------------------------
// Peer AS

// RFC 4271 §6.2: an unacceptable Autonomous System is Bad Peer AS.
TEST(NegotiatePeerAs, MismatchIsBadPeerAs) {
  const wire::NotificationMessage n = Refused(Local(), Open(65003));
  EXPECT_EQ(n.code, wire::kOpenMessageError);
  EXPECT_EQ(n.subcode, wire::kBadPeerAs);
}

TEST(NegotiatePeerAs, TwoOctetPeerWithoutCapabilityIsAccepted) {
  const NegotiatedSession s = Agreed(Local(), Open(kPeerAs));
  EXPECT_EQ(s.peer_as, kPeerAs);
  EXPECT_EQ(s.peer_router_id, kPeerId);
  EXPECT_FALSE(s.four_octet_as);
}

// RFC 6793 §4.1: a 4-octet AS travels in the capability, with AS_TRANS in My Autonomous System.
TEST(NegotiatePeerAs, FourOctetAsFromTheCapability) {
  LocalSpeaker local = Local();
  local.expected_peer_as = kBigAs;
  wire::OpenMessage open = Open(kBigAs);
  ASSERT_EQ(open.my_as, wire::kAsTrans);
  open.capabilities.push_back(wire::FourOctetAsCapability{kBigAs});
  const NegotiatedSession s = Agreed(local, open);
  EXPECT_EQ(s.peer_as, kBigAs);
  EXPECT_TRUE(s.four_octet_as);
}

TEST(NegotiatePeerAs, FourOctetAsMismatchIsBadPeerAs) {
  LocalSpeaker local = Local();
  local.expected_peer_as = kBigAs;
  wire::OpenMessage open = Open(kBigAs);
  open.capabilities.push_back(wire::FourOctetAsCapability{kBigAs + 1});
  EXPECT_EQ(Refused(local, open).subcode, wire::kBadPeerAs);
}

// AS_TRANS alone is not the configured 4-octet AS.
TEST(NegotiatePeerAs, AsTransWithoutCapabilityIsBadPeerAs) {
  LocalSpeaker local = Local();
  local.expected_peer_as = kBigAs;
  const wire::NotificationMessage n = Refused(local, Open(kBigAs));
  EXPECT_EQ(n.code, wire::kOpenMessageError);
  EXPECT_EQ(n.subcode, wire::kBadPeerAs);
}

// The capability wins over My Autonomous System, also for 2-octet numbers.
TEST(NegotiatePeerAs, CapabilityDisagreeingWithMyAsIsBadPeerAs) {
  wire::OpenMessage open = Open(kPeerAs);
  open.capabilities.push_back(wire::FourOctetAsCapability{65003});
  EXPECT_EQ(Refused(Local(), open).subcode, wire::kBadPeerAs);
}

// ---------------------------------------------------------------------------------------------
// BGP Identifier

// RFC 6286 §2.2: the BGP Identifier must be unique within an AS, so an internal peer with ours
// is Bad BGP Identifier.
TEST(NegotiateIdentifier, InternalPeerWithOurIdentifierIsBadBgpIdentifier) {
  LocalSpeaker local = Local();
  local.expected_peer_as = kLocalAs;
  wire::OpenMessage open = Open(kLocalAs);
  open.bgp_identifier = kLocalId;
  const wire::NotificationMessage n = Refused(local, open);
  EXPECT_EQ(n.code, wire::kOpenMessageError);
  EXPECT_EQ(n.subcode, wire::kBadBgpIdentifier);
}

TEST(NegotiateIdentifier, InternalPeerWithAnotherIdentifierIsAccepted) {
  LocalSpeaker local = Local();
  local.expected_peer_as = kLocalAs;
  EXPECT_EQ(Agreed(local, Open(kLocalAs)).peer_as, kLocalAs);
}

// RFC 6286 §2.2 lets identifiers repeat across ASes: an external peer may use ours.
TEST(NegotiateIdentifier, ExternalPeerWithOurIdentifierIsAccepted) {
  wire::OpenMessage open = Open(kPeerAs);
  open.bgp_identifier = kLocalId;
  EXPECT_EQ(Agreed(Local(), open).peer_router_id, kLocalId);
}

// ---------------------------------------------------------------------------------------------
// Families

// RFC 5492 §5: Unsupported Capability, Data = the capabilities required and missing, each as
// in an OPEN: code 1, length 4, AFI 25, reserved 0, SAFI 70.
TEST(NegotiateFamilies, MissingEvpnIsUnsupportedCapabilityWithMultiprotocolData) {
  for (const std::vector<AfiSafi>& theirs :
       {std::vector<AfiSafi>{wire::kIpv4Unicast}, std::vector<AfiSafi>{},
        std::vector<AfiSafi>{wire::kIpv6Unicast, kVpls}}) {
    const wire::NotificationMessage n = Refused(Local(), Open(kPeerAs, 90, theirs));
    EXPECT_EQ(n.code, wire::kOpenMessageError);
    EXPECT_EQ(n.subcode, wire::kUnsupportedCapability);
    EXPECT_EQ(n.data, Hex("01 04 00 19 00 46"));
  }
}

TEST(NegotiateFamilies, EveryMissingRequiredFamilyIsListed) {
  LocalSpeaker local = Local();
  local.families = {wire::kL2vpnEvpn, wire::kIpv6Unicast};
  local.required_families = {wire::kL2vpnEvpn, wire::kIpv6Unicast};
  const wire::NotificationMessage n = Refused(local, Open(kPeerAs, 90, {wire::kIpv4Unicast}));
  EXPECT_EQ(n.subcode, wire::kUnsupportedCapability);
  EXPECT_EQ(n.data, Hex("01 04 00 19 00 46  01 04 00 02 00 01"));
}

// Families neither side requires run where both announced them.
TEST(NegotiateFamilies, OptionalFamiliesAreIntersected) {
  LocalSpeaker local = Local();
  local.families = {wire::kL2vpnEvpn, wire::kIpv4Unicast, wire::kIpv6Unicast};
  const NegotiatedSession s =
      Agreed(local, Open(kPeerAs, 90, {wire::kIpv6Unicast, wire::kL2vpnEvpn, kVpls}));
  EXPECT_THAT(s.families, UnorderedElementsAre(wire::kL2vpnEvpn, wire::kIpv6Unicast));
  EXPECT_TRUE(s.HasFamily(wire::kL2vpnEvpn));
  EXPECT_TRUE(s.HasFamily(wire::kIpv6Unicast));
  EXPECT_FALSE(s.HasFamily(wire::kIpv4Unicast));
  EXPECT_FALSE(s.HasFamily(kVpls));
}

// ---------------------------------------------------------------------------------------------
// Capabilities

TEST(NegotiateCapabilities, NoneAnnouncedNoneNegotiated) {
  const NegotiatedSession s = Agreed(Local(), Open());
  EXPECT_FALSE(s.four_octet_as);
  EXPECT_FALSE(s.extended_message);
  EXPECT_FALSE(s.route_refresh);
  EXPECT_FALSE(s.enhanced_route_refresh);
  EXPECT_FALSE(s.peer_graceful_restart.has_value());
  EXPECT_EQ(s.peer_hostname, "");
  EXPECT_TRUE(s.add_path_receive.empty());
  EXPECT_TRUE(s.add_path_send.empty());
}

wire::GracefulRestartCapability PeerGr() {
  wire::GracefulRestartCapability gr;
  gr.restart_flags = wire::GracefulRestartCapability::kRestartState;
  gr.restart_time = 90;
  gr.families = {{wire::kL2vpnEvpn, wire::GracefulRestartCapability::kForwardingState}};
  return gr;
}

struct FlagCase {
  std::string name;
  wire::Capability capability;
};

class NegotiateCapabilityTest : public ::testing::TestWithParam<FlagCase> {};

// Each capability, announced alone, sets exactly its own flag.
TEST_P(NegotiateCapabilityTest, AnnouncedAloneSetsOnlyItsFlag) {
  const FlagCase& c = GetParam();
  wire::OpenMessage open = Open();
  open.capabilities.push_back(c.capability);
  const NegotiatedSession s = Agreed(Local(), open);
  EXPECT_EQ(s.four_octet_as, c.name == "FourOctetAs");
  EXPECT_EQ(s.extended_message, c.name == "ExtendedMessage");
  EXPECT_EQ(s.route_refresh, c.name == "RouteRefresh");
  EXPECT_EQ(s.enhanced_route_refresh, c.name == "EnhancedRouteRefresh");
  EXPECT_EQ(s.peer_graceful_restart.has_value(), c.name == "GracefulRestart");
  if (s.peer_graceful_restart) {
    EXPECT_EQ(*s.peer_graceful_restart, PeerGr());
  }
  EXPECT_EQ(s.peer_hostname, c.name == "Fqdn" ? "leaf1" : "");
}

INSTANTIATE_TEST_SUITE_P(
    Rfc5492, NegotiateCapabilityTest,
    ::testing::Values(FlagCase{"FourOctetAs", wire::FourOctetAsCapability{kPeerAs}},
                      FlagCase{"ExtendedMessage", wire::ExtendedMessageCapability{}},
                      FlagCase{"RouteRefresh", wire::RouteRefreshCapability{}},
                      FlagCase{"EnhancedRouteRefresh", wire::EnhancedRouteRefreshCapability{}},
                      FlagCase{"GracefulRestart", PeerGr()},
                      FlagCase{"Fqdn", wire::FqdnCapability{"leaf1", "example.net"}}),
    [](const ::testing::TestParamInfo<FlagCase>& info) { return info.param.name; });

TEST(NegotiateCapabilities, AllAnnouncedAllNegotiated) {
  wire::OpenMessage open = Open();
  open.capabilities.push_back(wire::FourOctetAsCapability{kPeerAs});
  open.capabilities.push_back(wire::ExtendedMessageCapability{});
  open.capabilities.push_back(wire::RouteRefreshCapability{});
  open.capabilities.push_back(wire::EnhancedRouteRefreshCapability{});
  open.capabilities.push_back(PeerGr());
  open.capabilities.push_back(wire::FqdnCapability{"leaf1", "example.net"});
  const NegotiatedSession s = Agreed(Local(), open);
  EXPECT_TRUE(s.four_octet_as);
  EXPECT_TRUE(s.extended_message);
  EXPECT_TRUE(s.route_refresh);
  EXPECT_TRUE(s.enhanced_route_refresh);
  ASSERT_TRUE(s.peer_graceful_restart.has_value());
  EXPECT_EQ(*s.peer_graceful_restart, PeerGr());
  EXPECT_EQ(s.peer_hostname, "leaf1");
}

// RFC 7911 §4: we announce no ADD-PATH, so path ids stay off whatever the peer offers.
TEST(NegotiateCapabilities, PeerAddPathAloneEnablesNothing) {
  wire::OpenMessage open = Open();
  open.capabilities.push_back(wire::AddPathCapability{
      {{wire::kL2vpnEvpn, wire::AddPathCapability::kSend | wire::AddPathCapability::kReceive}}});
  const NegotiatedSession s = Agreed(Local(), open);
  EXPECT_TRUE(s.add_path_receive.empty());
  EXPECT_TRUE(s.add_path_send.empty());
  EXPECT_FALSE(s.ReceiveContext().HasAddPath(wire::kL2vpnEvpn));
}

// ---------------------------------------------------------------------------------------------
// Codec contexts

// RFC 6793: 4-octet AS_PATH once both sides sent the capability; RFC 8654 §3: 65535-byte messages
// once both sent extended message, else 4096 (RFC 4271 §4.1).
TEST(NegotiatedContext, ReflectsFourOctetAsAndExtendedMessage) {
  wire::OpenMessage open = Open();
  open.capabilities.push_back(wire::FourOctetAsCapability{kPeerAs});
  open.capabilities.push_back(wire::ExtendedMessageCapability{});
  const NegotiatedSession s = Agreed(Local(), open);
  for (const wire::CodecContext& ctx : {s.ReceiveContext(), s.SendContext()}) {
    EXPECT_TRUE(ctx.four_octet_as);
    EXPECT_EQ(ctx.max_message_size, 65535u);
    EXPECT_TRUE(ctx.add_path.empty());
  }
}

TEST(NegotiatedContext, TwoOctetAsAndStandardMessageSizeWithoutThem) {
  const NegotiatedSession s = Agreed(Local(), Open());
  for (const wire::CodecContext& ctx : {s.ReceiveContext(), s.SendContext()}) {
    EXPECT_FALSE(ctx.four_octet_as);
    EXPECT_EQ(ctx.max_message_size, 4096u);
    EXPECT_TRUE(ctx.add_path.empty());
  }
}

// ---------------------------------------------------------------------------------------------
// BuildOpen

TEST(BuildOpen, TwoOctetLocalAs) {
  const wire::OpenMessage open = BuildOpen(Local());
  EXPECT_EQ(open.version, 4);
  EXPECT_EQ(open.my_as, kLocalAs);
  EXPECT_EQ(open.hold_time, 90);
  EXPECT_EQ(open.bgp_identifier, kLocalId);
  ASSERT_NE(open.Find<wire::FourOctetAsCapability>(), nullptr);
  EXPECT_EQ(open.Find<wire::FourOctetAsCapability>()->asn, kLocalAs);
  EXPECT_THAT(open.Families(), ElementsAre(wire::kL2vpnEvpn));
  EXPECT_NE(open.Find<wire::RouteRefreshCapability>(), nullptr);
  EXPECT_NE(open.Find<wire::EnhancedRouteRefreshCapability>(), nullptr);
  EXPECT_NE(open.Find<wire::ExtendedMessageCapability>(), nullptr);
  EXPECT_EQ(open.Find<wire::FqdnCapability>(), nullptr);  // no hostname configured
}

// RFC 6793 §4.1: My Autonomous System is AS_TRANS (23456) when the AS needs four octets; the
// capability carries the real one.
TEST(BuildOpen, FourOctetLocalAsSendsAsTrans) {
  LocalSpeaker local = Local();
  local.local_as = kBigAs;
  const wire::OpenMessage open = BuildOpen(local);
  EXPECT_EQ(open.my_as, 23456);
  ASSERT_NE(open.Find<wire::FourOctetAsCapability>(), nullptr);
  EXPECT_EQ(open.Find<wire::FourOctetAsCapability>()->asn, kBigAs);
  EXPECT_EQ(open.SpeakerAs(), kBigAs);
}

TEST(BuildOpen, EveryFamilyIsAnnounced) {
  LocalSpeaker local = Local();
  local.families = {wire::kL2vpnEvpn, wire::kIpv4Unicast, wire::kIpv6Unicast};
  EXPECT_THAT(BuildOpen(local).Families(),
              ElementsAre(wire::kL2vpnEvpn, wire::kIpv4Unicast, wire::kIpv6Unicast));
}

// RFC 4724 §3: Restart State (R) in the capability's flags, Forwarding State (F) per family.
TEST(BuildOpen, GracefulRestartWithRestartAndForwardingBits) {
  LocalSpeaker local = Local();
  local.restarting = true;
  local.forwarding_preserved = true;
  local.restart_time_s = 120;
  const wire::OpenMessage open = BuildOpen(local);
  const auto* gr = open.Find<wire::GracefulRestartCapability>();
  ASSERT_NE(gr, nullptr);
  EXPECT_EQ(gr->restart_flags, wire::GracefulRestartCapability::kRestartState);
  EXPECT_EQ(gr->restart_time, 120);
  EXPECT_THAT(gr->families,
              ElementsAre(wire::GracefulRestartCapability::Family{
                  wire::kL2vpnEvpn, wire::GracefulRestartCapability::kForwardingState}));
}

TEST(BuildOpen, GracefulRestartWithoutBitsWhenNotRestarting) {
  const wire::OpenMessage open = BuildOpen(Local());
  const auto* gr = open.Find<wire::GracefulRestartCapability>();
  ASSERT_NE(gr, nullptr);
  EXPECT_EQ(gr->restart_flags, 0);
  EXPECT_EQ(gr->restart_time, 120);
  EXPECT_THAT(gr->families,
              ElementsAre(wire::GracefulRestartCapability::Family{wire::kL2vpnEvpn, 0}));
}

TEST(BuildOpen, NoGracefulRestartCapabilityWhenDisabled) {
  LocalSpeaker local = Local();
  local.graceful_restart = false;
  EXPECT_EQ(BuildOpen(local).Find<wire::GracefulRestartCapability>(), nullptr);
}

TEST(BuildOpen, HostnameBecomesTheFqdnCapability) {
  LocalSpeaker local = Local();
  local.hostname = "leaf1";
  const wire::OpenMessage open = BuildOpen(local);
  const auto* fqdn = open.Find<wire::FqdnCapability>();
  ASSERT_NE(fqdn, nullptr);
  EXPECT_EQ(fqdn->hostname, "leaf1");
}

bool Contains(const std::vector<uint8_t>& bytes, const std::vector<uint8_t>& needle) {
  return std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end()) != bytes.end();
}

// Encoded and decoded again, the OPEN is unchanged; the bytes carry AS_TRANS, the 4-octet AS
// capability and the graceful restart capability with R and F set.
TEST(BuildOpen, SurvivesWireRoundTrip) {
  LocalSpeaker local = Local();
  local.local_as = kBigAs;
  local.restarting = true;
  local.forwarding_preserved = true;
  local.restart_time_s = 120;
  local.hostname = "leaf1";
  const wire::OpenMessage open = BuildOpen(local);
  const wire::CodecContext ctx;
  const auto bytes = wire::EncodeMessage(wire::Message(open), ctx);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  ASSERT_GE(bytes->size(), 29u);
  EXPECT_EQ((*bytes)[18], wire::kMsgOpen);
  // Version 4, My Autonomous System 23456, Hold Time 90, BGP Identifier 10.0.0.1.
  EXPECT_EQ(std::vector<uint8_t>(bytes->begin() + 19, bytes->begin() + 28),
            Hex("04 5b a0 00 5a 0a 00 00 01"));
  EXPECT_TRUE(Contains(*bytes, Hex("41 04 fa 56 ea 00"))) << "4-octet AS capability";
  EXPECT_TRUE(Contains(*bytes, Hex("40 06 80 78 00 19 46 80"))) << "GR: R=1, 120 s, EVPN F=1";
  EXPECT_TRUE(Contains(*bytes, Hex("01 04 00 19 00 46"))) << "multiprotocol l2vpn-evpn";

  const auto decoded = wire::DecodeMessage(*bytes, ctx);
  ASSERT_TRUE(decoded.ok()) << decoded.errors.front().message;
  const auto* back = std::get_if<wire::OpenMessage>(&decoded.value);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(*back, open);
}

// Two evpnd speakers configured for each other agree over the wire.
TEST(BuildOpen, TwoSpeakersAgreeOverTheWire) {
  LocalSpeaker a = Local();
  LocalSpeaker b = Local();
  b.local_as = kPeerAs;
  b.router_id = kPeerId;
  b.expected_peer_as = kLocalAs;
  b.hold_time_s = 30;
  const wire::CodecContext ctx;
  const auto bytes = wire::EncodeMessage(wire::Message(BuildOpen(b)), ctx);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  const auto decoded = wire::DecodeMessage(*bytes, ctx);
  ASSERT_TRUE(decoded.ok());
  const NegotiatedSession s = Agreed(a, std::get<wire::OpenMessage>(decoded.value));
  EXPECT_EQ(s.peer_as, kPeerAs);
  EXPECT_EQ(s.hold_time_s, 30);
  EXPECT_EQ(s.keepalive_s, 10);
  EXPECT_TRUE(s.four_octet_as);
  EXPECT_TRUE(s.extended_message);
  EXPECT_TRUE(s.route_refresh);
  EXPECT_TRUE(s.enhanced_route_refresh);
  ASSERT_TRUE(s.peer_graceful_restart.has_value());
  EXPECT_EQ(s.peer_graceful_restart->restart_time, 120);
  EXPECT_THAT(s.families, ElementsAre(wire::kL2vpnEvpn));
  EXPECT_EQ(s.SendContext().max_message_size, 65535u);
}

}  // namespace
}  // namespace evpnd::bgpd
